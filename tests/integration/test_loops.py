"""No mail loop and no reflector: automatic answers to one address have a budget."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from tests.integration.program import (
    ROOT,
    DaemonProcess,
    store_data,
    wait_until,
    write_program,
)

COORDINATOR = "claire.dubois@northlake.example.org"
MENTEE = "lea.gagnon@example.com"
VICTIM = "victim@example.net"


def _mail(sender: str, msg_id: str, subject: str, body: str, in_reply_to: str = "") -> bytes:
    thread = f"In-Reply-To: <{in_reply_to}>\r\n" if in_reply_to else ""
    return (f"From: {sender}\r\nTo: mentorship@northlake.example.org\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{msg_id}@mail.example.net>\r\n{thread}"
            "Date: Tue, 09 Feb 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode("utf-8")


@pytest.fixture
def daemon(tmp_path, dovecot, smtp_server):
    program = write_program(tmp_path / "program", dovecot, smtp_server)
    mentees = tmp_path / "mentees.csv"
    mentees.write_text(f"name,email,language\nLéa Gagnon,{MENTEE},en\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program), "import",
                           "mentees", str(mentees)], env={"PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    process = DaemonProcess(program, dovecot.password)
    process.start()
    yield process
    process.terminate()


def test_an_autoresponder_answering_in_reply_to_only_does_not_start_a_loop(
        daemon, dovecot, smtp_server):
    """Léa's autoresponder sets no automatic headers, only In-Reply-To our last mail.

    Its text says no thanks: a thank-you for our mail needs no answer at all, so the
    budget, which this specifies, would not be reached."""
    stop = threading.Event()
    answered: set[str] = set()

    def autoresponder() -> None:
        deadline = time.monotonic() + 25
        while not stop.is_set() and time.monotonic() < deadline and len(answered) < 30:
            for mail in smtp_server.messages.snapshot():
                msg_id = (mail.header("Message-ID") or "").strip("<>")
                if MENTEE in mail.rcpt_tos and msg_id not in answered:
                    answered.add(msg_id)
                    dovecot.append(_mail(f"Léa Gagnon <{MENTEE}>", f"auto-{len(answered)}",
                                         f"Re: {mail.subject}",
                                         "I read my mail on Fridays only and will "
                                         "answer then.\r\n", msg_id))
            time.sleep(0.2)

    dovecot.append(_mail(f"Léa Gagnon <{MENTEE}>", "first", "News",
                         "My new office is in building C from next week.\r\n"))
    responder = threading.Thread(target=autoresponder)
    responder.start()
    try:
        wait_until(lambda: any(COORDINATOR in m.rcpt_tos
                               for m in smtp_server.messages.snapshot()), 30,
                   "the coordinators told of the loop", daemon.log_text)
        time.sleep(3)  # a loop would go on meanwhile
    finally:
        stop.set()
        responder.join()
    # Was: exactly one mail to the coordinators (the budget alert), checked before the
    # next tick. The messages the loop left in review now also reach them, once: a
    # notice at the daemon's next tick lists those waiting then, each in that notice
    # alone (on a loaded machine the last ones may be read after it: a second notice).
    wait_until(lambda: len(store_data(daemon.program_dir).get("inbound", {})) >= 1 + len(answered),
               60, "every message the loop sent recorded", daemon.log_text)

    def listed() -> list[int]:
        data = store_data(daemon.program_dir)
        return [i for notice in data.get("review_notices", {}).values() for i in notice["items"]]
    wait_until(lambda: 0 < len(listed()) >= len(store_data(daemon.program_dir)["review"]), 90,
               "every message in review listed in a notice", daemon.log_text)
    time.sleep(1)
    to_lea = [m for m in smtp_server.messages.snapshot() if MENTEE in m.rcpt_tos]
    to_coordinator = [m for m in smtp_server.messages.snapshot() if COORDINATOR in m.rcpt_tos]
    assert len(to_lea) == 3
    alerts = [m for m in to_coordinator if "Waiting for review" not in (m.subject or "")]
    notices = [m for m in to_coordinator if "Waiting for review" in (m.subject or "")]
    assert len(alerts) == 1 and MENTEE in alerts[0].subject
    data = store_data(daemon.program_dir)
    assert len(notices) == len(data["review_notices"]) >= 1
    assert sorted(listed()) == sorted(int(k) for k in data["review"])  # each one, once


def test_a_forged_sender_gets_at_most_the_daily_budget_with_nothing_of_the_attacker_echoed(
        daemon, dovecot, smtp_server):
    for i in range(12):
        dovecot.append(_mail(f'"Claim your prize at http://evil.example/{i}" <{VICTIM}>',
                             f"forged-{i}", f"Visit http://evil.example/win-{i} now", ""))
    wait_until(lambda: sum(e["state"] in ("processed", "review") for e in
                           store_data(daemon.program_dir).get("inbound", {}).values()) == 12, 40,
               "the twelve messages handled", daemon.log_text)
    time.sleep(1)
    to_victim = [m for m in smtp_server.messages.snapshot() if VICTIM in m.rcpt_tos]
    assert 1 <= len(to_victim) <= 3
    for mail in to_victim:
        assert "evil.example" not in mail.subject
        assert "evil.example" not in (mail.header("To") or "")
        assert "evil.example" not in mail.text()
