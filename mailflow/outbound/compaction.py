"""Rewriting the outbox journal short: one line per item, and no body for mail already sent.

Every item keeps its line (its idempotency key and state), so a key once queued is never
queued or sent again; only the bytes of sent mail go, its headers for threading
(Message-ID, subject, recipients) stay in the item. Failed and unknown mail keep their
bytes: a person may send them again (``mailflow outbox retry``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mailflow.store.storage import FILE_MODE, StateWriteError, fsync_dir, write_all

COMPACT_BYTES = 4 * 2**20  # journal growth since the last compaction that calls for one
COMPACT_LINES = 3_000  # or this many lines: about 1,000 sent mails (add, sending, sent)
BODYLESS_STATES = ("sent", "cancelled")  # the states whose bytes a compacted journal leaves out
_CHUNK = 1 << 20


def keeps_body(state: str) -> bool:
    """Whether a compacted journal keeps the bytes of an item in this state."""
    return state not in BODYLESS_STATES


def item_fields(item: Any) -> dict[str, Any]:
    """The item's fields, without those equal to their default (the reader fills them in)."""
    fields: dict[str, Any] = {}
    for spec in dataclasses.fields(item):
        value = getattr(item, spec.name)
        if spec.default is not dataclasses.MISSING and value == spec.default:
            continue
        if spec.default_factory is not dataclasses.MISSING and value == spec.default_factory():
            continue
        fields[spec.name] = value
    return fields


def add_line(item: Any, data: bytes | None) -> bytes:
    """The one journal line of ``item`` in a compacted journal (``data`` None: body left
    out, and the envelope sender with it: only a mail still to send needs one)."""
    fields = item_fields(item)
    if data is None:
        fields.pop("envelope_from", None)
    record = {"op": "add", "item": fields,
              "data": None if data is None else data.decode("latin-1")}
    return json.dumps(record, separators=(",", ":")).encode("ascii") + b"\n"


ARCHIVE_IDS_PER_LINE = 1_000


def archive_lines(ids: list[str]) -> list[bytes]:
    """The lines of a compacted journal that hold the ids of archived items, many a line."""
    return [json.dumps({"op": "archive", "ids": ids[i:i + ARCHIVE_IDS_PER_LINE]},
                       separators=(",", ":")).encode("ascii") + b"\n"
            for i in range(0, len(ids), ARCHIVE_IDS_PER_LINE)]


def temp_path(journal: Path) -> Path:
    """Where a compaction writes the new journal before renaming it over the old one."""
    return journal.with_name(f".{journal.name}.compacting")


def write_journal(journal: Path, lines: Iterable[bytes]) -> list[int]:
    """Replace ``journal`` with ``lines`` durably; returns each line's length.

    Written to a temporary file, fsynced, renamed over the journal, and the folder
    fsynced: a crash (or a full disk) at any point leaves the old journal whole, or the
    new one whole. The temporary file is removed when a write fails.
    """
    tmp = temp_path(journal)
    lengths: list[int] = []
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            for chunk in _chunks(lines, lengths):
                write_all(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, journal)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()  # a half-written copy would only hold on to the space
        raise StateWriteError(journal, exc) from exc
    return lengths


def sync_folder(journal: Path) -> None:
    """Make the rename of a compaction durable (before anything is appended to it)."""
    try:
        fsync_dir(journal.parent)
    except OSError as exc:
        raise StateWriteError(journal, exc) from exc


def _chunks(lines: Iterable[bytes], lengths: list[int]) -> Iterator[bytes]:
    """About a megabyte at a time, so a large journal is never held whole in memory."""
    pending: list[bytes] = []
    size = 0
    for line in lines:
        lengths.append(len(line))
        pending.append(line)
        size += len(line)
        if size >= _CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)
