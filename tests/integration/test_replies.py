"""Participants' replies on the real servers: choices applied or questioned, bounces, absences."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from mailflow.outbound.compose import bounce_address
from mailflow.outbound.mailer import Recipient
from mailflow.parsing.expects import Expects
from mailflow.program import participants
from mailflow.reply_tokens import make_token, reply_address
from mailflow.runtime import open_program
from tests.integration.program import (
    ROOT,
    DaemonProcess,
    store_data,
    wait_until,
    write_program,
)

COORDINATOR = "claire.dubois@northlake.example.org"
MENTEE = "lea.gagnon@example.com"
# Our choices invitation to Léa, as the fixture queued it: replies answer it, as they do.
THREAD: dict[str, str] = {}


def reply(body: str, msg_id: str, subject: str = "Re: Choose your mentors",
          sender: str = f"Léa Gagnon <{MENTEE}>", extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: {THREAD['reply_to']}\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{msg_id}@mail.example.com>\r\n"
            f"In-Reply-To: <{THREAD['message_id']}>\r\n"
            f"References: <{THREAD['message_id']}>\r\n"
            f"Date: Tue, 09 Feb 2027 10:00:00 -0500\r\n{extra}MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + body.replace("\n", "\r\n")).encode("utf-8")


@pytest.fixture
def daemon(tmp_path, dovecot, smtp_server):
    yield from invited_daemon(tmp_path, dovecot, smtp_server)


def invited_daemon(tmp_path, dovecot, smtp_server):
    """Léa, a mentee sent the choices invitation, and the daemon running (a generator
    for a fixture: the daemon stops after the test)."""
    program = write_program(tmp_path / "program", dovecot, smtp_server)
    mentors = tmp_path / "mentors.csv"
    mentors.write_text("name,email\nSofia Rossi,sofia.rossi@example.org\n"
                       "Sophie Ross,sophie.ross@example.com\nChen Wei,chen.wei@example.com\n"
                       "José Martínez,jose.martinez@example.es\n", encoding="utf-8")
    mentees = tmp_path / "mentees.csv"
    mentees.write_text(f"name,email,language\nLéa Gagnon,{MENTEE},en\n", encoding="utf-8")
    for role, path in (("mentors", mentors), ("mentees", mentees)):
        done = subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program), "import",
                               role, str(path)], env={"PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    _invite(program)
    process = DaemonProcess(program, dovecot.password)
    process.start()
    smtp_server.wait_for(1, timeout=20)  # the invitation leaves
    smtp_server.clear()
    yield process
    process.terminate()


def _invite(program_dir) -> None:
    """Queue the choices invitation to Léa as the program does, and note how to answer it."""
    program = open_program(program_dir)
    try:
        person = participants.find(program.store, MENTEE)
        now = datetime.now(UTC)
        item = program.mailer.queue(
            rule="choices-invitation", occasion="test", template="choices_invitation",
            to=Recipient(MENTEE, "Léa Gagnon", "en", participant=MENTEE),
            context={**program.scheduler.mailings.contexts.build(
                dict(person or {}), "en", now, "choices_invitation"),
                "dates": {"choices_due": "February 22, 2027",
                          "introductions": "March 1, 2027"}},
            kind="scheduled", meta=Expects("choices").meta(), now=now)
        assert item is not None
        token = make_token(program.secret, item.id, MENTEE)
        THREAD.update(message_id=item.message_id, reply_to=reply_address(
            "mentorship", "northlake.example.org", token),
            verp=bounce_address("mentorship", "northlake.example.org", token))
    finally:
        program.close()


def person(program_dir, email):
    return next(p for p in store_data(program_dir)["participants"].values()
                if p["email"] == email)


def test_clear_choices_are_recorded_and_confirmed_by_name(daemon, dovecot, smtp_server):
    dovecot.append(reply("1. Chen Wei\n2. Jose Martinez\n3. Sofia Rossi\n\nLéa", "c1"))
    [confirmation] = smtp_server.wait_for(1, timeout=20)
    assert confirmation.rcpt_tos == [MENTEE]
    assert "1. Chen Wei\n  2. José Martínez\n  3. Sofia Rossi" in confirmation.text()
    assert person(daemon.program_dir, MENTEE)["choices"] == [
        "chen.wei@example.com", "jose.martinez@example.es", "sofia.rossi@example.org"]


def test_ambiguous_choice_is_questioned_and_nothing_is_applied(daemon, dovecot, smtp_server):
    dovecot.append(reply("1. Sofi Ross\n2. Chen Wei\n\nLéa", "c1"))
    [question] = smtp_server.wait_for(1, timeout=20)
    assert "Sofia Rossi or Sophie Ross" in question.text()
    assert "choices" not in person(daemon.program_dir, MENTEE)


def test_clarification_is_sent_once_per_thread(daemon, dovecot, smtp_server):
    # Was: one mail in all (the clarification), checked before any tick. The two messages
    # in review now also reach the coordinators: one notice, at the daemon's next tick
    # (once a minute), listing each of them once; Léa still gets a single clarification.
    dovecot.append(reply("1. Sofi Ross\n\nLéa", "c1"))
    smtp_server.wait_for(1, timeout=20)
    dovecot.append(reply("1. Ross\n\nLéa", "c2"))
    wait_until(lambda: len(store_data(daemon.program_dir)["review"]) == 2, 20,
               "the second message in review", daemon.log_text)
    wait_until(lambda: any(COORDINATOR in m.rcpt_tos for m in smtp_server.messages.snapshot()),
               90, "the review notice", daemon.log_text)
    time.sleep(1)
    to_lea = [m for m in smtp_server.messages.snapshot() if MENTEE in m.rcpt_tos]
    to_coordinator = [m for m in smtp_server.messages.snapshot() if COORDINATOR in m.rcpt_tos]
    assert len(to_lea) == 1 and len(to_coordinator) == 1
    assert "Waiting for review: 2 items" in to_coordinator[0].subject
    data = store_data(daemon.program_dir)
    [notice] = data["review_notices"].values()
    assert sorted(notice["items"]) == sorted(int(k) for k in data["review"])


def bounce(msg_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        f"To: {THREAD['verp']}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{msg_id}@mx.example.com>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {MENTEE}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b--\r\n").encode()


def test_a_bounce_marks_the_address_and_tells_the_coordinators_once(
        daemon, dovecot, smtp_server):
    dovecot.append(bounce("b1"))
    [notice] = smtp_server.wait_for(1, timeout=20)
    assert notice.rcpt_tos == [COORDINATOR] and MENTEE in notice.subject
    dovecot.append(bounce("b2"))
    wait_until(lambda: sum(e["state"] == "processed" for e in
                           store_data(daemon.program_dir)["inbound"].values()) == 2, 20,
               "the second bounce handled")
    assert len(smtp_server.messages) == 1
    assert person(daemon.program_dir, MENTEE)["bounced"] is True


def test_an_out_of_office_is_not_answered_and_postpones_reminders(daemon, dovecot, smtp_server):
    dovecot.append(reply("I am away until March 1st.", "ooo", subject="Automatic reply: hello",
                         extra="Auto-Submitted: auto-replied\r\n"))
    wait_until(lambda: "away_until" in person(daemon.program_dir, MENTEE), 20,
               "the absence recorded", daemon.log_text)
    assert len(smtp_server.messages) == 0
