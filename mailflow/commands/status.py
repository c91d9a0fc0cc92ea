"""``mailflow status`` and ``mailflow review``: the program at a glance (also by mail).

``status --check`` is the same for a machine: one line per problem and a non-zero exit, for
cron or a monitoring system.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mailflow.commands import services
from mailflow.config import Config
from mailflow.daemon import HEARTBEAT_NAME
from mailflow.errors import MailflowError
from mailflow.program import progress
from mailflow.program.coordination import views
from mailflow.runtime import Program


def status_text(program: Program) -> str:
    """Participants by role and status, mail in and out by state, what waits for review,
    and how far the latest mass mailings have got."""
    return "\n".join([views.status_text(services(program)),
                      *progress.status_lines(program.store, program.config.calendar.zone)])


def review_text(program: Program, now: datetime, include_resolved: bool = False) -> str:
    """The open review items, oldest first, with their age (resolved ones too with
    ``include_resolved``)."""
    return views.review_text(services(program), now, include_resolved)


def health_problems(program: Program, now: datetime, connect: bool = False) -> list[str]:
    """What `status --check` reports, one line per problem; empty when all is well."""
    health = program.config.health
    problems = _outbox_problems(program) + _review_problems(program, now, health.review_days)
    problems += _daemon_problems(program.config.state_dir, now, health.daemon_silent_minutes)
    problems += _disk_problems(program.config.state_dir, health.disk_free_percent)
    if connect:
        problems += connect_problems(program.config)
    return problems


def _outbox_problems(program: Program) -> list[str]:
    counts = program.outbox.counts()
    found = []
    if counts.get("unknown"):
        found.append(f"outbox: {counts['unknown']} mail(s) in doubt (the server may or may not "
                     "have them); check with the recipients, then mailflow outbox retry")
    if counts.get("failed"):
        found.append(f"outbox: {counts['failed']} mail(s) failed; see mailflow outbox list")
    return found


def _review_problems(program: Program, now: datetime, days: float) -> list[str]:
    limit = now - timedelta(days=days)
    old = sorted(when for when in (_parsed(r.get("created"))
                                   for r in program.store.table("review").all()
                                   if not r.get("resolved"))
                 if when is not None and when < limit)
    if not old:
        return []
    return [f"review: {len(old)} message(s) waiting more than {days:g} day(s), the oldest "
            f"since {old[0]:%Y-%m-%d %H:%M} UTC; see mailflow review"]


def _daemon_problems(state_dir: Path, now: datetime, minutes: float) -> list[str]:
    path = state_dir / HEARTBEAT_NAME
    try:
        beat = _parsed(json.loads(path.read_text()).get("time"))
    except FileNotFoundError:
        return [f"daemon: never seen ({path} does not exist); start mailflow run"]
    except (OSError, ValueError, AttributeError) as exc:
        return [f"daemon: {path} cannot be read ({exc.__class__.__name__}: {exc})"]
    if beat is None:
        return [f"daemon: {path} holds no time"]
    if now - beat > timedelta(minutes=minutes):
        return [f"daemon: not seen for {_minutes(now - beat)} (last at "
                f"{beat:%Y-%m-%d %H:%M} UTC, limit {minutes:g} min); is mailflow run running?"]
    return []


def _disk_problems(state_dir: Path, percent: float) -> list[str]:
    where = state_dir
    while not where.exists() and where != where.parent:
        where = where.parent  # state/ not created yet: the disk it will be on
    usage = shutil.disk_usage(where)
    free = 100.0 * usage.free / usage.total if usage.total else 0.0
    if free >= percent:
        return []
    return [f"disk: {free:.1f}% free ({usage.free // (1024 * 1024)} MiB) under {where}, below "
            f"health.disk_free_percent {percent:g}; free some space before mail stops"]


def connect_problems(config: Config) -> list[str]:
    """Each configured mail server that cannot be logged in to, with the reason."""
    from mailflow.commands.check import connect_imap, connect_smtp
    found = []
    if config.mailbox.imap:
        try:
            connect_imap(config)
        except Exception as exc:
            found.append(f"imap: unreachable: {_one_line(exc)}")
    if config.outbox.smtp:
        try:
            connect_smtp(config)
        except Exception as exc:
            found.append(f"smtp: unreachable: {_one_line(exc)}")
    return found


def _parsed(value: object) -> datetime | None:
    """An ISO time from the store or the heartbeat, in UTC (a naive one is taken as UTC)."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, MailflowError) else f"{exc.__class__.__name__}: {text}"
