"""Idle ticks cost nothing: the scheduler scans again only when a firing may have fallen due."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from mailflow.program import participants
from mailflow.program.scheduler import CHUNK
from tests.program.year import ZONE, Run, new_program

TIP_DAY = datetime(2027, 3, 1, 9, 0, tzinfo=ZONE)  # the first monthly tip (first Monday)
MINUTE = timedelta(minutes=1)
PEOPLE = 20


@pytest.fixture
def pairs(tmp_path) -> Run:
    """The example program with PEOPLE introduced mentees, who get the monthly tip."""
    running = Run.open(new_program(tmp_path / "program"))
    with running.program.store.transaction():
        participants.insert_many(running.program.store, [
            {"email": f"mentee{i}@example.org", "name": f"Mentee {i}", "role": "mentee",
             "language": "en", "status": "introduced", "introduced": "2027-02-15"}
            for i in range(PEOPLE)])
    yield running
    running.close()


def tick(run: Run, now: datetime) -> int:
    run.program.outbox.clock = lambda moment=now: moment.timestamp()
    return run.program.scheduler.tick(now, limit=CHUNK)


def tips(run: Run) -> Counter:
    return Counter(r for item in run.program.outbox.items.values()
                   if item.meta["rule"] == "monthly-tip" for r in item.recipients)


def test_ticks_with_nothing_due_and_nothing_changed_do_not_scan_again(pairs):
    scheduler = pairs.program.scheduler
    start = TIP_DAY - timedelta(hours=3)
    tick(pairs, start)
    scans = scheduler.scans

    for minute in range(1, 120):
        tick(pairs, start + minute * MINUTE)

    assert scheduler.scans == scans


def test_a_firing_goes_out_at_its_time_without_any_change(pairs):
    tick(pairs, TIP_DAY - timedelta(hours=3))
    for minute in range(0, 3 * 60 + 2):
        tick(pairs, TIP_DAY - timedelta(hours=3) + minute * MINUTE)

    assert tips(pairs) == Counter({f"mentee{i}@example.org": 1 for i in range(PEOPLE)})


def test_a_change_to_a_participant_makes_the_next_tick_scan(pairs):
    scheduler = pairs.program.scheduler
    now = TIP_DAY - timedelta(hours=3)
    tick(pairs, now)
    scans = scheduler.scans
    doc = participants.find(pairs.program.store, "mentee0@example.org")
    assert doc is not None
    pairs.program.store.table("participants").update({"name": "Mentee Zero"},
                                                     doc_ids=[doc.doc_id])

    tick(pairs, now + MINUTE)

    assert scheduler.scans == scans + 1


def test_a_person_back_from_an_absence_gets_the_postponed_firing_without_a_change(pairs):
    store = pairs.program.store
    doc = participants.find(store, "mentee0@example.org")
    assert doc is not None
    back = TIP_DAY + timedelta(hours=2)
    store.table("participants").update({"away_until": back.isoformat()}, doc_ids=[doc.doc_id])
    tick(pairs, TIP_DAY)
    assert "mentee0@example.org" not in tips(pairs)

    for minute in range(1, 2 * 60 + 2):
        tick(pairs, TIP_DAY + minute * MINUTE)

    assert tips(pairs)["mentee0@example.org"] == 1


def test_a_clock_set_back_scans_again(pairs):
    scheduler = pairs.program.scheduler
    tick(pairs, TIP_DAY - timedelta(hours=3))
    scans = scheduler.scans

    tick(pairs, TIP_DAY - timedelta(hours=4))

    assert scheduler.scans == scans + 1
