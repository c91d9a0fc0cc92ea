"""``mailflow plan``: every mail the rules will send in a window, to whom and why."""

from __future__ import annotations

from datetime import datetime, time, tzinfo
from pathlib import Path

from mailflow.errors import MailflowError
from mailflow.program.coordination.views import plan_lines
from mailflow.runtime import open_program


def _day(text: str, zone: tzinfo, end: bool) -> datetime:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise MailflowError(f"{text!r} is not a date such as 2027-02-01") from exc
    return datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=zone)


def plan_text(root: Path, start: str, end: str, assume_replies: bool) -> str:
    """The plan as aligned lines, then a count per template."""
    program = open_program(root, read_only=True)
    try:
        zone = program.config.calendar.zone
        rows = program.scheduler.plan(_day(start, zone, False), _day(end, zone, True),
                                      assume_replies=assume_replies)
    finally:
        program.close()
    return plan_lines(rows, zone, start, end, assume_replies)
