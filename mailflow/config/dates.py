"""The ``calendar:`` section of config.yaml: the program's named dates and send time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.config.timetext import ProgramDate, parse_duration, parse_time, parse_when
from mailflow.config.yamlfile import YamlDoc


@dataclass(frozen=True)
class CalendarConfig:
    """Named dates (deadlines, sessions) and the time of day scheduled mail goes out."""

    zone: ZoneInfo
    send_time: time = time(9, 0)
    dates: dict[str, ProgramDate] = field(default_factory=dict)


def load_calendar(doc: YamlDoc, data: Any, zone: ZoneInfo) -> CalendarConfig:
    """Validate ``calendar:``; errors name the key and show a valid example."""
    if data is None:
        return CalendarConfig(zone=zone)
    if not isinstance(data, dict):
        raise doc.error("calendar", "expected a mapping with send_time and dates")
    for key in data:
        if key not in ("send_time", "dates"):
            raise doc.error(f"calendar.{key}", "unknown key", "use send_time and dates")
    try:
        send_time = parse_time(data.get("send_time", "09:00"))
    except ValueError as exc:
        raise doc.error("calendar.send_time", str(exc)) from exc
    dates = {}
    raw_dates = data.get("dates") or {}
    if not isinstance(raw_dates, dict):
        raise doc.error("calendar.dates", "expected a mapping of names to dates",
                        "e.g. applications_close: 2026-12-31")
    for name, raw in raw_dates.items():
        key = f"calendar.dates.{name}"
        item = raw if isinstance(raw, dict) else {"at": raw}
        unknown = set(item) - {"at", "duration", "title", "location"}
        if unknown:
            raise doc.error(f"{key}.{sorted(unknown)[0]}", "unknown key",
                            "use at, duration, title and location")
        try:
            when = parse_when(item.get("at"), zone, send_time)
            duration = parse_duration(item["duration"]) if item.get("duration") else None
        except ValueError as exc:
            raise doc.error(key, str(exc)) from exc
        dates[str(name)] = ProgramDate(name=str(name), when=when, duration=duration,
                                       title=str(item.get("title") or ""),
                                       location=str(item.get("location") or ""))
    return CalendarConfig(zone=zone, send_time=send_time, dates=dates)
