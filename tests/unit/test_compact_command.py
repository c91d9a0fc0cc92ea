"""``mailflow compact``, the retention keys, and the daemon compacting state/ on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailflow.cli import main
from mailflow.config.load import load_config
from mailflow.daemon import Daemon
from mailflow.errors import ConfigError
from mailflow.housekeeping import compact_program, purge_after_end
from mailflow.inbound.ledger import RawMessage
from mailflow.outbound.compaction import COMPACT_LINES
from mailflow.runtime import open_program
from tests.unit.conftest import MINIMAL_CONFIG, write_config
from tests.unit.outbox_helpers import make_item

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
BODY = b"Subject: hello\r\n\r\n" + b"a line of the body\r\n" * 50


def sent_mail(root, count: int) -> None:
    """``count`` mails queued and handed over in the program at ``root``."""
    program = open_program(root)
    try:
        for n in range(count):
            item = make_item(f"sent-{n}")
            program.outbox.enqueue(item, BODY)
            program.outbox.mark_sending(item)
            program.outbox.mark_sent(item)
    finally:
        program.close()


def test_retention_defaults_keep_raw_mail_more_than_the_program_year(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)

    retention = load_config(tmp_path).retention

    # Ledger rows are only reduced (see test_ledger_retention): they still recognise the
    # message and find its bytes, which stay more than a program year.
    assert retention.raw_mail_days > 366


def test_a_retention_too_short_is_refused_naming_the_key(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG + "retention:\n  raw_mail_days: 3\n")

    with pytest.raises(ConfigError, match=r"retention\.raw_mail_days"):
        load_config(tmp_path)


def test_compact_removes_the_bytes_of_sent_mail_from_the_journal(tmp_path, capsys):
    write_config(tmp_path, MINIMAL_CONFIG)
    sent_mail(tmp_path, 5)

    assert main(["-C", str(tmp_path), "compact"]) == 0

    assert b"a line of the body" not in (tmp_path / "state/outbox/journal.jsonl").read_bytes()


def test_compact_while_the_daemon_holds_the_store_does_nothing_and_says_why(tmp_path, capsys):
    write_config(tmp_path, MINIMAL_CONFIG)
    sent_mail(tmp_path, 5)
    before = (tmp_path / "state/outbox/journal.jsonl").read_bytes()
    running = open_program(tmp_path)  # holds the lock, as the daemon does
    try:
        code = main(["-C", str(tmp_path), "compact"])
    finally:
        running.close()

    assert code == 75
    assert "nothing compacted" in capsys.readouterr().err
    assert (tmp_path / "state/outbox/journal.jsonl").read_bytes() == before


def test_the_daemon_compacts_a_grown_journal_at_a_quiet_point(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    sent_mail(tmp_path, COMPACT_LINES // 3)
    program = open_program(tmp_path)
    try:
        Daemon(program, clock=lambda: NOW).run(once=True)
    finally:
        program.close()

    assert b"a line of the body" not in (tmp_path / "state/outbox/journal.jsonl").read_bytes()


def test_the_daemon_compacts_at_most_once_an_hour(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    now = NOW
    try:
        daemon = Daemon(program, clock=lambda: now)
        daemon.compact()
        for n in range(COMPACT_LINES // 3):
            item = make_item(f"sent-{n}")
            program.outbox.enqueue(item, BODY)
            program.outbox.mark_sending(item)
            program.outbox.mark_sent(item)
        now = NOW + timedelta(minutes=59)
        daemon.compact()
        within_the_hour = program.outbox.journal_path.read_bytes()
        now = NOW + timedelta(minutes=61)
        daemon.compact()
        after_it = program.outbox.journal_path.read_bytes()
    finally:
        program.close()

    assert b"a line of the body" in within_the_hour
    assert b"a line of the body" not in after_it


def test_compact_keeps_mail_sent_longer_ago_than_the_retention_as_its_key_alone(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG + "retention:\n  sent_mail_days: 30\n")
    program = open_program(tmp_path)
    try:
        for n, days_ago in enumerate((31, 29)):
            program.outbox.clock = lambda d=days_ago: NOW.timestamp() - d * 86400
            item = make_item(f"sent-{n}")
            program.outbox.enqueue(item, BODY)
            program.outbox.mark_sending(item)
            program.outbox.mark_sent(item)
    finally:
        program.close()

    program = open_program(tmp_path)
    try:
        compact_program(program, NOW)
        outbox = program.outbox
        assert (outbox.has("sent-0"), outbox.has("sent-1")) == (True, True)
        assert [i.key for i in outbox.items.values()] == ["sent-1"]
    finally:
        program.close()


def test_mail_is_kept_whole_for_sixty_days_by_default(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)

    assert load_config(tmp_path).retention.sent_mail_days == 60
END = datetime(2027, 11, 30, 9, 0, tzinfo=UTC)


def test_all_raw_mail_goes_once_the_days_after_the_program_end_have_passed():
    assert purge_after_end(END, 30, END + timedelta(days=30))
    assert not purge_after_end(END, 30, END + timedelta(days=29, hours=23))


def test_without_an_end_date_or_the_setting_raw_mail_is_kept_by_age_alone():
    later = END + timedelta(days=400)

    assert not purge_after_end(None, 30, later)
    assert not purge_after_end(END, None, later)


def test_the_retention_after_the_end_is_unset_unless_configured(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    assert load_config(tmp_path).retention.raw_mail_after_end_days is None

    write_config(tmp_path, MINIMAL_CONFIG + "retention:\n  raw_mail_after_end_days: 30\n")
    assert load_config(tmp_path).retention.raw_mail_after_end_days == 30


ENDING = MINIMAL_CONFIG + ("calendar:\n  dates:\n    program_end: 2027-11-30\n"
                           "retention:\n  raw_mail_after_end_days: 30\n")


def spool_after_the_end(root, now: datetime) -> list[str]:
    """A handled message of 10 December 2027 (well within raw_mail_days), then a compaction
    at ``now``: the spool files left."""
    write_config(root, ENDING)
    program = open_program(root)
    try:
        [entry] = program.ledger.record([RawMessage(
            "maildir", "maildir:1", b"From: Lea <lea@example.org>\r\nMessage-ID: <m1@example.org>"
            b"\r\nSubject: thanks\r\n\r\nThank you for this year.\r\n")],
            "2027-12-10T09:00:00+00:00")
        program.ledger.finish(entry, "processed", {"sender": "lea@example.org", "kind": "reply"})
        compact_program(program, now)
    finally:
        program.close()
    return sorted(p.name for p in (root / "state" / "messages").glob("*.spool"))


def test_a_real_spool_is_emptied_of_handled_mail_the_days_after_the_program_end(tmp_path):
    assert spool_after_the_end(tmp_path, datetime(2028, 1, 5, tzinfo=UTC)) == []


def test_a_real_spool_keeps_recent_mail_until_the_days_after_the_end_have_passed(tmp_path):
    assert spool_after_the_end(tmp_path, datetime(2027, 12, 20, tzinfo=UTC)) == ["2027-12.spool"]


def test_the_daemon_reads_whole_tables_for_housekeeping_once_a_day(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    now = NOW
    try:
        daemon = Daemon(program, clock=lambda: now)
        daemon.compact()
        created = (NOW - timedelta(days=59, hours=23)).isoformat()  # expires 1 h from now
        program.store.table("review").insert({"kind": "stranger", "created": created,
                                              "resolved": False})
        closed = []
        for hours in (2, 12, 23, 25):
            now = NOW + timedelta(hours=hours)
            daemon.compact()
            closed.append(bool(program.store.table("review").all()[0].get("resolved")))
    finally:
        program.close()

    assert closed == [False, False, False, True]


def test_a_daemon_alive_for_a_day_reads_its_store_back_from_a_fresh_snapshot(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    log = tmp_path / "state" / "store.log"
    now = NOW
    try:
        daemon = Daemon(program, clock=lambda: now)
        daemon.compact()
        program.store.table("events").insert({"type": "note", "at": NOW.isoformat()})
        now = NOW + timedelta(hours=2)
        daemon.compact()
        logged_within_the_day = log.stat().st_size
        now = NOW + timedelta(hours=25)
        daemon.compact()
        logged_after_it = log.stat().st_size
        kept = [e["type"] for e in program.store.table("events").all()]
    finally:
        program.close()

    assert logged_within_the_day > 0
    assert logged_after_it == 0
    assert kept == ["note"]


def test_reloading_the_store_inside_a_transaction_does_nothing(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    try:
        with program.store.transaction():
            program.store.table("events").insert({"type": "note"})
            assert program.store.reload() is False
            assert [e["type"] for e in program.store.table("events").all()] == ["note"]
    finally:
        program.close()
