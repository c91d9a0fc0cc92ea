"""kill -9 in the middle of a mass mailing: after a restart every recipient has one copy."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from mailflow.builtin import builtin
from mailflow.program import participants
from mailflow.runtime import open_program
from tests.integration.program import (
    PASSWORD_ENV,
    DaemonProcess,
    inbound_states,
    outbox_states,
    store_data,
    stranger_mail,
    wait_until,
    write_program,
)

RECIPIENTS = 300
RATE = 1200  # per minute: a handover every 50 ms, so a kill lands between two of them
COORDINATOR = "claire.dubois@northlake.example.org"
ANNOUNCEMENT = """\
Subject: The spring workshop is open for registration

Hello {{ person.name }},

The spring workshop of the mentorship program takes place in April. Registration
opens today; places are limited, so reply to this message if you want one.

The Northlake Mentorship Program team
"""


def mass_program(tmp_path, dovecot, smtp_server, monkeypatch, rate: int = RATE):
    """A program whose one scheduled rule mails RECIPIENTS mentees, due a minute ago."""
    root = write_program(tmp_path / "program", dovecot, smtp_server)
    config = root / "config.yaml"
    due = datetime.now(UTC) - timedelta(minutes=1)
    config.write_text(
        config.read_text().replace("rate_per_minute: 100000", f"rate_per_minute: {rate}")
        .replace("program:\n", "program:\n  timezone: UTC\n", 1)
        + f"calendar:\n  dates:\n    workshop_open: {due.strftime('%Y-%m-%d %H:%M')}\n",
        encoding="utf-8")
    (root / "rules").mkdir()
    for name in ("applications.yaml", "replies.yaml"):  # the built-in answers to messages
        shutil.copy(builtin("rules") / name, root / "rules" / name)
    (root / "rules" / "calendar.yaml").write_text(
        "rules:\n"
        "  - name: workshop-announcement\n"
        "    at: {after: workshop_open, offsets: [0h]}\n"
        "    to: {role: mentee, status: selected}\n"
        "    do:\n"
        "      - send: workshop_announcement\n", encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "workshop_announcement.en.txt").write_text(ANNOUNCEMENT,
                                                                      encoding="utf-8")
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    program = open_program(root)
    store = program.store
    with store.transaction():
        participants.insert_many(store, [
            {"email": f"mentee{i}@example.org", "name": f"Mentee {i}", "role": "mentee",
             "status": "selected", "language": "en"} for i in range(RECIPIENTS)])
        # The schedule has been running for an hour: the date a minute ago is due now.
        store.db.table("_meta").update(
            {"schedule_started": (due - timedelta(hours=1)).isoformat()}, doc_ids=[1])
    program.close()
    return root


def kill_when(daemon: DaemonProcess, smtp_server, received: int) -> None:
    """SIGKILL as soon as the SMTP server holds ``received`` mails (polled every 2 ms)."""
    deadline = time.monotonic() + 60
    while len(smtp_server.messages) < received:
        assert time.monotonic() < deadline, daemon.log_text()
        time.sleep(0.002)
    daemon.kill()


def announcements(smtp_server) -> Counter:
    return Counter(r for m in smtp_server.messages for r in m.rcpt_tos
                   if r.startswith("mentee"))


def test_kill_9_mid_mailing_loses_nothing_and_sends_nothing_twice(
        tmp_path, dovecot, smtp_server, monkeypatch):
    root = mass_program(tmp_path, dovecot, smtp_server, monkeypatch)
    daemon = DaemonProcess(root, dovecot.password)
    daemon.start()
    kill_when(daemon, smtp_server, 10)    # while the mailing is still being expanded
    made = sum(1 for f in store_data(root)["firings"].values() if f["state"] == "fired")
    assert 10 <= made < RECIPIENTS, "killed before the whole mailing was queued"
    daemon.start()
    kill_when(daemon, smtp_server, 150)   # once more, half-way through sending
    daemon.start()
    wait_until(lambda: len(announcements(smtp_server)) == RECIPIENTS, 90,
               "every recipient mailed", daemon.log_text)
    wait_until(lambda: "pending" not in outbox_states(root).values(), 30,
               "the outbox drained", daemon.log_text)
    assert daemon.terminate() == 0, daemon.log_text()

    assert announcements(smtp_server) == Counter(
        {f"mentee{i}@example.org": 1 for i in range(RECIPIENTS)})
    fired = Counter(f["recipient"] for f in store_data(root)["firings"].values()
                    if f["state"] == "fired")
    assert fired == Counter({f"mentee{i}@example.org": 1 for i in range(RECIPIENTS)})
    # The progress of the mailing was logged, and reached its end.
    assert (f"mailing workshop-announcement (workshop_open+0h): {RECIPIENTS} of "
            f"{RECIPIENTS} done (100%)") in daemon.log_text()


def test_mail_arriving_during_a_rate_limited_mailing_is_handled_at_once(
        tmp_path, dovecot, smtp_server, monkeypatch):
    """60 mails a minute: the mailing takes five minutes to send, and a message that
    arrives meanwhile is read and handled within seconds, and its answer goes out
    before the rest of the mailing."""
    root = mass_program(tmp_path, dovecot, smtp_server, monkeypatch, rate=60)
    daemon = DaemonProcess(root, dovecot.password)
    daemon.start()
    try:
        wait_until(lambda: len(announcements(smtp_server)) >= 2, 30, "the mailing started",
                   daemon.log_text)
        dovecot.append(stranger_mail(1))
        wait_until(lambda: inbound_states(root).get("processed") == 1, 15,
                   "the new message handled", daemon.log_text)
        wait_until(lambda: any("person1@example.com" in m.rcpt_tos
                               for m in smtp_server.messages), 15,
                   "the answer sent", daemon.log_text)
        assert len(announcements(smtp_server)) < RECIPIENTS // 2
    finally:
        daemon.terminate()
