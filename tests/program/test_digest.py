"""The coordinators' digest: what went out, came in, waits, and is coming."""

from __future__ import annotations

from datetime import datetime

from tests.program.year import ZONE, Run, new_program, roster


def test_the_digest_lists_what_was_sent_and_what_the_next_week_brings(tmp_path):
    run = Run.open(new_program(tmp_path / "p"))
    roster(run.program)
    monday = datetime(2027, 3, 1, 8, 0, tzinfo=ZONE)
    run.ticks(datetime(2027, 2, 22, 8, 0, tzinfo=ZONE), monday)
    [digest] = [i for i in run.program.outbox.items.values()
                if i.meta["template"] == "digest" and "|2027-03-01" in i.key]
    text = run.program.outbox.message_bytes(digest.id).decode("latin-1")
    run.close()
    assert "monthly-tip" in text or "tips/" in text  # the tips of 1 March 09:00 are coming
    assert "2027-02-22" in text  # it covers the time since the previous digest
