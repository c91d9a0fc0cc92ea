"""Build program directories wired to the test servers, and run the daemon as a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.patience import patient
from tests.servers.dovecot import DovecotServer
from tests.servers.smtp import SmtpServer

PASSWORD_ENV = "MAILFLOW_TEST_IMAP_PASSWORD"
ROOT = Path(__file__).resolve().parents[2]


def write_program(
    directory: Path,
    imap: DovecotServer,
    smtp: SmtpServer,
    extra_outbox: str = "",
    extra_mailbox: str = "",
) -> Path:
    """A program directory holding only the contract config, pointed at the test servers."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.yaml").write_text(
        f"""\
program:
  name: Northlake Mentorship Program
  address: mentorship@northlake.example.org
coordinators:
  - {{name: Claire Dubois, email: claire.dubois@northlake.example.org}}
mailbox:
  imap: {{host: {imap.host}, port: {imap.port}, username: {imap.user},
         password_env: {PASSWORD_ENV}, security: none, timeout: 10}}
  authserv_id: mx.northlake.example.org
{extra_mailbox}outbox:
  smtp: {{host: {smtp.host}, port: {smtp.port}, security: none, timeout: 3}}
  rate_per_minute: 100000
  retry_base_seconds: 0.5
{extra_outbox}scheduler: {{tick_seconds: 5}}  # what waits for a tick waits seconds, not a minute
""",
        encoding="utf-8",
    )
    return directory


def stranger_mail(index: int, name: str = "Test Person", body: str | None = None) -> bytes:
    """A first message from someone unknown, as a plain mail client writes it."""
    text = body or "Hello, I would like to join the mentorship program. How do I apply?\n"
    return (
        f"From: {name} <person{index}@example.com>\r\n"
        "To: mentorship@northlake.example.org\r\n"
        f"Subject: Joining the program ({index})\r\n"
        f"Message-ID: <stranger-{index}@mail.example.com>\r\n"
        "Date: Tue, 24 Nov 2026 10:00:00 -0500\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + text.replace("\n", "\r\n")
    ).encode("utf-8")


class DaemonProcess:
    """``mailflow run`` in a child process, as a coordinator would start it."""

    def __init__(self, program_dir: Path, password: str) -> None:
        self.program_dir = program_dir
        self.env = {**os.environ, PASSWORD_ENV: password, "PYTHONPATH": str(ROOT)}
        self.proc: subprocess.Popen | None = None
        self.log = program_dir / "daemon.log"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mailflow", "-C", str(self.program_dir), "run"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no cleanup at all."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def store_data(program_dir: Path) -> dict:
    """The store's tables, read the way any reader would: the snapshot and its change log."""
    from mailflow.store.storage import AtomicJSONStorage
    return AtomicJSONStorage(program_dir / "state" / "store.json", read_only=True).read() or {}


def inbound_states(program_dir: Path) -> dict[str, int]:
    """How many ledger entries are in each state."""
    counts: dict[str, int] = {}
    for entry in store_data(program_dir).get("inbound", {}).values():
        counts[entry["state"]] = counts.get(entry["state"], 0) + 1
    return counts


def outbox_states(program_dir: Path, kind: str | None = None) -> dict[str, str]:
    """Outbox item id -> its latest state, replayed from the journal (of one kind if given)."""
    states: dict[str, str] = {}
    journal = program_dir / "state" / "outbox" / "journal.jsonl"
    if not journal.exists():
        return states
    for line in journal.read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("op") == "add":
            if kind is None or record["item"].get("kind") == kind:
                states[record["item"]["id"]] = record["item"]["state"]
        elif "state" in record and record["id"] in states:
            states[record["id"]] = record["state"]
    return states


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    on_fail: Callable[[], str] = lambda: "",
) -> None:
    """Poll ``condition`` until true; fail with ``what`` and extra context otherwise.
    ``timeout`` is scaled by the tests' patience (see tests/patience.py)."""
    deadline = time.monotonic() + patient(timeout)
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} ({patient(timeout):g} s)\n{on_fail()}")
