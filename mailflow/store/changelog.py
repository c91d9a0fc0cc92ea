"""The store's change log: one checked line per committed transaction, replayed over the snapshot.

A line is ``CRC32(hex) SPACE JSON NEWLINE``; the JSON is ``{"seq": N, "docs": {table:
{doc_id: document or null}}}``: the whole new value of every document the transaction
changed, ``null`` for one it removed. Records are absolute, so a record the snapshot
already holds (``seq`` not above the snapshot's) is simply skipped.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailflow.errors import StoreError
from mailflow.store.shared_strings import share_in_place

Docs = dict[str, dict[str, Any]]  # table -> doc_id -> document (None: removed)


def encode(seq: int, docs: Docs) -> bytes:
    """One log line for the transaction numbered ``seq``."""
    body = json.dumps({"seq": seq, "docs": docs}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def decode(line: bytes) -> dict[str, Any] | None:
    """The record of one line (without its newline), or None if torn or damaged."""
    if len(line) < 10 or line[8:9] != b" ":
        return None
    body = line[9:]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        record = json.loads(body, object_hook=share_in_place)
    except ValueError:
        return None
    if (not isinstance(record, dict) or not isinstance(record.get("seq"), int)
            or not isinstance(record.get("docs"), dict)
            or not all(isinstance(t, dict) for t in record["docs"].values())):
        return None
    return record


@dataclass
class LogContents:
    """What a log holds: its complete records in order, and where the last one ends."""

    records: list[dict[str, Any]] = field(default_factory=list)
    end: int = 0  # bytes taken by complete records; what follows is a torn tail


def parse(path: Path, data: bytes) -> LogContents:
    """Split a log into checked records; a torn tail is left out, damage before it refused.

    A crash mid-append can only spoil the end of the log: a bad line with nothing good
    after it is that tail. A bad line followed by good records is damage, not a crash.
    """
    contents = LogContents()
    pos = 0
    while pos < len(data):
        newline = data.find(b"\n", pos)
        if newline < 0:
            break
        record = decode(data[pos:newline])
        if record is None:
            if any(decode(line) is not None for line in data[newline + 1:].split(b"\n")):
                raise StoreError(
                    f"{path}: the change log is damaged at byte {pos} (a record after it "
                    "is intact, so this is not an interrupted write); restore state/ from "
                    "a backup")
            break
        contents.records.append(record)
        pos = newline + 1
        contents.end = pos
    return contents


def apply(data: dict[str, Any], docs: Docs) -> int:
    """Apply one record's documents to the tables in ``data``; returns how many."""
    count = 0
    for name, changes in docs.items():
        table = data.setdefault(name, {})
        for doc_id, document in changes.items():
            if document is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = document
            count += 1
    return count
