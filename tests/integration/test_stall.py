"""A hostile message cannot stall the daemon: it is read in bounded time or set aside for review."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.integration.program import (
    ROOT,
    DaemonProcess,
    store_data,
    stranger_mail,
    wait_until,
)

HOSTILE_SENDER = "noreply@newsletter.example.net"
# The daemon's budget in the second test: well under what the mail loop takes to read.
SHORT_BUDGET = 0.25  # an ordinary message takes about 5 ms; the mail loop about 2 s


def hostile_html() -> bytes:
    """A 0.4 MB HTML mail of unclosed tags then stray end tags (minutes of work for html.parser)."""
    n = 40_000
    html = "<html><body><p>Hello</p>" + "<span>" * n + "</x>" * n + "</body></html>"
    return (
        f"From: Newsletter <{HOSTILE_SENDER}>\r\n"
        "To: mentorship@northlake.example.org\r\n"
        "Subject: Our news\r\n"
        "Message-ID: <hostile-html@newsletter.example.net>\r\n"
        "Date: Fri, 04 Dec 2026 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + html + "\r\n"
    ).encode("utf-8")


def mail_loop() -> bytes:
    """A message that went round a mail loop (400,000 Received fields, 16 MB) with a table-soup
    HTML body: within the decoding limits, yet seconds of work, more than the short budget."""
    hops = b"".join(b"Received: by relay%d.loop.example.net\r\n" % i for i in range(400_000))
    return (
        hops
        + f"From: Loop <{HOSTILE_SENDER}>\r\n".encode()
        + b"To: mentorship@northlake.example.org\r\n"
        b"Subject: Undeliverable: Undeliverable: Undeliverable\r\n"
        b"Message-ID: <mail-loop@loop.example.net>\r\n"
        b"Date: Fri, 04 Dec 2026 09:00:00 +0000\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        + b"<table><tr><td>looping" * 15_000
        + b"\r\n"
    )


class ShortBudgetDaemon(DaemonProcess):
    """``mailflow run`` with the per-message budget lowered, so the test need not wait 5 s."""

    def start(self) -> None:
        bootstrap = (
            "import sys, mailflow.daemon as daemon; "
            f"daemon.MESSAGE_BUDGET_SECONDS = {SHORT_BUDGET}; "
            "from mailflow.cli import main; sys.exit(main(sys.argv[1:]))"
        )
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", bootstrap, "-C", str(self.program_dir), "run"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )


@pytest.fixture
def short_budget_daemon(program_dir, dovecot):
    process = ShortBudgetDaemon(program_dir, dovecot.password)
    process.start()
    yield process
    if process.alive():
        assert process.terminate() == 0, process.log_text()


def entry_for(program_dir, message_id: str) -> dict | None:
    for entry in store_data(program_dir).get("inbound", {}).values():
        if entry["message_id"] == message_id:
            return entry
    return None


def largest_entry(program_dir) -> dict:
    """The ledger entry of the biggest message (the ledger reads a Message-ID only near the top)."""
    return max(store_data(program_dir)["inbound"].values(), key=lambda entry: entry["size"])


def review_items(program_dir, key: str) -> list[dict]:
    return [r for r in store_data(program_dir).get("review", {}).values() if r["inbound"] == key]


def answered(smtp_server, address: str) -> bool:
    return any(m.rcpt_tos == [address] for m in smtp_server.messages)


def test_hostile_html_is_read_and_the_next_message_answered(daemon, dovecot, smtp_server):
    dovecot.append(hostile_html())
    dovecot.append(stranger_mail(1))
    wait_until(lambda: answered(smtp_server, "person1@example.com"), 30,
               "the answer to the ordinary message after the hostile one", daemon.log_text)
    entry = entry_for(daemon.program_dir, "hostile-html@newsletter.example.net")
    assert entry is not None and entry["state"] == "review", entry
    [item] = review_items(daemon.program_dir, entry["key"])
    assert "HTML beyond 300000 characters ignored" in item["problems"]
    assert not answered(smtp_server, HOSTILE_SENDER)


def test_message_over_budget_is_set_aside_and_never_handled_again(
        short_budget_daemon, dovecot, smtp_server):
    daemon = short_budget_daemon
    dovecot.append(mail_loop())
    dovecot.append(stranger_mail(1))
    wait_until(lambda: answered(smtp_server, "person1@example.com"), 60,
               "the answer to the ordinary message after the slow one", daemon.log_text)
    entry = largest_entry(daemon.program_dir)
    assert entry["state"] == "error", entry
    reason = f"took longer than {SHORT_BUDGET:g} s to read; set aside"
    assert [item["problems"] for item in review_items(daemon.program_dir, entry["key"])] == [
        [reason]]

    assert daemon.terminate() == 0, daemon.log_text()
    daemon.start()  # a restart handles what was left unfinished first: not the slow message
    dovecot.append(stranger_mail(2))
    wait_until(lambda: answered(smtp_server, "person2@example.com"), 30,
               "the answer to a message after the restart", daemon.log_text)
    assert daemon.terminate() == 0, daemon.log_text()
    assert largest_entry(daemon.program_dir)["state"] == "error"
    assert len(review_items(daemon.program_dir, entry["key"])) == 1
    assert "recorded before the last stop" not in daemon.log_text()
    assert not answered(smtp_server, HOSTILE_SENDER)
    assert "Traceback" not in daemon.log_text()
    listed = subprocess.run(
        [sys.executable, "-m", "mailflow", "-C", str(daemon.program_dir), "review"],
        capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(ROOT)},
    ).stdout
    assert reason in listed and entry["key"] in listed
