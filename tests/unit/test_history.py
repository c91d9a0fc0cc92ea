"""Old timelines and firings are summarised: keys and states stay, per-message rows go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailflow.program.history import remove_old_firings, summarise_events
from mailflow.store import Store

NOW = datetime(2027, 9, 1, 9, 0, tzinfo=UTC)
LEA = "lea@example.org"


def event(store: Store, at: str, type_: str = "message:meeting", who: str = LEA) -> None:
    store.table("events").insert({"participant": who, "type": type_, "cause": "a message",
                                  "at": at, "detail": {"subject": "We met"}})


def firing(store: Store, due: str, key: str, state: str = "fired") -> None:
    store.table("firings").insert({"key": key, "rule": "monthly-tip", "recipient": LEA,
                                   "occasion": due[:10], "due": due, "state": state,
                                   "reason": "", "at": due})


def test_firings_older_than_the_history_are_removed(tmp_path):
    with Store(tmp_path) as store:
        firing(store, "2027-03-05T09:00:00+00:00", "tip|lea|2027-03-05", "skipped")
        firing(store, "2027-08-05T09:00:00+00:00", "tip|lea|2027-08-05")

        assert remove_old_firings(store, NOW, days=90) == 1

        assert [f["key"] for f in store.table("firings").all()] == ["tip|lea|2027-08-05"]


def test_a_firing_reduced_by_an_earlier_version_is_removed(tmp_path):
    with Store(tmp_path) as store:
        store.table("firings").insert({"key": "tip|lea|2027-03-05", "state": "fired"})

        assert remove_old_firings(store, NOW, days=90) == 1
        assert store.table("firings").all() == []


def test_firings_are_kept_at_least_sixty_days_whatever_the_setting(tmp_path):
    with Store(tmp_path) as store:
        firing(store, "2027-07-10T09:00:00+00:00", "tip|lea|2027-07-10")

        assert remove_old_firings(store, NOW, days=30) == 0


def test_a_clock_stepped_ahead_counts_age_from_the_newest_firing(tmp_path):
    with Store(tmp_path) as store:
        firing(store, "2027-03-05T09:00:00+00:00", "tip|lea|2027-03-05")
        firing(store, "2027-08-05T09:00:00+00:00", "tip|lea|2027-08-05")

        assert remove_old_firings(store, NOW + timedelta(days=70), days=90) == 1

        assert [f["key"] for f in store.table("firings").all()] == ["tip|lea|2027-08-05"]


def test_old_events_become_one_row_per_person_counted_by_type(tmp_path):
    with Store(tmp_path) as store:
        event(store, "2027-02-03T10:00:00+00:00")
        event(store, "2027-02-20T10:00:00+00:00")
        event(store, "2027-02-21T10:00:00+00:00", "concern")
        event(store, "2027-03-01T10:00:00+00:00")
        event(store, "2027-02-04T10:00:00+00:00", who="sam@example.org")
        event(store, "2027-08-30T10:00:00+00:00")

        assert summarise_events(store, NOW, days=90) == 5

        rows = sorted(((e["participant"], e["type"], e["at"], e.get("until"), e["detail"])
                       for e in store.table("events").all()), key=str)
        assert rows == sorted([
            (LEA, "summary", "2027-02", "2027-03", {"concern": 1, "message:meeting": 3}),
            ("sam@example.org", "summary", "2027-02", "2027-02", {"message:meeting": 1}),
            (LEA, "message:meeting", "2027-08-30T10:00:00+00:00", None, {"subject": "We met"}),
        ], key=str)


def test_events_summarised_later_are_added_to_the_persons_summary(tmp_path):
    with Store(tmp_path) as store:
        event(store, "2027-02-03T10:00:00+00:00")
        summarise_events(store, datetime(2027, 5, 10, tzinfo=UTC), days=90)
        event(store, "2027-03-25T10:00:00+00:00", "concern")

        summarise_events(store, datetime(2027, 7, 1, tzinfo=UTC), days=90)

        [row] = store.table("events").all()
        assert (row["at"], row["until"], row["detail"]) == (
            "2027-02", "2027-03", {"concern": 1, "message:meeting": 1})


def test_nothing_recent_is_summarised(tmp_path):
    with Store(tmp_path) as store:
        event(store, "2027-08-01T10:00:00+00:00")
        firing(store, "2027-08-05T09:00:00+00:00", "tip|lea|2027-08-05")

        assert (summarise_events(store, NOW, 90), remove_old_firings(store, NOW, 90)) == (0, 0)
