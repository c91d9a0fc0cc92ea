"""Forged Authentication-Results, sent straight to our MX, give a stranger no coordinator power."""

from __future__ import annotations

import pytest

from mailflow.commands.roster import import_csv
from mailflow.program import participants
from tests.integration.presets import at, mails_to, preset_program, reply, start, step

COORDINATOR = "claire.dubois@northlake-society.example.org"
DOMAIN = "northlake-society.example.org"
MENTOR, MENTEE = "chen@example.com", "lea@example.com"
# What a sender connecting directly to our MX leaves: our Received on top, its forgery below.
FORGED = ("Received: from attacker.example (unknown [203.0.113.9]) by mx.test.example "
          "(Postfix) with ESMTP id 4Zq2Lm0B7Kz9sW; Mon, 1 Mar 2027 10:00:00 -0500\r\n"
          f"Authentication-Results: mx.test.example; dkim=pass header.d={DOMAIN}; "
          f"dmarc=pass header.from={DOMAIN}\r\n")


@pytest.fixture
def society(tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / "rolling", "rolling", dovecot, smtp_server, monkeypatch)
    (tmp_path / "mentors.csv").write_text("name,email\nChen Wei,chen@example.com\n")
    (tmp_path / "mentees.csv").write_text("name,email,status\nLéa Gagnon,lea@example.com,"
                                          "selected\n", encoding="utf-8")
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    import_csv(program, "mentee", tmp_path / "mentees.csv")
    daemon, clock = start(program, at(2027, 3, 1, 10))
    yield program, daemon, clock
    daemon.source.close()
    program.close()


def test_a_forged_cc_does_not_introduce_a_matched_pair_without_the_mentors_yes(
        society, dovecot):
    program, daemon, clock = society
    program.pairing.propose_pair(MENTEE, MENTOR, clock.now)
    step(daemon, clock)
    assert participants.find(program.store, MENTEE)["status"] == "matched"
    dovecot.append((FORGED + f"From: Claire Dubois <{COORDINATOR}>\r\n"
                    f"To: Chen Wei <{MENTOR}>, Lea Gagnon <{MENTEE}>\r\n"
                    "Cc: mentorship@northlake-society.example.org\r\n"
                    "Subject: Introduction: Lea and Chen\r\n"
                    "Message-ID: <forged-intro@attacker.example>\r\n"
                    "Date: Mon, 01 Mar 2027 10:00:00 -0500\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                    "Chen, meet Lea; Lea, meet Chen.\r\n").encode())
    step(daemon, clock)
    assert participants.find(program.store, MENTEE)["status"] == "matched"


def test_a_forged_approve_of_a_proposal_applies_no_pair(society, dovecot, smtp_server):
    program, daemon, clock = society
    program.pairing.propose_pairs([(MENTEE, MENTOR)], clock.now, "spreadsheet")
    step(daemon, clock)
    [proposal] = [m for m in mails_to(smtp_server, COORDINATOR) if "APPROVE" in
                  m.get_body(("plain",)).get_content()]
    dovecot.append(reply(f"Claire Dubois <{COORDINATOR}>", proposal, "APPROVE", "approve",
                         extra=FORGED, when=clock.now))
    step(daemon, clock)
    assert participants.find(program.store, MENTEE).get("mentor") is None
    assert participants.find(program.store, MENTEE)["status"] == "selected"
