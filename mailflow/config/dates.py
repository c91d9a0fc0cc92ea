"""The ``calendar:`` section of config.yaml: the program's named dates and send time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.config.timetext import ProgramDate, parse_duration, parse_time, parse_when
from mailflow.config.translated import read_translated
from mailflow.config.yamlfile import YamlDoc

TITLE_FIX = ("write the event's title as people read it in invitations, one per language "
             "of program.languages, e.g. {en: First training, fr: Première formation}")
LOCATION_FIX = ("write where the event takes place, one text per language of "
                "program.languages, e.g. {en: Room A-101, fr: Salle A-101}")


@dataclass(frozen=True)
class CalendarConfig:
    """Named dates (deadlines, sessions) and the time of day scheduled mail goes out."""

    zone: ZoneInfo
    send_time: time = time(9, 0)
    dates: dict[str, ProgramDate] = field(default_factory=dict)


def load_calendar(doc: YamlDoc, data: Any, zone: ZoneInfo,
                  languages: tuple[str, ...] = ("en",)) -> CalendarConfig:
    """Validate ``calendar:``; errors name the key and show a valid example. Titles and
    locations are texts people read: plain, or one per language (the default first)."""
    if data is None:
        return CalendarConfig(zone=zone)
    if not isinstance(data, dict):
        raise doc.error("calendar", "expected a mapping with send_time and dates",
                        "write send_time: and dates: indented under calendar:")
    for key in data:
        if key not in ("send_time", "dates"):
            raise doc.error(f"calendar.{key}", "unknown key", "use send_time and dates")
    try:
        send_time = parse_time(data.get("send_time", "09:00"))
    except ValueError as exc:
        raise doc.error("calendar.send_time", str(exc),
                        "write the time of day as HH:MM, e.g. \"09:00\"") from exc
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
        at_key = f"{key}.at" if isinstance(raw, dict) else key
        if item.get("at") is None:
            raise doc.error(at_key, "missing", f"add 'at:' under '{key}', e.g. at: 2027-02-08")
        try:
            when = parse_when(item["at"], zone, send_time)
        except ValueError as exc:
            raise doc.error(at_key, str(exc), "write a date that exists as YYYY-MM-DD, "
                            "or a date and time as YYYY-MM-DD HH:MM") from exc
        try:
            duration = parse_duration(item["duration"]) if item.get("duration") else None
        except ValueError as exc:
            raise doc.error(f"{key}.duration", str(exc),
                            "write a duration such as 90m, 2h or 1d") from exc
        if duration is not None and duration.total_seconds() <= 0:
            raise doc.error(f"{key}.duration", "a duration of zero is meaningless",
                            "write how long the event lasts, such as 90m or 2h")
        texts = {part: read_translated(doc, f"{key}.{part}", item[part], languages,
                                       languages[0], fix)
                 if item.get(part) is not None else ""
                 for part, fix in (("title", TITLE_FIX), ("location", LOCATION_FIX))}
        dates[str(name)] = ProgramDate(name=str(name), when=when, duration=duration, **texts)
    return CalendarConfig(zone=zone, send_time=send_time, dates=dates)
