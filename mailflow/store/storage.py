"""A TinyDB storage that never leaves a truncated file behind.

TinyDB's own JSONStorage rewrites the file in place, so a crash mid-write can leave
it half written. Here every write goes to a temporary file that is fsynced and then
atomically renamed over the old one, and the folder is fsynced so the rename itself
survives a power cut. Reads are served from memory: this process is the only writer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from mailflow.errors import StoreError


def fsync_dir(path: Path) -> None:
    """Make a rename or creation inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data``: temp file, fsync, rename, fsync of the folder.

    With ``sync_dir=False`` the caller fsyncs the folder itself, once for many files.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    if sync_dir:
        fsync_dir(path.parent)


class AtomicJSONStorage(Storage):
    """JSON storage with atomic, durable writes and an in-memory copy of the data.

    While ``deferred`` is true, writes only mark the data dirty; ``flush`` then writes
    once. The store uses this to commit a whole transaction in one atomic write.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.deferred = False
        self.dirty = False
        self._data: dict[str, Any] | None = None

    def read(self) -> dict[str, Any] | None:
        if self._data is None:
            self._data = self.load()
        return self._data

    def load(self) -> dict[str, Any] | None:
        """Read the file from disk, discarding what is in memory."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise StoreError(
                f"{self.path}: the store file is not valid JSON ({exc}); "
                "restore it from a backup or move it away to start empty"
            ) from exc
        if not isinstance(data, dict):
            raise StoreError(f"{self.path}: the store file does not hold a JSON object")
        return data

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only (a daemon may be running)")
        self._data = data
        self.dirty = True
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        """Write the in-memory data to disk if it changed."""
        if not self.dirty or self._data is None:
            return
        encoded = json.dumps(self._data, ensure_ascii=False, separators=(",", ":"))
        write_atomic(self.path, encoded.encode("utf-8"))
        self.dirty = False

    def discard(self) -> None:
        """Forget unflushed changes: the next read comes from disk."""
        self._data = None
        self.dirty = False

    def close(self) -> None:
        self.flush()
