"""The outbox journal's lines, read and checked: a line mailflow did not write is refused.

A skipped ``sending`` would send a mail twice, a skipped ``add`` would forget one: so
a line that is not a record mailflow writes stops the program with its number, rather
than being guessed at.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from mailflow.errors import StoreError
from mailflow.outbound.items import OutboxItem
from mailflow.store.shared_strings import share_in_place

STATES = ("pending", "sending", "sent", "failed", "unknown", "cancelled")
NEEDS_BYTES = ("pending", "sending")  # the states whose line must hold the mail's bytes

_Kinds = dict[str, type | tuple[type, ...]]
_ITEM_FIELDS: _Kinds = {"id": str, "key": str, "recipients": list, "envelope_from": str,
                        "message_id": str, "subject": str, "kind": str}
_SET_FIELDS: _Kinds = {"state": str, "attempts": int, "next_try": (int, float),
                       "updated": (int, float), "error": (str, type(None))}


def read_record(path: Path, number: int, line: bytes) -> tuple[int, dict[str, Any]]:
    """One journal line: (where its record starts, the record), or StoreError naming the line.

    A line that holds a torn write followed by a whole record (what an append after a
    failed one left before appends were cut back) yields that record: the torn part
    was a write that failed, so it never happened. Anything else is refused rather
    than skipped: a skipped ``sending`` would send a mail twice, a skipped ``add``
    would forget a mail.
    """
    record, problem = _parsed(line)
    if problem is None:
        return 0, record
    start = line.rfind(b'{"op":')
    if start > 0:
        tail, tail_problem = _parsed(line[start:])
        if tail_problem is None:
            return start, tail
    raise StoreError(
        f"{path}, line {number}: {problem}; mailflow never writes such a line, so it will "
        "not guess: move that line to a file of its own (keep it) or restore state/ from a "
        "backup, then start again")


def _parsed(line: bytes) -> tuple[Any, str | None]:
    """One journal line decoded once (strings shared), and what is wrong with it, if anything."""
    try:
        record = json.loads(line, object_hook=share_in_place)
    except ValueError:
        return None, "not a JSON record"
    return record, record_problem(record)


def shape_problem(line: bytes) -> str | None:
    """What is wrong with one journal line, or None when it is a record mailflow wrote."""
    return _parsed(line)[1]


def record_problem(record: Any) -> str | None:
    """What is wrong with one decoded journal record, or None when mailflow wrote it."""
    if not isinstance(record, dict) or record.get("op") not in ("add", "set", "archive"):
        return "not an outbox record (no op 'add', 'set' or 'archive')"
    if record["op"] == "archive":
        ids = record.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return "an 'archive' record without its list of item ids"
        return None
    if record["op"] == "add":
        item = record.get("item")
        if not isinstance(item, dict) or "data" not in record or not isinstance(
                record["data"], str | None):
            return "an 'add' record without its item and data"
        if record["data"] is None and item.get("state", "pending") in NEEDS_BYTES:
            return "an 'add' record without the bytes of a mail not yet sent"
        for name, kind in _ITEM_FIELDS.items():
            if name == "envelope_from" and record["data"] is None and name not in item:
                continue  # left out with the bytes: only a mail still to send needs it
            if not isinstance(item.get(name), kind):
                return f"an 'add' record whose item has no valid {name!r}"
        if set(item) - OutboxItem.__dataclass_fields__.keys():
            return "an 'add' record whose item has unknown fields"
        if item.get("state", "pending") not in STATES:
            return "an 'add' record with an unknown state"
        return None
    if not isinstance(record.get("id"), str):
        return "a 'set' record without an item id"
    for name, kind in _SET_FIELDS.items():
        if name in record and not isinstance(record[name], kind):
            return f"a 'set' record with an invalid {name!r}"
    if "state" in record and record["state"] not in STATES:
        return "a 'set' record with an unknown state"
    return None


class LineReader:
    """Reads a journal's lines back at the places kept for them, each checked to be the
    'add' record of the item asked for: one person's mail is never read as another's.

    It reads the file it was given (``adopt``: the one replayed), even once another
    process's compaction has renamed a new journal over it, since the places are that
    file's; otherwise it opens the journal when first asked.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def adopt(self, handle: IO[bytes]) -> None:
        """Read from now on from the file open as ``handle`` (a copy of its descriptor)."""
        self.close()
        self._fd = os.dup(handle.fileno())

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes of the journal at ``offset``: a line whose place was kept."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        data = os.pread(self._fd, length, offset)
        if len(data) != length:
            raise StoreError(f"{self.path}: {length} bytes at offset {offset} were "
                             "expected and are not there: was the journal changed by hand?")
        return data

    def record(self, item_id: str, offset: int, length: int) -> dict[str, Any]:
        """The 'add' record of ``item_id`` at its kept place, or StoreError if the line
        there is another's."""
        try:
            record = json.loads(self.read(offset, length))
            found = record["op"] == "add" and record["item"]["id"] == item_id
        except (ValueError, KeyError, TypeError):
            found = False
        if not found:
            raise StoreError(f"{self.path}: the line at offset {offset} is not the "
                             f"one of mail {item_id}: was the journal changed by hand? "
                             "Stop mailflow, restore state/ from a backup, and start again")
        return record  # type: ignore[no-any-return]

    def close(self) -> None:
        """Let go of the file (a compaction replaced it, or the outbox is closed)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
