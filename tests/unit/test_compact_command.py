"""``mailflow compact``, the retention keys, and the daemon compacting state/ on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailflow.cli import main
from mailflow.config.load import load_config
from mailflow.daemon import Daemon
from mailflow.errors import ConfigError
from mailflow.housekeeping import compact_program
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


def test_retention_defaults_keep_more_than_the_program_year(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)

    retention = load_config(tmp_path).retention

    assert min(retention.raw_mail_days, retention.ledger_days) > 366


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
