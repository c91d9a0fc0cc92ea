"""Equal string values of the store are one object in memory, however they were loaded."""

from __future__ import annotations

from pathlib import Path

from mailflow.outbound.outbox import Outbox, OutboxItem
from mailflow.store import Store
from tests.store.test_change_log import crash


def rows(state: Path, count: int) -> None:
    store = Store(state)
    for n in range(count):
        store.table("inbound").insert({"key": f"k{n}", "state": "processed",
                                       "sender": "lea@example.org", "tags": ["reply"]})
    store.close()


def test_equal_values_of_the_snapshot_are_one_object(tmp_path):
    rows(tmp_path / "state", 3)  # closing folds the log into the snapshot
    store = Store(tmp_path / "state")
    first, second, third = store.table("inbound").all()
    assert first["sender"] is second["sender"] is third["sender"]
    assert first["tags"][0] is third["tags"][0]
    store.close()


def test_equal_values_replayed_from_the_change_log_are_one_object(tmp_path):
    store = Store(tmp_path / "state")
    store.table("inbound").insert({"key": "a", "state": "processed"})
    store.table("inbound").insert({"key": "b", "state": "processed"})
    crash(store)  # the log is not folded: opening replays it
    again = Store(tmp_path / "state")
    first, second = again.table("inbound").all()
    assert first["state"] is second["state"]
    again.close()


def test_a_long_text_is_left_as_it_is(tmp_path):
    text = "x" * 5000
    state = tmp_path / "state"
    store = Store(state)
    store.table("review").insert({"text": text})
    store.table("review").insert({"text": text})
    store.close()
    store = Store(state)
    first, second = store.table("review").all()
    assert first["text"] == second["text"] and first["text"] is not second["text"]
    store.close()


def test_equal_values_of_the_outbox_journal_are_one_object(tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    for n in range(2):
        outbox.enqueue(OutboxItem(id=f"id{n}", key=f"k{n}", recipients=["lea@example.org"],
                                  envelope_from="p@example.org", message_id=f"m{n}@x",
                                  subject="Hello", kind="reply"), b"body")
    outbox.close()
    again = Outbox(tmp_path / "outbox", read_only=True)
    first, second = again.items.values()
    assert first.subject is second.subject and first.kind is second.kind
    again.close()


def test_a_str_subclass_value_is_stored_as_it_is(tmp_path):
    class Label(str):
        pass

    store = Store(tmp_path / "state")
    store.table("participants").insert({"name": Label("Léa"), "tags": [Label("x")]})
    assert store.table("participants").all()[0]["name"] == "Léa"
    store.close()
