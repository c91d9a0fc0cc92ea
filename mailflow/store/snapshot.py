"""A consistent copy of a program directory taken while its daemon runs, without pausing it.

Why a plain copy in the right order is enough: the daemon already writes state/ so that
a crash at any instant leaves a state it recovers from, and a snapshot is made to be
exactly such a state. What the daemon guarantees (see daemon.py, ledger.py, outbox.py):

(a) the store is ``store.json``, only ever replaced whole (temp file, rename), plus the
    change log ``store.log`` it replays, appended to once per commit (a torn last line is
    ignored on open); the two read as one pair are one committed state;
(b) raw mail is appended to ``messages/*.spool`` (fdatasync) before the store entry
    that points into it is committed, and a spool only grows (a failed write is cut
    back before anything refers to it);
(c) the outbox journal ``outbox/journal.jsonl`` only grows (or is rewritten whole by a
    rename when compacted); a batch's ``add`` lines are written before the store commit
    of that batch, and ``sending`` is written before a mail goes to the server;
(d) a message is marked in the mailbox (IMAP keyword or move, Maildir ``cur/``) only
    after the store commit that records it as handled.

The copy: read the store (S: both files), then copy every other file (append-only files up to
their length at that moment, the journal last and up to its last whole line), then read
the store again. If it changed, start over; if it is still S, the store was S at every
instant of the copy, in particular at the instant ``t`` the journal was copied, and the
snapshot is the state a crash at ``t`` leaves:

1. every spool range S refers to is in the copied spool, by (b);
2. every mail S's commits queued is in the copied journal, by (c), so none is lost;
3. the journal may hold ``add`` lines of a batch not yet committed at ``t``: as after a
   crash mid-batch, those messages are handled again (still ``received`` in S, or
   fetched again: by (d) and the unchanged store, nothing S does not know as handled
   was marked in the mailbox) and their idempotency keys are found queued: nothing is
   queued twice;
4. every handover before ``t`` is journalled, by (c): ``sent`` is never resent, and
   ``sending`` becomes ``unknown`` on restore, which is never resent automatically.

Copying the journal before the store would break 2 (a commit between the two copies
would record mail as queued that the copied journal lacks: it would never go out).
What the daemon does after ``t`` is not in the snapshot: restoring it while the
original keeps running would answer again what the original answered after ``t``.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import StoreError

STORE = "store.json"
STORE_LOG = "store.log"
JOURNAL = "outbox/journal.jsonl"
SKIPPED = ("lock",)  # the writer lock is the running daemon's; a restore makes its own
TRIES = 200


@dataclass
class Snapshot:
    """Every file of the program, by path relative to its directory, as of one instant."""

    files: dict[str, bytes]
    tries: int  # how many copies it took to find the store unchanged around one


def take_snapshot(root: Path, state_dir: Path, skip: Callable[[Path], bool] = lambda _: False,
                  tries: int = TRIES) -> Snapshot:
    """Copy ``root`` (state/ included) consistently while a daemon may be writing it.

    ``skip`` leaves out other files (the archive being written, say). Raises StoreError
    when the store changed during every one of ``tries`` copies.
    """
    root, state_dir = root.resolve(), state_dir.resolve()
    if not state_dir.is_relative_to(root):
        raise StoreError(f"{state_dir}: the state folder is outside the program directory "
                         f"{root}; set paths.state in config.yaml to a folder inside it")
    store_path = state_dir / STORE
    log_path = state_dir / STORE_LOG
    journal_path = state_dir / JOURNAL
    for attempt in range(1, tries + 1):
        before = (_read(store_path), _read(log_path))
        files: dict[str, bytes] = {}
        for path in _walk(root):
            if path in (store_path, log_path, journal_path) or skip(path) \
                    or _ephemeral(path, state_dir):
                continue
            data = _read(path)
            if data is not None:  # a file that went away meanwhile (a Maildir move)
                files[path.relative_to(root).as_posix()] = data
        journal = _read(journal_path)
        if journal is not None:
            files[journal_path.relative_to(root).as_posix()] = journal[:journal.rfind(b"\n") + 1]
        if (_read(store_path), _read(log_path)) == before:
            for path, data in zip((store_path, log_path), before, strict=True):
                if data is not None:
                    files[path.relative_to(root).as_posix()] = data
            return Snapshot(files, attempt)
        time.sleep(min(0.001 * attempt, 0.05))
    raise StoreError(f"{store_path}: the program changed during each of {tries} copies; "
                     "run the backup again when it is quieter (or stop the daemon first)")


def _ephemeral(path: Path, state_dir: Path) -> bool:
    """The lock and the temporary files of atomic writes (their renamed copy is what counts)."""
    if not path.is_relative_to(state_dir):
        return False
    relative = path.relative_to(state_dir).as_posix()
    return relative in SKIPPED or (path.name.startswith(".") and path.name.endswith(".tmp"))


def _walk(root: Path) -> Iterator[Path]:
    """Regular files under ``root``, sorted; symbolic links are never followed or kept."""
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISREG(mode):
                yield path


def _read(path: Path) -> bytes | None:
    """The file's bytes up to its length when opened, or None if it is not there (any more).

    Reading only up to that length keeps an append in progress out of the copy: for
    the append-only files what was there when it was opened is a prefix of what follows.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None  # became a symbolic link meanwhile: never followed
        raise
    try:
        size = os.fstat(fd).st_size
        chunks, left = [], size
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
