"""The program store: TinyDB tables over a snapshot and a change log; one writer; a schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from mailflow.errors import StoreError
from mailflow.store.lock import ProgramLock
from mailflow.store.storage import AtomicJSONStorage, private_dir, tighten
from mailflow.store.table import LoggedDB, LoggedTable

SCHEMA_VERSION = 1
STORE_NAME = "store.json"
TABLES = (
    "participants",  # one document per person, keyed by lower-case email
    "inbound",       # the ledger: every message received, before anything acts on it
    "mailboxes",     # per source: UIDVALIDITY and the last UID taken in
    "events",        # every state change with its cause: a person's timeline
    "review",        # what a person has to look at: open and resolved review items
    "review_notices",  # the batched notices to the coordinators and the items each lists
    "firings",       # every scheduled firing, sent or skipped, keyed (rule, recipient, occasion)
    "draws",         # selection lotteries: seed hash, seed, the full order
    "proposals",     # matchings proposed to the coordinators, and what they decided
    "command_previews",  # coordinators' mailed commands waiting for CONFIRM, and their use
    "erased",        # an anonymous trace of each person whose data was erased on request
    "mailings",      # mass mailings: how far each has got (program/progress.py)
    "commands",      # CLI commands the daemon ran for the CLI: id and answer (at most once)
)


class Store:
    """The program's memory. Use ``transaction()`` to commit several changes atomically."""

    def __init__(self, state_dir: Path, read_only: bool = False) -> None:
        self.state_dir = state_dir
        self.read_only = read_only
        self._lock = ProgramLock(state_dir / "lock")
        if not read_only:
            private_dir(state_dir)
            self._lock.acquire()
            tighten(state_dir)
        else:
            state_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.storage = AtomicJSONStorage(state_dir / STORE_NAME, read_only=read_only)
            self.db = LoggedDB(storage=lambda: self.storage)
            self._depth = 0
            self.indexes: dict[str, dict[str, Any]] = {}  # derived lookups, dropped on rollback
            self.storage.on_discard = self._forget_derived  # a refused write, too
            self._after: list[Callable[[], None]] = []  # run once the transaction commits
            self._check_schema()
            if not read_only:  # a writer (the daemon) does it now, not at its first message
                self.storage.indexes.build_all()
                for name in TABLES:
                    cast(LoggedTable, self.db.table(name)).prime_next_id()
        except BaseException:
            self._lock.release()
            raise

    def _check_schema(self) -> None:
        meta = self.db.table("_meta")
        row = meta.get(doc_id=1)
        if row is None:
            if not self.read_only:
                meta.insert({"schema_version": SCHEMA_VERSION})
            return
        version = row.get("schema_version")
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.storage.path}: schema version {version}, this mailflow reads "
                f"version {SCHEMA_VERSION}; upgrade mailflow or restore a matching backup"
            )

    def _forget_derived(self) -> None:
        """What was derived from the data in memory, now read again from disk, goes."""
        self._clear_query_caches()
        self.indexes.clear()

    def _clear_query_caches(self) -> None:
        """Forget every table's cached query results (``self.db.clear_cache()`` is TinyDB
        forwarding to its default table alone: the others kept results rolled back)."""
        for table in self.db._tables.values():
            table.clear_cache()

    def table(self, name: str) -> LoggedTable:
        """One of the store's tables (see TABLES)."""
        if name not in TABLES:
            raise KeyError(f"unknown store table {name!r}")
        return cast(LoggedTable, self.db.table(name))

    def version(self, *tables: str) -> tuple[int, ...]:
        """A value that changes whenever any of ``tables`` may have changed (cache checks)."""
        versions = self.storage.versions
        return (self.storage.rewrites, *(versions.get(name, 0) for name in tables))

    def lookup(self, table: str, index: str, key: str) -> list[int]:
        """Ids of the documents of ``table`` that ``index`` finds under ``key`` (see indexes.py).

        Read the documents with ``table(name).get(doc_id=...)``: the index only spares a scan.
        """
        if table not in TABLES:
            raise KeyError(f"unknown store table {table!r}")
        return self.storage.indexes.lookup(table, index, key)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the changes made so far are on disk (now, outside a
        transaction); never, if the transaction is rolled back."""
        if self._depth == 0:
            action()
        else:
            self._after.append(action)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group writes: all of them reach the disk in one log record, or none does."""
        self._depth += 1
        self.storage.deferred = True
        try:
            yield self
        except BaseException:
            if self._depth == 1:
                self.storage.discard()
                self._clear_query_caches()
                self.indexes.clear()
                self._after.clear()
            raise
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.storage.deferred = False
        if self._depth == 0:
            try:
                self.storage.flush()
            except BaseException:
                # Memory must not run ahead of the disk: what failed to reach it is forgotten.
                self.storage.discard()
                self._clear_query_caches()
                self.indexes.clear()
                self._after.clear()
                raise
            after, self._after = self._after, []
            for action in after:
                action()

    def reload(self) -> bool:
        """Fold the change log into the snapshot and read the store back from it.

        The documents of a long-running process, made one by one over months between
        short-lived objects, end up spread over memory the allocator cannot hand back;
        read back at once, they lie together again (a year-old program: 6 MB less after
        ten days). False, doing nothing, read-only or inside a transaction. Raises
        StateWriteError when the snapshot cannot be written (the store stays as it was).
        """
        if self.read_only or self._depth or self.storage.read() is None:
            return False
        self.storage.flush()
        self.storage.compact()
        self.storage.discard()
        self._clear_query_caches()
        self.indexes.clear()
        self.storage.indexes.build_all()  # reads the snapshot back
        return True

    def close(self) -> None:
        """Commit, fold the change log into the snapshot, and release the lock."""
        try:
            self.storage.close()
        finally:
            self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
