"""The persistent outbox: every mail is written, with its idempotency key, before it is sent.

Everything lives in one append-only journal: a line per queued mail (its bytes
included) and a line per state change, fdatasync'd. An append costs a fraction of a
millisecond, where rewriting the whole store per change would cost a full JSON dump,
and a file per mail would cost a file creation and an fsync each.

States: pending -> sending -> sent | failed | unknown, sending -> pending for a
retry, and pending -> cancelled (its recipient's data was erased). An item found in
``sending`` when the outbox is opened was being handed to the server when the process
died: its fate is unknown and it is never resent automatically. The journal is
compacted when it has grown (see compaction.py): one line per item, without the bytes
of mail already sent; mail sent (or cancelled) long enough ago is kept as the id of its
key alone ("archived"): enough to never queue it again.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mailflow.errors import MailflowError, StoreError
from mailflow.outbound import compaction
from mailflow.outbound.answers import AnswerTimes
from mailflow.outbound.items import ArchivedIds, Items, OutboxItem, item_from_fields
from mailflow.outbound.journal import NEEDS_BYTES, STATES, LineReader, read_record
from mailflow.outbound.keys import idempotency_key, mailbox_key, outbox_id
from mailflow.store.due import DueQueue
from mailflow.store.storage import FILE_MODE, StateWriteError, private_dir, write_all

# The keys are defined in keys.py, and kept importable from here.
__all__ = ["STATES", "Outbox", "OutboxItem", "idempotency_key", "mailbox_key", "outbox_id"]


class Outbox:
    """The outbox folder's ``journal.jsonl``. One process writes it.

    Appends are all or nothing: a write that fails (a full disk) is cut back off the
    journal and nothing of it is kept in memory, so the journal never holds a torn line
    but at its very end after a crash, and that tail is cut off when it is opened.
    """

    def __init__(self, directory: Path, read_only: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.journal_path = directory / "journal.jsonl"
        self.read_only = read_only
        self.clock = clock
        self._reader = LineReader(self.journal_path)  # reads kept lines back at their places
        self.items = Items(self._reader.record)  # sent mail as where its line lies, see items.py
        self.by_message_id: dict[str, str] = {}
        self.archived = ArchivedIds()  # ids of keys sent long ago: never queued again
        self._due = DueQueue()  # pending items by next try: what is due, without a scan
        self._states: Counter[str] = Counter()
        self._answers = AnswerTimes()  # for the per-address answer budget
        self._where: dict[str, tuple[int, int]] = {}  # item id -> (offset, length) of its add line
        self._lines = 0
        self._end = 0
        self._compacted = (0, 0)  # (lines, bytes) of the journal when last compacted
        self._batched: list[dict[str, Any]] | None = None
        self._owed: list[dict[str, Any]] = []  # changes after a handover, still to journal
        self._uncut = False  # a failed write could not be cut back off the journal's end
        self.writes = 0  # successful appends, to tell when a full disk has room again
        if not read_only:
            private_dir(directory)
            compaction.temp_path(self.journal_path).unlink(missing_ok=True)  # a killed one's
        self._fd: int | None = None
        try:
            self._replay()
            if not read_only:
                self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                                   FILE_MODE)
                self._recover()
        except BaseException:
            self._reader.close()  # a refused journal, a full disk: no descriptor left open
            if self._fd is not None:
                os.close(self._fd)
            raise

    def _replay(self) -> None:
        try:
            handle = open(self.journal_path, "rb")
        except FileNotFoundError:
            return
        offset = 0
        with handle:
            # Lines are read back from the file replayed, even once a compaction (of
            # another process) has renamed a new journal over it: their places are its.
            self._reader.adopt(handle)
            for number, line in enumerate(handle, 1):
                if not line.endswith(b"\n"):
                    break  # torn by a crash mid-append: that change never happened
                start, record = read_record(self.journal_path, number, line)
                if (record["op"] == "set" and record.get("state") in NEEDS_BYTES
                        and record["id"] in self.items and record["id"] not in self._where):
                    raise StoreError(
                        f"{self.journal_path}, line {number}: mail {record['id']} would be "
                        "sent again, but its bytes were left out once it was sent; mailflow "
                        "never writes such a line, so it will not guess: move that line to "
                        "a file of its own (keep it) or restore state/ from a backup, then "
                        "start again")
                self._apply(record, offset + start, len(line) - start)
                offset += len(line)
        self._end = offset
        self.archived.pack()
        if not self.read_only and offset < self.journal_path.stat().st_size:
            with open(self.journal_path, "r+b") as journal:
                journal.truncate(offset)  # so the next append starts on a line of its own

    def _apply(self, record: dict[str, Any], offset: int, length: int) -> None:
        self._lines += 1
        if record["op"] == "archive":
            for item_id in record["ids"]:
                self._archive(item_id)
        elif record["op"] == "add":
            item = item_from_fields(record["item"])
            earlier = self.items.get(item.id)
            self.items[item.id] = item
            self._track(item, earlier.state if earlier else None)
            self._answers.add(item)
            if record["data"] is not None:  # None: a compaction left out the sent bytes
                self._where[item.id] = (offset, length)
            elif not compaction.keeps_body(item.state):
                self.items.settle(item.id, offset, length)  # it cannot change again
        elif record["id"] in self.items:
            item = self.items[record["id"]]
            was = item.state
            for name in ("state", "attempts", "next_try", "updated", "error"):
                if name in record:
                    setattr(item, name, record[name])
            self.items[item.id] = item  # one read back from its line is kept from now on
            self._track(item, was)

    def _track(self, item: OutboxItem, was: str | None) -> None:
        """The one place the lookups follow an item (new, or changed from state ``was``):
        by Message-ID, how many are in each state, and when a pending one is due."""
        self.by_message_id[item.message_id] = item.id
        if was != item.state:
            if was is not None:
                self._states[was] -= 1
            self._states[item.state] += 1
        if item.state == "pending":
            self._due.put(item.id, item.next_try, item.created)
        else:
            self._due.discard(item.id)

    def _untrack(self, item: OutboxItem) -> None:
        """The item was never queued after all (its batch failed): the lookups forget it."""
        self.by_message_id.pop(item.message_id, None)
        self._states[item.state] -= 1
        self._due.discard(item.id)

    def _archive(self, item_id: str, item: OutboxItem | None = None) -> None:
        """Keep only the item's id (its key was queued once); forget the rest, in memory too.

        ``item``: the item as it was read last, when its journal line is no longer there."""
        if item is None:
            item = self.items.get(item_id)
        if item is not None:
            self._untrack(item)
            self._where.pop(item_id, None)
            self.items.discard(item_id)
        self.archived.add(item_id)

    def _recover(self) -> None:
        for item in list(self.items.live()):  # a settled item was never in ``sending``
            if item.state == "sending":
                self._change(item, state="unknown",
                             error="the process stopped while this mail was being handed over")

    def _append(self, record: dict[str, Any], sync: bool = True) -> None:
        self._append_many([record], sync)

    def _append_many(self, records: list[dict[str, Any]], sync: bool = True) -> None:
        """Write ``records`` (after any owed ones) whole, or raise having written nothing."""
        assert self._fd is not None, "outbox opened read-only"
        records = [*self._owed, *records]
        lines = [json.dumps(r, separators=(",", ":")).encode("ascii") + b"\n" for r in records]
        try:
            if self._uncut:  # lines of a failed write must not be read as written
                os.ftruncate(self._fd, self._end)
                self._uncut = False
            write_all(self._fd, b"".join(lines))
            if sync:
                os.fdatasync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, self._end)  # the next append must start a line
            except OSError:
                self._uncut = True  # a full copy-on-write disk: cut at the next append
            raise StateWriteError(self.journal_path, exc) from exc
        self._owed = []
        self.writes += 1
        for record, line in zip(records, lines, strict=True):
            if record.get("op") == "add":
                self._where[record["item"]["id"]] = (self._end, len(line))
            self._end += len(line)
        self._lines += len(records)

    def _change(self, item: OutboxItem, sync: bool = True, owe: bool = False,
                **changes: object) -> None:
        """Journal a change, then make it in memory; memory never runs ahead of the disk.

        With ``owe``, a change that cannot be journalled now (the mail was already
        handed over) is made in memory and journalled by the next append that works;
        until then the journal says ``sending``, which reads as ``unknown`` after a crash.
        """
        if item.id not in self.items:
            return  # archived (only its key is kept) or never queued: nothing to change
        changes["updated"] = self.clock()
        record = {"op": "set", "id": item.id, **changes}
        try:
            self._append(record, sync)
        except StateWriteError:
            if not owe:
                raise
            self._owed.append(record)
        # The caller's copy may be one of several read back from a settled item's line:
        # the change goes to the one kept (from now on as an object) and to the caller's.
        kept = self.items[item.id]
        was = kept.state
        for target in {id(kept): kept, id(item): item}.values():
            for name, value in changes.items():
                setattr(target, name, value)
        self.items[item.id] = kept
        self._track(kept, was)

    def has(self, key: str) -> bool:
        """Whether a mail with this idempotency key was ever queued."""
        item_id = outbox_id(key)
        return item_id in self.items or item_id in self.archived

    def enqueue(self, item: OutboxItem, data: bytes) -> bool:
        """Queue ``data`` under ``item.key``; False (and nothing done) if that key was queued."""
        if item.id in self.items or item.id in self.archived:
            return False
        item.created = item.updated = self.clock()
        item.state = "pending"
        record = {"op": "add", "item": asdict(item), "data": data.decode("latin-1")}
        if self._batched is not None:
            self._batched.append(record)
        else:
            self._append(record)
        self.items[item.id] = item
        self._track(item, None)
        self._answers.add(item)
        return True

    def answers_since(self, recipient: str, since: float) -> int:
        """How many answers (mail of kind 'reply') went to ``recipient``'s mailbox since then
        (every spelling of one mailbox counted as one: see answers.py)."""
        return self._answers.since(recipient, since)

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
            if self._batched:
                self._append_many(self._batched)
        except BaseException:
            for record in self._batched:
                item = self.items.pop(record["item"]["id"], None)
                if item is not None:
                    self._untrack(item)
                    self._answers.remove(item)
            raise
        finally:
            self._batched = None

    def message_bytes(self, item_id: str) -> bytes:
        """The exact bytes that are (or were) sent for this item."""
        if self._batched:
            for record in self._batched:
                if record["item"]["id"] == item_id:
                    data: str = record["data"]
                    return data.encode("latin-1")
        if item_id not in self._where:
            raise StoreError(f"{self.journal_path}: the bytes of mail {item_id} were left out "
                             "of the journal once it was sent; its headers are kept")
        stored: str = self._reader.record(item_id, *self._where[item_id])["data"]
        return stored.encode("latin-1")

    def due(self, now: float) -> list[OutboxItem]:
        """Pending items whose next try has come: answers and notices before scheduled mail
        (a person who writes in is not answered after a mass mailing), oldest first."""
        ready = [self.items[i] for i in self._due.due(now)]
        return sorted(ready, key=lambda i: (i.kind == "scheduled", i.created, i.id))

    def next_due(self) -> float | None:
        """When the earliest pending item may be tried, or None when nothing is pending."""
        return self._due.earliest()

    def mark_sending(self, item: OutboxItem) -> None:
        """Record, durably, that the item is about to be handed to the server.

        Raises StateWriteError (and the item stays pending) if that cannot be recorded.
        Whether this was an attempt is known only from the outcome (see dispatch).
        Raises MailflowError for mail no longer kept: a copy of archived mail is never sent.
        """
        if item.id not in self.items:
            raise MailflowError(f"mail {item.id[:12]} is archived or was never queued: "
                                "it is not sent")
        self._change(item, state="sending")

    def mark_sent(self, item: OutboxItem, attempts: int | None = None) -> None:
        """The server accepted the item.

        Not fsynced on its own: the next journal sync carries it, and if power failed
        first the item would read as ``sending``, hence ``unknown``: never sent twice.
        """
        self._change(item, sync=False, owe=True, state="sent", error=None,
                     attempts=item.attempts + 1 if attempts is None else attempts)

    def mark_retry(self, item: OutboxItem, error: str, next_try: float, attempts: int) -> None:
        """A temporary failure after ``attempts`` tries: try again at ``next_try``."""
        self._change(item, owe=item.state == "sending", state="pending", error=error,
                     next_try=next_try, attempts=attempts)

    def mark_failed(self, item: OutboxItem, error: str, attempts: int | None = None) -> None:
        """A permanent failure: never retried automatically."""
        if attempts is None:
            self._change(item, owe=item.state == "sending", state="failed", error=error)
        else:
            self._change(item, owe=item.state == "sending", state="failed", error=error,
                         attempts=attempts)

    def mark_unknown(self, item: OutboxItem, error: str) -> None:
        """The server may or may not have taken it: never resent automatically."""
        self._change(item, owe=item.state == "sending", state="unknown", error=error)

    def cancel(self, item: OutboxItem, reason: str) -> None:
        """Never send ``item`` (its recipient asked for their data to be erased); its key
        stays, so it is never queued again, and compaction drops its bytes."""
        self._change(item, state="cancelled", error=reason)

    def requeue(self, item: OutboxItem) -> None:
        """A person decided to send a failed or unknown item again."""
        state = self.items.get(item.id, item).state  # as kept, not as a stale copy says
        if state not in ("failed", "unknown"):
            raise MailflowError(f"mail {item.id[:12]} is {state}: only failed mail, or "
                                "mail of unknown fate, can be sent again")
        if item.id not in self._where:
            raise MailflowError(f"mail {item.id[:12]} was sent and its bytes are no longer "
                                "kept; it cannot be sent again")
        self._change(item, state="pending", next_try=0.0, error=None)

    def counts(self) -> Counter[str]:
        """How many items are in each state."""
        counts = +self._states  # kept by _track: no scan of every item ever queued
        if self.archived:
            counts["archived"] = len(self.archived)
        return counts

    def compaction_due(self) -> bool:
        """Whether the journal grew enough since it was last compacted (or opened)."""
        lines, size = self._compacted
        return (self._lines - lines >= compaction.COMPACT_LINES
                or self._end - size >= compaction.COMPACT_BYTES)

    def compact(self, force: bool = False, archive_before: float | None = None) -> bool:
        """Rewrite the journal with one line per item, without the bytes of sent mail;
        sent or cancelled items last changed before ``archive_before`` become their id alone.

        Only when it has grown (see ``compaction_due``), or ``force``; True when it was
        rewritten. Raises StateWriteError with the old journal untouched (and in use) if
        the new one cannot be written whole. Items are read (from their old lines) one at a
        time: a year of sent mail is never held as objects at once.
        """
        if self._fd is None or self._batched is not None:
            return False
        if not force and not self.compaction_due():
            return False
        kept: list[tuple[str, bool, bool]] = []  # (id, line keeps the bytes, settled), in order
        old: list[OutboxItem] = []
        answers = AnswerTimes()

        def item_lines() -> Iterator[bytes]:
            for item_id in list(self.items):
                item = self.items[item_id]
                if (archive_before is not None and not compaction.keeps_body(item.state)
                        and item.updated < archive_before):
                    old.append(item)
                    continue
                body = compaction.keeps_body(item.state) and item_id in self._where
                kept.append((item_id, body, not compaction.keeps_body(item.state)))
                answers.add(item)
                yield compaction.add_line(item, self.message_bytes(item_id) if body else None)

        def all_lines() -> Iterator[bytes]:
            yield from item_lines()  # first: only then is it known which items are archived
            yield from compaction.archive_lines(sorted({*self.archived, *(i.id for i in old)}))

        lengths = compaction.write_journal(self.journal_path, all_lines())
        # The rename is done: from here on every append must go to the new journal.
        os.close(self._fd)
        self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND, FILE_MODE)
        self._owed = []  # the rewritten items carry every change made in memory
        self._uncut = False  # what was not cut back is in the old journal
        self._reader.close()  # it holds the old journal
        self._where = {}
        self.items.forget_places()
        for item in old:
            self._archive(item.id, item)
        self.archived.pack()
        self._answers = answers
        offset = 0
        for (item_id, body, settled), length in zip(kept, lengths[:len(kept)], strict=True):
            if body:
                self._where[item_id] = (offset, length)
            elif settled:
                self.items.settle(item_id, offset, length)
            offset += length
        self._end, self._lines = sum(lengths), len(lengths)
        self._compacted = (self._lines, self._end)
        self.writes += 1
        compaction.sync_folder(self.journal_path)
        return True

    def close(self) -> None:
        """Sync and close the journal (with the changes still owed to it, if they fit now)."""
        try:
            if self._fd is not None and (self._owed or self._uncut):
                self._append_many([])
            if self._fd is not None:
                os.fdatasync(self._fd)
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._reader.close()
