"""A TinyDB storage whose commit costs the size of the change, never a truncated file.

The state is a JSON snapshot (``store.json``) and a change log (``store.log``, see
changelog.py) of the documents each transaction changed, fsynced once per commit and
replayed over the snapshot on open. The snapshot is only ever replaced whole: a
temporary file, fsynced, atomically renamed, the folder fsynced; that compaction
happens when the log has grown to the snapshot's size, and when the store closes.
Reads are served from memory: this process is the only writer.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from tinydb.storages import Storage

from mailflow.errors import StoreError
from mailflow.store import changelog
from mailflow.store.indexes import Indexes
from mailflow.store.shared_strings import share_deep, share_in_place

log = logging.getLogger(__name__)

FILE_MODE = 0o600  # state holds raw mail and private answers: the owner's alone
DIR_MODE = 0o700
LOG_KEY = "_log"  # in the snapshot: {"1": {"seq": N}}, the last log record it holds
COMPACT_BYTES = 4 << 20  # the log is folded into the snapshot past max(this, snapshot size)
COMPACT_CHANGES = 50_000  # ... or past this many changed documents
QUIET_FOLD_BYTES = 1 << 20  # housekeeping folds a log past this (and 1/8 of the snapshot)
READ_ATTEMPTS = 5  # a reader racing a compaction reads again
SNAPSHOT_PART = 500  # documents encoded at a time when the snapshot is written


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


def write_atomic(path: Path, data: bytes | Iterable[bytes], sync_dir: bool = True) -> int:
    """Replace ``path`` with ``data`` (bytes, or bytes in parts): temp file, fsync, rename,
    fsync of the folder; returns the bytes written.

    With ``sync_dir=False`` the caller fsyncs the folder itself, once for many files.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    size = 0
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            for part in (data,) if isinstance(data, bytes) else data:
                write_all(fd, part)
                size += len(part)
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
    except Exception:  # the parts failed to encode: the same (an interrupt is a crash:
        with contextlib.suppress(OSError):  # what it leaves, a load ignores)
            tmp.unlink()
        raise
    return size


def encode_snapshot(data: dict[str, Any], seq: int) -> Iterator[bytes]:
    """The snapshot's JSON in parts of at most SNAPSHOT_PART documents each, a table a line.

    The JSON of one ``json.dumps`` of the whole (with a newline before each table), but
    never the whole store as one string: that string and its pieces were the daemon's
    peak memory at every fold. A newline is never inside a JSON string, so the lines
    split exactly between tables, and opening reads one table at a time.
    """
    yield b"{"
    for name, table in [*data.items(), (LOG_KEY, {"1": {"seq": seq}})]:
        yield b"\n" + json.dumps(name).encode("utf-8") + b":{"
        items = list(table.items())
        for start in range(0, len(items), SNAPSHOT_PART):
            part = dict(items[start:start + SNAPSHOT_PART])
            text = json.dumps(part, ensure_ascii=False, separators=(",", ":"))[1:-1]
            yield (b"," if start else b"") + text.encode("utf-8")
        yield b"}," if name != LOG_KEY else b"}}"


def pwrite_all(fd: int, data: bytes, offset: int) -> None:
    """``os.pwrite`` until every byte is written at ``offset`` (a nearly full disk cuts short)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        if written == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]
        offset += written


class AtomicJSONStorage(Storage):
    """The snapshot and its change log, with an in-memory copy of the data.

    Tables report the documents they changed through ``changed`` (see table.py); a
    ``write`` of the whole data (TinyDB's generic paths) makes the next commit a new
    snapshot. While ``deferred`` is true nothing is written; ``flush`` then commits
    every change as one log record (or, for a new store, its first snapshot).
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.log_path = self.path.with_suffix(".log")
        self.read_only = read_only
        self.deferred = False
        self.dirty = False  # the whole data was replaced: the next commit is a snapshot
        self.pending: dict[str, set[str]] = {}  # table -> ids of documents changed, uncommitted
        self.writes = 0  # successful writes, to tell when a full disk has room again
        # Changes seen per table (a whole rewrite counts for every table): what a cache
        # derived from a table compares to know it is stale. Rolled-back changes count too.
        self.versions: dict[str, int] = {}
        self.rewrites = 0
        self.bytes_written = 0  # to the snapshot and the log, for the benchmarks
        self._data: dict[str, Any] | None = None
        self._hold = 0
        self._seq = 0  # the last log record committed (or held by the snapshot)
        self._log_end = 0  # bytes of the log holding complete records
        self._log_changes = 0  # documents the log holds
        self._snapshot_size = 0
        self._has_snapshot = False
        self._compact_at = COMPACT_BYTES
        self._fd: int | None = None
        self.indexes = Indexes(self.read)  # lookups over the data, kept right by ``changed``
        self.on_discard: Callable[[], None] = lambda: None  # what the store derived, forgotten

    def read(self) -> dict[str, Any] | None:
        if self._data is None:
            self._data = self.load()
        return self._data

    def load(self) -> dict[str, Any] | None:
        """Read the snapshot and replay the log over it, discarding what is in memory."""
        self.indexes.reset()
        for _ in range(READ_ATTEMPTS):
            follows, data = self._load_once()
            if follows:
                return data
        raise StoreError(
            f"{self.log_path}: the change log does not follow {self.path.name} (records "
            "are missing between them: was one restored from a backup without the other?); "
            "restore both from the same backup")

    def _load_once(self) -> tuple[bool, dict[str, Any] | None]:
        """The replayed data; False first if the log does not follow the snapshot read."""
        try:
            with open(self.path, "rb") as snapshot:
                size, data = self._read_snapshot(snapshot)
        except FileNotFoundError:
            size, data = 0, None
        mark = data.pop(LOG_KEY, None) if data is not None else None
        seq = snapshot_seq = mark["1"]["seq"] if mark else 0
        if data is not None:
            check_shape(self.path, data)
        try:
            log_bytes = self.log_path.read_bytes()
        except FileNotFoundError:
            log_bytes = b""
        contents = changelog.parse(self.log_path, log_bytes)
        changes = 0
        for record in contents.records:
            if record["seq"] <= snapshot_seq:
                continue  # already in the snapshot: compaction stopped before the log reset
            if record["seq"] != seq + 1:
                return False, None
            if data is None:
                data = {}
            changes += changelog.apply(data, record["docs"])
            seq = record["seq"]
        if not self.read_only and contents.end < len(log_bytes):
            try:  # a tail torn by a crash: cut off, so the next record starts on its own line
                os.truncate(self.log_path, contents.end)
            except OSError as exc:
                raise StateWriteError(self.log_path, exc) from exc
        self._seq, self._log_end, self._log_changes = seq, contents.end, changes
        self._snapshot_size, self._has_snapshot = size, data is not None
        return True, data

    def _read_snapshot(self, snapshot: BinaryIO) -> tuple[int, dict[str, Any] | None]:
        """(bytes, data) of the snapshot file; None for an empty one.

        A snapshot mailflow wrote holds a table a line (see encode_snapshot): read so, a
        table at a time, the file is never in memory whole beside what it decodes to.
        Anything else is read whole.
        """
        first = snapshot.readline()
        if first == b"{\n":
            data: dict[str, Any] = {}
            size, complete = len(first), False
            for line in snapshot:
                size += len(line)
                # '"name":{...},\n' and, last, '"_log":{...}}' closing the whole object,
                # with no newline. A line cut short never passes for a whole one: cut
                # inside a table it is no last line (no "_log" alone), and the last line
                # cut anywhere leaves its braces open.
                closed = not line.endswith(b"\n")
                if not closed and not line.endswith(b",\n"):
                    break  # not one of ours after all: read it whole, for its error
                text = b"{" + line if closed else b"{" + line[:-2] + b"}"
                try:
                    part = json.loads(text, object_hook=share_in_place)
                except ValueError:
                    break
                if closed:
                    if not isinstance(part, dict) or list(part) != [LOG_KEY]:
                        break
                    data.update(part)
                    complete = True
                    break
                data.update(part)
            if complete and not snapshot.read(1):
                return size, self._checked(data)
            snapshot.seek(0)
            first = b""
        raw = first + snapshot.read()
        return len(raw), self._parse_snapshot(raw) if raw.strip() else None

    def _parse_snapshot(self, raw: bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw, object_hook=share_in_place)
        except ValueError as exc:
            raise StoreError(
                f"{self.path}: the store file is not valid JSON ({exc}); "
                "restore it from a backup or move it away to start empty"
            ) from exc
        if not isinstance(data, dict):
            raise StoreError(f"{self.path}: the store file does not hold a JSON object")
        return self._checked(data)

    def _checked(self, data: dict[str, Any]) -> dict[str, Any]:
        mark = data.get(LOG_KEY)
        if mark is not None and not (isinstance(mark, dict) and isinstance(
                mark.get("1"), dict) and isinstance(mark["1"].get("seq"), int)):
            raise StoreError(f"{self.path}: {LOG_KEY!r} is not a log position; restore "
                             "state/ from a backup")
        return data

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only (a daemon may be running)")

    def table_data(self, name: str) -> dict[str, Any]:
        """The raw documents of table ``name`` (str id -> document), for a change in place."""
        self._check_writable()
        data = self.read()
        if data is None:
            data = self._data = {}
        table: dict[str, Any] = data.setdefault(name, {})
        return table

    def changed(self, table: str, doc_ids: Iterable[int | str]) -> None:
        """These documents of ``table`` changed (or went): commit them, or at the flush."""
        self._check_writable()
        ids = [str(i) for i in doc_ids]
        documents = (self._data or {}).get(table, {})
        for doc_id in ids:
            if isinstance(document := documents.get(doc_id), dict):
                share_deep(document)
        self.pending.setdefault(table, set()).update(ids)
        self.versions[table] = self.versions.get(table, 0) + 1
        self.indexes.changed(table, ids, (self._data or {}).get(table, {}))
        if not self.deferred and not self._hold:
            self.flush()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Commit once at the end of the block (a table operation reporting in parts)."""
        self._hold += 1
        try:
            yield
        finally:
            self._hold -= 1
        if not self._hold and not self.deferred:
            self.flush()

    def write(self, data: dict[str, Any]) -> None:
        self._check_writable()
        self._data = data
        self.dirty = True
        self.rewrites += 1
        self.indexes.reset()
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        """Commit what changed: one log record, fsynced; a snapshot when the log has grown."""
        if self._data is None or not (self.dirty or any(self.pending.values())):
            return
        try:
            if self.dirty or not self._has_snapshot:
                self.compact()
                self.writes += 1
                return
            docs = {name: {i: self._data.get(name, {}).get(i) for i in ids}
                    for name, ids in self.pending.items() if ids}
            line = changelog.encode(self._seq + 1, docs)
        except ValueError:  # text JSON cannot hold (a lone surrogate): refused, and forgotten,
            self.discard()  # or every later commit would fail on it too
            raise
        self._append(line)
        self._seq += 1
        self._log_changes += sum(len(ids) for ids in docs.values())
        self.pending.clear()
        self.writes += 1
        if (self._log_end >= max(self._compact_at, self._snapshot_size)
                or self._log_changes >= COMPACT_CHANGES):
            self._try_compact()

    def _append(self, line: bytes) -> None:
        """Write one record at the end of the log and fsync it, or raise having added nothing."""
        try:
            if self._fd is None:
                created = not self.log_path.exists()
                self._fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
                if created:
                    fsync_dir(self.path.parent)
            pwrite_all(self._fd, line, self._log_end)
            os.fdatasync(self._fd)
        except OSError as exc:
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, self._log_end)  # give a torn record's space back
            raise StateWriteError(self.log_path, exc) from exc
        self._log_end += len(line)
        self.bytes_written += len(line)

    def compact(self) -> None:
        """Fold the log into a new snapshot (atomically replaced), then empty the log."""
        data = {name: table for name, table in (self._data or {}).items() if name != LOG_KEY}
        size = write_atomic(self.path, encode_snapshot(data, self._seq))
        self.bytes_written += size
        self._snapshot_size, self._has_snapshot = size, True
        self.dirty = False
        self.pending.clear()
        self._compact_at = COMPACT_BYTES
        if self._log_end:
            try:  # the records left over if this fails are all older than the snapshot
                if self._fd is None:
                    self._fd = os.open(self.log_path, os.O_WRONLY, FILE_MODE)
                os.ftruncate(self._fd, 0)
                os.fdatasync(self._fd)
            except OSError as exc:
                log.warning("%s: could not empty the change log (%s); it is skipped on "
                            "opening, as the snapshot holds it", self.log_path, exc)
                return
            self._log_end = 0
        self._log_changes = 0

    def fold_if_grown(self) -> bool:
        """At a quiet point (housekeeping, no transaction open): fold the log into the
        snapshot once it holds over an eighth of it (and QUIET_FOLD_BYTES), so that state/
        does not keep most of the store twice; True if folded. Raises StateWriteError."""
        if self.deferred or self._hold or self.dirty or any(self.pending.values()):
            return False
        if self._log_end < max(QUIET_FOLD_BYTES, self._snapshot_size // 8):
            return False
        self.compact()
        return True

    def _try_compact(self) -> None:
        """Compact, unless the disk is full: the log still holds everything, try later."""
        try:
            self.compact()
        except StateWriteError as exc:
            log.warning("%s; the change log keeps every change until there is room", exc)
            self._compact_at = self._log_end + COMPACT_BYTES

    def discard(self) -> None:
        """Forget uncommitted changes: the next read comes from disk."""
        self._data = None
        self.rewrites += 1
        self.dirty = False
        self.pending.clear()
        self.indexes.reset()
        self.on_discard()

    def close(self) -> None:
        """Commit, fold the log into the snapshot, and let go of the log file."""
        if not self.read_only:
            self.flush()
            if self._log_end and self._data is not None:
                self._try_compact()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


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
