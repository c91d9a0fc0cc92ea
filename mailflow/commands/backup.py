"""``mailflow backup FILE.tar.gz``, ``mailflow restore FILE.tar.gz DIR``: a running program saved.

The archive holds ``MANIFEST.json`` (format, version, program, time, every file with its
size and sha256) and the program's files under ``program/``; the copy is consistent
while the daemon runs (see mailflow/store/snapshot.py). A restore trusts nothing in it:
only regular files at plain relative paths, each listed once in the manifest with the
right size and checksum, a config.yaml, and a target that holds nothing yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from mailflow import __version__
from mailflow.config import load_config
from mailflow.config.load import CONFIG_NAME
from mailflow.errors import MailflowError
from mailflow.store.snapshot import Snapshot, take_snapshot
from mailflow.store.storage import DIR_MODE, FILE_MODE, fsync_dir

FORMAT = "mailflow-backup"
VERSION = 1
MANIFEST = "MANIFEST.json"
PREFIX = "program/"
MAX_MANIFEST = 64 << 20


class BackupError(MailflowError):
    """An archive that is not a sound mailflow backup, or a restore that would overwrite."""


@dataclass
class Summary:
    """What an archive holds, for the command's one-line report."""

    program: str
    created: str
    files: int
    size: int


def write_backup(root: Path, archive: Path) -> Summary:
    """Snapshot the program at ``root`` (its daemon may run) into ``archive``, atomically."""
    config = load_config(root)
    target = archive.resolve()
    snapshot = take_snapshot(root, config.state_dir,
                             skip=lambda p: p == target or p.name.startswith(f".{target.name}."))
    return write_archive(snapshot, archive, config.name)


def write_archive(snapshot: Snapshot, archive: Path, program: str) -> Summary:
    """The archive of ``snapshot``: written next to ``archive`` (0600) and renamed over it."""
    created = datetime.now(UTC).isoformat(timespec="seconds")
    manifest = {
        "format": FORMAT, "version": VERSION, "mailflow": __version__, "program": program,
        "created": created,
        "files": [{"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for path, data in sorted(snapshot.files.items())],
    }
    archive = archive.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{archive.name}.", dir=archive.parent)
    try:
        os.fchmod(fd, FILE_MODE)  # it holds raw mail and private answers
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            _add(tar, MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
            for path, data in sorted(snapshot.files.items()):
                _add(tar, PREFIX + path, data)
            tar.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, archive)
        fsync_dir(archive.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Summary(program, created, len(snapshot.files), sum(map(len, snapshot.files.values())))


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), FILE_MODE, int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def check_archive(archive: Path) -> Summary:
    """Verify ``archive`` without writing anything; raises BackupError naming the problem."""
    return _read_archive(archive, None)


def restore(archive: Path, target: Path) -> Summary:
    """Verify ``archive`` and restore its program into ``target`` (absent or empty)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target}: not an empty directory; restore into a new one "
                          "(a restore never overwrites a program)")
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=parent))
    try:
        summary = _read_archive(archive, staging)
        if target.exists():
            target.rmdir()  # empty, checked above; a non-empty one makes this fail
        os.replace(staging, target)
        fsync_dir(parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _read_archive(archive: Path, into: Path | None) -> Summary:
    """One pass over the archive: every member checked, written under ``into`` if given."""
    where = str(archive)
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = _members(tar, where)
            manifest = _manifest(tar, members.pop(MANIFEST, None), where)
            listed = {entry["path"]: entry for entry in manifest["files"]}
            extra = sorted(set(members) - {PREFIX + p for p in listed})
            if extra:
                raise BackupError(f"{where}: {extra[0]!r} is in the archive but not in its "
                                  "manifest; the archive was altered")
            missing = sorted(p for p in listed if PREFIX + p not in members)
            if missing:
                raise BackupError(f"{where}: {missing[0]!r} is in the manifest but missing "
                                  "from the archive; use another backup")
            for name, member in members.items():  # in archive order: one pass over the data
                entry = listed[name[len(PREFIX):]]
                _copy(tar, member, entry, where, into / entry["path"] if into else None)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.filename == str(archive):
            raise
        raise BackupError(f"{where}: not a readable mailflow backup ({exc}); "
                          "use another copy") from exc
    return Summary(manifest["program"], manifest["created"], len(listed),
                   sum(e["size"] for e in listed.values()))


def _members(tar: tarfile.TarFile, where: str) -> dict[str, tarfile.TarInfo]:
    """Every member by name; only regular files at plain relative paths, each once."""
    found: dict[str, tarfile.TarInfo] = {}
    for member in tar:
        name = member.name
        if not member.isreg():
            raise BackupError(f"{where}: {name!r} is not a regular file (a link, a folder "
                              "or a device); a mailflow backup holds none: refused")
        parts = PurePosixPath(name).parts
        if (name.startswith("/") or "\\" in name or not parts or ".." in parts
                or "." in name.split("/") or "" in name.split("/")):
            raise BackupError(f"{where}: {name!r} is not a plain relative path (absolute, "
                              "or climbing out with '..'): refused")
        if name != MANIFEST and not name.startswith(PREFIX):
            raise BackupError(f"{where}: {name!r} is outside {PREFIX}; not a mailflow backup")
        if name in found:
            raise BackupError(f"{where}: {name!r} is in the archive twice: refused")
        found[name] = member
    return found


def _manifest(tar: tarfile.TarFile, member: tarfile.TarInfo | None,
              where: str) -> dict[str, Any]:
    if member is None or member.size > MAX_MANIFEST:
        raise BackupError(f"{where}: no {MANIFEST}; not a mailflow backup")
    handle = tar.extractfile(member)
    assert handle is not None
    try:
        manifest = json.loads(handle.read())
    except ValueError as exc:
        raise BackupError(f"{where}: {MANIFEST} is not JSON ({exc}); the archive is damaged") \
            from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{where}: {MANIFEST} is not a mailflow backup's manifest")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{where}: backup format version {manifest.get('version')!r}; this "
                          f"mailflow reads version {VERSION}: use a matching mailflow")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(e, dict) and isinstance(e.get("path"), str)
            and isinstance(e.get("size"), int) and isinstance(e.get("sha256"), str)
            for e in files):
        raise BackupError(f"{where}: {MANIFEST} has no valid file list; the archive is damaged")
    if len({e["path"] for e in files}) != len(files):
        raise BackupError(f"{where}: {MANIFEST} lists a file twice; the archive was altered")
    if CONFIG_NAME not in {e["path"] for e in files}:
        raise BackupError(f"{where}: no {CONFIG_NAME}: not the backup of a mailflow program")
    for key in ("program", "created"):
        if not isinstance(manifest.get(key), str):
            raise BackupError(f"{where}: {MANIFEST} has no {key!r}; the archive is damaged")
    return manifest


def _copy(tar: tarfile.TarFile, member: tarfile.TarInfo, entry: dict[str, Any], where: str,
          destination: Path | None) -> None:
    """Check one member against its manifest entry, writing it (0600) when restoring."""
    path = entry["path"]
    if member.size != entry["size"]:
        raise BackupError(f"{where}: {path!r} is {member.size} bytes, its manifest says "
                          f"{entry['size']}; the archive is damaged")
    source = tar.extractfile(member)
    assert source is not None
    digest = hashlib.sha256()
    with _output(destination) as out:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
            if out is not None:
                out.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        raise BackupError(f"{where}: {path!r} does not match its checksum; the archive is "
                          "damaged: use another backup")


@contextlib.contextmanager
def _output(destination: Path | None) -> Iterator[IO[bytes] | None]:
    if destination is None:
        yield None
        return
    for folder in reversed(destination.parents):
        if not folder.exists():
            folder.mkdir(mode=DIR_MODE)
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
