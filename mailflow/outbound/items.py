"""The outbox's items in memory: mail that may still change as objects, settled mail as
where its journal line lies, and the ids of archived keys packed as bytes.

A year of sent mail is thousands of items that only threading, digests and the
dashboard still read; as objects they took 7 MB of a year-old daemon's 100, as journal
positions a few hundred KB, and one is read back in microseconds. The ids of keys sent
long ago (tens of thousands) are only asked "was this queued?": 15 bytes each, sorted.
"""

from __future__ import annotations

import base64
import bisect
import re
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Set
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class OutboxItem:
    """One outgoing mail and where it stands."""

    id: str
    key: str
    recipients: list[str]
    envelope_from: str
    message_id: str
    subject: str
    kind: str
    participant: str | None = None
    state: str = "pending"
    attempts: int = 0
    next_try: float = 0.0
    created: float = 0.0
    updated: float = 0.0
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict[str, Any])


def item_from_fields(fields: dict[str, Any]) -> OutboxItem:
    """The item of a journal 'add' record (a compacted one leaves the envelope sender out)."""
    return OutboxItem(**{"envelope_from": "", **fields})


_LENGTH_BITS = 24  # a settled item's journal line is far shorter than 16 MB
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1


class Items(MutableMapping[str, OutboxItem]):
    """The items by id. Setting an item keeps it as an object; ``settle`` keeps only where
    its journal line lies, and reading it then decodes a fresh object from that line.

    Only mail that cannot change again is settled (sent or cancelled, its bytes gone):
    a change to one read back must be set again (the outbox does, in ``_change``).
    """

    def __init__(self, read: Callable[[str, int, int], dict[str, Any]]) -> None:
        self._live: dict[str, OutboxItem] = {}
        self._settled: dict[str, int] = {}  # id -> offset << _LENGTH_BITS | length
        self._read = read  # (id, offset, length) -> the item's 'add' record, checked

    def __getitem__(self, item_id: str) -> OutboxItem:
        item = self._live.get(item_id)
        if item is not None:
            return item
        place = self._settled[item_id]
        record = self._read(item_id, place >> _LENGTH_BITS, place & _LENGTH_MASK)
        return item_from_fields(record["item"])

    def __setitem__(self, item_id: str, item: OutboxItem) -> None:
        self._settled.pop(item_id, None)
        self._live[item_id] = item

    def __delitem__(self, item_id: str) -> None:
        if self._live.pop(item_id, None) is None:
            del self._settled[item_id]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._live or item_id in self._settled

    def __iter__(self) -> Iterator[str]:
        yield from self._live
        yield from self._settled

    def __len__(self) -> int:
        return len(self._live) + len(self._settled)

    def discard(self, item_id: str) -> None:
        """Forget the item, without reading it back."""
        self._live.pop(item_id, None)
        self._settled.pop(item_id, None)

    def live(self) -> Iterable[OutboxItem]:
        """The items kept as objects: every one that may still change (pending, sending,
        failed, unknown), and settled mail that was not yet written short."""
        return self._live.values()

    def settle(self, item_id: str, offset: int, length: int) -> None:
        """Keep only where the item's journal line (a settled item's) lies."""
        if length <= _LENGTH_MASK:
            self._live.pop(item_id, None)
            self._settled[item_id] = offset << _LENGTH_BITS | length

    def forget_places(self) -> None:
        """The journal was rewritten: no settled item is where it was (the caller settles
        them again); until then they must not be asked for."""
        self._settled.clear()


ID_BYTES = 15  # outbox_id: 15 bytes of a SHA-256, in lower-case base32


class ArchivedIds(Set[str]):
    """A set of item ids, most of them packed: 15 sorted bytes each, found by bisection.

    Ids that are not an outbox_id's base32 (a journal written by hand, a test) are kept
    as strings, so any id reads back exactly as it was added.
    """

    @classmethod
    def _from_iterable(cls, it: Iterable[str]) -> set[str]:  # type: ignore[override]
        return set(it)  # what ``|``, ``&`` and ``-`` give: a plain set

    def __init__(self) -> None:
        self._packed = b""
        self._recent: set[str] = set()

    def add(self, item_id: str) -> None:
        self._recent.add(item_id)

    def __contains__(self, item_id: object) -> bool:
        if item_id in self._recent:
            return True
        raw = _packed_id(item_id) if isinstance(item_id, str) else None
        if raw is None or not self._packed:
            return False
        records = _Records(self._packed)
        at = bisect.bisect_left(records, raw)
        return at < len(records) and records[at] == raw

    def __len__(self) -> int:
        return len(self._packed) // ID_BYTES + len(self._recent)

    def __bool__(self) -> bool:
        return bool(self._packed or self._recent)

    def __iter__(self) -> Iterator[str]:
        packed = self._packed
        for start in range(0, len(packed), ID_BYTES):
            yield base64.b32encode(packed[start:start + ID_BYTES]).decode("ascii").lower()
        yield from self._recent

    def pack(self) -> None:
        """Move the ids added since the last call into the packed bytes."""
        raws: set[bytes] = set()
        kept: set[str] = set()
        for item_id in self._recent:
            raw = _packed_id(item_id)
            if raw is None:
                kept.add(item_id)
            else:
                raws.add(raw)
        if raws:
            data = self._packed
            raws.update(data[i:i + ID_BYTES] for i in range(0, len(data), ID_BYTES))
            self._packed = b"".join(sorted(raws))
            self._recent = kept


_ID_SHAPE = re.compile(r"[a-z2-7]{24}")  # 24 base32 digits: exactly 120 bits, 15 bytes
_AS_DIGITS = str.maketrans("abcdefghijklmnopqrstuvwxyz234567",
                           "0123456789abcdefghijklmnopqrstuv")  # int(..., 32)'s digits


def _packed_id(item_id: str) -> bytes | None:
    """The 15 bytes of an outbox_id, or None when ``item_id`` is not one (exactly).

    ``int`` in base 32 instead of ``base64.b32decode``, which is ten times slower: a
    year-old journal holds tens of thousands of ids to pack at every start."""
    if _ID_SHAPE.fullmatch(item_id) is None:
        return None
    return int(item_id.translate(_AS_DIGITS), 32).to_bytes(ID_BYTES, "big")


class _Records:
    """The packed bytes as a sorted sequence of 15-byte records, for ``bisect``."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data) // ID_BYTES

    def __getitem__(self, index: int) -> bytes:
        return self._data[index * ID_BYTES:(index + 1) * ID_BYTES]
