"""The program store: one writer, atomic writes, transactions, and a schema version."""

from __future__ import annotations

import json
import os

import pytest

import mailflow.store.storage as storage_module
from mailflow.errors import StoreError, StoreLockedError
from mailflow.store import SCHEMA_VERSION, StateWriteError, Store
from mailflow.store.lock import ProgramLock
from mailflow.store.storage import AtomicJSONStorage
from tests.unit.limits import file_size_limit


def log_records(state):
    """How many lines the change log holds (none before the first change after the snapshot)."""
    path = state / "store.log"
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def test_new_store_records_its_schema_version_on_disk(tmp_path):
    with Store(tmp_path):
        pass

    data = json.loads((tmp_path / "store.json").read_text(encoding="utf-8"))
    assert data["_meta"]["1"]["schema_version"] == SCHEMA_VERSION


def test_data_written_is_read_back_after_reopening(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "lea@example.org"})

    with Store(tmp_path) as store:
        assert store.table("participants").all() == [{"email": "lea@example.org"}]


def test_unknown_table_name_is_refused(tmp_path):
    with Store(tmp_path) as store, pytest.raises(KeyError):
        store.table("people")


def test_second_writer_on_the_same_state_dir_is_refused(tmp_path):
    with Store(tmp_path), pytest.raises(StoreLockedError) as info:
        Store(tmp_path)

    assert "another mailflow process" in str(info.value)
    assert "read-only" in str(info.value)


def test_lock_is_free_again_once_the_writer_closes(tmp_path):
    Store(tmp_path).close()

    with Store(tmp_path) as store:
        assert not store.read_only


def test_lock_error_names_the_holders_pid(tmp_path):
    holder = ProgramLock(tmp_path / "lock")
    holder.acquire()
    try:
        with pytest.raises(StoreLockedError, match=rf"pid {os.getpid()}"):
            ProgramLock(tmp_path / "lock").acquire()
    finally:
        holder.release()


def test_read_only_open_works_while_a_writer_holds_the_store(tmp_path):
    with Store(tmp_path) as writer:
        writer.table("participants").insert({"email": "lea@example.org"})
        reader = Store(tmp_path, read_only=True)

        assert reader.table("participants").all() == [{"email": "lea@example.org"}]
        reader.close()


def test_read_only_store_refuses_writes(tmp_path):
    with Store(tmp_path):
        reader = Store(tmp_path, read_only=True)
        with pytest.raises(StoreError, match="read-only"):
            reader.table("participants").insert({"email": "x@example.org"})
        reader.close()


def test_transaction_commits_all_changes_in_one_write(tmp_path, monkeypatch):
    syncs = []
    real_sync = storage_module.os.fdatasync
    monkeypatch.setattr(storage_module.os, "fdatasync",
                        lambda fd: (syncs.append(fd), real_sync(fd)))
    with Store(tmp_path) as store:
        records = log_records(tmp_path)
        syncs.clear()
        with store.transaction():
            store.table("participants").insert({"email": "a@example.org"})
            store.table("events").insert({"what": "applied"})
            store.table("review").insert({"why": "check"})
            assert syncs == []

        assert len(syncs) == 1
        assert log_records(tmp_path) == records + 1
    with Store(tmp_path) as store:
        assert len(store.table("participants")) == len(store.table("events")) == 1


def test_transaction_rolled_back_by_an_exception_leaves_the_disk_unchanged(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "a@example.org"})
        before = (tmp_path / "store.json").read_bytes()

        with pytest.raises(RuntimeError), store.transaction():
            store.table("participants").insert({"email": "b@example.org"})
            store.table("participants").update({"status": "changed"})
            raise RuntimeError("boom")

        assert (tmp_path / "store.json").read_bytes() == before


def test_transaction_rolled_back_reloads_the_in_memory_view(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "a@example.org"})

        with pytest.raises(RuntimeError), store.transaction():
            store.table("participants").insert({"email": "b@example.org"})
            raise RuntimeError("boom")

        assert store.table("participants").all() == [{"email": "a@example.org"}]


def test_writes_after_a_rollback_are_committed_normally(tmp_path):
    with Store(tmp_path) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.table("participants").insert({"email": "b@example.org"})
            raise RuntimeError("boom")
        store.table("participants").insert({"email": "c@example.org"})

    with Store(tmp_path) as store:
        assert [d["email"] for d in store.table("participants").all()] == ["c@example.org"]


def test_leftover_temp_file_from_a_crash_does_not_hide_the_real_store(tmp_path):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "a@example.org"})
    (tmp_path / ".store.json.tmp").write_text('{"participants": {"1": {"email": "tor', "utf-8")

    with Store(tmp_path) as store:
        assert store.table("participants").all() == [{"email": "a@example.org"}]
        store.table("participants").insert({"email": "b@example.org"})

    with Store(tmp_path) as store:
        assert len(store.table("participants")) == 2


def test_crash_between_temp_write_and_rename_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "store.json"
    AtomicJSONStorage(path).write({"participants": {"1": {"email": "old@example.org"}}})
    before = path.read_bytes()

    def crash(src, dst):
        raise KeyboardInterrupt("power cut before the rename")

    monkeypatch.setattr(storage_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        AtomicJSONStorage(path).write({"participants": {"1": {"email": "new@example.org"}}})
    monkeypatch.undo()

    assert (tmp_path / ".store.json.tmp").exists()
    assert path.read_bytes() == before
    assert AtomicJSONStorage(path).read() == {"participants": {"1": {"email": "old@example.org"}}}


def test_store_from_a_future_schema_version_is_refused_clearly(tmp_path):
    (tmp_path / "store.json").write_text('{"_meta": {"1": {"schema_version": 99}}}', "utf-8")

    with pytest.raises(StoreError) as info:
        Store(tmp_path, read_only=True)

    message = str(info.value)
    assert str(tmp_path / "store.json") in message
    assert "schema version 99" in message
    assert f"version {SCHEMA_VERSION}" in message
    assert "upgrade mailflow" in message


def test_refused_store_does_not_keep_the_lock(tmp_path):
    (tmp_path / "store.json").write_text('{"_meta": {"1": {"schema_version": 99}}}', "utf-8")
    with pytest.raises(StoreError):
        Store(tmp_path)
    (tmp_path / "store.json").write_text('{"_meta": {"1": {"schema_version": 1}}}', "utf-8")

    with Store(tmp_path) as store:
        assert not store.read_only


def test_invalid_json_store_is_refused_naming_the_file(tmp_path):
    (tmp_path / "store.json").write_text("{not json", "utf-8")

    with pytest.raises(StoreError) as info:
        Store(tmp_path, read_only=True)

    assert str(tmp_path / "store.json") in str(info.value)
    assert "not valid JSON" in str(info.value)


def test_store_file_holding_a_list_is_refused(tmp_path):
    (tmp_path / "store.json").write_text("[]", "utf-8")

    with pytest.raises(StoreError, match="JSON object"):
        Store(tmp_path, read_only=True)


def test_empty_store_file_is_treated_as_a_new_store(tmp_path):
    (tmp_path / "store.json").write_text("", "utf-8")

    with Store(tmp_path) as store:
        assert store.table("participants").all() == []


def test_store_table_of_the_wrong_shape_is_refused_naming_the_table(tmp_path):
    (tmp_path / "store.json").write_text('{"_meta":{"1":{"schema_version":1}},"inbound":[]}')

    with pytest.raises(StoreError, match=r"store\.json: table 'inbound' .*restore state/"):
        Store(tmp_path)


def test_a_store_write_that_fails_leaves_no_temp_file_and_the_old_store(tmp_path):
    store = Store(tmp_path)
    store.table("participants").insert({"email": "lea@example.org"})
    before = (tmp_path / "store.json").read_bytes()
    logged = (tmp_path / "store.log").read_bytes()
    limit = file_size_limit(len(before) + 10)
    with limit, pytest.raises(StateWriteError), store.transaction():
        store.table("participants").insert({"email": "x" * 200})

    assert sorted(p.name for p in tmp_path.iterdir()) == ["lock", "store.json", "store.log"]
    assert (tmp_path / "store.json").read_bytes() == before
    assert (tmp_path / "store.log").read_bytes() == logged
    assert len(store.table("participants")) == 1
