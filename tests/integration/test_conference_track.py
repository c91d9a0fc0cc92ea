"""The conference preset end to end on the real servers, with an injected clock."""

from __future__ import annotations

import pytest

from mailflow.commands.roster import import_csv
from mailflow.commands.selection import select
from mailflow.program import participants
from tests.integration.presets import (
    at,
    mails_to,
    preset_program,
    reply,
    start,
    step,
    verified,
)

COORDINATOR = "claire.dubois@nic2027.example.org"
MENTORS = ("name,email,sector,expertise,capacity,languages\n"
           "Sofia Rossi,sofia@example.org,academia,MRI image segmentation,1,English\n"
           "Chen Wei,chen@example.com,industry,surgical robotics and navigation,1,English\n")
MENTEES = ("name,email,expertise_wanted,mentor_sector,goals,self_identification\n"
           "Léa Gagnon,lea@example.com,segmentation of MRI scans,academia,a faculty job,yes\n"
           "Noah Smith,noah@example.com,robotics for surgery,industry,a startup,no\n")


@pytest.fixture
def track(tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / "conference", "conference", dovecot, smtp_server,
                             monkeypatch)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    (tmp_path / "mentees.csv").write_text(MENTEES, encoding="utf-8")
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    import_csv(program, "mentee", tmp_path / "mentees.csv")
    daemon, clock = start(program, at(2027, 8, 2))
    yield program, daemon, clock
    daemon.source.close()
    program.close()


def test_a_conference_track_matches_on_expertise_and_follows_the_three_meetings(
        track, dovecot, smtp_server):
    program, daemon, clock = track
    smtp = smtp_server
    select(program, places=10, reserved=0, seed="nic2027", now=clock.now)
    step(daemon, clock)

    # Matched on the expertise asked for; proposed, approved by a verified coordinator.
    clock.now = at(2027, 8, 10)
    proposal = program.pairing.propose(clock.now)
    assert sorted(proposal["pairs"]) == [["lea@example.com", "sofia@example.org"],
                                         ["noah@example.com", "chen@example.com"]]
    step(daemon, clock)
    [proposal_mail] = mails_to(smtp, COORDINATOR)[-1:]
    dovecot.append(reply(f"Claire Dubois <{COORDINATOR}>", proposal_mail, "APPROVE", "ok",
                         extra=verified("nic2027.example.org")))
    step(daemon, clock)
    intro = mails_to(smtp, "sofia@example.org")[-1].get_body(("plain",)).get_content()
    assert "Léa Gagnon" in intro and "identif" not in intro.lower()

    # Before, during and after the conference: a reminder, then a check that it happened.
    step(daemon, clock, at(2027, 8, 31))
    assert mails_to(smtp, "lea@example.com")[-1]["Subject"] == (
        "Meeting 1 with your mentor: by September 10, 2027")
    step(daemon, clock, at(2027, 9, 11))
    check = mails_to(smtp, "lea@example.com")[-1]
    dovecot.append(reply("Léa Gagnon <lea@example.com>", check,
                         "Yes, we met on September 8 over video.", "met", when=clock.now))
    step(daemon, clock)
    assert participants.find(program.store, "lea@example.com")["last_meeting"] == "2027-09-08"
    before = len(mails_to(smtp, "lea@example.com"))
    step(daemon, clock, at(2027, 9, 13))
    step(daemon, clock, at(2027, 9, 27))
    step(daemon, clock, at(2027, 10, 15))
    step(daemon, clock, at(2027, 10, 30))
    # During the conference: a reminder and a check; after it: a reminder and a check.
    assert len(mails_to(smtp, "lea@example.com")) == before + 4

    # The end, and the track closes for everyone.
    step(daemon, clock, at(2027, 11, 15))
    assert participants.find(program.store, "noah@example.com")["status"] == "completed"
    keys = [i.key for i in program.outbox.items.values()]
    assert len(keys) == len(set(keys))
    assert all(i.state == "sent" for i in program.outbox.items.values())
