"""Months of raw mail that ended are packed: a fraction of the space, every message still read."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from mailflow.inbound.ledger import Ledger, RawMessage
from mailflow.inbound.packed import BLOCK_BYTES
from mailflow.store import Store

FEBRUARY = datetime(2027, 2, 10, tzinfo=UTC)


def message(n: int) -> RawMessage:
    quote = "".join(f"> line {k} of the program's mail, quoted again\r\n" for k in range(20))
    return RawMessage("maildir", f"maildir:{n}",
                      f"From: Lea <lea@example.org>\r\nMessage-ID: <m{n}@example.org>\r\n"
                      f"Subject: Re: hello {n}\r\n\r\nThank you {n}.\r\n{quote}".encode())


def january(tmp_path, count: int) -> tuple[Store, Ledger, list[dict]]:
    """A ledger with ``count`` handled messages received in January 2027."""
    store = Store(tmp_path / "state")
    ledger = Ledger(store)
    entries = []
    for n in range(count):
        [entry] = ledger.record([message(n)], f"2027-01-{1 + n % 28:02d}T09:00:00+00:00")
        ledger.finish(entry, "processed", {"kind": "reply"})
        entries.append(entry)
    return store, ledger, entries


def files(store: Store) -> list[str]:
    return sorted(p.name for p in (store.state_dir / "messages").iterdir())


def test_a_month_that_ended_is_packed_and_every_message_reads_the_same(tmp_path):
    store, ledger, _ = january(tmp_path, 300)

    packed, saved = ledger.pack_closed(FEBRUARY)

    assert (packed, files(store)) == (1, ["2027-01.packed"])
    assert saved > 0
    for n, entry in enumerate(ledger.table.all()):
        assert ledger.raw(entry) == message(n).data
    store.close()


def test_a_packed_month_takes_a_fraction_of_its_spool(tmp_path):
    store, ledger, _ = january(tmp_path, 300)
    before = (store.state_dir / "messages/2027-01.spool").stat().st_size

    ledger.pack_closed(FEBRUARY)

    assert (store.state_dir / "messages/2027-01.packed").stat().st_size < before / 4
    store.close()


def test_no_block_holds_much_more_than_the_block_size(tmp_path):
    store, ledger, _ = january(tmp_path, 300)
    ledger.pack_closed(FEBRUARY)

    blocks = {tuple(e["block"]) for e in ledger.table.all()}

    assert len(blocks) > 1
    data = (store.state_dir / "messages/2027-01.packed").read_bytes()
    assert all(len(zlib.decompress(data[o:o + n])) <= BLOCK_BYTES for o, n in blocks)
    store.close()


def test_the_current_month_and_one_just_ended_are_left_as_they_are(tmp_path):
    store, ledger, _ = january(tmp_path, 3)

    assert ledger.pack_closed(datetime(2027, 1, 20, tzinfo=UTC)) == (0, 0)
    assert ledger.pack_closed(datetime(2027, 2, 1, 12, tzinfo=UTC)) == (0, 0)

    assert files(store) == ["2027-01.spool"]
    store.close()


def test_packed_rows_survive_reopening_the_store(tmp_path):
    store, ledger, _ = january(tmp_path, 5)
    ledger.pack_closed(FEBRUARY)
    store.close()

    with Store(tmp_path / "state") as again:
        ledger = Ledger(again)
        assert [ledger.raw(e) for e in ledger.table.all()] == [message(n).data for n in range(5)]


def test_a_month_file_no_row_points_to_is_removed(tmp_path):
    store, ledger, _ = january(tmp_path, 3)
    ledger.pack_closed(FEBRUARY)
    orphan = store.state_dir / "messages/2027-01.spool"
    orphan.write_bytes(b"left by a crash after the rows were pointed at the packed file")

    ledger.pack_closed(FEBRUARY)

    assert files(store) == ["2027-01.packed"]
    store.close()


def test_erasing_a_packed_message_leaves_none_of_its_bytes_and_the_others_whole(tmp_path):
    store, ledger, entries = january(tmp_path, 300)
    ledger.pack_closed(FEBRUARY)
    target = ledger.table.get(doc_id=entries[7]["doc_id"])

    ledger.wipe_raw(target)

    packed = (store.state_dir / "messages/2027-01.packed").read_bytes()
    inflated = b"".join(_inflate_all(packed))
    assert b"Thank you 7." not in inflated
    assert ledger.raw(ledger.table.get(doc_id=entries[7]["doc_id"])) == bytes(len(
        message(7).data))
    for n, entry in enumerate(ledger.table.all()):
        if n != 7:
            assert ledger.raw(entry) == message(n).data
    store.close()


def test_an_erasure_rolled_back_leaves_the_packed_message_readable(tmp_path):
    store, ledger, entries = january(tmp_path, 20)
    ledger.pack_closed(FEBRUARY)
    try:
        with store.transaction():
            ledger.wipe_raw(ledger.table.get(doc_id=entries[3]["doc_id"]))
            raise RuntimeError("the batch failed")
    except RuntimeError:
        pass

    assert ledger.raw(ledger.table.get(doc_id=entries[3]["doc_id"])) == message(3).data
    store.close()


def _inflate_all(data: bytes) -> list[bytes]:
    """Every zlib stream found in ``data`` (old blocks included), inflated."""
    found, start = [], 0
    while start < len(data):
        try:
            inflater = zlib.decompressobj()
            found.append(inflater.decompress(data[start:]))
            start = len(data) - len(inflater.unused_data)
        except zlib.error:
            start += 1
    return found
