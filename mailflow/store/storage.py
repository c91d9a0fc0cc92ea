"""A TinyDB storage that never leaves a truncated file behind.

TinyDB's own JSONStorage rewrites the file in place, so a crash mid-write can leave
it half written. Here every write goes to a temporary file that is fsynced and then
atomically renamed over the old one, and the folder is fsynced so the rename itself
survives a power cut. Reads are served from memory: this process is the only writer.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from mailflow.errors import StoreError

FILE_MODE = 0o600  # state holds raw mail and private answers: the owner's alone
DIR_MODE = 0o700


class StateWriteError(StoreError):
    """A state file could not be written (a full disk, a quota): nothing of the write counts."""

    def __init__(self, path: Path, exc: OSError) -> None:
        self.path = path
        self.errno = exc.errno
        reason = exc.strerror or exc.__class__.__name__
        super().__init__(f"{path}: cannot write the program state ({reason})")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed, readable by its owner only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        with contextlib.suppress(PermissionError):
            path.chmod(DIR_MODE)
    return path


def tighten(state_dir: Path) -> None:
    """Make an existing state/ private: 0700 folders, 0600 files (two levels, no more)."""
    private_dir(state_dir)
    for child in state_dir.iterdir():
        targets = [child, *child.iterdir()] if child.is_dir() and not child.is_symlink() else [
            child]
        for path in targets:
            if path.is_symlink():
                continue
            mode = DIR_MODE if path.is_dir() else FILE_MODE
            with contextlib.suppress(OSError):
                if path.stat().st_mode & 0o777 & ~mode:
                    path.chmod(mode)


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (a nearly full disk takes them in parts)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


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
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        if sync_dir:
            fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()  # a half-written copy would only hold on to the space
        raise StateWriteError(path, exc) from exc


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
        self.writes = 0  # successful writes, to tell when a full disk has room again
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
        check_shape(self.path, data)
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
        self.writes += 1

    def discard(self) -> None:
        """Forget unflushed changes: the next read comes from disk."""
        self._data = None
        self.dirty = False

    def close(self) -> None:
        self.flush()


def check_shape(path: Path, data: dict[str, Any]) -> None:
    """Refuse, naming the table and document, a store TinyDB would choke on later."""
    fix = "restore state/ from a backup, or repair that entry by hand (mailflow never writes it)"
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StoreError(f"{path}: table {name!r} is a JSON {type(table).__name__}, "
                             f"not an object of documents; {fix}")
        for doc_id, document in table.items():
            if not doc_id.isdigit() or not isinstance(document, dict):
                raise StoreError(f"{path}: table {name!r}, document {doc_id!r} is not an "
                                 f"object under a numeric id; {fix}")
