"""The persistent outbox: every mail is written, with its idempotency key, before it is sent.

Everything lives in one append-only journal: a line per queued mail (its bytes
included) and a line per state change, fdatasync'd. An append costs a fraction of a
millisecond, where rewriting the whole store per change would cost a full JSON dump,
and a file per mail would cost a file creation and an fsync each.

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
from typing import Any, BinaryIO

from mailflow.store.storage import fsync_dir, write_atomic

STATES = ("pending", "sending", "sent", "failed", "unknown")


def idempotency_key(rule: str, recipient: str, occasion: str) -> str:
    """The key under which a mail is queued once: (rule, recipient, occasion).

    The one place this format is written: the outbox and the firings table both key on
    it, and if two spellings drifted apart a mail could go out twice.
    """
    return f"{rule}|{recipient.lower()}|{occasion}"


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
    meta: dict[str, Any] = field(default_factory=dict[str, Any])


class Outbox:
    """The outbox folder's ``journal.jsonl``. One process writes it."""

    def __init__(self, directory: Path, read_only: bool = False) -> None:
        self.directory = directory
        self.journal_path = directory / "journal.jsonl"
        self.read_only = read_only
        self.items: dict[str, OutboxItem] = {}
        self.by_message_id: dict[str, str] = {}
        self._where: dict[str, tuple[int, int]] = {}  # item id -> (offset, length) of its add line
        self._lines = 0
        self._end = 0
        self._batched: list[dict[str, Any]] | None = None
        self._reader: BinaryIO | None = None
        if not read_only:
            directory.mkdir(parents=True, exist_ok=True)
        self._replay()
        self._journal = None if read_only else open(self.journal_path, "ab")
        if not read_only:
            self._recover()

    def _replay(self) -> None:
        try:
            handle = open(self.journal_path, "rb")
        except FileNotFoundError:
            return
        offset = 0
        with handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    break  # torn by a crash mid-append: that change never happened
                try:
                    record = json.loads(line)
                except ValueError:
                    offset += len(line)
                    continue
                self._apply(record, offset, len(line))
                offset += len(line)
        self._end = offset
        if not self.read_only and offset < self.journal_path.stat().st_size:
            with open(self.journal_path, "r+b") as journal:
                journal.truncate(offset)  # so the next append starts on a line of its own

    def _apply(self, record: dict[str, Any], offset: int, length: int) -> None:
        self._lines += 1
        if record.get("op") == "add":
            item = OutboxItem(**record["item"])
            self.items[item.id] = item
            self.by_message_id[item.message_id] = item.id
            self._where[item.id] = (offset, length)
        elif record.get("id") in self.items:
            item = self.items[record["id"]]
            for name in ("state", "attempts", "next_try", "updated", "error"):
                if name in record:
                    setattr(item, name, record[name])

    def _recover(self) -> None:
        for item in self.items.values():
            if item.state == "sending":
                self._change(item, state="unknown",
                             error="the process stopped while this mail was being handed over")

    def _append(self, record: dict[str, Any], sync: bool = True) -> None:
        self._append_many([record], sync)

    def _append_many(self, records: list[dict[str, Any]], sync: bool = True) -> None:
        assert self._journal is not None, "outbox opened read-only"
        lines = [json.dumps(r, separators=(",", ":")).encode("ascii") + b"\n" for r in records]
        self._journal.write(b"".join(lines))
        self._journal.flush()
        if sync:
            os.fdatasync(self._journal.fileno())
        for record, line in zip(records, lines, strict=True):
            if record.get("op") == "add":
                self._where[record["item"]["id"]] = (self._end, len(line))
            self._end += len(line)
        self._lines += len(records)

    def _change(self, item: OutboxItem, sync: bool = True, **changes: object) -> None:
        changes["updated"] = time.time()
        for name, value in changes.items():
            setattr(item, name, value)
        self._append({"op": "set", "id": item.id, **changes}, sync)

    def has(self, key: str) -> bool:
        """Whether a mail with this idempotency key was ever queued."""
        return outbox_id(key) in self.items

    def enqueue(self, item: OutboxItem, data: bytes) -> bool:
        """Queue ``data`` under ``item.key``; False (and nothing done) if that key was queued."""
        if item.id in self.items:
            return False
        item.created = item.updated = time.time()
        item.state = "pending"
        record = {"op": "add", "item": asdict(item), "data": data.decode("latin-1")}
        self.items[item.id] = item
        self.by_message_id[item.message_id] = item.id
        if self._batched is not None:
            self._batched.append(record)
        else:
            self._append(record)
        return True

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Queue many mails with one journal fdatasync at the end, or none if the block fails.

        A block that fails is rolled back with the store transaction around it: its
        mail must not go out for changes that never happened (an acknowledgment of an
        application that was not stored). Handling the message again queues it anew.
        """
        if self._batched is not None:
            yield
            return
        self._batched = []
        try:
            yield
        except BaseException:
            records, self._batched = self._batched, None
            for record in records:
                item = self.items.pop(record["item"]["id"], None)
                if item is not None:
                    self.by_message_id.pop(item.message_id, None)
            raise
        records, self._batched = self._batched, None
        if records:
            self._append_many(records)

    def message_bytes(self, item_id: str) -> bytes:
        """The exact bytes that are (or were) sent for this item."""
        if self._batched:
            for record in self._batched:
                if record["item"]["id"] == item_id:
                    data: str = record["data"]
                    return data.encode("latin-1")
        offset, length = self._where[item_id]
        if self._reader is None:
            self._reader = open(self.journal_path, "rb")
        self._reader.seek(offset)
        stored: str = json.loads(self._reader.read(length))["data"]
        return stored.encode("latin-1")

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
        """The server accepted the item.

        Not fsynced on its own: the next journal sync carries it, and if power failed
        first the item would read as ``sending``, hence ``unknown``: never sent twice.
        """
        self._change(item, sync=False, state="sent", error=None)

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

    def counts(self) -> Counter[str]:
        """How many items are in each state."""
        return Counter(item.state for item in self.items.values())

    def compact(self) -> None:
        """Rewrite the journal with one line per item when it has grown long."""
        if self._journal is None or self._lines < 4 * max(len(self.items), 256):
            return
        lines = [json.dumps({"op": "add", "item": asdict(i),
                             "data": self.message_bytes(i.id).decode("latin-1")},
                            separators=(",", ":")).encode("ascii") + b"\n"
                 for i in self.items.values()]
        self._journal.close()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        write_atomic(self.journal_path, b"".join(lines))
        self._journal = open(self.journal_path, "ab")
        offset = 0
        for item, line in zip(self.items.values(), lines, strict=True):
            self._where[item.id] = (offset, len(line))
            offset += len(line)
        self._end, self._lines = offset, len(lines)
        fsync_dir(self.directory)

    def close(self) -> None:
        """Sync and close the journal."""
        if self._journal is not None:
            os.fdatasync(self._journal.fileno())
            self._journal.close()
            self._journal = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
