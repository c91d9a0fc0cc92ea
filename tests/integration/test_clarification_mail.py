"""A clarification on the real servers: an unreadable answer to a French meeting check-in
is answered in French, about the meeting, in the thread of the reply, as one "Re:"."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from mailflow.outbound.mailer import Recipient
from mailflow.parsing.expects import Expects
from mailflow.program import participants
from mailflow.reply_tokens import make_token, reply_address
from mailflow.runtime import open_program
from tests.integration.program import ROOT, DaemonProcess, write_program

MENTEE = "camille.roy@example.ca"
THREAD: dict[str, str] = {}


@pytest.fixture
def daemon(tmp_path, dovecot, smtp_server):
    """Camille, a French mentee sent the meeting check-in, and the daemon running."""
    program = write_program(tmp_path / "program", dovecot, smtp_server)
    mentees = tmp_path / "mentees.csv"
    mentees.write_text(f"name,email,language\nCamille Roy,{MENTEE},fr\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program), "import",
                           "mentees", str(mentees)], env={"PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    _check_in(program)
    process = DaemonProcess(program, dovecot.password)
    process.start()
    [check_in] = smtp_server.wait_for(1, timeout=20)
    THREAD["subject"] = check_in.subject
    smtp_server.clear()
    yield process
    process.terminate()


def _check_in(program_dir) -> None:
    """Queue the meeting check-in to Camille as the rule 'first-meeting-check' does."""
    program = open_program(program_dir)
    try:
        person = dict(participants.find(program.store, MENTEE) or {})
        now = datetime.now(UTC)
        item = program.mailer.queue(
            rule="first-meeting-check", occasion="test", template="meeting_checkin",
            to=Recipient(MENTEE, "Camille Roy", "fr", participant=MENTEE),
            context=program.scheduler.mailings.contexts.build(person, "fr", now,
                                                              "meeting_checkin"),
            kind="scheduled", meta=Expects("meeting").meta(), now=now)
        assert item is not None
        THREAD.update(message_id=item.message_id, reply_to=reply_address(
            "mentorship", "northlake.example.org", make_token(program.secret, item.id, MENTEE)))
    finally:
        program.close()


def answer(body: str) -> bytes:
    """Camille answers the check-in from Thunderbird, as it quotes and threads a reply."""
    return (f"From: Camille Roy <{MENTEE}>\r\nTo: {THREAD['reply_to']}\r\n"
            f"Subject: Re: {THREAD['subject']}\r\nMessage-ID: <c1@mail.example.ca>\r\n"
            f"In-Reply-To: <{THREAD['message_id']}>\r\nReferences: <{THREAD['message_id']}>\r\n"
            "Date: Tue, 16 Mar 2027 10:00:00 -0400\r\nMIME-Version: 1.0\r\n"
            "User-Agent: Mozilla Thunderbird\r\nContent-Language: fr\r\n"
            "Content-Type: text/plain; charset=utf-8; format=flowed\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + body.replace("\n", "\r\n")).encode()


def test_an_unreadable_answer_to_a_meeting_check_in_is_clarified_about_the_meeting_in_french(
        daemon, dovecot, smtp_server):
    dovecot.append(answer("Peut-être, je ne sais plus trop, on verra bien.\n\nCamille\n\n"
                          f"Le 15/03/2027 à 09:00, Programme a écrit :\n> {THREAD['subject']}\n"))
    [clarification] = smtp_server.wait_for(1, timeout=20)
    assert clarification.rcpt_tos == [MENTEE]
    assert clarification.subject == f"Re: {THREAD['subject']}"
    assert clarification.message["In-Reply-To"] == "<c1@mail.example.ca>"
    text = " ".join(clarification.text().split())
    assert "nous n'avons pas pu savoir si la rencontre a eu lieu" in text
    assert "par une ligne en tête, par exemple : oui, le 12 mars pas encore" in text
    assert "Premier choix" not in text and "choix de mentors" not in text
