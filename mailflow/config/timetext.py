"""Dates, times of day and durations as written in config.yaml, and the named dates they make.

Pure and low in the layers: the calendar config, the scheduler and invitations all use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class ProgramDate:
    """A named date of the program (a deadline, a session), aware, in the program's zone."""

    name: str
    when: datetime
    duration: timedelta | None = None
    title: str = ""
    location: str = ""


def parse_duration(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d``, ``2w`` as a timedelta; ValueError otherwise."""
    match = _DURATION.match(str(text))
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 30m, 24h, 7d or 2w")
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def parse_time(text: str) -> time:
    """``09:00`` as a time; ValueError otherwise."""
    try:
        hours, minutes = str(text).split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{text!r} is not a time of day such as 09:00") from exc


def parse_when(value: object, zone: ZoneInfo, send_time: time) -> datetime:
    """A YAML date (``2027-02-08``) or date and time (``2027-02-08 14:00``) in ``zone``."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    if isinstance(value, date):
        return datetime.combine(value, send_time, tzinfo=zone)
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if fmt == "%Y-%m-%d":
            return datetime.combine(parsed.date(), send_time, tzinfo=zone)
        return parsed.replace(tzinfo=zone)
    raise ValueError(f"{value!r} is not a date such as 2027-02-08 or 2027-02-08 14:00")
