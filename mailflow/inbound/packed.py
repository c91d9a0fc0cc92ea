"""Closed months of raw mail, packed: zlib blocks of about 64 KiB, still read one by one.

A month's spool (``YYYY-MM.spool``) is only appended to during its month. Once it is
over, housekeeping packs it into ``YYYY-MM.packed``: the messages in order, cut into
blocks compressed on their own; a ledger row then says which block (``block``: offset and
length in the file) and where in it (``at``, ``size``). Mail is repetitive (headers,
quotes), so a month takes a fraction of the space, and reading one message inflates one
block. Packing writes the new file whole (temporary, fsynced, renamed), then points the
rows at it in one transaction, then removes the old file: a crash leaves either
pointing at a whole file, and an orphan is removed next time.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mailflow.store import Store
from mailflow.store.records import LedgerEntry
from mailflow.store.storage import FILE_MODE, StateWriteError, fsync_dir, write_all

BLOCK_BYTES = 64 << 10  # raw bytes per compressed block: a read inflates this much at most
SUFFIX = ".packed"


def read(raw_dir: Path, entry: LedgerEntry) -> bytes:
    """The bytes of a message held in a packed file."""
    offset, length = entry["block"]
    with open(raw_dir / entry["spool"], "rb") as packed:
        packed.seek(offset)
        block = zlib.decompress(packed.read(length))
    at: int = entry["at"]
    return block[at:at + entry["size"]]


def pack(store: Store, raw_dir: Path, spool: Path, entries: list[Any]) -> int:
    """Pack the month file ``spool`` whose rows are ``entries``; returns the bytes saved.

    Raises StateWriteError (and nothing changed) when the packed file cannot be written.
    """
    target = spool.with_suffix(SUFFIX)
    with open(spool, "rb") as source:
        data = source.read()
    blocks: list[bytes] = []
    placed: list[tuple[Any, int, int]] = []  # (entry, block number, offset in the block)
    current, start = bytearray(), 0
    for entry in sorted(entries, key=lambda e: e["offset"]):
        message = data[entry["offset"]:entry["offset"] + entry["size"]]
        if current and len(current) + len(message) > BLOCK_BYTES:
            blocks.append(zlib.compress(bytes(current), 6))
            current, start = bytearray(), 0
        placed.append((entry, len(blocks), start))
        current += message
        start += len(message)
    if current:
        blocks.append(zlib.compress(bytes(current), 6))
    where = _write(target, blocks)
    with store.transaction():
        table = store.table("inbound")
        for entry, number, at in placed:
            table.update({"spool": target.name, "block": list(where[number]), "at": at},
                         doc_ids=[entry.doc_id])
            table.update(_drop_offset, doc_ids=[entry.doc_id])
    with contextlib.suppress(FileNotFoundError):
        spool.unlink()
    return len(data) - target.stat().st_size


def _drop_offset(document: Any) -> None:
    document.pop("offset", None)


def _write(target: Path, blocks: Iterable[bytes]) -> list[tuple[int, int]]:
    """Write ``blocks`` to ``target`` durably (a temporary file renamed); their places."""
    tmp = target.with_name(f".{target.name}.tmp")
    where: list[tuple[int, int]] = []
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            offset = 0
            for block in blocks:
                write_all(fd, block)
                where.append((offset, len(block)))
                offset += len(block)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StateWriteError(target, exc) from exc
    return where


def wipe(store: Store, raw_dir: Path, doc_id: int) -> None:
    """Erase one message from a packed file: its block is written anew (the message zeroed)
    at the end of the file, the rows of that block point there, and once that is committed
    the old block is overwritten with zeros. Nothing of the message is left readable.

    (A crash between the commit and the overwrite would leave the old block, which no row
    points to any more, in the file until the month is pruned.)
    """
    table = store.table("inbound")
    entry = table.get(doc_id=doc_id)
    if entry is None or "block" not in entry:
        return
    path = raw_dir / entry["spool"]
    offset, length = entry["block"]
    with open(path, "r+b") as packed:
        packed.seek(offset)
        block = bytearray(zlib.decompress(packed.read(length)))
        block[entry["at"]:entry["at"] + entry["size"]] = bytes(entry["size"])
        fresh = zlib.compress(bytes(block), 6)
        end = packed.seek(0, os.SEEK_END)
        write_all(packed.fileno(), fresh)
        os.fsync(packed.fileno())
    same = [e.doc_id for e in table.all()
            if e.get("spool") == entry["spool"] and e.get("block") == [offset, length]]
    table.update({"block": [end, len(fresh)]}, doc_ids=same)
    store.after_commit(lambda: _zero(path, offset, length))


def _zero(path: Path, offset: int, length: int) -> None:
    """Overwrite ``length`` bytes at ``offset`` with zeros, durably."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        write_all(fd, bytes(length))
        os.fsync(fd)
    finally:
        os.close(fd)
