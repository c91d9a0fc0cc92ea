"""A mailing to many people is made in chunks: it starts at once, ends whole, and says how far."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

import pytest

from mailflow.program import participants, progress
from mailflow.program.scheduler import CHUNK, Scheduler
from tests.program.year import ZONE, Run, new_program
from tests.unit.outbox_helpers import make_item

TIP_DAY = datetime(2027, 3, 1, 9, 0, tzinfo=ZONE)  # the monthly tip goes to every pair
PEOPLE = 250
MINUTE = timedelta(minutes=1)


@pytest.fixture
def crowd(tmp_path) -> Run:
    """The example program with PEOPLE introduced mentees, all due the monthly tip."""
    running = Run.open(new_program(tmp_path / "program"))
    with running.program.store.transaction():
        participants.insert_many(running.program.store, [
            {"email": f"mentee{i}@example.org", "name": f"Mentee {i}", "role": "mentee",
             "language": "en", "status": "introduced", "introduced": "2027-02-15"}
            for i in range(PEOPLE)])
    yield running
    running.close()


def tips(run: Run) -> Counter:
    """How many monthly tips each recipient has in the outbox."""
    return Counter(r for item in run.program.outbox.items.values()
                   if item.meta["rule"] == "monthly-tip" for r in item.recipients)


def tick_until_done(run: Run, start: datetime) -> int:
    """Tick a minute apart, one chunk each, until nothing is left; returns how many ticks."""
    now, ticks = start, 0
    while True:
        run.program.outbox.clock = lambda moment=now: moment.timestamp()
        run.program.scheduler.tick(now, limit=CHUNK)
        ticks += 1
        if not run.program.scheduler.backlog:
            return ticks
        now += MINUTE


def test_the_first_tick_makes_at_most_one_chunk(crowd):
    fired = crowd.program.scheduler.tick(TIP_DAY, limit=CHUNK)
    assert fired == CHUNK
    assert sum(tips(crowd).values()) == CHUNK
    assert crowd.program.scheduler.backlog == PEOPLE - CHUNK


def test_every_recipient_gets_the_mailing_once_over_later_ticks(crowd):
    ticks = tick_until_done(crowd, TIP_DAY)
    assert ticks == -(-PEOPLE // CHUNK)
    assert tips(crowd) == Counter({f"mentee{i}@example.org": 1 for i in range(PEOPLE)})


def test_ticking_again_after_the_mailing_adds_nothing(crowd):
    end = TIP_DAY + tick_until_done(crowd, TIP_DAY) * MINUTE
    assert crowd.program.scheduler.tick(end + MINUTE, limit=CHUNK) == 0
    assert sum(tips(crowd).values()) == PEOPLE


def test_a_restart_mid_mailing_finishes_it_without_repeating_anyone(crowd):
    crowd.program.scheduler.tick(TIP_DAY, limit=CHUNK)
    crowd.restart()  # the queue in memory is gone; the firings table is not
    tick_until_done(crowd, TIP_DAY + MINUTE)
    assert tips(crowd) == Counter({f"mentee{i}@example.org": 1 for i in range(PEOPLE)})


def test_someone_who_opts_out_between_chunks_is_left_out(crowd):
    crowd.program.scheduler.tick(TIP_DAY, limit=CHUNK)
    last = f"mentee{PEOPLE - 1}@example.org"
    with crowd.program.store.transaction():
        participants.set_fields(crowd.program.store, last, {"opted_out": True}, "test",
                                TIP_DAY.isoformat())
    tick_until_done(crowd, TIP_DAY + MINUTE)
    assert last not in tips(crowd)
    assert sum(tips(crowd).values()) == PEOPLE - 1


def test_the_roster_is_scanned_once_per_mailing_not_once_per_chunk(crowd, monkeypatch):
    scans = []
    original = Scheduler.scan
    monkeypatch.setattr(Scheduler, "scan",
                        lambda self, now: (scans.append(now), original(self, now))[1])
    tick_until_done(crowd, TIP_DAY)
    assert scans == [TIP_DAY]


def test_a_late_chunk_of_a_mailing_started_on_time_is_still_sent(crowd):
    """The lateness of a firing is judged from the scan that found it: a slow mailing
    (chunks days apart, past the rule's catch-up of 3 days) is not cut short."""
    crowd.program.scheduler.tick(TIP_DAY, limit=CHUNK)
    tick_until_done(crowd, TIP_DAY + timedelta(days=4))
    assert sum(tips(crowd).values()) == PEOPLE


def test_progress_is_logged_at_every_tenth(crowd, caplog):
    with caplog.at_level(logging.INFO, logger="mailflow.program.progress"):
        tick_until_done(crowd, TIP_DAY)
    lines = [r.getMessage() for r in caplog.records if r.name == "mailflow.program.progress"]
    assert [line.rsplit("(", 1)[1] for line in lines] == [f"{p}%)" for p in range(0, 101, 10)]
    assert lines[-1] == f"mailing monthly-tip (2027-03-01): {PEOPLE} of {PEOPLE} done (100%)"


def test_status_shows_how_far_a_mailing_has_got(crowd):
    crowd.program.scheduler.tick(TIP_DAY, limit=CHUNK)
    # Was: the stored time's first 16 characters. Now: in the program's zone, as read.
    assert progress.status_lines(crowd.program.store, crowd.program.config.calendar.zone) == [
        "Mass mailings:",
        f"  monthly-tip (2027-03-01): {CHUNK} of {PEOPLE} queued (40%), under way, "
        "started 2027-03-01 09:00"]


def test_a_small_broadcast_logs_no_progress(crowd, caplog):
    crowd.program.scheduler.mass = PEOPLE
    with caplog.at_level(logging.INFO, logger="mailflow.program.progress"):
        tick_until_done(crowd, TIP_DAY)
    assert not [r for r in caplog.records if r.name == "mailflow.program.progress"]
    assert progress.status_lines(crowd.program.store) == []


def test_a_mailing_finished_but_for_a_bouncing_address_is_not_begun_again(crowd, caplog):
    with crowd.program.store.transaction():
        participants.set_fields(crowd.program.store, "mentee7@example.org", {"bounced": True},
                                "test", TIP_DAY.isoformat())
    end = TIP_DAY + tick_until_done(crowd, TIP_DAY) * MINUTE
    with caplog.at_level(logging.INFO, logger="mailflow.program.progress"):
        tick_until_done(crowd, end + MINUTE)  # the bouncing address is found again
    assert not [r for r in caplog.records if r.name == "mailflow.program.progress"]
    assert progress.status_lines(crowd.program.store)[1].startswith(
        f"  monthly-tip (2027-03-01): {PEOPLE} of {PEOPLE} queued (100%), done")


def test_after_a_restart_the_mailing_carries_on_in_the_same_row(crowd):
    crowd.program.scheduler.tick(TIP_DAY, limit=CHUNK)
    crowd.restart()
    tick_until_done(crowd, TIP_DAY + MINUTE)
    assert progress.status_lines(crowd.program.store, crowd.program.config.calendar.zone) == [
        "Mass mailings:",
        f"  monthly-tip (2027-03-01): {PEOPLE} of {PEOPLE} queued (100%), done, "
        "started 2027-03-01 09:00"]


def test_an_answer_queued_during_a_mass_mailing_goes_out_before_the_rest_of_it(crowd):
    crowd.program.scheduler.tick(TIP_DAY, limit=CHUNK)
    outbox = crowd.program.outbox
    outbox.clock = lambda: TIP_DAY.timestamp() + 60
    answer = make_item("application-form|person1@example.com|<m1@example.com>",
                       "person1@example.com")
    outbox.enqueue(answer, b"Subject: Applying\r\n\r\nThe form.\r\n")
    due = outbox.due(TIP_DAY.timestamp() + 60)
    assert due[0] is answer
    assert {item.kind for item in due[1:]} == {"scheduled"}
