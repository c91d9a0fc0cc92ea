"""Time as the program sees it: named dates, offsets like ``7d``, recurrences; all pure.

Every date is interpreted in the program's time zone; a date without a time of day
means the configured send time (09:00 unless said otherwise).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.config.timetext import ProgramDate as ProgramDate
from mailflow.config.timetext import parse_duration as parse_duration
from mailflow.config.timetext import parse_time, parse_when

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


def parse_month(value: object) -> date:
    """``2027-02`` (or a date) as the first day of that month."""
    text = str(value).strip()
    try:
        parsed = datetime.strptime(text[:7], "%Y-%m")
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a month such as 2027-02") from exc
    return parsed.date()


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The ``nth`` (1-4, or -1 for last) ``weekday`` (0 = Monday) of a month."""
    days = [d for d in _calendar.Calendar().itermonthdates(year, month)
            if d.month == month and d.weekday() == weekday]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if 0 < nth <= len(days) else None


@dataclass(frozen=True)
class Recurrence:
    """'every month on the first monday at 09:00 from 2027-02 until 2027-11', and the like."""

    every: str                  # day | week | month
    weekday: int | None = None  # 0 = Monday
    nth: int | None = None      # for months: 1..4 or -1 (last); None with day_of_month
    day_of_month: int | None = None
    at: time = time(9, 0)
    start: date | None = None
    until: date | None = None

    def occurrences(self, zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every occurrence in ``[start, end]``, in order."""
        first = max(start.astimezone(zone).date(), self.start or date.min)
        last = end.astimezone(zone).date()
        if self.until is not None:
            last = min(last, _end_of_month(self.until) if self.every == "month" else self.until)
        if self.every == "month":
            year, month = first.year, first.month
            while date(year, month, 1) <= last:
                day = (nth_weekday(year, month, self.weekday or 0, self.nth or 1)
                       if self.day_of_month is None
                       else _clamped_day(year, month, self.day_of_month))
                if day is not None and first <= day <= last:
                    yield from self._at(day, zone, start, end)
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            return
        step = timedelta(days=7 if self.every == "week" else 1)
        day = first
        if self.every == "week" and self.weekday is not None:
            day += timedelta(days=(self.weekday - day.weekday()) % 7)
        while day <= last:
            yield from self._at(day, zone, start, end)
            day += step

    def _at(self, day: date, zone: ZoneInfo, start: datetime, end: datetime
            ) -> Iterator[datetime]:
        moment = datetime.combine(day, self.at, tzinfo=zone)
        if start <= moment <= end:
            yield moment


def _end_of_month(day: date) -> date:
    return date(day.year, day.month, _calendar.monthrange(day.year, day.month)[1])


def _clamped_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, _calendar.monthrange(year, month)[1]))


def parse_recurrence(raw: dict[str, Any], send_time: time) -> Recurrence:
    """``{every: month, on: first monday, time: "09:00", from: 2027-02, until: 2027-11}``."""
    every = str(raw.get("every", "")).lower()
    if every not in ("day", "week", "month"):
        raise ValueError(f"every: {every!r}: use day, week or month")
    at = parse_time(raw["time"]) if raw.get("time") is not None else send_time
    start = parse_month(raw["from"]) if every == "month" and raw.get("from") else (
        parse_when(raw["from"], ZoneInfo("UTC"), at).date() if raw.get("from") else None)
    until = parse_month(raw["until"]) if every == "month" and raw.get("until") else (
        parse_when(raw["until"], ZoneInfo("UTC"), at).date() if raw.get("until") else None)
    on = str(raw.get("on", "")).strip().lower()
    weekday = nth = day_of_month = None
    if every == "month":
        if on.isdigit():
            day_of_month = int(on)
        else:
            words = on.split()
            if len(words) != 2 or words[0] not in ORDINALS or words[1] not in WEEKDAYS:
                raise ValueError(f"on: {on!r}: use e.g. 'first monday', 'last friday' or 15")
            nth, weekday = ORDINALS[words[0]], WEEKDAYS.index(words[1])
    elif every == "week":
        if on not in WEEKDAYS:
            raise ValueError(f"on: {on!r}: use a weekday such as monday")
        weekday = WEEKDAYS.index(on)
    return Recurrence(every=every, weekday=weekday, nth=nth, day_of_month=day_of_month, at=at,
                      start=start, until=until)


_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}


def local_time(stored: object, zone: tzinfo) -> str:
    """A stored ISO time as a coordinator reads it: 'YYYY-MM-DD HH:MM' in the program's
    zone (a time stored without a zone is UTC, as the store writes it)."""
    try:
        when = datetime.fromisoformat(str(stored))
    except ValueError:
        return str(stored or "")[:16]
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return f"{when.astimezone(zone):%Y-%m-%d %H:%M}"


def format_date(moment: datetime, language: str, with_time: bool = False) -> str:
    """'December 31, 2026' / '31 décembre 2026', with ', 14:00' / ' à 14 h 00' if asked."""
    months = _MONTHS.get(language, _MONTHS["en"])
    month = months[moment.month - 1]
    if language == "fr":
        day = "1er" if moment.day == 1 else str(moment.day)
        text = f"{day} {month} {moment.year}"
        return text + (f" à {moment.hour} h {moment.minute:02d}" if with_time else "")
    text = f"{month} {moment.day}, {moment.year}"
    return text + (f", {moment.hour}:{moment.minute:02d}" if with_time else "")
