"""When the coordinators are told of what waits for review: at most one notice an hour.

The rule (``review.batch_due``) is pure: the clock is the test's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailflow.config.load import load_config
from mailflow.errors import ConfigError
from mailflow.program.coordination import notices, review
from mailflow.program.coordination.review import Notice, ReviewItem, age, batch_due
from mailflow.runtime import open_program
from tests.program.year import new_program
from tests.unit.conftest import MINIMAL_CONFIG, write_config

HOUR = timedelta(hours=1)
T0 = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)


def item(id_: int, minutes: int = 0, **kw) -> ReviewItem:
    return ReviewItem(created=(T0 + timedelta(minutes=minutes)).isoformat(), id=id_, **kw)


def test_the_first_item_is_notified_at_once_when_no_notice_was_ever_sent():
    assert [i.id for i in batch_due([item(1)], None, T0, HOUR)] == [1]


def test_items_wait_while_the_last_notice_is_younger_than_the_interval():
    assert batch_due([item(1, 10)], T0, T0 + timedelta(minutes=59), HOUR) == []


def test_items_waiting_go_together_in_the_next_allowed_slot():
    waiting = [item(2, 20), item(1, 10), item(3, 50)]
    assert [i.id for i in batch_due(waiting, T0, T0 + HOUR, HOUR)] == [1, 2, 3]


def test_an_item_already_in_a_notice_is_never_listed_again():
    assert [i.id for i in batch_due([item(1, notice=1, number=1), item(2, 5)], T0,
                                    T0 + 2 * HOUR, HOUR)] == [2]


def test_a_resolved_item_never_notified_is_not_listed():
    assert batch_due([item(1, resolved=True)], None, T0, HOUR) == []


def test_nothing_new_means_no_notice_even_when_one_is_allowed():
    assert batch_due([], T0, T0 + 3 * HOUR, HOUR) == []


def test_the_interval_is_the_configured_one():
    assert batch_due([item(1, 1)], T0, T0 + timedelta(minutes=15), timedelta(minutes=15))


def test_an_item_is_numbered_in_its_notice_and_one_alone_needs_no_number():
    alone, two = Notice(1, T0.isoformat(), (7,), {}), Notice(2, T0.isoformat(), (8, 9), {})
    assert alone.item_id(None) == 7 and alone.item_id(1) == 7
    assert two.item_id(None) is None and two.item_id(2) == 9 and two.item_id(3) is None


def test_the_age_of_an_item_is_in_minutes_hours_then_days():
    created = T0.isoformat()
    assert age(created, T0 + timedelta(minutes=12)) == "12 min"
    assert age(created, T0 + timedelta(hours=5)) == "5 h"
    assert age(created, T0 + timedelta(days=3)) == "3 d"


def test_the_interval_is_an_hour_unless_the_config_says_otherwise(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_config(tmp_path / "a", MINIMAL_CONFIG)
    write_config(tmp_path / "b", MINIMAL_CONFIG + "review: {notice_minutes: 15}\n")
    assert load_config(tmp_path / "a").review.notice_minutes == 60
    assert load_config(tmp_path / "b").review.notice_minutes == 15


def test_an_interval_under_a_minute_is_refused_with_the_key(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG + "review: {notice_minutes: 0}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "review.notice_minutes" in str(info.value)


def test_a_notice_queued_before_a_crash_keeps_its_items_when_recorded_again(tmp_path):
    program = open_program(new_program(tmp_path / "p"))
    services = program.handler.coordination.services
    try:
        with program.store.transaction(), program.outbox.batch():
            review.open_item(program.store, ReviewItem(created=T0.isoformat()))
            notices.send_due(services, T0)
        # The crash: the outbox kept the mail, the store lost the notice it recorded.
        with program.store.transaction():
            program.store.table(review.NOTICES).truncate()
            program.store.table(review.TABLE).update({"notice": None, "number": None})
            review.open_item(program.store, ReviewItem(created=T0.isoformat()))
        with program.store.transaction(), program.outbox.batch():
            again = notices.send_due(services, T0)
        assert again is not None and again.items == (1,)
        assert len([i for i in program.outbox.items.values()
                    if i.meta.get("template") == "review_notice"]) == 1
        assert [i.notice for i in review.items(program.store)] == [1, None]
    finally:
        program.close()
