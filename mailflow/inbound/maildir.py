"""The embedded default mailbox: a local Maildir under the program directory."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from mailflow.inbound.ledger import Ledger, RawMessage

BATCH = 100


def deliver(maildir: Path, data: bytes) -> Path:
    """Drop a message into ``maildir/new`` the Maildir way (tmp, then rename)."""
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}.P{os.getpid()}.mailflow"
    tmp = maildir / "tmp" / name
    tmp.write_bytes(data)
    os.replace(tmp, maildir / "new" / name)
    return maildir / "new" / name


class MaildirSource:
    """Reads ``new/``; a processed message moves to ``cur/`` with the Seen (or Flagged) flag."""

    def __init__(self, path: Path, poll_seconds: float = 0.5) -> None:
        self.path = path
        self.name = "maildir"
        self.poll_seconds = poll_seconds

    def connect(self) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)

    def _waiting(self) -> list[str]:
        return sorted(os.listdir(self.path / "new"))

    def fetch_new(self, ledger: Ledger) -> Iterator[list[RawMessage]]:
        batch: list[RawMessage] = []
        for name in self._waiting():
            key = f"maildir:{name.split(':', 1)[0]}"
            if ledger.known(key):
                self._file(name, review=False)  # processed before a crash; tidy it now
                continue
            try:
                data = (self.path / "new" / name).read_bytes()
            except FileNotFoundError:
                continue
            batch.append(RawMessage(self.name, key, data))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _file(self, name: str, review: bool) -> None:
        flags = "FS" if review else "S"
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path / "new" / name,
                       self.path / "cur" / f"{name.split(':', 1)[0]}:2,{flags}")

    def mark_done(self, done: list[tuple[RawMessage, bool]]) -> None:
        """Move handled messages to ``cur/``, Flagged when a person must look at them."""
        for message, review in done:
            self._file(message.key.split(":", 1)[1], review)

    def wait(self, timeout: float, stop: threading.Event) -> None:
        deadline = time.monotonic() + timeout
        while not stop.is_set() and time.monotonic() < deadline:
            if self._waiting():
                return
            stop.wait(self.poll_seconds)

    def close(self) -> None:
        return None
