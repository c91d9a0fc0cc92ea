"""Raw-mail retention and ledger summaries: old handled mail goes, what waits never does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mailflow.inbound.ledger import SUMMARY_FIELDS, Ledger, RawMessage
from mailflow.store import Store

JANUARY = "2027-01-10T09:00:00+00:00"
LATER = datetime(2028, 4, 1, tzinfo=UTC)  # January 2027 ended more than 400 days before
DAYS = 400


def message(n: int) -> RawMessage:
    return RawMessage("maildir", f"maildir:{n}",
                      f"From: Lea <lea@example.org>\r\nMessage-ID: <m{n}@example.org>\r\n"
                      f"Subject: hello {n}\r\n\r\nHello.\r\n".encode())


def recorded(tmp_path: Path, state: str, received: str = JANUARY) -> tuple[Store, Ledger]:
    """A ledger holding one message received at ``received`` and left in ``state``."""
    store = Store(tmp_path / "state")
    ledger = Ledger(store)
    [entry] = ledger.record([message(1)], received)
    if state != "received":
        ledger.finish(entry, state, {"sender": "lea@example.org", "kind": "reply"})
    return store, ledger


def spool_files(store: Store) -> list[str]:
    return sorted(p.name for p in (store.state_dir / "messages").glob("*.spool"))


def test_raw_mail_is_spooled_in_one_file_per_month(tmp_path):
    store, ledger = recorded(tmp_path, "processed")
    ledger.record([message(2)], "2027-01-28T09:00:00+00:00")

    assert spool_files(store) == ["2027-01.spool"]


def test_a_handled_month_past_the_retention_is_removed(tmp_path):
    store, ledger = recorded(tmp_path, "processed")

    assert ledger.prune_raw(LATER, DAYS)[0] == 1

    assert spool_files(store) == []


def test_a_month_within_the_retention_is_kept(tmp_path):
    store, ledger = recorded(tmp_path, "processed")

    ledger.prune_raw(datetime(2027, 12, 15, tzinfo=UTC), DAYS)

    assert spool_files(store) == ["2027-01.spool"]


def test_mail_not_yet_handled_is_never_pruned(tmp_path):
    _store, ledger = recorded(tmp_path, "received")

    ledger.prune_raw(LATER, DAYS)

    assert ledger.raw(ledger.unfinished()[0]).startswith(b"From: Lea")


def test_mail_in_review_is_never_pruned(tmp_path):
    store, ledger = recorded(tmp_path, "review")
    store.table("review").insert({"inbound": "maildir:1", "resolved": False})

    ledger.prune_raw(LATER, DAYS)

    assert spool_files(store) == ["2027-01.spool"]


def test_handled_mail_with_an_open_review_item_is_never_pruned(tmp_path):
    store, ledger = recorded(tmp_path, "processed")
    store.table("review").insert({"inbound": "maildir:1", "resolved": False})

    ledger.prune_raw(LATER, DAYS)

    assert spool_files(store) == ["2027-01.spool"]


def test_old_handled_rows_are_reduced_to_what_dedup_needs(tmp_path):
    store, ledger = recorded(tmp_path, "processed")

    assert ledger.summarise(LATER, DAYS) == 1

    [row] = store.table("inbound").all()
    assert set(row) <= set(SUMMARY_FIELDS) and "kind" not in row
    assert (row["message_id"], row["state"]) == ("m1@example.org", "processed")


def test_a_summarised_row_still_points_at_its_bytes_and_names_its_sender(tmp_path):
    store, ledger = recorded(tmp_path, "processed")

    ledger.summarise(LATER, DAYS)

    [row] = store.table("inbound").all()
    assert row["sender"] == "lea@example.org"
    assert ledger.raw({**row, "doc_id": row.doc_id}).startswith(b"From: Lea")  # type: ignore[typeddict-item]


def test_handled_mail_whose_review_item_was_resolved_is_pruned(tmp_path):
    store, ledger = recorded(tmp_path, "review")
    store.table("review").insert({"inbound": "maildir:1", "resolved": True})

    assert ledger.prune_raw(LATER, DAYS)[0] == 1
    assert ledger.summarise(LATER, DAYS) == 1


def test_rows_in_review_are_not_summarised(tmp_path):
    _store, ledger = recorded(tmp_path, "review")

    assert ledger.summarise(LATER, DAYS) == 0


def test_a_summarised_message_seen_again_is_still_a_duplicate(tmp_path):
    store, ledger = recorded(tmp_path, "processed")
    ledger.prune_raw(LATER, DAYS)
    ledger.summarise(LATER, DAYS)
    store.close()
    store = Store(tmp_path / "state")
    ledger = Ledger(store)

    assert ledger.known("maildir:1")
    [again] = ledger.record([RawMessage("maildir", "maildir:99", message(1).data)],
                            LATER.isoformat())

    assert again["state"] == "duplicate"
    store.close()


def test_after_the_program_end_a_handled_month_goes_whatever_its_age(tmp_path):
    store, ledger = recorded(tmp_path, "processed", "2027-12-10T09:00:00+00:00")

    ledger.prune_raw(datetime(2027, 12, 20, tzinfo=UTC), DAYS, everything=True)

    assert spool_files(store) == []


def test_after_the_program_end_mail_waiting_for_review_is_still_kept(tmp_path):
    store, ledger = recorded(tmp_path, "review", "2027-12-10T09:00:00+00:00")

    ledger.prune_raw(datetime(2027, 12, 20, tzinfo=UTC), DAYS, everything=True)

    assert spool_files(store) == ["2027-12.spool"]
