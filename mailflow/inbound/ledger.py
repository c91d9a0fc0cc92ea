"""The inbound ledger: every message is recorded, raw bytes and all, before anything acts on it.

Entries are keyed by source and (UIDVALIDITY, UID) (or the Maildir name), with the
Message-ID as second key, so a message seen again after a UIDVALIDITY change or a
second delivery is recorded as a duplicate instead of being acted on twice. Raw bytes
go to a spool file per month, removed once older than the retention and all handled;
old handled rows are reduced to what recognises a message again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr
from typing import Any, cast

from tinydb import Query

from mailflow.inbound import packed
from mailflow.store import Store
from mailflow.store.records import LedgerEntry
from mailflow.store.storage import FILE_MODE, StateWriteError, fsync_dir, private_dir, write_all

log = logging.getLogger(__name__)
_Q = Query()
_POINTER = ("spool", "offset", "size", "block", "at")
# What an old row keeps: what recognises the message again (dedup) and when it came, and
# whose it is and where its bytes are, so an erasure still finds and wipes them.
SUMMARY_FIELDS = ("key", "message_id", "state", "received", "sender", "participant",
                  "erased", "wiped", *_POINTER)
PACK_AFTER = timedelta(days=2)  # a month's spool is packed once it ended this long ago
_HELD = ("received", "review", "error")  # not handled yet, or before a person
_RELEASED = ("review", "error")  # ... until the person resolved its review item


@dataclass(frozen=True)
class RawMessage:
    """A message as a source hands it over."""

    source: str
    key: str
    data: bytes
    uid: int | None = None


def header_message_id(data: bytes) -> str | None:
    """The Message-ID from the headers alone, without brackets; None if absent or unreadable."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(data[:65536])
        value = str(headers.get("Message-ID", "") or "").strip()
    except Exception:  # a header this broken is for the decoder to report
        return None
    return value.strip("<> \t\r\n") or None


def header_sender(data: bytes) -> str | None:
    """The address of the From header alone, in lower case; None if absent or unreadable."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(data[:65536])
        address = parseaddr(str(headers.get("From", "") or ""))[1]
    except Exception:  # a header this broken is for the decoder to report
        return None
    return address.strip().lower() or None


class Ledger:
    """What has been received, where its bytes are, and how far each mailbox has been read."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table("inbound")
        self.raw_dir = store.state_dir / "messages"

    def known(self, key: str) -> bool:
        """Whether the message with this ledger key was already recorded."""
        return bool(self.store.lookup("inbound", "key", key))

    def original(self, message_id: str) -> str | None:
        """The key of the first entry (not a duplicate) recorded with this Message-ID."""
        ids = self.store.lookup("inbound", "message_id", message_id)
        entry = self.table.get(doc_id=ids[0]) if ids else None
        return entry["key"] if entry is not None else None

    def mailbox(self, source: str) -> dict[str, Any]:
        """UIDVALIDITY and last UID taken in for ``source`` ({} when never read)."""
        return self.store.table("mailboxes").get(_Q.source == source) or {}

    def set_uidvalidity(self, source: str, uidvalidity: int, since: str = "") -> None:
        """Start over at UID 0 when the server says the old UIDs mean nothing any more.

        ``since`` (a day) is kept from the first time the folder is read: mail older than
        that was there before this program's state, and is left alone.
        """
        state = self.mailbox(source)
        if state.get("uidvalidity") == uidvalidity:
            return
        if state:
            log.warning("%s: UIDVALIDITY changed from %s to %s; re-reading the folder, "
                        "messages already seen are recognised by Message-ID and not acted on",
                        source, state.get("uidvalidity"), uidvalidity)
        self.store.table("mailboxes").upsert(
            {"source": source, "uidvalidity": uidvalidity, "last_uid": 0,
             "since": state.get("since", since)}, _Q.source == source)

    def raw(self, entry: LedgerEntry) -> bytes:
        """The bytes of a recorded message, from its month's spool or packed file."""
        if "block" in entry:
            return packed.read(self.raw_dir, entry)
        with open(self.raw_dir / entry["spool"], "rb") as spool:
            spool.seek(entry["offset"])
            return spool.read(entry["size"])

    def _spool(self, messages: list[RawMessage], day: str) -> tuple[str, int]:
        """Append the raw bytes to the day's spool, durably; (file name, offset of the first)."""
        name = f"{day[:7]}.spool"  # one per month: pruned a month at a time
        path = self.raw_dir / name
        try:
            private_dir(self.raw_dir)
            created = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise StateWriteError(path, exc) from exc
        offset = os.lseek(fd, 0, os.SEEK_END)
        try:
            write_all(fd, b"".join(m.data for m in messages))
            os.fdatasync(fd)
            if created:
                fsync_dir(self.raw_dir)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, offset)  # a torn tail is never referenced; give its space back
            raise StateWriteError(path, exc) from exc
        finally:
            os.close(fd)
        return name, offset

    def record(self, batch: list[RawMessage], now: str) -> list[LedgerEntry]:
        """Record a batch durably in one write; returns the new entries (duplicates included).

        The raw bytes go to an append-only spool file per day, one fdatasync for the
        batch; a tail torn by a crash is never referenced, since entries are written after.
        """
        fresh = [m for m in dict((m.key, m) for m in batch).values() if not self.known(m.key)]
        entries: list[LedgerEntry] = []
        batch_ids: dict[str, str] = {}
        last_uids: dict[str, int] = {}
        spool, offset = self._spool(fresh, now[:10]) if fresh else ("", 0)
        for message in fresh:
            message_id = header_message_id(message.data)
            original = (self.original(message_id) or batch_ids.get(message_id)
                        if message_id else None)
            if message_id and not original:
                batch_ids[message_id] = message.key
            entry: LedgerEntry = {
                "key": message.key, "source": message.source, "uid": message.uid,
                "message_id": message_id, "sha256": hashlib.sha256(message.data).hexdigest(),
                "spool": spool, "offset": offset, "size": len(message.data),
                "received": now, "state": "duplicate" if original else "received",
                "duplicate_of": original,
            }
            offset += len(message.data)
            entries.append(entry)
            if message.uid is not None:
                last_uids[message.source] = max(last_uids.get(message.source, 0), message.uid)
        with self.store.transaction():
            for entry, doc_id in zip(entries, self.table.insert_multiple(entries), strict=True):
                entry["doc_id"] = doc_id
            for source, uid in last_uids.items():
                state = self.mailbox(source)
                if uid > state.get("last_uid", 0):
                    self.store.table("mailboxes").update({"last_uid": uid}, _Q.source == source)
        return entries

    def unfinished(self) -> list[LedgerEntry]:
        """Entries recorded but not yet processed (the process stopped in between)."""
        ids = self.store.lookup("inbound", "state", "received")
        return [cast(LedgerEntry, {**e, "doc_id": e.doc_id})
                for e in self.table.get(doc_ids=ids) or ()]

    def finish(self, entry: LedgerEntry, state: str, summary: dict[str, Any]) -> None:
        """Mark an entry processed (or set aside) with what was understood of it."""
        self.table.update({"state": state, **summary}, doc_ids=[entry["doc_id"]])

    def _held(self) -> set[str]:
        """Keys of messages whose bytes must stay: not handled, or waiting for a person (a
        message sent to review is released once its item is resolved)."""
        waiting: set[str | None] = set()
        resolved: set[str | None] = set()
        for item in self.store.table("review").rows():
            (resolved if item.get("resolved") else waiting).add(item.get("inbound"))
        return {e["key"] for e in self.table.rows()
                if (e.get("state") in _HELD and not (e.get("state") in _RELEASED
                                                     and e["key"] in resolved))
                or e["key"] in waiting}

    def prune_raw(self, now: datetime, days: int, everything: bool = False
                  ) -> tuple[int, int]:
        """Remove spool files older than ``days`` whose messages are all handled.

        A file goes only when its month (and its last message) is older than ``days`` and
        none of its messages waits to be handled or for review; with ``everything`` (the
        program ended long enough ago) its age does not matter. The rows stop pointing at
        it first, then it is removed: a crash in between leaves a file nothing reads,
        removed next time. Returns (files, bytes) removed.
        """
        if not self.raw_dir.is_dir():
            return 0, 0
        cutoff = (now - timedelta(days=0 if everything else days)).isoformat()
        held = self._held()
        rows: dict[str, list[Any]] = {}
        for entry in self.table.rows():
            if entry.get("spool"):
                rows.setdefault(entry["spool"], []).append(entry)
        old = []
        for path in sorted([*self.raw_dir.glob("*.spool"),
                            *self.raw_dir.glob(f"*{packed.SUFFIX}")]):
            ended = _period_end(path.stem)
            entries = rows.get(path.name, [])
            if ended is None or (ended >= cutoff[:10] and not everything) or any(
                    e["key"] in held or (e.get("received") or "") >= cutoff for e in entries):
                continue
            old.append((path, entries))
        if not old:
            return 0, 0
        with self.store.transaction():
            for _path, entries in old:
                if entries:
                    self.table.update(_drop(_POINTER), doc_ids=[e.doc_id for e in entries])
        freed = 0
        for path, _entries in old:
            with contextlib.suppress(FileNotFoundError):
                freed += path.stat().st_size
                path.unlink()
        return len(old), freed

    def pack_closed(self, now: datetime) -> tuple[int, int]:
        """Pack the spool of every month that ended (see packed.py); (files, bytes saved).

        A month file no row points to (a crash after packing it) is removed.
        """
        if not self.raw_dir.is_dir():
            return 0, 0
        closed = (now - PACK_AFTER).date().isoformat()
        months = [p for p in sorted(self.raw_dir.glob("*.spool"))
                  if (_period_end(p.stem) or "9999") < closed]
        if not months:
            return 0, 0
        rows: dict[str, list[Any]] = {}
        for entry in self.table.rows():
            if entry.get("spool") and "offset" in entry:
                rows.setdefault(entry["spool"], []).append(entry)
        files = saved = 0
        for path in months:
            entries = rows.get(path.name, [])
            if entries:
                saved += packed.pack(self.store, self.raw_dir, path, entries)
            else:
                saved += path.stat().st_size
                path.unlink()
            files += 1
        return files, saved

    def wipe_raw(self, entry: Any) -> None:
        """Overwrite a message's bytes with zeros, durably, wherever they are kept."""
        if "block" in entry:
            packed.wipe(self.store, self.raw_dir, entry.doc_id)
            return
        with open(self.raw_dir / entry["spool"], "r+b") as spool:
            spool.seek(entry["offset"])
            spool.write(b"\0" * entry["size"])
            spool.flush()
            os.fsync(spool.fileno())

    def summarise(self, now: datetime, days: int) -> int:
        """Reduce handled rows older than ``days`` to SUMMARY_FIELDS; returns how many."""
        cutoff = (now - timedelta(days=days)).isoformat()
        held = self._held()
        old = [e.doc_id for e in self.table.rows()
               if (e.get("received") or "") < cutoff and e["key"] not in held
               and set(e) - set(SUMMARY_FIELDS)]
        if old:
            with self.store.transaction():
                self.table.update(_summary, doc_ids=old)
        return len(old)


def _period_end(stem: str) -> str | None:
    """The last day a spool file named ``YYYY-MM`` or ``YYYY-MM-DD`` covers, or None."""
    try:
        if len(stem) == 7:
            first = datetime.strptime(stem, "%Y-%m")
            following = first.replace(year=first.year + first.month // 12,
                                      month=first.month % 12 + 1)
            return (following - timedelta(days=1)).date().isoformat()
        return datetime.strptime(stem, "%Y-%m-%d").date().isoformat()
    except ValueError:
        return None  # not a spool file mailflow named: left alone


def _drop(names: tuple[str, ...]) -> Callable[[MutableMapping[str, Any]], None]:
    def transform(document: MutableMapping[str, Any]) -> None:
        for name in names:
            document.pop(name, None)
    return transform


def _summary(document: MutableMapping[str, Any]) -> None:
    """A row reduced to SUMMARY_FIELDS; its participant only when another than its sender."""
    _keep(SUMMARY_FIELDS)(document)
    if document.get("participant") == document.get("sender"):
        document.pop("participant", None)


def _keep(names: tuple[str, ...]) -> Callable[[MutableMapping[str, Any]], None]:
    def transform(document: MutableMapping[str, Any]) -> None:
        for name in [n for n in document if n not in names]:
            del document[name]
    return transform
