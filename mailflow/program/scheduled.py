"""Scheduled rules: mail that goes out at a date, an offset from one, or on a recurrence.

    - name: choices-reminder
      at: {before: choices_due, offsets: [24h]}     # a program date (calendar.dates)
      to: {role: mentee, status: selected, missing: choices}
      do: [send: choices_reminder]

    - name: monthly-tip
      at: {every: month, on: first monday, time: "09:00", from: 2027-02, until: 2027-11}
      to: {status: [introduced, active]}
      optional: true                                 # opt-out applies; List-Unsubscribe
      do: [send_next: tips]                          # the next of templates/tips/

    - name: mentor-reply-check
      at: {after: introduced, offsets: [21d]}        # a participant's own date
      to: {role: mentor, missing: mentor_replied}
      do: [send: mentor_reply_reminder, notify: mentor_no_reply_coordinators]

``reaches_paused: true`` marks a mail that ends someone's story (the program's end, a
pair's end, a thank-you after leaving): a pause holds back reminders, check-ins and tips,
not the news that it is over, so such a rule still writes to a paused person.

``catch_up`` says what happens to a firing missed while the daemon was down: a
duration (send late within it) or ``skip``. The default: a reminder before a date
may go late until that date; anything else until one day late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from mailflow.config.dates import CalendarConfig
from mailflow.config.yamlfile import YamlDoc
from mailflow.errors import ConfigError
from mailflow.program.actions import SCHEDULED, Action, parse_action
from mailflow.program.calendar import Recurrence, parse_duration, parse_recurrence
from mailflow.program.rules import check_unique, rule_entries

PARTICIPANT_DATES = ("created", "selected", "matched", "introduced", "last_meeting",
                     "mentor_replied", "proposed", "withdrawn")
AUDIENCE_KEYS = {"role", "status", "language", "missing", "has", "application"}
DEFAULT_CATCH_UP = timedelta(days=1)


@dataclass(frozen=True)
class Offsets:
    """Firings at fixed offsets before or after a named program or participant date."""

    direction: str              # before | after
    date: str
    offsets: tuple[timedelta, ...]
    of_participant: bool


@dataclass(frozen=True)
class ScheduledRule:
    """A rule fired by time rather than by a message."""

    name: str
    trigger: Offsets | Recurrence
    audience: str | dict[str, Any]          # "coordinators" or conditions on participants
    actions: tuple[Action, ...]
    catch_up: timedelta | None              # None: skip what was missed
    optional: bool
    catch_up_set: bool
    source: str
    reaches_paused: bool = False            # an ending: a pause does not hold it back


def _duration(doc: YamlDoc, key: str, value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise doc.error(key, str(exc)) from exc


def _trigger(doc: YamlDoc, key: str, raw: Any, calendar: CalendarConfig) -> Offsets | Recurrence:
    if not isinstance(raw, dict):
        raise doc.error(key, "expected a mapping such as {before: applications_close, "
                        "offsets: [7d, 1d]} or {every: month, on: first monday}")
    if "every" in raw:
        # YAML 1.1 reads a bare 'on:' key as the boolean true.
        raw = {("on" if k is True else k): v for k, v in raw.items()}
        unknown = set(raw) - {"every", "on", "time", "from", "until"}
        if unknown:
            raise doc.error(f"{key}.{sorted(unknown)[0]}", "unknown key in a recurrence",
                            "use every, on, time, from and until")
        try:
            return parse_recurrence(raw, calendar.send_time)
        except (ValueError, KeyError) as exc:
            raise doc.error(key, f"bad recurrence: {exc}",
                            "e.g. {every: month, on: first monday, time: '09:00', "
                            "from: 2027-02, until: 2027-11}") from exc
    direction = "before" if "before" in raw else "after" if "after" in raw else None
    if direction is None:
        raise doc.error(key, "needs 'before:', 'after:' or 'every:'")
    unknown = set(raw) - {direction, "offsets"}
    if unknown:
        raise doc.error(f"{key}.{sorted(unknown)[0]}", "unknown key", "use offsets")
    name = str(raw[direction])
    if name not in calendar.dates and name not in PARTICIPANT_DATES:
        raise UnknownDate(name, doc.error(f"{key}.{direction}", f"unknown date {name!r}",
                        "add it under calendar.dates in config.yaml, or use a participant "
                        f"date: {', '.join(PARTICIPANT_DATES)}"))
    raw_offsets = raw.get("offsets", ["0d"])
    if not isinstance(raw_offsets, list):
        raw_offsets = [raw_offsets]
    offsets = tuple(_duration(doc, f"{key}.offsets", o) for o in raw_offsets)
    return Offsets(direction, name, offsets, of_participant=name not in calendar.dates)


def _rule(doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
          calendar: CalendarConfig) -> ScheduledRule:
    unknown = set(raw) - {"name", "description", "at", "to", "do", "catch_up", "optional",
                          "reaches_paused"}
    if unknown:
        raise doc.error(f"{key}.{sorted(unknown)[0]}", "unknown key in a scheduled rule",
                        "use name, description, at, to, do, catch_up, optional and "
                        "reaches_paused")
    if not isinstance(raw.get("reaches_paused", False), bool):
        raise doc.error(f"{key}.reaches_paused", "expected true or false",
                        "write 'reaches_paused: true' on a rule that ends someone's story")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise doc.error(key, "a rule needs a 'name'")
    trigger = _trigger(doc, f"{key}.at", raw["at"], calendar)
    audience = raw.get("to", {})
    if audience != "coordinators":
        if not isinstance(audience, dict):
            raise doc.error(f"{key}.to", "expected 'coordinators' or conditions such as "
                            "{role: mentee, status: selected}")
        for cond in audience:
            if cond not in AUDIENCE_KEYS:
                raise doc.error(f"{key}.to.{cond}", f"unknown condition {cond!r}",
                                f"use one of: {', '.join(sorted(AUDIENCE_KEYS))}")
    actions = raw.get("do")
    if not isinstance(actions, list) or not actions:
        raise doc.error(f"{key}.do", "a rule needs a list of actions under 'do:'")
    parsed = tuple(parse_action(doc, f"{key}.do[{i}]", a, templates, SCHEDULED)
                   for i, a in enumerate(actions))
    for action in parsed:
        if action.attach_event and action.attach_event not in calendar.dates:
            raise doc.error(f"{key}.do", f"unknown event {action.attach_event!r}",
                            "name a date of calendar.dates")
    catch_up_raw = raw.get("catch_up")
    if catch_up_raw == "skip":
        catch_up = None
    elif catch_up_raw is None:
        catch_up = DEFAULT_CATCH_UP
    else:
        catch_up = _duration(doc, f"{key}.catch_up", catch_up_raw)
    return ScheduledRule(name=name, trigger=trigger, audience=audience, actions=parsed,
                         catch_up=catch_up, optional=bool(raw.get("optional", False)),
                         catch_up_set=catch_up_raw is not None,
                         source=f"{doc.path}:{doc.lines.get(key, '?')}",
                         reaches_paused=bool(raw.get("reaches_paused", False)))


class UnknownDate(ConfigError):
    """A rule names a program date the calendar does not define."""

    def __init__(self, name: str, error: ConfigError) -> None:
        self.date = name
        super().__init__(error.file, error.where, error.problem, error.fix)


def load_scheduled(directory: Path, templates: set[str] | None, calendar: CalendarConfig,
                   strict: bool = True, inactive: list[str] | None = None
                   ) -> list[ScheduledRule]:
    """Every rule with an ``at:`` in ``directory/*.yaml``, validated.

    With ``strict=False`` (the built-in rules of a program without a calendar) a rule
    needing an undefined date is left out and named in ``inactive`` instead.
    """
    rules: list[ScheduledRule] = []
    seen: dict[str, str] = {}
    for doc, key, raw in rule_entries(directory):
        if not (isinstance(raw, dict) and "at" in raw):
            continue
        try:
            rule = _rule(doc, key, raw, templates, calendar)
        except UnknownDate as exc:
            if strict:
                raise
            if inactive is not None:
                inactive.append(f"{raw.get('name')} (needs calendar date {exc.date})")
            continue
        check_unique(seen, rule.name, rule.source, doc, key)
        rules.append(rule)
    return rules
