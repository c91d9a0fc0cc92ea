"""The store's indexes find what a scan of the tables finds: after every kind of write, a
rollback, a failed commit, a reopen, and a writer killed (SIGKILL) in the middle of writing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from tinydb import Query

from mailflow.store import StateWriteError, Store
from mailflow.store.indexes import STANDARD


def scanned(store: Store, table: str, index: str, key: str) -> list[int]:
    """What the index should answer: the ids a scan of the whole table finds under ``key``."""
    keys = STANDARD[(table, index)]
    return sorted(d.doc_id for d in store.table(table).all() if key in keys(d))


def assert_indexes_match_the_tables(store: Store) -> None:
    """Every key any document has, and a few no document has, give what a scan gives."""
    for (table, index), keys in STANDARD.items():
        every = {k for d in store.table(table).all() for k in keys(d)}
        for key in [*sorted(every), "nobody@example.org", "gone-1@mail.example.org", ""]:
            assert store.lookup(table, index, key) == scanned(store, table, index, key), (
                table, index, key)


def person(n: int, **more: object) -> dict:
    return {"email": f"p{n}@example.org", "name": f"Zoë Tremblay {n % 3}", **more}


def entry(n: int, state: str = "received", message_id: str | None = None) -> dict:
    return {"key": f"maildir:{n}", "message_id": message_id or f"m{n}@mail.example.org",
            "state": state}


def test_inserted_documents_are_found_by_every_index(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert(person(1, aliases=["zoe@lab.example.org"]))
        store.table("participants").insert_multiple([person(2), person(3)])
        store.table("inbound").insert_multiple(
            [entry(1), entry(2, "duplicate", "m1@mail.example.org")])
        assert store.lookup("participants", "address", "zoe@lab.example.org") == [1]
        assert store.lookup("participants", "name", "zoe tremblay 1") == [1]
        assert store.lookup("inbound", "message_id", "m1@mail.example.org") == [1]
        assert store.lookup("inbound", "state", "received") == [1]
        assert_indexes_match_the_tables(store)


def test_updated_documents_move_to_their_new_keys(tmp_path):
    with Store(tmp_path) as store:
        people, inbound = store.table("participants"), store.table("inbound")
        people.insert_multiple([person(n) for n in range(5)])
        inbound.insert_multiple([entry(n) for n in range(5)])
        people.update({"aliases": ["second@example.org"], "name": "Léa Roy"}, doc_ids=[2])
        people.update_multiple([({"name": "Noor Haddad"}, Query().email == "p4@example.org")])
        inbound.update({"state": "processed"}, doc_ids=[1, 2])

        def drop_message_id(document):
            document.pop("message_id")
        inbound.update(drop_message_id, doc_ids=[3])
        assert store.lookup("participants", "address", "second@example.org") == [2]
        assert store.lookup("participants", "name", "lea roy") == [2]
        assert store.lookup("participants", "name", "noor haddad") == [5]
        assert store.lookup("inbound", "state", "received") == [3, 4, 5]
        assert store.lookup("inbound", "message_id", "m2@mail.example.org") == []
        assert_indexes_match_the_tables(store)


def test_removed_and_upserted_documents_are_followed(tmp_path):
    with Store(tmp_path) as store:
        people = store.table("participants")
        people.insert_multiple([person(n) for n in range(4)])
        people.remove(doc_ids=[1])
        people.remove(Query().email == "p3@example.org")
        people.upsert(person(2, name="Chen Wei"), Query().email == "p2@example.org")
        people.upsert(person(9), Query().email == "p9@example.org")
        assert store.lookup("participants", "address", "p0@example.org") == []
        assert store.lookup("participants", "name", "chen wei") == [3]
        assert store.lookup("participants", "address", "p9@example.org") == [5]
        assert_indexes_match_the_tables(store)
        store.table("inbound").insert(entry(1))
        store.table("inbound").truncate()
        assert store.lookup("inbound", "key", "maildir:1") == []


def test_a_rolled_back_transaction_leaves_nothing_in_an_index(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert(person(1))
        with pytest.raises(RuntimeError), store.transaction():
            store.table("participants").insert(person(2))
            store.table("participants").update({"aliases": ["x@example.org"]}, doc_ids=[1])
            assert store.lookup("participants", "address", "p2@example.org") == [2]
            raise RuntimeError("the handler failed")
        assert store.lookup("participants", "address", "p2@example.org") == []
        assert store.lookup("participants", "address", "x@example.org") == []
        assert_indexes_match_the_tables(store)


def test_a_commit_that_cannot_reach_the_disk_leaves_the_index_as_the_disk_is(
        tmp_path, monkeypatch):
    with Store(tmp_path) as store:
        store.table("inbound").insert(entry(1))

        def full_disk(line):
            raise StateWriteError(tmp_path / "store.log", OSError(28, "No space left on device"))
        monkeypatch.setattr(store.storage, "_append", full_disk)
        with pytest.raises(StateWriteError), store.transaction():
            store.table("inbound").insert(entry(2))
        monkeypatch.undo()
        assert store.lookup("inbound", "key", "maildir:2") == []
        assert store.lookup("inbound", "state", "received") == [1]


def test_a_reopened_store_builds_the_same_indexes_from_disk(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert_multiple([person(n) for n in range(20)])
        store.table("participants").update({"aliases": ["a@example.org"]}, doc_ids=[7])
        store.table("inbound").insert_multiple([entry(n) for n in range(20)])
        store.table("inbound").update({"state": "processed"}, doc_ids=list(range(1, 15)))
        before = {k: store.lookup(*k, "a@example.org") for k in STANDARD}
    with Store(tmp_path) as store:
        assert {k: store.lookup(*k, "a@example.org") for k in STANDARD} == before
        assert store.lookup("participants", "address", "a@example.org") == [7]
        assert store.lookup("inbound", "state", "received") == list(range(15, 21))
        assert_indexes_match_the_tables(store)


def test_a_read_only_store_builds_an_index_at_its_first_lookup(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert(person(1))
    reader = Store(tmp_path, read_only=True)
    assert reader.storage.indexes.builds == 0
    assert reader.lookup("participants", "address", "p1@example.org") == [1]
    assert reader.storage.indexes.builds == 1
    reader.close()


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from mailflow.store import Store
    store = Store(Path(sys.argv[1]))
    people, inbound = store.table("participants"), store.table("inbound")
    n = 0
    while True:
        with store.transaction():
            people.insert({"email": f"p{n}@example.org", "name": f"Name {n % 7}"})
            inbound.insert({"key": f"k{n}", "message_id": f"m{n % 50}@x", "state": "received"})
            if n > 3:
                people.update({"aliases": [f"alias{n}@example.org"], "name": f"New {n % 5}"},
                              doc_ids=[n - 2])
                inbound.update({"state": "processed"}, doc_ids=[n - 3])
            if n % 10 == 9:
                people.remove(doc_ids=[n - 5])
        n += 1
        if n == 20:
            print("ready", flush=True)
""")


def test_a_writer_killed_mid_stream_reopens_with_indexes_matching_its_tables(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)],
                             stdout=subprocess.PIPE, env={**os.environ})
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        time.sleep(0.5)  # many more transactions, compactions among them
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
    with Store(tmp_path) as store:
        assert len(store.table("participants")) > 20
        assert_indexes_match_the_tables(store)
        store.table("participants").insert(person(1000, aliases=["late@example.org"]))
        assert store.lookup("participants", "address", "late@example.org") == [
            max(d.doc_id for d in store.table("participants").all())]
        assert_indexes_match_the_tables(store)
