"""Attacks on the daily read-back of the store (Store.reload), the snapshot a table a
line, and the fixed mmap threshold: each test one behaviour, data written here."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tinydb import where

from mailflow.errors import StoreError
from mailflow.store import StateWriteError, Store
from tests.unit.limits import file_size_limit


def two_table_store(state) -> bytes:
    """A closed store with documents in two tables; its snapshot's bytes."""
    with Store(state) as store:
        store.table("participants").insert_multiple(
            [{"email": f"p{i}@example.org"} for i in range(3)])
        store.table("events").insert_multiple([{"type": "note", "n": i} for i in range(3)])
    return (state / "store.json").read_bytes()


# -- 2. the snapshot, a table a line ------------------------------------------------------


def test_a_snapshot_cut_at_any_byte_is_refused_naming_the_file(tmp_path):
    whole = two_table_store(tmp_path / "whole")
    path = tmp_path / "cut" / "store.json"
    Store(path.parent).close()  # makes the folder and an empty store
    (path.parent / "store.log").unlink(missing_ok=True)
    read_in_part = []
    for cut in range(1, len(whole)):
        path.write_bytes(whole[:cut])
        try:
            Store(path.parent, read_only=True).close()
        except StoreError as exc:
            assert str(path) in str(exc)
        else:
            read_in_part.append(whole[:cut][-30:])
    assert read_in_part == []


ODD = "a\u2028b\u2029c\u0085d\re\nf\x00g\x1fh\"i\\j\ufeffk\U0001F600l"


def test_strings_with_every_odd_character_come_back_from_the_snapshot(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "odd@example.org", "name": ODD, ODD: 1})
    lines = (tmp_path / "store.json").read_bytes().split(b"\n")
    assert [line.split(b":")[0] for line in lines] == [b"{", b'"_meta"', b'"participants"',
                                                        b'"_log"']

    with Store(tmp_path, read_only=True) as store:
        (row,) = store.table("participants").all()
    assert row["name"] == ODD and row[ODD] == 1


def test_strings_with_every_odd_character_survive_a_reload(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "odd@example.org", "name": ODD})
        assert store.reload()
        assert store.table("participants").all()[0]["name"] == ODD


def test_a_table_name_needing_escapes_comes_back_from_the_snapshot(tmp_path):
    names = ['quote"d', "back\\slash", "new\nline", "sep\u2028", "nul\x00", "é"]
    with Store(tmp_path) as store:
        for name in names:
            store.db.table(name).insert({"name": name})
    with Store(tmp_path, read_only=True) as store:
        for name in names:
            assert store.db.table(name).all() == [{"name": name}]


def test_a_lone_surrogate_is_refused_at_write(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(UnicodeEncodeError):
        store.table("participants").insert({"email": "bad\udcff@example.org"})
    store._lock.release()  # closing would commit it again (see the test below)
    with Store(tmp_path, read_only=True) as reader:
        assert reader.table("participants").all() == []


def test_after_a_lone_surrogate_is_refused_the_store_stays_as_it_was(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "lea@example.org"})
        with pytest.raises(UnicodeEncodeError):
            store.table("participants").insert({"email": "bad\udcff@example.org"})
        assert [p["email"] for p in store.table("participants").all()] == ["lea@example.org"]
        store.table("participants").insert({"email": "max@example.org"})
    with Store(tmp_path, read_only=True) as store:
        assert [p["email"] for p in store.table("participants").all()] == [
            "lea@example.org", "max@example.org"]


def test_an_empty_snapshot_file_is_an_empty_store(tmp_path):
    (tmp_path / "store.json").write_bytes(b"")
    with Store(tmp_path, read_only=True) as store:
        assert store.table("participants").all() == []


def test_a_snapshot_of_an_empty_object_a_table_a_line_is_an_empty_store(tmp_path):
    (tmp_path / "store.json").write_bytes(b"{\n}")  # as json.loads reads it whole
    with Store(tmp_path, read_only=True) as store:
        assert store.table("participants").all() == []


@pytest.mark.parametrize("content", [b"{\n", b"{\n\n", b"{\n,\n", b'{\n"_log":{}}\n'])
def test_a_snapshot_of_only_an_opening_is_refused_naming_the_file(tmp_path, content):
    (tmp_path / "store.json").write_bytes(content)
    with pytest.raises(StoreError, match=str(tmp_path / "store.json")):
        Store(tmp_path, read_only=True)


# -- 1. Store.reload ----------------------------------------------------------------------


def test_a_search_does_not_find_a_document_rolled_back(tmp_path):
    with Store(tmp_path) as store:
        participants = store.table("participants")
        participants.insert({"email": "lea@example.org"})
        with pytest.raises(KeyError), store.transaction():
            participants.insert({"email": "gone@example.org"})
            assert participants.search(where("email") == "gone@example.org")
            raise KeyError("rolled back")
        assert participants.search(where("email") == "gone@example.org") == []


def test_a_search_after_a_reload_reads_the_documents_read_back(tmp_path):
    with Store(tmp_path) as store:
        participants = store.table("participants")
        participants.insert({"email": "lea@example.org", "name": "Lea"})
        assert participants.search(where("name") == "Lea")
        assert store.reload()
        participants.update({"name": "Léa"}, doc_ids=[1])
        assert participants.search(where("name") == "Lea") == []
        assert [p["name"] for p in participants.search(where("name") == "Léa")] == ["Léa"]


def test_a_full_disk_during_a_reload_leaves_memory_and_files_as_they_were(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "lea@example.org"})
    store = Store(tmp_path)
    participants = store.table("participants")
    participants.insert({"email": "max@example.org"})  # in the log, not the snapshot
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    with file_size_limit(len(files["store.json"]) + 5), pytest.raises(StateWriteError):
        store.reload()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == files
    assert [p["email"] for p in participants.all()] == ["lea@example.org", "max@example.org"]
    assert store.lookup("participants", "address", "max@example.org") == [2]
    participants.insert({"email": "ana@example.org"})
    assert store.reload()
    store.close()
    with Store(tmp_path, read_only=True) as reader:
        assert [p.doc_id for p in reader.table("participants").all()] == [1, 2, 3]


def test_a_reload_inside_a_transaction_does_nothing(tmp_path):
    with Store(tmp_path) as store:
        with store.transaction():
            store.table("participants").insert({"email": "lea@example.org"})
            assert store.reload() is False
            assert len(store.table("participants")) == 1
        assert len(store.table("participants")) == 1


def test_lookups_and_new_ids_after_a_reload_follow_the_documents_read_back(tmp_path):
    with Store(tmp_path) as store:
        participants = store.table("participants")
        participants.insert_multiple([{"email": "lea@example.org"}, {"email": "max@example.org"}])
        assert store.lookup("participants", "address", "max@example.org") == [2]
        store.indexes["firings"] = {"stale": True}
        participants.remove(doc_ids=[2])
        assert store.reload()
        assert store.indexes == {}
        assert store.lookup("participants", "address", "max@example.org") == []
        assert participants.insert({"email": "ana@example.org"}) == 3
        assert store.lookup("participants", "address", "ana@example.org") == [3]


def test_a_reload_between_recording_and_finishing_keeps_the_finish(tmp_path):
    with Store(tmp_path) as store:
        inbound = store.table("inbound")
        (doc_id,) = inbound.insert_multiple([{"key": "m1", "state": "new"}])
        entry = {**inbound.get(doc_id=doc_id), "doc_id": doc_id}
        assert store.reload()
        inbound.update({"state": "done"}, doc_ids=[entry["doc_id"]])
    with Store(tmp_path, read_only=True) as reader:
        assert reader.table("inbound").get(doc_id=doc_id)["state"] == "done"


KILLED_WRITER = """
import sys
from pathlib import Path
from mailflow.store import Store
store = Store(Path(sys.argv[1]))
participants = store.table("participants")
n = len(participants)
while True:
    n += 1
    participants.insert({"email": f"p{n}@example.org"})
    print(n, flush=True)
    if n % 3 == 0:
        store.reload()
"""


def test_sigkill_during_repeated_reloads_loses_nothing_committed(tmp_path):
    env_path = str(Path(__file__).resolve().parents[2])
    committed = 0
    for _ in range(4):
        child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path)],
                                 stdout=subprocess.PIPE, text=True,
                                 env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
        time.sleep(0.3 + random.random() * 0.3)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        committed = max([committed, *map(int, out.split())])
        with Store(tmp_path, read_only=True) as reader:
            emails = {p["email"] for p in reader.table("participants").all()}
        assert {f"p{i}@example.org" for i in range(1, committed + 1)} <= emails


def test_keeping_large_buffers_apart_can_be_called_again_and_again():
    from mailflow.housekeeping import keep_large_buffers_apart, release_memory
    for _ in range(1000):
        keep_large_buffers_apart()
    big = [bytearray(1 << 20) for _ in range(4)]
    del big
    release_memory()


def test_keeping_large_buffers_apart_does_nothing_without_a_c_library(monkeypatch):
    import ctypes.util

    from mailflow import housekeeping
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    housekeeping.keep_large_buffers_apart()
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "libnot-there.so.9")
    housekeeping.keep_large_buffers_apart()

    class NoMallopt:  # a C library without mallopt (musl)
        def __init__(self, name):
            pass
    monkeypatch.setattr(housekeeping.ctypes, "CDLL", NoMallopt)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: "libc.musl.so")
    housekeeping.keep_large_buffers_apart()
