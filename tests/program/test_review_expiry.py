"""Review items nobody answers are closed after ``review.close_unanswered_days``, counted in
the digest, and reduced once old; their raw mail is then released to the retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from mailflow.housekeeping import compact_program
from mailflow.program.coordination import review
from mailflow.program.coordination.review import EXPIRED, ReviewItem
from mailflow.program.digest import build_digest
from mailflow.store import Store
from tests.program.year import ZONE, Run, new_program

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZONE)
DAY = timedelta(days=1)


def opened(store: Store, created: datetime, **kw: object) -> int:
    with store.transaction():
        return review.open_item(store, ReviewItem(
            created=created.isoformat(), sender="ana@example.net", subject="Hello?",
            problems=["empty message"], text="Hello?", **kw))  # type: ignore[arg-type]


def test_an_item_unanswered_past_the_setting_is_closed_as_expired(tmp_path):
    store = Store(tmp_path / "state")
    old, young = opened(store, T0), opened(store, T0 + 30 * DAY)

    assert review.close_unanswered(store, T0 + 61 * DAY, 60) == 1

    assert review.get(store, old).resolution == EXPIRED  # type: ignore[union-attr]
    assert review.get(store, old).resolved_by == "mailflow"  # type: ignore[union-attr]
    assert not review.get(store, young).resolved  # type: ignore[union-attr]


def test_zero_days_keeps_every_item_waiting(tmp_path):
    store = Store(tmp_path / "state")
    opened(store, T0)

    assert review.close_unanswered(store, T0 + 900 * DAY, 0) == 0
    assert len(review.items(store)) == 1


def test_an_answered_item_is_never_marked_expired(tmp_path):
    store = Store(tmp_path / "state")
    item_id = opened(store, T0)
    review.resolve(store, item_id, "claire@example.org", "ignored", T0.isoformat())

    review.close_unanswered(store, T0 + 90 * DAY, 60)

    assert review.get(store, item_id).resolution == "ignored"  # type: ignore[union-attr]


def test_an_old_resolved_item_keeps_who_when_and_how_but_not_the_text(tmp_path):
    store = Store(tmp_path / "state")
    item_id = opened(store, T0)
    review.resolve(store, item_id, "claire@example.org", "ignored", T0.isoformat())

    assert review.summarise_resolved(store, T0 + 91 * DAY, 90) == 1

    row = store.table(review.TABLE).get(doc_id=item_id)
    assert row["resolution"] == "ignored" and row["resolved_by"] == "claire@example.org"
    assert "text" not in row and "subject" not in row


def test_an_open_item_is_never_summarised(tmp_path):
    store = Store(tmp_path / "state")
    opened(store, T0)

    assert review.summarise_resolved(store, T0 + 900 * DAY, 90) == 0


def test_housekeeping_closes_unanswered_items_by_the_configured_days(tmp_path):
    run = Run.open(new_program(tmp_path / "p"))
    try:
        item_id = opened(run.program.store, T0)
        compact_program(run.program, T0 + 59 * DAY)
        assert not review.get(run.program.store, item_id).resolved  # type: ignore[union-attr]
        done = compact_program(run.program, T0 + 61 * DAY)
        assert done.review_closed == 1
        assert "1 unanswered item(s) closed as expired" in done.text()
    finally:
        run.close()


def test_the_digest_counts_the_items_closed_as_expired_since_the_last_one(tmp_path):
    run = Run.open(new_program(tmp_path / "p"))
    try:
        store = run.program.store
        opened(store, T0)
        review.close_unanswered(store, T0 + 61 * DAY, 60)
        digest = build_digest(store, run.program.outbox, T0 + 62 * DAY, lambda s, e: [])
    finally:
        run.close()
    assert digest["counts"]["expired"] == 1 and digest["counts"]["review"] == 0
