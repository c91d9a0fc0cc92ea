"""What is due in the outbox, and how many items are in each state, stay what a pass over
every item says: through every change of state, a failed batch, a reopen and a crash."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from mailflow.outbound.outbox import Outbox
from mailflow.store.due import DueQueue
from tests.unit.outbox_helpers import make_item

DATA = b"Subject: hello\r\n\r\nhello\r\n"


def assert_lookups_match_every_item(outbox: Outbox, now: float) -> None:
    items = list(outbox.items.values())
    pending = [i for i in items if i.state == "pending"]
    assert [i.id for i in outbox.due(now)] == [
        i.id for i in sorted((i for i in pending if i.next_try <= now),
                             key=lambda i: (i.created, i.id))]
    assert outbox.next_due() == (min(i.next_try for i in pending) if pending else None)
    assert outbox.counts() == Counter(i.state for i in items)
    assert all(outbox.by_message_id[i.message_id] == i.id for i in items)


def shuffle_states(outbox: Outbox, rng: random.Random, clock: list[float], steps: int) -> None:
    """Queue mail and move it through every state, as dispatch and people would."""
    for step in range(steps):
        clock[0] += rng.choice([0.0, 1.0, 30.0])
        items = list(outbox.items.values())
        choice = rng.random()
        if choice < 0.3 or not items:
            outbox.enqueue(make_item(f"rule|{step}|{rng.random()}"), DATA)
            continue
        item = rng.choice(items)
        if item.state == "pending":
            outbox.mark_sending(item)
        elif item.state == "sending":
            outcome = rng.choice(["sent", "retry", "failed", "unknown"])
            if outcome == "sent":
                outbox.mark_sent(item)
            elif outcome == "retry":
                outbox.mark_retry(item, "451 later", clock[0] + rng.choice([10.0, 60.0]),
                                  item.attempts + 1)
            elif outcome == "failed":
                outbox.mark_failed(item, "550 no such user")
            else:
                outbox.mark_unknown(item, "connection lost")
        elif item.state in ("failed", "unknown"):
            outbox.requeue(item)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_due_items_and_counts_follow_every_change_of_state(tmp_path, seed):
    clock = [1000.0]
    outbox = Outbox(tmp_path, clock=lambda: clock[0])
    rng = random.Random(seed)
    for _ in range(20):
        shuffle_states(outbox, rng, clock, 15)
        assert_lookups_match_every_item(outbox, clock[0])
        assert_lookups_match_every_item(outbox, clock[0] + 45.0)
    outbox.close()


def test_a_failed_batch_leaves_nothing_due(tmp_path):
    outbox = Outbox(tmp_path, clock=lambda: 1000.0)
    outbox.enqueue(make_item("kept|1"), DATA)
    with pytest.raises(RuntimeError), outbox.batch():
        outbox.enqueue(make_item("dropped|1"), DATA)
        raise RuntimeError("the store transaction failed")
    assert [i.key for i in outbox.due(2000.0)] == ["kept|1"]
    assert outbox.counts() == {"pending": 1}
    assert_lookups_match_every_item(outbox, 2000.0)
    outbox.close()


def test_a_reopened_outbox_finds_the_same_items_due(tmp_path):
    clock = [1000.0]
    outbox = Outbox(tmp_path, clock=lambda: clock[0])
    shuffle_states(outbox, random.Random(7), clock, 200)
    due, counts = [i.id for i in outbox.due(clock[0])], outbox.counts()
    outbox.close()
    again = Outbox(tmp_path, clock=lambda: clock[0])
    sending = counts.pop("sending", 0)  # what was being handed over reads as unknown
    counts["unknown"] += sending
    assert [i.id for i in again.due(clock[0])] == due
    assert again.counts() == +counts
    assert_lookups_match_every_item(again, clock[0])
    again.close()


def test_an_outbox_reopened_after_a_crash_mid_append_finds_what_the_journal_holds(tmp_path):
    clock = [1000.0]
    outbox = Outbox(tmp_path, clock=lambda: clock[0])
    shuffle_states(outbox, random.Random(11), clock, 120)
    outbox.close()
    journal = tmp_path / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:-1]) + lines[-1][:len(lines[-1]) // 2])  # torn tail
    again = Outbox(tmp_path, clock=lambda: clock[0])
    assert_lookups_match_every_item(again, clock[0])
    assert_lookups_match_every_item(again, clock[0] + 100.0)
    again.close()


def test_a_due_queue_skips_what_was_moved_or_taken_out():
    queue = DueQueue()
    queue.put("a", 10.0, 1.0)
    queue.put("b", 5.0, 2.0)
    queue.put("c", 5.0, 0.5)
    queue.put("b", 50.0, 2.0)  # retried later
    queue.discard("c")  # sent
    assert queue.earliest() == 10.0
    assert queue.due(20.0) == ["a"]
    assert queue.due(20.0) == ["a"]  # asking does not take it out
    queue.put("b", 5.0, 2.0)
    assert queue.due(20.0) == ["a", "b"]  # by their order, not their time
    assert len(queue) == 2


def test_a_due_queue_stays_small_when_the_same_items_move_often():
    queue = DueQueue()
    for n in range(10_000):
        queue.put(f"i{n % 10}", float(n), 0.0)
    assert len(queue._heap) < 200
    assert queue.due(1e9) == [f"i{n}" for n in range(10)]
