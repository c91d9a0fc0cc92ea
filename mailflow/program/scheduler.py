"""Fire scheduled rules exactly once, catch up after downtime by policy, and plan ahead.

Every firing has a key (rule, recipient, occasion), recorded in the store's
``firings`` table in the same transaction as its effects, after its mail is in the
outbox under the same key: a restart at any moment repeats nothing. The clock is
passed in, so the whole year of a program can be run in a test in seconds.

Mass mailings: a scan finds every firing due and not yet made and queues it in memory;
each tick then makes at most ``limit`` of them (the daemon passes CHUNK) in a transaction
of its own, so the first mail of a mailing to 10,000 people is queued, and can be sent,
within a second, and the daemon reads its mailbox between chunks. The queue is only
memory: after a crash the next scan finds what is left, by the firings table. A queued
firing is checked again against the person's current record when its turn comes.

Idle ticks cost nothing: a scan also finds when the next firing falls due (within
HORIZON), and no tick scans again before then unless the participants or the firings
changed; the cost of a tick follows the firings due, not the size of the program.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from mailflow.errors import MailflowError
from mailflow.outbound.keys import idempotency_key
from mailflow.program import participants, progress
from mailflow.program.calendar import Recurrence
from mailflow.program.coordination import notices
from mailflow.program.coordination.services import Services
from mailflow.program.mailings import Mailings
from mailflow.program.progress import Mailing
from mailflow.program.scheduled import Offsets, ScheduledRule
from mailflow.store import Store
from mailflow.store.records import Participant

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=45)
ON_TIME = timedelta(minutes=15)       # 'catch_up: skip' still sends a firing this late
INACTIVE = ("withdrawn", "completed", "not_selected")
BOUNCING = "the address bounces"
CHUNK = 100  # firings the daemon makes per tick at most; a mailing of more logs its progress
HORIZON = timedelta(days=1)  # how far ahead a scan looks for the next firing due
# What a scan depends on besides the clock: a change to any of these calls for a new one.
WATCHED = ("participants", "firings", "_meta")


@dataclass(frozen=True)
class Occurrence:
    """One nominal firing time of a rule, for one person or for everyone it concerns."""

    rule: ScheduledRule
    due: datetime
    occasion: str
    person: Participant | None = None  # set for rules relative to a participant's own date
    deadline: datetime | None = None  # for reminders before a program date


@dataclass(frozen=True)
class Pending:
    """A firing found due by a scan, waiting for its turn: for whom, and of which mailing."""

    occurrence: Occurrence
    email: str | None               # None: the coordinators
    mailing: Mailing | None = None  # set when it is part of a mass mailing


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


def field_value(person: Mapping[str, object], path: str) -> object:
    """A participant's field; ``surveys.midpoint`` reaches into nested records."""
    value: object = person
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def matches(audience: dict[str, Any], person: Mapping[str, object]) -> bool:
    """Whether ``person`` fits a rule's ``to:`` conditions."""
    for name, wanted in audience.items():
        if name in ("missing", "has"):
            fields = wanted if isinstance(wanted, list) else [wanted]
            present = [bool(field_value(person, f)) for f in fields]
            if (name == "missing" and any(present)) or (name == "has" and not all(present)):
                return False
        elif name == "application":
            application = person.get("application")
            complete = isinstance(application, dict) and bool(application.get("complete"))
            if (wanted == "complete") != complete:
                return False
        else:
            allowed = wanted if isinstance(wanted, list) else [wanted]
            if person.get(name) not in allowed:
                return False
    return True


def _date_of(person: Mapping[str, object], name: str) -> str:
    """The participant's date called ``name`` in the rules (a key of the record), or ''."""
    value = person.get(name)
    return value if isinstance(value, str) else ""


def excluded(rule: ScheduledRule, person: Participant, now: datetime) -> str | None:
    """Why ``person`` gets nothing from this rule now (for good), or None."""
    if person.get("bounced"):
        return BOUNCING
    status = person.get("status")
    wanted = rule.audience.get("status") if isinstance(rule.audience, dict) else None
    if status in INACTIVE and not (wanted == status or (isinstance(wanted, list)
                                                         and status in wanted)):
        return f"status {status}"
    paused = person.get("paused_until")
    if paused and paused > now.date().isoformat() and not rule.reaches_paused:
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
        self.queue: deque[Pending] = deque()  # found due by the last scan, not yet made
        self.scanned = datetime.min  # when that scan ran: lateness is judged from then
        self.mass = CHUNK  # a broadcast to more people than this is a mass mailing
        self.next_scan: datetime | None = None  # no scan needed before this, if nothing changed
        self._seen: tuple[int, ...] | None = None  # the store's WATCHED version at that scan
        self.scans = 0  # scans made, for tests and benchmarks

    def occurrences(self, rule: ScheduledRule, start: datetime, end: datetime,
                    people: list[Participant]) -> Iterator[Occurrence]:
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
            own = _parse_moment(_date_of(person, trigger.date), self.zone, self.send_time)
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

    def targets(self, occurrence: Occurrence, people: list[Participant]
                ) -> list[Participant | None]:
        """Who an occurrence is for: its person, everyone matching, or the coordinators (None)."""
        rule = occurrence.rule
        if not isinstance(rule.audience, dict):
            return [None]  # "coordinators"
        if occurrence.person is not None:
            return [occurrence.person] if matches(rule.audience, occurrence.person) else []
        return [p for p in people if matches(rule.audience, p)]

    def prepare(self) -> None:
        """Build the firings index now (a read of the whole table, once per process), so
        that no tick pays for the program's history; the daemon calls it as it starts."""
        self._fired()

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

    def _effective_due(self, occurrence: Occurrence, person: Participant | None) -> datetime:
        """An out-of-office postpones a person's reminders to their return."""
        away = person.get("away_until") if person else None
        back = _parse_moment(away, self.zone, self.send_time) if away else None
        return max(occurrence.due, back) if back else occurrence.due

    def started(self, now: datetime) -> datetime:
        """When this program's schedule first ran: nothing older is ever caught up."""
        meta = self.store.db.table("_meta")
        row: dict[str, Any] = meta.get(doc_id=1) or {}
        if not row.get("schedule_started"):
            meta.update({"schedule_started": now.isoformat()}, doc_ids=[1])
            return now
        return datetime.fromisoformat(row["schedule_started"])

    @property
    def backlog(self) -> int:
        """Firings found due and not made yet: the daemon ticks again at once while any."""
        return len(self.queue)

    def tick(self, now: datetime, limit: int | None = None) -> int:
        """Make up to ``limit`` (all if None) due firings; returns how many were fired."""
        count = 0
        try:
            with self.store.transaction(), self.mailings.outbox.batch():
                if not self.queue and self.scan_needed(now):
                    self.scan(now)
                made = 0
                while self.queue and (limit is None or made < limit):
                    pending = self.queue.popleft()
                    made += 1
                    count += self._make(pending, now)
                    if pending.mailing is not None:
                        pending.mailing.advance(self.store, now)
                # What waits for review, new since the last notice, when one is allowed.
                mailings = self.mailings
                notices.send_due(Services(mailings.config, self.store, mailings.outbox,
                                          mailings.mailer, mailings), now)
        except BaseException:
            self.queue.clear()  # rolled back: the next scan finds those firings again
            self.next_scan = None
            raise
        return count

    def scan_needed(self, now: datetime) -> bool:
        """Whether a firing may have fallen due since the last scan: its time has come,
        the participants or firings changed, or the clock went back."""
        return (self.next_scan is None or now >= self.next_scan or now < self.scanned
                or self.store.version(*WATCHED) != self._seen)

    def scan(self, now: datetime) -> None:
        """Queue every firing due by ``now`` that the firings table does not hold yet."""
        people = participants.everyone(self.store)
        fired = self._fired()
        since = max(now - LOOKBACK, self.started(now))
        self.scanned = now
        self.scans += 1
        self._seen = self.store.version(*WATCHED)
        soonest = self._returns(now, people)
        for rule in self.rules:
            for occurrence in self.occurrences(rule, since, soonest, people):
                if occurrence.due > now:  # one pass finds what is due and what comes next
                    soonest = min(soonest, occurrence.due)
                    continue
                targets = self.targets(occurrence, people)
                emails = [person["email"] if person else None for person in targets]
                waiting = [email for email in emails if idempotency_key(
                    rule.name, email or "coordinators", occurrence.occasion) not in fired]
                mailing = None
                if occurrence.person is None and waiting:
                    mailing = progress.begin(self.store, rule.name, occurrence.occasion,
                                             len(targets), len(waiting), self.mass, now)
                self.queue.extend(Pending(occurrence, email, mailing) for email in waiting)
        self.next_scan = soonest

    def _returns(self, now: datetime, people: list[Participant]) -> datetime:
        """The earliest return from an absence (postponed firings fall due) before
        ``now + HORIZON``, or that time."""
        soonest = now + HORIZON
        for person in people:
            away = person.get("away_until")
            back = _parse_moment(away, self.zone, self.send_time) if away else None
            if back is not None and now < back < soonest:
                soonest = back
        return soonest

    def _current(self, pending: Pending) -> Participant | None:
        """The person's record as it is now, if the firing still concerns them."""
        assert pending.email is not None
        found = participants.find(self.store, pending.email)
        person: Participant | None = {**found} if found is not None else None
        occurrence = pending.occurrence
        if person is None or person.get("email") != pending.email:
            return None
        if isinstance(occurrence.rule.audience, dict) and not matches(
                occurrence.rule.audience, person):
            return None  # they answered, or changed status, since the scan
        if occurrence.person is not None and not any(
                again.occasion == occurrence.occasion for again in self.occurrences(
                    occurrence.rule, occurrence.due, occurrence.due, [person])):
            return None  # their date moved: another occasion now
        return person

    def _make(self, pending: Pending, now: datetime) -> int:
        """Fire, skip or leave one queued firing, as tick always did; 1 when it fired."""
        occurrence, rule = pending.occurrence, pending.occurrence.rule
        person = self._current(pending) if pending.email is not None else None
        if pending.email is not None and person is None:
            return 0
        recipient = pending.email or "coordinators"
        key = idempotency_key(rule.name, recipient, occurrence.occasion)
        if key in self._fired():
            return 0
        reason = excluded(rule, person, now) if person else None
        if reason == BOUNCING:
            return 0  # not recorded: once the address works again, it goes
        if reason:
            self._record(key, occurrence, recipient, "skipped", now, reason)
            return 0
        effective = self._effective_due(occurrence, person)
        if effective > now:
            return 0  # postponed: this person is away
        # Judged from the scan: a mailing still being worked through is not late.
        if min(now, max(self.scanned, effective)) - effective > self._allowed_lateness(
                occurrence, effective):
            self._record(key, occurrence, recipient, "skipped", now,
                         "missed while mailflow was not running")
            log.info("skipped %s for %s (missed at %s)", rule.name, recipient,
                     occurrence.due.isoformat())
            return 0
        try:
            self.mailings.fire(rule, occurrence.occasion, person, now)
        except MailflowError as exc:
            # One person's bad address or a broken template must not
            # hold back everyone else's mail: recorded, for review.
            log.warning("rule %s for %s failed: %s", rule.name, recipient, exc)
            self._record(key, occurrence, recipient, "error", now, str(exc))
            return 0
        self._record(key, occurrence, recipient, "fired", now)
        return 1

    def plan(self, start: datetime, end: datetime, assume_replies: bool = False
             ) -> list[Planned]:
        """Every mail the rules would send in ``[start, end]``, assuming nobody answers."""
        people = participants.everyone(self.store)
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
