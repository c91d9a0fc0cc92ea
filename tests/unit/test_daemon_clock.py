"""One clock: the daemon's injected clock dates the outbox and its dispatch, not time.time()."""

from __future__ import annotations

from datetime import UTC, datetime

from mailflow.daemon import Daemon
from mailflow.inbound.maildir import deliver
from mailflow.runtime import open_program
from tests.unit.conftest import MINIMAL_CONFIG, write_config

SIMULATED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_mail_queued_and_sent_by_the_daemon_is_dated_by_its_clock(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    deliver(program.config.mailbox.maildir,
            b"From: Lea Gagnon <lea@example.com>\r\nTo: mentorship@northlake.example.org\r\n"
            b"Subject: Joining\r\nMessage-ID: <join-1@example.com>\r\n\r\n"
            b"Hello, how do I apply?\r\n")
    try:
        Daemon(program, clock=lambda: SIMULATED).run(once=True)
        items = list(program.outbox.items.values())
    finally:
        program.close()

    assert [i.state for i in items] == ["sent"]
    assert {(i.created, i.updated) for i in items} == {(SIMULATED.timestamp(),) * 2}
