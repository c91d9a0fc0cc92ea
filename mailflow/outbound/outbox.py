"""The persistent outbox: every mail is written, with its idempotency key, before it is sent.

State lives in an append-only journal (one JSON line per change, fdatasync'd), the
message itself in ``messages/ID.eml``. A journal append costs a fraction of a
millisecond, where rewriting the whole store per state change would cost a full
JSON dump: sending 1,000 mails would then be dominated by bookkeeping.

States: pending -> sending -> sent | failed | unknown, and sending -> pending for a
retry. An item found in ``sending`` when the outbox is opened was being handed to
the server when the process died: its fate is unknown and it is never resent
automatically.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mailflow.store.storage import fsync_dir, write_atomic

STATES = ("pending", "sending", "sent", "failed", "unknown")


def outbox_id(key: str) -> str:
    """The stable id of an idempotency key: lower-case base32, safe in addresses and file names."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()[:15]
    return base64.b32encode(digest).decode("ascii").lower()


@dataclass
class OutboxItem:
    """One outgoing mail and where it stands."""

    id: str
    key: str
    recipients: list[str]
    envelope_from: str
    message_id: str
    subject: str
    kind: str
    participant: str | None = None
    state: str = "pending"
    attempts: int = 0
    next_try: float = 0.0
    created: float = 0.0
    updated: float = 0.0
    error: str | None = None
    meta: dict = field(default_factory=dict)


class Outbox:
    """The outbox folder: ``journal.jsonl`` and ``messages/``. One process writes it."""

    def __init__(self, directory: Path, read_only: bool = False) -> None:
        self.directory = directory
        self.messages_dir = directory / "messages"
        self.journal_path = directory / "journal.jsonl"
        self.read_only = read_only
        self.items: dict[str, OutboxItem] = {}
        self.by_message_id: dict[str, str] = {}
        self._lines = 0
        self._batched: list[dict] | None = None
        if not read_only:
            self.messages_dir.mkdir(parents=True, exist_ok=True)
        self._replay()
        self._journal = None if read_only else open(self.journal_path, "a", encoding="utf-8")
        if not read_only:
            self._recover()

    def _replay(self) -> None:
        try:
            handle = open(self.journal_path, encoding="utf-8")
        except FileNotFoundError:
            return
        complete = 0
        with handle:
            for line in handle:
                if not line.endswith("\n"):
                    break  # torn by a crash mid-append: that change never happened
                complete += len(line.encode("utf-8"))
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                self._lines += 1
                if record.get("op") == "add":
                    item = OutboxItem(**record["item"])
                    self.items[item.id] = item
                    self.by_message_id[item.message_id] = item.id
                elif record.get("id") in self.items:
                    item = self.items[record["id"]]
                    for name in ("state", "attempts", "next_try", "updated", "error"):
                        if name in record:
                            setattr(item, name, record[name])
        if not self.read_only and complete < self.journal_path.stat().st_size:
            with open(self.journal_path, "r+b") as journal:
                journal.truncate(complete)  # so the next append starts on a line of its own

    def _recover(self) -> None:
        for item in self.items.values():
            if item.state == "sending":
                self._change(item, state="unknown",
                             error="the process stopped while this mail was being handed over")

    def _append(self, record: dict) -> None:
        self._append_many([record])

    def _append_many(self, records: list[dict]) -> None:
        assert self._journal is not None, "outbox opened read-only"
        self._journal.write("".join(
            json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records))
        self._journal.flush()
        os.fdatasync(self._journal.fileno())
        self._lines += len(records)

    def _change(self, item: OutboxItem, **changes: object) -> None:
        changes["updated"] = time.time()
        for name, value in changes.items():
            setattr(item, name, value)
        self._append({"op": "set", "id": item.id, **changes})

    def has(self, key: str) -> bool:
        """Whether a mail with this idempotency key was ever queued."""
        return outbox_id(key) in self.items

    def enqueue(self, item: OutboxItem, data: bytes) -> bool:
        """Queue ``data`` under ``item.key``; False (and nothing done) if that key was queued."""
        if item.id in self.items:
            return False
        write_atomic(self.messages_dir / f"{item.id}.eml", data, sync_dir=False)
        item.created = item.updated = time.time()
        item.state = "pending"
        record = {"op": "add", "item": asdict(item)}
        if self._batched is not None:
            self._batched.append(record)
        else:
            fsync_dir(self.messages_dir)
            self._append(record)
        self.items[item.id] = item
        self.by_message_id[item.message_id] = item.id
        return True

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Queue many mails with one folder fsync and one journal fsync at the end.

        The records are written even when the block fails: their message files exist,
        and a key queued twice is ignored, so handling the messages again is harmless.
        """
        if self._batched is not None:
            yield
            return
        self._batched = []
        try:
            yield
        finally:
            records, self._batched = self._batched, None
            if records:
                fsync_dir(self.messages_dir)
                self._append_many(records)

    def message_bytes(self, item_id: str) -> bytes:
        """The exact bytes that are (or were) sent for this item."""
        return (self.messages_dir / f"{item_id}.eml").read_bytes()

    def due(self, now: float) -> list[OutboxItem]:
        """Pending items whose next try has come, oldest first."""
        ready = [i for i in self.items.values() if i.state == "pending" and i.next_try <= now]
        return sorted(ready, key=lambda i: (i.created, i.id))

    def next_due(self) -> float | None:
        """When the earliest pending item may be tried, or None when nothing is pending."""
        times = [i.next_try for i in self.items.values() if i.state == "pending"]
        return min(times) if times else None

    def mark_sending(self, item: OutboxItem) -> None:
        """Record, durably, that the item is about to be handed to the server."""
        self._change(item, state="sending", attempts=item.attempts + 1)

    def mark_sent(self, item: OutboxItem) -> None:
        """The server accepted the item."""
        self._change(item, state="sent", error=None)

    def mark_retry(self, item: OutboxItem, error: str, next_try: float, attempts: int) -> None:
        """A temporary failure after ``attempts`` tries: try again at ``next_try``."""
        self._change(item, state="pending", error=error, next_try=next_try, attempts=attempts)

    def mark_failed(self, item: OutboxItem, error: str) -> None:
        """A permanent failure: never retried automatically."""
        self._change(item, state="failed", error=error)

    def mark_unknown(self, item: OutboxItem, error: str) -> None:
        """The server may or may not have taken it: never resent automatically."""
        self._change(item, state="unknown", error=error)

    def requeue(self, item: OutboxItem) -> None:
        """A person decided to send a failed or unknown item again."""
        self._change(item, state="pending", next_try=0.0, error=None)

    def counts(self) -> Counter:
        """How many items are in each state."""
        return Counter(item.state for item in self.items.values())

    def compact(self) -> None:
        """Rewrite the journal with one line per item when it has grown long."""
        if self._journal is None or self._lines < 4 * max(len(self.items), 256):
            return
        lines = [json.dumps({"op": "add", "item": asdict(i)}, ensure_ascii=False) + "\n"
                 for i in self.items.values()]
        self._journal.close()
        write_atomic(self.journal_path, "".join(lines).encode("utf-8"))
        self._journal = open(self.journal_path, "a", encoding="utf-8")
        self._lines = len(lines)
        fsync_dir(self.directory)

    def close(self) -> None:
        """Close the journal."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
