"""The store's change log: what a commit writes, and what opening makes of it after a crash."""

from __future__ import annotations

import json
import os
import stat

import pytest

import mailflow.store.storage as storage_module
from mailflow.errors import StoreError
from mailflow.store import StateWriteError, Store
from mailflow.store.changelog import encode
from mailflow.store.storage import AtomicJSONStorage
from tests.unit.limits import file_size_limit


def crash(store: Store) -> None:
    """Leave the store as kill -9 would: no final compaction, only the lock goes."""
    if store.storage._fd is not None:
        os.close(store.storage._fd)
        store.storage._fd = None
    store._lock.release()


def log_lines(state) -> list[bytes]:
    path = state / "store.log"
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def emails(store: Store) -> list[str]:
    return [p["email"] for p in store.table("participants").all()]


@pytest.fixture
def state(tmp_path):
    """A store with one participant in its snapshot, closed."""
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "lea@example.org"})
    return tmp_path


def test_a_commit_appends_only_the_documents_it_changed(state):
    store = Store(state)
    store.table("participants").insert_multiple(
        {"email": f"p{i}@example.org"} for i in range(200))
    before = log_lines(state)
    store.table("participants").update({"status": "active"}, doc_ids=[7])

    [line] = log_lines(state)[len(before):]
    record = json.loads(line[9:])
    assert record["docs"] == {"participants": {"7": {"email": "p5@example.org",
                                                     "status": "active"}}}
    store.close()


def test_changes_are_read_back_from_the_log_after_a_crash(state):
    store = Store(state)
    table = store.table("participants")
    table.insert({"email": "chen@example.org"})
    table.update({"status": "active"}, doc_ids=[1])
    crash(store)

    with Store(state) as store:
        assert store.table("participants").all() == [
            {"email": "lea@example.org", "status": "active"}, {"email": "chen@example.org"}]


def test_a_removed_document_stays_removed_after_a_crash(state):
    store = Store(state)
    store.table("participants").remove(doc_ids=[1])
    crash(store)

    with Store(state) as store:
        assert emails(store) == []


def test_later_records_win_over_earlier_ones_for_the_same_document(state):
    store = Store(state)
    for status in ("applicant", "selected", "active"):
        store.table("participants").update({"status": status}, doc_ids=[1])
    crash(store)

    with Store(state) as store:
        assert store.table("participants").get(doc_id=1)["status"] == "active"


def test_a_torn_last_record_is_ignored_and_cut_off(state):
    store = Store(state)
    store.table("participants").insert({"email": "chen@example.org"})
    crash(store)
    whole = (state / "store.log").read_bytes()
    torn = encode(99, {"participants": {"3": {"email": "torn@example.org"}}})
    (state / "store.log").write_bytes(whole + torn[:len(torn) // 2])

    with Store(state) as store:
        assert emails(store) == ["lea@example.org", "chen@example.org"]
        assert (state / "store.log").read_bytes() == whole
        store.table("participants").insert({"email": "ines@example.org"})
        crash(store)

    with Store(state) as store:
        assert emails(store)[-1] == "ines@example.org"


def test_a_last_record_whose_checksum_fails_is_ignored(state):
    store = Store(state)
    store.table("participants").insert({"email": "chen@example.org"})
    store.table("participants").insert({"email": "wei@example.org"})
    crash(store)
    lines = log_lines(state)
    lines[-1] = lines[-1].replace(b"wei@", b"wai@")
    (state / "store.log").write_bytes(b"".join(lines))

    with Store(state) as store:
        assert emails(store) == ["lea@example.org", "chen@example.org"]


def test_a_damaged_record_before_good_ones_is_refused_naming_the_log(state):
    store = Store(state)
    store.table("participants").insert({"email": "chen@example.org"})
    store.table("participants").insert({"email": "wei@example.org"})
    crash(store)
    lines = log_lines(state)
    lines[0] = lines[0].replace(b"chen@", b"chan@")
    (state / "store.log").write_bytes(b"".join(lines))

    with pytest.raises(StoreError, match=r"store\.log: the change log is damaged"):
        Store(state)


def test_records_the_snapshot_already_holds_are_skipped(state):
    store = Store(state)
    store.table("participants").insert({"email": "chen@example.org"})
    store.table("participants").update({"status": "active"}, doc_ids=[2])
    logged = (state / "store.log").read_bytes()
    store.close()  # compacts; as if the process died before emptying the log:
    (state / "store.log").write_bytes(logged)
    with Store(state) as store:
        store.table("participants").update({"status": "done"}, doc_ids=[2])
        crash(store)

    with Store(state) as store:
        assert store.table("participants").get(doc_id=2) == {
            "email": "chen@example.org", "status": "done"}


def test_a_snapshot_restored_without_its_log_is_refused(state):
    old_snapshot = (state / "store.json").read_bytes()
    with Store(state) as store:
        store.table("participants").insert({"email": "chen@example.org"})
    store = Store(state)
    store.table("participants").insert({"email": "wei@example.org"})
    crash(store)
    (state / "store.json").write_bytes(old_snapshot)

    with pytest.raises(StoreError, match=r"store\.log: the change log does not follow"):
        Store(state)


def test_closing_folds_the_log_into_the_snapshot(state):
    with Store(state) as store:
        store.table("participants").insert({"email": "chen@example.org"})
        assert log_lines(state)

    assert log_lines(state) == []
    snapshot = json.loads((state / "store.json").read_text())
    assert [p["email"] for p in snapshot["participants"].values()] == [
        "lea@example.org", "chen@example.org"]


def test_the_log_is_folded_into_the_snapshot_once_it_outgrows_it(state, monkeypatch):
    monkeypatch.setattr(storage_module, "COMPACT_BYTES", 2000)
    store = Store(state)
    for i in range(40):
        store.table("events").insert({"participant": "lea@example.org", "n": i, "pad": "x" * 80})
    snapshot = json.loads((state / "store.json").read_text())
    assert len(snapshot["events"]) + len(log_lines(state)) == 40
    assert len(log_lines(state)) < 20
    crash(store)

    with Store(state, read_only=True) as store:
        assert len(store.table("events")) == 40


def test_the_log_file_is_private(state):
    with Store(state) as store:
        store.table("participants").insert({"email": "chen@example.org"})
        assert stat.S_IMODE((state / "store.log").stat().st_mode) == 0o600


def test_a_failed_append_leaves_the_log_as_it_was_and_the_next_one_works(state):
    store = Store(state)
    store.table("participants").insert({"email": "chen@example.org"})
    logged = (state / "store.log").read_bytes()
    with file_size_limit(len(logged) + 20), pytest.raises(StateWriteError):
        store.table("participants").insert({"email": "x" * 200 + "@example.org"})

    assert (state / "store.log").read_bytes() == logged
    store.table("participants").insert({"email": "wei@example.org"})
    crash(store)
    with Store(state) as store:
        assert "wei@example.org" in emails(store)


def test_a_compaction_that_finds_the_disk_full_keeps_the_commit_in_the_log(state, monkeypatch):
    monkeypatch.setattr(storage_module, "COMPACT_BYTES", 1)
    store = Store(state)
    snapshot = (state / "store.json").read_bytes()
    with file_size_limit(len(snapshot) + 10):
        store.table("participants").insert({"email": "chen@example.org"})

    assert (state / "store.json").read_bytes() == snapshot
    assert not (state / ".store.json.tmp").exists()
    crash(store)
    with Store(state) as store:
        assert emails(store) == ["lea@example.org", "chen@example.org"]


def test_a_reader_sees_committed_changes_before_any_compaction(state):
    with Store(state) as writer:
        writer.table("participants").insert({"email": "chen@example.org"})
        data = AtomicJSONStorage(state / "store.json", read_only=True).read()

        assert [p["email"] for p in data["participants"].values()] == [
            "lea@example.org", "chen@example.org"]
        assert "_log" not in data


def grown_log(state, changes: int) -> Store:
    """A store with a snapshot, then ``changes`` commits of 10 KB each in its log."""
    store = Store(state)
    store.table("participants").insert({"email": "lea@example.org", "note": ""})
    store.storage.compact()
    for n in range(changes):
        store.table("participants").update({"note": f"{n}" + "x" * 10_000}, doc_ids=[1])
    return store


def test_a_log_past_the_quiet_fold_size_is_folded_at_a_quiet_point(tmp_path):
    store = grown_log(tmp_path, changes=110)

    assert store.storage.fold_if_grown() is True

    assert (tmp_path / "store.log").stat().st_size == 0
    crash(store)
    with Store(tmp_path) as again:
        assert again.table("participants").get(doc_id=1)["note"].startswith("109x")


def test_a_small_log_is_left_as_it_is(tmp_path):
    store = grown_log(tmp_path, changes=10)

    assert store.storage.fold_if_grown() is False

    assert log_lines(tmp_path)
    store.close()


def test_no_fold_inside_a_transaction(tmp_path):
    store = grown_log(tmp_path, changes=110)

    with store.transaction():
        store.table("participants").update({"note": "uncommitted"}, doc_ids=[1])
        assert store.storage.fold_if_grown() is False
    store.close()


def test_a_snapshot_written_in_parts_is_the_json_of_the_whole_store_a_table_a_line(
        tmp_path, monkeypatch):
    monkeypatch.setattr(storage_module, "SNAPSHOT_PART", 7)
    with Store(tmp_path) as store:
        store.table("participants").insert_multiple(
            {"email": f"p{i}@example.org", "name": "Zoë Ñúñez \u2028 \"q\""} for i in range(30))
        store.table("events").insert({"type": "note"})
        store.table("mailings").insert({"x": 1})
        store.table("mailings").remove(doc_ids=[1])  # an empty table
        store.storage.compact()
        data = store.storage.read()
        expected = {**data, "_log": {"1": {"seq": store.storage._seq}}}
        written = (tmp_path / "store.json").read_bytes()

        assert json.loads(written) == expected
        assert [line.split(b":", 1)[0] for line in written.split(b"\n")[1:]] == [
            json.dumps(name).encode() for name in expected]


def test_a_snapshot_of_one_line_from_an_earlier_version_is_read(tmp_path):
    (tmp_path / "store.json").write_text(json.dumps(
        {"_meta": {"1": {"schema_version": 1}}, "participants": {"1": {"email": "a@b.org"}},
         "_log": {"1": {"seq": 0}}}, separators=(",", ":")), encoding="utf-8")

    with Store(tmp_path, read_only=True) as store:
        assert [p["email"] for p in store.table("participants").all()] == ["a@b.org"]


def test_a_snapshot_is_read_a_table_at_a_time(tmp_path, monkeypatch):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "a@b.org"})
        store.table("events").insert({"type": "note"})
    parsed: list[int] = []
    loads = storage_module.json.loads
    monkeypatch.setattr(storage_module.json, "loads",
                        lambda text, **kw: parsed.append(len(text)) or loads(text, **kw))

    with Store(tmp_path, read_only=True) as store:
        assert [p["email"] for p in store.table("participants").all()] == ["a@b.org"]

    assert len(parsed) >= 3 and max(parsed) < (tmp_path / "store.json").stat().st_size


@pytest.mark.parametrize("cut", ["a whole table", "the closing line"])
def test_a_snapshot_missing_its_last_lines_is_refused_not_read_in_part(tmp_path, cut):
    with Store(tmp_path) as store:
        store.table("participants").insert({"email": "a@b.org"})
        store.table("events").insert({"type": "note"})
    path = tmp_path / "store.json"
    lines = path.read_bytes().split(b"\n")
    kept = lines[:-2] if cut == "a whole table" else [*lines[:-1], lines[-1][:-3]]
    path.write_bytes(b"\n".join(kept) + (b"\n" if cut == "a whole table" else b""))

    with pytest.raises(StoreError, match="not valid JSON"):
        Store(tmp_path, read_only=True)
