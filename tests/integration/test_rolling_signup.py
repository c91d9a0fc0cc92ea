"""The rolling preset end to end on the real servers: sign-up, proposal, YES, follow-ups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailflow.commands.roster import import_csv
from mailflow.program import participants
from tests.integration.presets import at, mails_to, preset_program, reply, start, step

COORDINATOR = "claire.dubois@northlake-society.example.org"
MENTOR, MENTEE, OTHER = "chen@example.com", "lea@example.com", "ana@example.com"


@pytest.fixture
def society(tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / "rolling", "rolling", dovecot, smtp_server, monkeypatch)
    (tmp_path / "mentors.csv").write_text("name,email,expertise\nChen Wei,chen@example.com,"
                                          "time management\n", encoding="utf-8")
    (tmp_path / "mentees.csv").write_text(
        "name,email,goals,status\nLéa Gagnon,lea@example.com,finding a postdoc,selected\n"
        "Ana García,ana@example.com,writing a grant,selected\n", encoding="utf-8")
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    import_csv(program, "mentee", tmp_path / "mentees.csv")
    daemon, clock = start(program, at(2027, 3, 1, 10))
    yield program, daemon, clock
    daemon.source.close()
    program.close()


def test_a_mentor_who_declines_frees_the_mentee_and_a_yes_to_the_next_starts_the_pair(
        society, dovecot, smtp_server):
    program, daemon, clock = society
    smtp = smtp_server

    # The team proposes Ana; Chen declines by mail; the coordinators hear of it.
    program.pairing.propose_pair(OTHER, MENTOR, clock.now)
    step(daemon, clock)
    [proposal] = mails_to(smtp, MENTOR)
    assert "YES or NO" in proposal["Subject"]
    dovecot.append(reply(f"Chen Wei <{MENTOR}>", proposal, "No, sorry, not this spring.",
                         "no", when=clock.now))
    step(daemon, clock)
    assert participants.find(program.store, OTHER)["status"] == "selected"
    assert mails_to(smtp, COORDINATOR)

    # The next candidate: Léa; Chen says YES; both hear what to do next.
    clock.now += timedelta(days=2)
    program.pairing.propose_pair(MENTEE, MENTOR, clock.now)
    step(daemon, clock)
    second = mails_to(smtp, MENTOR)[-1]
    assert "Léa Gagnon" in second["Subject"]
    dovecot.append(reply(f"Chen Wei <{MENTOR}>", second, "Yes, with pleasure!", "yes",
                         when=clock.now))
    step(daemon, clock)
    step(daemon, clock, clock.now + timedelta(hours=1))
    assert participants.find(program.store, MENTEE)["status"] == "introduced"
    instructions = mails_to(smtp, MENTEE)[-1].get_body(("plain",)).get_content()
    assert "Chen Wei" in instructions and MENTOR in instructions

    # Three weeks without a sign the mentor answered: a reminder; a week more: the team.
    introduced = clock.now
    coordinator_mail, mentor_mail = len(mails_to(smtp, COORDINATOR)), len(mails_to(smtp, MENTOR))
    step(daemon, clock, introduced + timedelta(days=20))
    assert len(mails_to(smtp, MENTOR)) == mentor_mail
    step(daemon, clock, introduced + timedelta(days=21, hours=1))
    assert len(mails_to(smtp, MENTOR)) == mentor_mail + 1
    assert "Léa Gagnon" in mails_to(smtp, MENTOR)[-1]["Subject"]
    step(daemon, clock, introduced + timedelta(days=28, hours=1))
    assert len(mails_to(smtp, COORDINATOR)) > coordinator_mail

    # Two months on, the mentee is asked how it went and whether to continue.
    step(daemon, clock, introduced + timedelta(days=60, hours=1))
    assert len(mails_to(smtp, MENTEE)) == 2
    assert mails_to(smtp, MENTEE)[-1]["Subject"] == "How did your meeting with Chen Wei go?"
    keys = [i.key for i in program.outbox.items.values()]
    assert len(keys) == len(set(keys))
