"""The persistent outbox: idempotent queueing, a replayed journal, and crash recovery."""

from __future__ import annotations

import json

from mailflow.outbound.outbox import Outbox, outbox_id
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
