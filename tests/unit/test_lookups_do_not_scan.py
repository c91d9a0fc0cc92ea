"""The lookups ingest makes for each message read what they find, not the whole table.

A table is wrapped in a dict that counts every pass over all its documents (iteration,
keys, values, items): a lookup that scans shows as a count, whatever the clock says.
"""

from __future__ import annotations

from typing import Any

from mailflow.inbound.ledger import Ledger
from mailflow.outbound.outbox import Outbox
from mailflow.program import participants
from mailflow.store import Store
from tests.unit.outbox_helpers import make_item


class ScanCounter(dict):
    """A table's documents that count how often all of them are gone through."""

    scans = 0

    def _scan(self) -> None:
        type(self).scans += 1

    def __iter__(self):
        self._scan()
        return super().__iter__()

    def keys(self):
        self._scan()
        return super().keys()

    def values(self):
        self._scan()
        return super().values()

    def items(self):
        self._scan()
        return super().items()


def counted(store: Store, *tables: str) -> type[ScanCounter]:
    """Wrap ``tables`` of an opened store in scan counters; returns the counter class."""
    counter = type("Counter", (ScanCounter,), {"scans": 0})
    data: dict[str, Any] = store.storage.read() or {}
    for name in tables:
        data[name] = counter(data[name])
    return counter


def big_program(tmp_path, people: int = 2000) -> None:
    with Store(tmp_path) as store, store.transaction():
        store.table("participants").insert_multiple(
            {"email": f"p{n}@example.org", "name": f"Person {n}",
             "aliases": [f"second{n}@example.org"]} for n in range(people))
        store.table("inbound").insert_multiple(
            {"key": f"maildir:{n}", "message_id": f"m{n}@mail.example.org",
             "state": "processed" if n else "received"} for n in range(2 * people))


def test_finding_a_participant_by_address_or_name_scans_nothing(tmp_path):
    big_program(tmp_path)
    with Store(tmp_path) as store:
        scans = counted(store, "participants")
        assert participants.find(store, "P1500@example.org")["name"] == "Person 1500"
        assert participants.find(store, "second7@example.org")["email"] == "p7@example.org"
        assert participants.find(store, "stranger@example.org") is None
        assert [p["email"] for p in participants.named(store, "person 42")] == [
            "p42@example.org"]
        assert scans.scans == 0


def test_the_one_person_of_a_name_is_found_by_reading_two_records_at_most(tmp_path):
    big_program(tmp_path)
    with Store(tmp_path) as store, store.transaction():
        store.table("participants").insert_multiple(
            {"email": f"maria{n}@example.org", "name": "María García"} for n in range(50))
    with Store(tmp_path) as store:
        table = store.table("participants")
        reads: list[object] = []
        get = table.get
        table.get = lambda *a, **k: reads.append(k) or get(*a, **k)  # type: ignore[method-assign]
        assert participants.only_one_named(store, "maria garcia") is None
        assert len(reads) == 2
        assert participants.only_one_named(store, "Person 42")["email"] == "p42@example.org"


def test_the_mentors_are_found_without_going_through_every_participant(tmp_path):
    big_program(tmp_path)
    with Store(tmp_path) as store, store.transaction():
        store.table("participants").insert(
            {"email": "ana@example.org", "name": "Ana", "role": "mentor"})
    with Store(tmp_path) as store:
        scans = counted(store, "participants")
        assert [p["email"] for p in participants.mentors(store)] == ["ana@example.org"]
        assert scans.scans == 0


def test_ledger_lookups_by_key_message_id_and_state_scan_nothing(tmp_path):
    big_program(tmp_path)
    with Store(tmp_path) as store:
        ledger = Ledger(store)
        scans = counted(store, "inbound")
        assert ledger.known("maildir:3999")
        assert not ledger.known("maildir:4000")
        assert ledger.original("m17@mail.example.org") == "maildir:17"
        assert [e["key"] for e in ledger.unfinished()] == ["maildir:0"]
        assert scans.scans == 0


def test_reading_documents_by_their_ids_scans_nothing(tmp_path):
    big_program(tmp_path)
    with Store(tmp_path) as store:
        scans = counted(store, "participants")
        found = store.table("participants").get(doc_ids=[3, 1, 99999])
        assert [d.doc_id for d in found] == [3, 1]
        assert scans.scans == 0


def test_what_is_due_in_the_outbox_is_found_without_going_through_every_item(tmp_path):
    outbox = Outbox(tmp_path, clock=lambda: 1000.0)
    for n in range(200):
        item = make_item(f"history|{n}")
        outbox.enqueue(item, b"Subject: sent\r\n\r\nx\r\n")
        outbox.mark_sending(item)
        outbox.mark_sent(item)
    waiting = make_item("reminder|later")
    outbox.enqueue(waiting, b"Subject: later\r\n\r\nx\r\n")
    outbox.mark_retry(waiting, "451 try later", next_try=5000.0, attempts=1)
    ready = make_item("welcome|now")
    outbox.enqueue(ready, b"Subject: now\r\n\r\nx\r\n")
    outbox.items = counter = type("Counter", (ScanCounter,), {"scans": 0})(outbox.items)
    assert [i.id for i in outbox.due(2000.0)] == [ready.id]
    assert outbox.next_due() == 0.0
    assert outbox.counts() == {"sent": 200, "pending": 2}
    assert counter.scans == 0
    outbox.close()


def test_the_first_insert_after_opening_does_not_go_through_every_id(tmp_path):
    big_program(tmp_path)
    with Store(tmp_path) as store:
        scans = counted(store, "inbound")
        assert store.table("inbound").insert({"key": "maildir:new", "state": "received"}) == 4001
        assert scans.scans == 0
