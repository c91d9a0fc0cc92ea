"""A TinyDB table that tells the storage which documents changed, instead of rewriting itself.

TinyDB's own table copies the whole table (converting every id) for each write and
hands the storage all the data; here a change works on the stored documents in place
and reports only the ids it touched, so a commit costs the size of the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, cast

from tinydb import TinyDB
from tinydb.table import Table

from mailflow.store.storage import AtomicJSONStorage


class _IdView(MutableMapping[int, Any]):
    """A table's raw documents (keyed by str ids) seen with int ids; remembers what was set."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.touched: set[str] = set()

    def __getitem__(self, doc_id: int) -> Any:
        return self.raw[str(doc_id)]

    def __setitem__(self, doc_id: int, document: Any) -> None:
        self.raw[str(doc_id)] = document
        self.touched.add(str(doc_id))

    def __delitem__(self, doc_id: int) -> None:
        del self.raw[str(doc_id)]
        self.touched.add(str(doc_id))

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self.raw

    def __iter__(self) -> Iterator[int]:
        return (int(doc_id) for doc_id in self.raw)

    def __len__(self) -> int:
        return len(self.raw)


class Row(Mapping[str, Any]):
    """A stored document seen as it is, with its id: what a scan of a whole table reads."""

    __slots__ = ("_document", "doc_id")

    def __init__(self, document: Mapping[str, Any], doc_id: int) -> None:
        self._document = document
        self.doc_id = doc_id

    def __getitem__(self, name: str) -> Any:
        return self._document[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._document.get(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._document)

    def __len__(self) -> int:
        return len(self._document)


class LoggedTable(Table):
    """A TinyDB table whose writes report the changed document ids to the storage."""

    def _log_storage(self) -> AtomicJSONStorage:
        return cast(AtomicJSONStorage, self._storage)

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        storage = self._log_storage()
        view = _IdView(storage.table_data(self.name))
        try:
            updater(cast(dict[int, Mapping[str, Any]], view))
        finally:
            self.clear_cache()
            if view.touched:
                storage.changed(self.name, view.touched)

    def update(self, fields: Any, cond: Any = None, doc_ids: Any = None) -> list[int]:
        """TinyDB's update; the documents it changed in place are reported by id."""
        storage = self._log_storage()
        with storage.holding():
            updated = super().update(fields, cond, doc_ids)
            storage.changed(self.name, updated)
        return updated

    def update_multiple(self, updates: Any) -> list[int]:
        """TinyDB's update_multiple; the documents it changed in place are reported by id."""
        storage = self._log_storage()
        with storage.holding():
            updated = super().update_multiple(updates)
            storage.changed(self.name, updated)
        return updated

    def rows(self) -> list[Row]:
        """Every document, read only and not copied (``all`` copies each one: a whole
        second store, briefly, at each daily scan of a year-old program)."""
        return [Row(document, int(doc_id)) for doc_id, document in self._read_table().items()]

    def prime_next_id(self) -> None:
        """Find the next free id now (opening the store), not at the first insert: TinyDB
        finds it by going through every id, a cost that grows with the table."""
        self._next_id = max(map(int, self._read_table()), default=0) + 1  # type: ignore[assignment]

    def get(self, cond: Any = None, doc_id: Any = None, doc_ids: Any = None) -> Any:
        """TinyDB's get; with ``doc_ids``, each one read by its id (TinyDB's own scans the
        table), in the order given, those that no longer exist left out."""
        if doc_id is not None or doc_ids is None:
            return super().get(cond, doc_id)
        raw = self._read_table()
        return [self.document_class(raw[str(i)], self.document_id_class(i))
                for i in doc_ids if str(i) in raw]

    def upsert(self, document: Mapping[str, Any], cond: Any = None) -> list[int]:
        """TinyDB's upsert, committed once."""
        with self._log_storage().holding():
            return super().upsert(document, cond)


class LoggedDB(TinyDB):
    """TinyDB over the snapshot-and-log storage."""

    table_class = LoggedTable
