"""In-memory indexes over the store's tables: a lookup by address or Message-ID without a scan.

An index is a cache of the documents in memory, never written anywhere: it is built
from the tables when first needed (when the store is opened, for a writer) and kept
right by one hook, ``Indexes.changed``, that the storage calls for every document a
write touches. When the data is replaced or forgotten (a rollback reads it again from
disk) every index is dropped and built again on its next lookup, so it can never hold
more than the store on disk plus the transaction under way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mailflow.text import fold_accents

Keys = Callable[[Mapping[str, Any]], Iterable[str]]
Tables = Mapping[str, Mapping[str, Any]]  # table -> str doc id -> document


def _addresses(doc: Mapping[str, Any]) -> Iterable[str]:
    """A participant's registered address and the second addresses linked to them."""
    return [doc["email"], *(doc.get("aliases") or ())] if doc.get("email") else ()


def _name(doc: Mapping[str, Any]) -> Iterable[str]:
    return (fold_name(doc.get("name") or ""),)


def _first_message_id(doc: Mapping[str, Any]) -> Iterable[str]:
    """The Message-ID of an entry that is not itself a duplicate of an earlier one."""
    return (doc["message_id"],) if doc.get("message_id") and doc.get("state") != "duplicate" \
        else ()


def _field(name: str, only: tuple[str, ...] | None = None) -> Keys:
    """The value of field ``name`` (with ``only``, when it is one of those values)."""
    def keys(doc: Mapping[str, Any]) -> Iterable[str]:
        value = doc.get(name)
        return (value,) if isinstance(value, str) and (only is None or value in only) else ()
    return keys


def fold_name(name: str) -> str:
    """A name as the name index compares it: accents, case and spacing aside."""
    return fold_accents(" ".join(name.split()))


# (table, index) -> what a document is found by. The lookups ingest makes per message.
STANDARD: dict[tuple[str, str], Keys] = {
    ("participants", "address"): _addresses,
    ("participants", "name"): _name,
    ("participants", "role"): _field("role", only=("mentor",)),  # the roster choices name
    ("inbound", "key"): _field("key"),
    ("inbound", "message_id"): _first_message_id,
    # Only the states of messages not handled yet or waiting for a person: a year of
    # handled ones would cost memory, and no one looks them up by state.
    ("inbound", "state"): _field("state", only=("received", "review", "error")),
}


@dataclass
class TableIndex:
    """Documents of one table by the keys ``keys`` gives each, and each document's keys.

    Compact, as it holds a year of ledger rows: ids are the table's own str ids (no new
    objects), a key of one document maps to its id, a key of several to a set of ids (so
    a key many share is still changed in constant time), ordered on lookup.
    """

    table: str
    keys: Keys
    by_key: dict[str, str | dict[str, None]] = field(
        default_factory=dict[str, "str | dict[str, None]"])
    of_doc: dict[str, str | tuple[str, ...]] = field(
        default_factory=dict[str, "str | tuple[str, ...]"])

    def build(self, raw: Mapping[str, Any]) -> None:
        """Index every document of the table (str id -> document)."""
        by_key: dict[str, str | dict[str, None]] = {}
        of_doc: dict[str, str | tuple[str, ...]] = {}
        self.by_key, self.of_doc = by_key, of_doc
        for doc_id, doc in raw.items():
            keys = self._keys(doc)
            if isinstance(keys, str) and keys not in by_key:  # the usual case, made quick
                by_key[keys] = doc_id
                of_doc[doc_id] = keys
            else:
                self._set(doc_id, keys)

    def find(self, key: str) -> list[int]:
        """The ids of the documents under ``key``, in id order."""
        ids = self.by_key.get(key)
        if ids is None:
            return []
        return [int(ids)] if isinstance(ids, str) else sorted(map(int, ids))

    def _keys(self, doc: Mapping[str, Any]) -> str | tuple[str, ...]:
        keys = tuple(self.keys(doc))
        return keys[0] if len(keys) == 1 else tuple(dict.fromkeys(keys))

    def _set(self, doc_id: str, keys: str | tuple[str, ...]) -> None:
        if not keys:
            return
        self.of_doc[doc_id] = keys
        for key in (keys,) if isinstance(keys, str) else keys:
            ids = self.by_key.get(key)
            if ids is None:
                self.by_key[key] = doc_id
            elif isinstance(ids, str):
                self.by_key[key] = {ids: None, doc_id: None}
            else:
                ids[doc_id] = None

    def _remove(self, doc_id: str) -> None:
        keys = self.of_doc.pop(doc_id, ())
        for key in (keys,) if isinstance(keys, str) else keys:
            ids = self.by_key.get(key)
            if isinstance(ids, dict):
                ids.pop(doc_id, None)
                if len(ids) == 1:
                    self.by_key[key] = next(iter(ids))
            elif ids == doc_id:
                del self.by_key[key]

    def update(self, doc_id: str, doc: Mapping[str, Any] | None) -> None:
        """Document ``doc_id`` is now ``doc`` (None: it was removed)."""
        keys = self._keys(doc) if doc is not None else ()
        if self.of_doc.get(doc_id, ()) == keys:
            return
        self._remove(doc_id)
        self._set(doc_id, keys)


class Indexes:
    """Every index over the store's tables; the storage reports each change through here."""

    def __init__(self, read: Callable[[], Tables | None],
                 definitions: Mapping[tuple[str, str], Keys] | None = None) -> None:
        self._read = read
        self.definitions = dict(STANDARD if definitions is None else definitions)
        self._built: dict[tuple[str, str], TableIndex] = {}
        self._of_table: dict[str, list[TableIndex]] = {}  # the built ones, by table
        self.builds = 0  # how many times an index was built from a whole table (tests)

    def lookup(self, table: str, name: str, key: str) -> list[int]:
        """Ids of the documents of ``table`` that index ``name`` finds under ``key``, in order."""
        return self._index(table, name).find(key)

    def _index(self, table: str, name: str) -> TableIndex:
        index = self._built.get((table, name))
        if index is None:
            index = TableIndex(table, self.definitions[(table, name)])
            index.build((self._read() or {}).get(table, {}))
            self._built[(table, name)] = index
            self._of_table.setdefault(table, []).append(index)
            self.builds += 1
        return index

    def build_all(self) -> None:
        """Build every defined index now (a writer opening the store), not at the first lookup."""
        for table, name in self.definitions:
            self._index(table, name)

    def changed(self, table: str, doc_ids: Iterable[str], raw: Mapping[str, Any]) -> None:
        """The documents ``doc_ids`` of ``table`` were written (``raw``: the table now)."""
        indexes = self._of_table.get(table)
        if not indexes:
            return
        for doc_id in doc_ids:
            doc = raw.get(doc_id)
            for index in indexes:
                index.update(doc_id, doc)

    def reset(self) -> None:
        """The data was replaced or read again: every index is built again when next needed."""
        self._built.clear()
        self._of_table.clear()
