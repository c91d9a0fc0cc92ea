"""Attacks on review expiry and the release of reviewed mail (commits f33f8e4, 4e8a30f):
review.close_unanswered / summarise_resolved, Ledger._held / summarise, the erasure of a
person whose rows were reduced, a late answer to an expired item, and the setting.

A test marked xfail(strict=True) shows a defect as it stands; the others are attacks that
held and pin the behaviour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailflow.errors import ConfigError
from mailflow.housekeeping import compact_program
from mailflow.inbound.ledger import Ledger, RawMessage
from mailflow.parsing.reading import Reading
from mailflow.parsing.review_answer import ReviewAction
from mailflow.program import participants
from mailflow.program.coordination import review
from mailflow.program.coordination.review import EXPIRED, Notice, ReviewItem
from mailflow.program.coordination.services import Request
from mailflow.runtime import open_program
from mailflow.store import Store
from tests.program.year import ZONE, Run, new_program, roster

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZONE)
DAY = timedelta(days=1)
JANUARY = "2027-01-10T09:00:00+00:00"
LATER = datetime(2028, 4, 1, tzinfo=UTC)  # past raw_mail_days (400) for January 2027
WHO = "mentee0@example.org"  # a participant of year.roster


def opened(store: Store, created: str, **kw: object) -> int:
    with store.transaction():
        return review.open_item(store, ReviewItem(
            created=created, sender="ana@example.net", subject="Hello?",
            problems=["empty message"], text="Hello?", **kw))  # type: ignore[arg-type]


def message(n: int, sender: str = "lea@example.org", key: str | None = None) -> RawMessage:
    return RawMessage("maildir", key or f"maildir:{n}",
                      f"From: Someone <{sender}>\r\nMessage-ID: <m{n}@example.org>\r\n"
                      f"Subject: hello {n}\r\n\r\nMy secret SECRET{n}.\r\n".encode())


def recorded(store: Store, n: int, state: str, sender: str = "lea@example.org",
             key: str | None = None) -> dict:
    ledger = Ledger(store)
    [entry] = ledger.record([message(n, sender, key)], JANUARY)
    if state != "received":
        ledger.finish(entry, state, {"sender": sender, "participant": sender,
                                     "kind": "reply", "subject": f"hello {n}"})
    return entry


def spool_bytes(store: Store) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((store.state_dir / "messages").iterdir()))


# --- the boundary and the clock ------------------------------------------------------------

def test_an_item_exactly_sixty_days_old_stays_open_and_closes_a_microsecond_later(tmp_path):
    store = Store(tmp_path / "state")
    item = opened(store, T0.isoformat())

    assert review.close_unanswered(store, T0 + 60 * DAY, 60) == 0
    assert review.close_unanswered(store, T0 + 60 * DAY + timedelta(microseconds=1), 60) == 1
    assert review.get(store, item).resolution == EXPIRED  # type: ignore[union-attr]


def test_an_item_created_with_microseconds_is_closed_by_its_real_age(tmp_path):
    store = Store(tmp_path / "state")
    opened(store, (T0 + timedelta(microseconds=500)).isoformat())

    assert review.close_unanswered(store, T0 + 60 * DAY + timedelta(microseconds=400), 60) == 0
    assert review.close_unanswered(store, T0 + 60 * DAY + timedelta(microseconds=600), 60) == 1


def test_an_item_created_in_another_offset_is_not_closed_before_its_days(tmp_path):
    store = Store(tmp_path / "state")
    opened(store, "2027-03-01T20:00:00-10:00")  # 2027-03-02T06:00Z

    assert review.close_unanswered(store, datetime(2027, 5, 1, 0, 0, tzinfo=UTC), 60) == 0


def test_an_item_created_in_another_offset_is_closed_once_its_days_are_past(tmp_path):
    store = Store(tmp_path / "state")
    opened(store, "2027-03-01T05:00:00+09:00")  # 2027-02-28T20:00Z

    assert review.close_unanswered(store, datetime(2027, 4, 29, 21, 0, tzinfo=UTC), 60) == 1


# --- the setting ----------------------------------------------------------------------------

def _with_review(root: Path, days: int) -> Path:
    with open(root / "config.yaml", "a", encoding="utf-8") as config:
        config.write(f"\nreview:\n  close_unanswered_days: {days}\n")
    return root


def test_zero_in_config_yaml_never_closes_an_item(tmp_path):
    run = Run.open(_with_review(new_program(tmp_path / "p"), 0))
    try:
        assert run.program.config.review.close_unanswered_days == 0
        item = opened(run.program.store, T0.isoformat())
        done = compact_program(run.program, T0 + 2000 * DAY)
        assert done.review_closed == 0
        assert not review.get(run.program.store, item).resolved  # type: ignore[union-attr]
    finally:
        run.close()


def test_a_negative_setting_is_refused_at_start_up_naming_the_key(tmp_path):
    root = _with_review(new_program(tmp_path / "p"), -5)

    with pytest.raises(ConfigError, match=r"review\.close_unanswered_days"):
        open_program(root)


# --- what the ledger holds ------------------------------------------------------------------

def test_a_row_in_review_without_any_review_item_stays_held(tmp_path):
    store = Store(tmp_path / "state")
    recorded(store, 1, "review")
    ledger = Ledger(store)

    assert ledger.prune_raw(LATER, 400) == (0, 0)
    assert ledger.summarise(LATER, 90) == 0
    assert b"SECRET1" in spool_bytes(store)


def test_a_row_with_one_resolved_and_one_open_item_stays_held(tmp_path):
    store = Store(tmp_path / "state")
    recorded(store, 1, "review")
    store.table("review").insert({"inbound": "maildir:1", "resolved": True})
    store.table("review").insert({"inbound": "maildir:1", "resolved": False})
    ledger = Ledger(store)

    assert ledger.prune_raw(LATER, 400) == (0, 0)
    assert ledger.summarise(LATER, 90) == 0


def test_an_expired_item_releases_its_review_row(tmp_path):
    store = Store(tmp_path / "state")
    recorded(store, 1, "review")
    opened(store, JANUARY, inbound="maildir:1")
    review.close_unanswered(store, LATER, 60)
    ledger = Ledger(store)

    assert ledger.prune_raw(LATER, 400)[0] == 1
    assert ledger.summarise(LATER, 90) == 1


def test_a_set_aside_message_whose_item_expired_is_released(tmp_path):
    store = Store(tmp_path / "state")
    recorded(store, 1, "error")
    opened(store, JANUARY, inbound="maildir:1")
    review.close_unanswered(store, LATER, 60)
    ledger = Ledger(store)

    assert ledger.prune_raw(LATER, 400, everything=True)[0] == 1


def test_a_reduced_message_delivered_again_is_a_duplicate_without_a_restart(tmp_path):
    store = Store(tmp_path / "state")
    recorded(store, 1, "review", key="imap:INBOX:7:42")
    opened(store, JANUARY, inbound="imap:INBOX:7:42")
    review.close_unanswered(store, LATER, 60)
    review.summarise_resolved(store, LATER + 100 * DAY, 90)
    ledger = Ledger(store)
    ledger.prune_raw(LATER, 400)
    assert ledger.summarise(LATER, 90) == 1

    assert ledger.known("imap:INBOX:7:42")
    assert ledger.record([message(1, key="imap:INBOX:7:42")], LATER.isoformat()) == []
    [again] = ledger.record([message(1, key="imap:INBOX:8:1")], LATER.isoformat())
    assert again["state"] == "duplicate" and again["duplicate_of"] == "imap:INBOX:7:42"


# --- erasure of a person whose rows were reduced ----------------------------------------------

@pytest.fixture
def cohort(tmp_path):
    running = Run.open(new_program(tmp_path / "program"))
    roster(running.program)
    yield running
    running.close()


def test_an_erasure_wipes_the_bytes_of_reduced_ledger_rows(cohort):
    store = cohort.program.store
    recorded(store, 1, "processed", WHO)
    recorded(store, 2, "review", WHO)
    opened(store, JANUARY, inbound="maildir:2")
    review.close_unanswered(store, datetime(2027, 6, 1, tzinfo=UTC), 60)
    assert Ledger(store).summarise(datetime(2027, 6, 1, tzinfo=UTC), 90) == 2
    assert b"SECRET1" in spool_bytes(store) and b"SECRET2" in spool_bytes(store)

    cohort.program.handler.privacy.erase(participants.find(store, WHO), "maildir:1",
                                         datetime(2027, 6, 1, tzinfo=UTC))

    assert b"SECRET1" not in spool_bytes(store) and b"SECRET2" not in spool_bytes(store)
    assert not any(WHO in str(dict(row)) for row in store.table("inbound").all())


def _erased_with_an_item(cohort, summarised: bool) -> Store:
    store = cohort.program.store
    recorded(store, 3, "review", WHO)
    item = opened(store, JANUARY, inbound="maildir:3")
    store.table(review.TABLE).update({"sender": WHO, "participant": WHO,
                                      "text": "My secret SECRET3"}, doc_ids=[item])
    review.resolve(store, item, "claire.dubois@northlake.example.org", "ignored", JANUARY)
    if summarised:
        assert review.summarise_resolved(store, datetime(2027, 6, 1, tzinfo=UTC), 90) == 1
    cohort.program.handler.privacy.erase(participants.find(store, WHO), "maildir:3",
                                         datetime(2027, 6, 1, tzinfo=UTC))
    return store


def test_an_erasure_leaves_no_address_in_a_reduced_review_item(cohort):
    store = _erased_with_an_item(cohort, summarised=True)

    assert not any(WHO in str(dict(row)) for row in store.table(review.TABLE).all())


def test_an_erasure_leaves_neither_address_nor_text_in_a_review_item(cohort):
    store = _erased_with_an_item(cohort, summarised=False)

    rows = [str(dict(row)) for row in store.table(review.TABLE).all()]
    assert not any(WHO in row or "SECRET3" in row for row in rows)


def test_an_erasure_wipes_a_duplicate_copy_of_the_person_s_mail(cohort):
    store = cohort.program.store
    recorded(store, 1, "processed", WHO)
    ledger = Ledger(store)
    [copy] = ledger.record([message(1, WHO, key="maildir:again")], JANUARY)
    assert copy["state"] == "duplicate"
    ledger.summarise(datetime(2027, 6, 1, tzinfo=UTC), 90)

    cohort.program.handler.privacy.erase(participants.find(store, WHO), "maildir:1",
                                         datetime(2027, 6, 1, tzinfo=UTC))

    assert b"SECRET1" not in spool_bytes(store)


# --- a late answer to an expired item ---------------------------------------------------------

def _late_answer(cohort, verb: str, *, summarised: bool, pruned: bool = False, text: str = ""):
    """A coordinator's ``verb`` on the only item of notice 1, after the item expired (and was
    reduced, and its mail pruned, when asked)."""
    program = cohort.program
    store = program.store
    recorded(store, 4, "review", WHO)
    item = opened(store, JANUARY, inbound="maildir:4", participant=WHO)
    store.table(review.TABLE).update({"sender": WHO}, doc_ids=[item])
    with store.transaction():
        review.record_notice(store, Notice(1, JANUARY, (item,), {}))
    expired_at = datetime(2027, 3, 15, tzinfo=UTC)
    assert review.close_unanswered(store, expired_at, 60) == 1
    now = expired_at + 10 * DAY
    if summarised:
        now = expired_at + 91 * DAY
        assert review.summarise_resolved(store, now, 90) == 1
    if pruned:
        now = LATER
        program.ledger.prune_raw(now, 400, everything=True)
    action = ReviewAction(verb, 1, f"{verb.upper()} 1", text=text)
    listed = review.notice(store, 1)
    reading = Reading(kind="review_answer", sender="claire.dubois@northlake.example.org")
    request = Request(now, "en", by="claire.dubois@northlake.example.org", cause="test")
    done = program.handler.review_answers._one(action, listed, reading, request)
    return done, review.get(store, item)


def test_a_late_ignore_settles_an_expired_item(cohort):
    done, item = _late_answer(cohort, "ignore", summarised=False)

    assert done.ok and item.resolution == "ignored"


@pytest.mark.parametrize("verb", ["ignore", "answer", "apply"])
def test_a_late_answer_to_a_reduced_expired_item_says_so_and_does_nothing(cohort, verb):
    done, item = _late_answer(cohort, verb, summarised=True, text="Sorry for the delay.")

    assert not done.ok and "expired" in done.text
    assert item.resolution == EXPIRED and item.resolved_by == "mailflow"


def test_a_late_apply_after_the_mail_was_pruned_says_it_is_no_longer_kept(cohort):
    done, item = _late_answer(cohort, "apply", summarised=False, pruned=True)

    assert not done.ok and "no longer kept" in done.text
    assert item.resolution == EXPIRED


def test_a_late_apply_acts_on_an_expired_item_whose_ledger_row_was_reduced(cohort):
    store = cohort.program.store
    recorded(store, 5, "review", WHO)
    item = opened(store, JANUARY, inbound="maildir:5", participant=WHO)
    with store.transaction():
        review.record_notice(store, Notice(1, JANUARY, (item,), {}))
    review.close_unanswered(store, datetime(2027, 3, 15, tzinfo=UTC), 60)
    now = datetime(2027, 4, 20, tzinfo=UTC)  # the row is 100 days old: reduced, item not
    assert cohort.program.ledger.summarise(now, 90) == 1

    done = cohort.program.handler.review_answers._one(
        ReviewAction("apply", 1, "APPLY 1"), review.notice(store, 1),
        Reading(kind="review_answer", sender="claire.dubois@northlake.example.org"),
        Request(now, "en", by="claire.dubois@northlake.example.org", cause="test"))

    assert done.ok, done.text
    assert review.get(store, item).resolution == "applied"  # type: ignore[union-attr]
