"""Fire scheduled rules exactly once, catch up after downtime by policy, and plan ahead.

Every firing has a key (rule, recipient, occasion), recorded in the store's
``firings`` table in the same transaction as its effects, after its mail is in the
outbox under the same key: a restart at any moment repeats nothing. The clock is
passed in, so the whole year of a program can be run in a test in seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from mailflow.errors import MailflowError
from mailflow.outbound.outbox import idempotency_key
from mailflow.program.calendar import Recurrence
from mailflow.program.coordination import notices
from mailflow.program.coordination.services import Services
from mailflow.program.mailings import Mailings
from mailflow.program.scheduled import Offsets, ScheduledRule
from mailflow.store import Store

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=45)
ON_TIME = timedelta(minutes=15)       # 'catch_up: skip' still sends a firing this late
INACTIVE = ("withdrawn", "completed", "not_selected")
BOUNCING = "the address bounces"


@dataclass(frozen=True)
class Occurrence:
    """One nominal firing time of a rule, for one person or for everyone it concerns."""

    rule: ScheduledRule
    due: datetime
    occasion: str
    person: dict | None = None       # set for rules relative to a participant's own date
    deadline: datetime | None = None  # for reminders before a program date


@dataclass(frozen=True)
class Planned:
    """A mail the rules will send: when, to whom, which template, and why."""

    when: datetime
    rule: str
    to: str
    template: str
    why: str


def _parse_moment(value: str, zone: tzinfo, send_time: time) -> datetime | None:
    """A stored date or date-time; a date alone means the send time, in the program zone."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        if len(value) <= 10:
            return datetime.combine(moment.date(), send_time, tzinfo=zone)
        return moment.replace(tzinfo=zone)
    return moment


def field_value(person: dict, path: str) -> object:
    """A participant's field; ``surveys.midpoint`` reaches into nested records."""
    value: object = person
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def matches(audience: dict, person: dict) -> bool:
    """Whether ``person`` fits a rule's ``to:`` conditions."""
    for name, wanted in audience.items():
        if name in ("missing", "has"):
            fields = wanted if isinstance(wanted, list) else [wanted]
            present = [bool(field_value(person, f)) for f in fields]
            if (name == "missing" and any(present)) or (name == "has" and not all(present)):
                return False
        elif name == "application":
            complete = bool((person.get("application") or {}).get("complete"))
            if (wanted == "complete") != complete:
                return False
        else:
            allowed = wanted if isinstance(wanted, list) else [wanted]
            if person.get(name) not in allowed:
                return False
    return True


def excluded(rule: ScheduledRule, person: dict, now: datetime) -> str | None:
    """Why ``person`` gets nothing from this rule now (for good), or None."""
    if person.get("bounced"):
        return BOUNCING
    status = person.get("status")
    wanted = rule.audience.get("status") if isinstance(rule.audience, dict) else None
    if status in INACTIVE and not (wanted == status or (isinstance(wanted, list)
                                                         and status in wanted)):
        return f"status {status}"
    paused = person.get("paused_until")
    if paused and paused > now.date().isoformat():
        return f"paused until {paused}"
    if rule.optional and person.get("opted_out"):
        return "opted out of optional mail"
    if rule.name in (person.get("stopped") or []):
        return "stopped by another rule"
    return None


class Scheduler:
    """The scheduled rules of one program, over its store and outbox."""

    def __init__(self, store: Store, mailings: Mailings, rules: list[ScheduledRule]) -> None:
        self.store = store
        self.mailings = mailings
        self.rules = rules
        calendar = mailings.config.calendar
        self.zone, self.send_time, self.dates = calendar.zone, calendar.send_time, calendar.dates

    def occurrences(self, rule: ScheduledRule, start: datetime, end: datetime,
                    people: list[dict]) -> Iterator[Occurrence]:
        """Nominal firings of ``rule`` in ``[start, end]``."""
        trigger = rule.trigger
        if isinstance(trigger, Recurrence):
            for moment in trigger.occurrences(self.zone, start, end):
                yield Occurrence(rule, moment, moment.date().isoformat())
            return
        assert isinstance(trigger, Offsets)
        sign = -1 if trigger.direction == "before" else 1
        label = "-" if sign < 0 else "+"
        if not trigger.of_participant:
            base = self.dates[trigger.date].when
            for offset in trigger.offsets:
                due = base + sign * offset
                if start <= due <= end:
                    yield Occurrence(rule, due, f"{trigger.date}{label}{_span(offset)}",
                                     deadline=base if sign < 0 else None)
            return
        for person in people:
            own = _parse_moment(person.get(trigger.date) or "", self.zone, self.send_time)
            if own is None:
                continue
            base = own
            for offset in trigger.offsets:
                due = base + sign * offset
                if offset.days and not offset.seconds:  # whole days: at the send time
                    due = datetime.combine(due.astimezone(self.zone).date(), self.send_time,
                                           tzinfo=self.zone)
                if start <= due <= end:
                    # The base date is part of the occasion: a second proposal (a new
                    # 'proposed' date) is a new occasion, the same one never fires twice.
                    yield Occurrence(rule, due, f"{trigger.date}{label}{_span(offset)}"
                                     f"@{base.date().isoformat()}", person)

    def targets(self, occurrence: Occurrence, people: list[dict]) -> list[dict | None]:
        """Who an occurrence is for: its person, everyone matching, or the coordinators (None)."""
        rule = occurrence.rule
        if not isinstance(rule.audience, dict):
            return [None]  # "coordinators"
        if occurrence.person is not None:
            return [occurrence.person] if matches(rule.audience, occurrence.person) else []
        return [p for p in people if matches(rule.audience, p)]

    def _fired(self) -> dict[str, str]:
        index = self.store.indexes.get("firings")
        if index is None:
            index = {f["key"]: f["state"] for f in self.store.table("firings").all()}
            self.store.indexes["firings"] = index
        return index

    def _record(self, key: str, occurrence: Occurrence, recipient: str, state: str,
                now: datetime, reason: str = "") -> None:
        self.store.table("firings").insert({
            "key": key, "rule": occurrence.rule.name, "recipient": recipient,
            "occasion": occurrence.occasion, "due": occurrence.due.isoformat(),
            "state": state, "reason": reason, "at": now.isoformat()})
        self._fired()[key] = state

    def _allowed_lateness(self, occurrence: Occurrence, effective: datetime) -> timedelta:
        rule = occurrence.rule
        if rule.catch_up is None:
            return ON_TIME
        if occurrence.deadline is not None and not rule.catch_up_set:
            return max(occurrence.deadline - effective, ON_TIME)  # late, never after the date
        return rule.catch_up

    def _effective_due(self, occurrence: Occurrence, person: dict | None) -> datetime:
        """An out-of-office postpones a person's reminders to their return."""
        away = (person or {}).get("away_until")
        back = _parse_moment(away, self.zone, self.send_time) if away else None
        return max(occurrence.due, back) if back else occurrence.due

    def started(self, now: datetime) -> datetime:
        """When this program's schedule first ran: nothing older is ever caught up."""
        meta = self.store.db.table("_meta")
        row: dict = meta.get(doc_id=1) or {}
        if not row.get("schedule_started"):
            meta.update({"schedule_started": now.isoformat()}, doc_ids=[1])
            return now
        return datetime.fromisoformat(row["schedule_started"])

    def tick(self, now: datetime) -> int:
        """Fire everything due by ``now``; returns how many firings were made."""
        people = [dict(p) for p in self.store.table("participants").all()]
        fired = self._fired()
        count = 0
        with self.store.transaction(), self.mailings.outbox.batch():
            since = max(now - LOOKBACK, self.started(now))
            for rule in self.rules:
                for occurrence in self.occurrences(rule, since, now, people):
                    for person in self.targets(occurrence, people):
                        recipient = person["email"] if person else "coordinators"
                        key = idempotency_key(rule.name, recipient, occurrence.occasion)
                        if key in fired:
                            continue
                        reason = excluded(rule, person, now) if person else None
                        if reason == BOUNCING:
                            continue  # not recorded: once the address works again, it goes
                        if reason:
                            self._record(key, occurrence, recipient, "skipped", now, reason)
                            continue
                        effective = self._effective_due(occurrence, person)
                        if effective > now:
                            continue  # postponed: this person is away
                        if now - effective > self._allowed_lateness(occurrence, effective):
                            self._record(key, occurrence, recipient, "skipped", now,
                                         "missed while mailflow was not running")
                            log.info("skipped %s for %s (missed at %s)", rule.name, recipient,
                                     occurrence.due.isoformat())
                            continue
                        try:
                            self.mailings.fire(rule, occurrence.occasion, person, now)
                        except MailflowError as exc:
                            # One person's bad address or a broken template must not
                            # hold back everyone else's mail: recorded, for review.
                            log.warning("rule %s for %s failed: %s", rule.name, recipient, exc)
                            self._record(key, occurrence, recipient, "error", now, str(exc))
                            continue
                        self._record(key, occurrence, recipient, "fired", now)
                        count += 1
            # What waits for review, new since the last notice, when a notice is allowed.
            mailings = self.mailings
            notices.send_due(Services(mailings.config, self.store, mailings.outbox,
                                      mailings.mailer, mailings), now)
        return count

    def plan(self, start: datetime, end: datetime, assume_replies: bool = False
             ) -> list[Planned]:
        """Every mail the rules would send in ``[start, end]``, assuming nobody answers."""
        people = [dict(p) for p in self.store.table("participants").all()]
        fired = self._fired()
        sequences: dict[tuple[str, str], int] = {}
        rows: list[Planned] = []
        for rule in self.rules:
            if assume_replies and isinstance(rule.audience, dict) and "missing" in rule.audience:
                continue
            for occurrence in self.occurrences(rule, start, end, people):
                for person in self.targets(occurrence, people):
                    recipient = person["email"] if person else "coordinators"
                    if idempotency_key(rule.name, recipient, occurrence.occasion) in fired:
                        continue
                    if person and excluded(rule, person, occurrence.due):
                        continue
                    when = self._effective_due(occurrence, person)
                    for action in rule.actions:
                        template = self.mailings.planned_template(
                            action, person, sequences)
                        if template is None:
                            continue
                        to = ("coordinators" if person is None or action.type == "notify"
                              else recipient)
                        rows.append(Planned(when, rule.name, to, template,
                                            _why(occurrence)))
        return sorted(rows, key=lambda r: (r.when, r.rule, r.to))


def _span(offset: timedelta) -> str:
    if offset.days and not offset.seconds:
        return f"{offset.days}d"
    return f"{int(offset.total_seconds() // 3600)}h"


def _why(occurrence: Occurrence) -> str:
    trigger = occurrence.rule.trigger
    if isinstance(trigger, Recurrence):
        return f"every {trigger.every}"
    offsets = f"{_span(trigger.offsets[0])} {trigger.direction} {trigger.date}"
    return offsets if len(trigger.offsets) == 1 else f"{trigger.direction} {trigger.date}"
