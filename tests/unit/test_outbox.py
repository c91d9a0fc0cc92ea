"""The persistent outbox: idempotent queueing, a replayed journal, and crash recovery."""

from __future__ import annotations

import json

import pytest

from mailflow.errors import StoreError
from mailflow.outbound.outbox import Outbox, outbox_id
from mailflow.store import StateWriteError
from tests.unit.limits import file_size_limit
from tests.unit.outbox_helpers import make_item


def test_outbox_id_is_stable_lower_case_base32_and_differs_by_key():
    first = outbox_id("application-form|lea@example.org|msg-1")

    assert first == outbox_id("application-form|lea@example.org|msg-1")
    assert first != outbox_id("application-form|lea@example.org|msg-2")
    assert len(first) == 24
    assert set(first) <= set("abcdefghijklmnopqrstuvwxyz234567")


def test_enqueue_stores_the_message_and_a_pending_item(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("k1")

    assert outbox.enqueue(item, b"Subject: hi\r\n\r\nbody")

    assert outbox.has("k1")
    assert outbox.items[item.id].state == "pending"
    assert outbox.message_bytes(item.id) == b"Subject: hi\r\n\r\nbody"
    assert outbox.by_message_id[item.message_id] == item.id


def test_enqueue_is_idempotent_by_key(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item("k1"), b"first")

    assert outbox.enqueue(make_item("k1"), b"second") is False

    assert len(outbox.items) == 1
    assert outbox.message_bytes(outbox_id("k1")) == b"first"


def test_enqueue_is_idempotent_across_reopening(tmp_path):
    Outbox(tmp_path).enqueue(make_item("k1"), b"first")

    outbox = Outbox(tmp_path)

    assert outbox.has("k1")
    assert outbox.enqueue(make_item("k1"), b"again") is False


def test_state_changes_survive_reopening(tmp_path):
    outbox = Outbox(tmp_path)
    for key in ("sent", "failed", "retry"):
        outbox.enqueue(make_item(key), b"x")
    outbox.mark_sending(outbox.items[outbox_id("sent")])
    outbox.mark_sent(outbox.items[outbox_id("sent")])
    outbox.mark_failed(outbox.items[outbox_id("failed")], "550 no such user")
    outbox.mark_retry(outbox.items[outbox_id("retry")], "451 later", next_try=5000.0, attempts=2)
    outbox.close()

    again = Outbox(tmp_path)

    assert again.items[outbox_id("sent")].state == "sent"
    assert again.items[outbox_id("sent")].attempts == 1
    assert again.items[outbox_id("failed")].state == "failed"
    assert again.items[outbox_id("failed")].error == "550 no such user"
    retry = again.items[outbox_id("retry")]
    assert (retry.state, retry.next_try, retry.attempts) == ("pending", 5000.0, 2)


def test_item_left_sending_becomes_unknown_on_reopen_and_is_not_due(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("k1")
    outbox.enqueue(item, b"x")
    outbox.mark_sending(item)
    outbox.close()  # the process dies while handing the mail over

    again = Outbox(tmp_path)

    assert again.items[item.id].state == "unknown"
    assert "stopped" in (again.items[item.id].error or "")
    assert again.due(now=10**12) == []
    assert Outbox(tmp_path).items[item.id].state == "unknown"


def test_read_only_outbox_does_not_change_an_item_left_sending(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("k1")
    outbox.enqueue(item, b"x")
    outbox.mark_sending(item)
    outbox.close()

    assert Outbox(tmp_path, read_only=True).items[item.id].state == "sending"


def test_torn_last_journal_line_is_ignored(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("k1")
    outbox.enqueue(item, b"x")
    outbox.close()
    with open(tmp_path / "journal.jsonl", "a", encoding="utf-8") as journal:
        journal.write('{"op":"set","id":"' + item.id + '","state":"se')

    again = Outbox(tmp_path)

    assert again.items[item.id].state == "pending"


def test_mail_queued_after_a_torn_line_survives_reopening(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("k1")
    outbox.enqueue(item, b"x")
    outbox.close()
    with open(tmp_path / "journal.jsonl", "a", encoding="utf-8") as journal:
        journal.write('{"op":"set","id":"' + item.id + '","state":"se')
    again = Outbox(tmp_path)
    again.enqueue(make_item("k2"), b"y")
    again.close()

    assert Outbox(tmp_path).has("k2")


def test_due_returns_pending_items_whose_next_try_has_come_oldest_first(tmp_path):
    outbox = Outbox(tmp_path)
    for key in ("a", "b", "c", "d"):
        outbox.enqueue(make_item(key), b"x")
    outbox.mark_retry(outbox.items[outbox_id("b")], "451", next_try=2000.0, attempts=1)
    outbox.mark_failed(outbox.items[outbox_id("c")], "550")

    assert [i.key for i in outbox.due(now=1999.0)] == ["a", "d"]
    assert [i.key for i in outbox.due(now=2000.0)] == ["a", "b", "d"]


def test_next_due_is_the_earliest_pending_try_or_none(tmp_path):
    outbox = Outbox(tmp_path)
    assert outbox.next_due() is None
    outbox.enqueue(make_item("a"), b"x")
    outbox.mark_retry(outbox.items[outbox_id("a")], "451", next_try=3000.0, attempts=1)

    assert outbox.next_due() == 3000.0


def test_requeue_makes_an_unknown_item_due_again(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("a")
    outbox.enqueue(item, b"x")
    outbox.mark_unknown(item, "timeout after DATA")

    outbox.requeue(item)

    assert outbox.due(now=0.0) == [item]
    assert item.error is None


def test_compact_rewrites_one_line_per_item_and_keeps_states(tmp_path):
    outbox = Outbox(tmp_path)
    for key in ("a", "b", "c"):
        outbox.enqueue(make_item(key), b"x")
    outbox.mark_sending(outbox.items[outbox_id("a")])
    outbox.mark_sent(outbox.items[outbox_id("a")])
    outbox.mark_retry(outbox.items[outbox_id("b")], "451", next_try=4000.0, attempts=3)
    outbox.mark_failed(outbox.items[outbox_id("c")], "550")
    outbox._lines = 10_000  # as if the journal had grown long

    outbox.compact()
    outbox.mark_unknown(outbox.items[outbox_id("c")], "after compaction")
    outbox.close()

    lines = (tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert all(json.loads(line)["op"] == "add" for line in lines[:3])
    again = Outbox(tmp_path)
    assert again.items[outbox_id("a")].state == "sent"
    b = again.items[outbox_id("b")]
    assert (b.state, b.next_try, b.attempts, b.error) == ("pending", 4000.0, 3, "451")
    assert again.items[outbox_id("c")].state == "unknown"


def test_compact_does_nothing_while_the_journal_is_short(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item("a"), b"x")
    outbox.mark_failed(outbox.items[outbox_id("a")], "550")

    outbox.compact()

    assert len((tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_counts_tallies_items_by_state(tmp_path):
    outbox = Outbox(tmp_path)
    for key in ("a", "b", "c"):
        outbox.enqueue(make_item(key), b"x")
    outbox.mark_failed(outbox.items[outbox_id("c")], "550")

    assert outbox.counts() == {"pending": 2, "failed": 1}


def test_a_batch_is_journalled_once_at_its_end(tmp_path):
    outbox = Outbox(tmp_path)
    with outbox.batch():
        outbox.enqueue(make_item("k1"), b"one")
        outbox.enqueue(make_item("k2"), b"two")
        assert not (tmp_path / "journal.jsonl").read_bytes()

    assert Outbox(tmp_path, read_only=True).has("k2")


def test_a_failed_batch_queues_nothing_and_can_be_queued_again(tmp_path):
    outbox = Outbox(tmp_path)
    try:
        with outbox.batch():
            outbox.enqueue(make_item("k1"), b"one")
            raise RuntimeError("handling failed")
    except RuntimeError:
        pass

    assert not outbox.has("k1")
    assert not Outbox(tmp_path, read_only=True).has("k1")
    assert outbox.enqueue(make_item("k1"), b"one")


def journal_size(directory) -> int:
    return (directory / "journal.jsonl").stat().st_size


def test_an_append_that_fails_queues_nothing_in_memory(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item("k1"), b"one")
    with file_size_limit(journal_size(tmp_path) + 100), pytest.raises(StateWriteError):
        outbox.enqueue(make_item("k2"), b"x" * 1000)

    assert not outbox.has("k2")
    assert outbox.enqueue(make_item("k2"), b"x" * 1000)


def test_a_batch_whose_write_fails_queues_none_of_its_mail(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item("k1"), b"one")
    limit = file_size_limit(journal_size(tmp_path) + 100)
    with limit, pytest.raises(StateWriteError), outbox.batch():
        outbox.enqueue(make_item("k2"), b"two")
        outbox.enqueue(make_item("k3"), b"x" * 1000)

    assert (outbox.has("k2"), outbox.has("k3")) == (False, False)


def test_an_append_that_fails_leaves_nothing_of_itself_in_the_journal(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item("k1"), b"one")
    with file_size_limit(journal_size(tmp_path) + 100), pytest.raises(StateWriteError):
        outbox.enqueue(make_item("k2"), b"x" * 1000)
    outbox.enqueue(make_item("k3"), b"three")
    outbox.close()

    lines = (tmp_path / "journal.jsonl").read_bytes().splitlines()
    assert all(json.loads(line) for line in lines)
    again = Outbox(tmp_path)
    assert (again.has("k2"), again.has("k3")) == (False, True)


def test_mark_sending_that_cannot_be_journalled_leaves_the_item_pending(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("k1")
    outbox.enqueue(item, b"one")
    with file_size_limit(journal_size(tmp_path)), pytest.raises(StateWriteError):
        outbox.mark_sending(item)

    assert item.state == "pending"
    assert outbox.due(10**12) == [item]


def test_a_record_after_a_torn_write_mid_journal_is_kept(tmp_path):
    outbox = Outbox(tmp_path)
    first = make_item("k1")
    outbox.enqueue(first, b"one")
    outbox.close()
    later = Outbox(tmp_path / "later")
    later.enqueue(make_item("k2"), b"two")
    later.close()
    with open(tmp_path / "journal.jsonl", "ab") as journal:  # what the old appends left
        journal.write(b'{"op":"set","id":"' + first.id.encode() + b'","sta')
        journal.write((tmp_path / "later" / "journal.jsonl").read_bytes())

    again = Outbox(tmp_path)

    assert again.has("k2")
    assert again.message_bytes(outbox_id("k2")) == b"two"
    assert again.items[first.id].state == "pending"


def test_a_line_that_is_not_json_mid_journal_is_refused_naming_the_line(tmp_path):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item("k1"), b"one")
    outbox.close()
    with open(tmp_path / "journal.jsonl", "ab") as journal:
        journal.write(b"garbage\n")

    with pytest.raises(StoreError, match=r"journal\.jsonl, line 2: not a JSON record"):
        Outbox(tmp_path)


def test_a_record_of_the_wrong_shape_is_refused_naming_the_line(tmp_path):
    (tmp_path / "journal.jsonl").write_text('{"op":"add","item":{"id":1},"data":""}\n')

    with pytest.raises(StoreError, match=r"journal\.jsonl, line 1: .*'id'.*restore state/"):
        Outbox(tmp_path, read_only=True)


def test_times_come_from_the_outbox_clock(tmp_path):
    outbox = Outbox(tmp_path, clock=lambda: 1_800_000_000.0)
    item = make_item("k1")
    outbox.enqueue(item, b"one")
    outbox.mark_sending(item)

    assert (item.created, item.updated) == (1_800_000_000.0, 1_800_000_000.0)


def test_a_cancelled_mail_is_still_cancelled_after_reopening(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("k1")
    outbox.enqueue(item, b"x")
    outbox.cancel(item, "the person's data was erased")
    outbox.close()

    reopened = Outbox(tmp_path)

    assert reopened.items[item.id].state == "cancelled"
    assert reopened.due(float("inf")) == []
