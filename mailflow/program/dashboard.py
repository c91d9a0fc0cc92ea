"""The figures of the coordinators' digest: funnel, response rates, what waits, what comes.

Pure code over plain records (participants, outbox items, inbound rows, planned mail), so
every figure is tested without a store; ``from_store`` gathers those records. The digest
templates draw them (bars as table cells whose widths are the ``width`` fields).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from mailflow.outbound.outbox import Outbox, OutboxItem
from mailflow.parsing.expects import Expects
from mailflow.program.coordination.review import ReviewItem, age, items
from mailflow.store import Store

STAGES = ("applied", "selected", "matched", "introduced", "met")
RATES_SHOWN = 6      # the latest mailings that asked for an answer
LISTED = 15          # review items and troubled mails listed (the rest counted)
TROUBLE = ("unknown", "failed")
# How far each state is along the funnel: a person introduced was selected and matched,
# even when the record (an import, an older program) lacks those dates.
RANK = {"applicant": 0, "waitlisted": 0, "not_selected": 0, "selected": 1, "matched": 2,
        "completed": 2, "introduced": 3, "active": 3}


@dataclass(frozen=True)
class Step:
    """One stage of the funnel: how many people reached it (by role) and its bar's width."""

    key: str                      # a stage of STAGES, or survey:KEY
    count: int
    mentees: int
    mentors: int
    percent: int                  # of those who applied
    width: int                    # the bar, in percent of the widest (never 0 when count > 0)
    titles: Mapping[str, str]     # a survey's title by language (empty for the stages)


@dataclass(frozen=True)
class Rate:
    """One mailing that asked for an answer: how many it reached and how many answered."""

    rule: str
    template: str
    asked: str                    # the expected answer's kind (survey, choices, ...)
    day: str                      # when it went out, in the program's zone
    sent: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.sent) if self.sent else 0


@dataclass(frozen=True)
class Waiting:
    """An open review item as the digest lists it."""

    when: str
    age: str
    who: str
    reason: str


@dataclass(frozen=True)
class Trouble:
    """A mail whose delivery failed or whose fate is unknown."""

    when: str
    to: str
    subject: str
    state: str                    # failed | unknown
    error: str


@dataclass(frozen=True)
class Coming:
    """Next week's mail of one template on one day."""

    day: str
    template: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the digest draws."""

    funnel: tuple[Step, ...]
    rates: tuple[Rate, ...]
    review: tuple[Waiting, ...]
    review_total: int
    trouble: tuple[Trouble, ...]
    trouble_total: int
    coming: tuple[Coming, ...]
    coming_total: int


def _reached(person: Mapping[str, Any], stage: str) -> bool:
    """Whether ``person`` ever reached ``stage`` (the dates stay after they move on)."""
    if stage == "applied":
        return True
    if stage == "met":
        return bool(person.get("last_meeting"))
    if stage.startswith("survey:"):
        return stage[len("survey:"):] in (person.get("surveys") or {})
    return bool(person.get(stage)) or RANK.get(str(person.get("status")), -1) >= RANK[stage]


def funnel(people: Iterable[Mapping[str, Any]],
           surveys: Mapping[str, Mapping[str, str]]) -> tuple[Step, ...]:
    """Applied → selected → matched → introduced → first meeting → each survey answered,
    in the order the surveys are configured (``surveys``: key -> title by language)."""
    listed = [p for p in people if p.get("role") in ("mentee", "mentor")]
    stages = [*STAGES, *(f"survey:{key}" for key in surveys)]
    counts = [[p for p in listed if _reached(p, stage)] for stage in stages]
    widest = max((len(c) for c in counts), default=0)
    steps = []
    for stage, reached in zip(stages, counts, strict=True):
        n = len(reached)
        steps.append(Step(
            key=stage, count=n,
            mentees=sum(1 for p in reached if p.get("role") == "mentee"),
            mentors=sum(1 for p in reached if p.get("role") == "mentor"),
            percent=round(100 * n / len(listed)) if listed else 0,
            width=max(1, round(100 * n / widest)) if n else 0,
            titles=dict(surveys.get(stage[len("survey:"):], {}))
            if stage.startswith("survey:") else {}))
    return tuple(steps)


def answered(expects: Expects, person: Mapping[str, Any] | None, sent: datetime,
             replies: Sequence[datetime]) -> bool:
    """Whether the answer a mail sent at ``sent`` asked for came: the record says so for a
    survey, choices or a meeting; for anything else, a message from them came after it."""
    person = person or {}
    if expects.kind == "survey" and expects.about:
        return expects.about in (person.get("surveys") or {})
    if expects.kind == "choices":
        return bool(person.get("choices"))
    if expects.kind == "meeting":
        return str(person.get("last_meeting") or "") >= sent.date().isoformat()
    return any(reply >= sent for reply in replies)


def rates(outgoing: Iterable[OutboxItem], people: Mapping[str, Mapping[str, Any]],
          replies: Mapping[str, Sequence[datetime]], zone: tzinfo,
          shown: int = RATES_SHOWN) -> tuple[Rate, ...]:
    """The latest ``shown`` mailings that asked for an answer, latest first: one mailing is
    a rule's mail of one day to participants, counted once it left the outbox."""
    groups: dict[tuple[str, str], list[tuple[OutboxItem, str, bool]]] = defaultdict(list)
    for item in outgoing:
        expects = Expects.decode((item.meta or {}).get("expects"))
        if (expects is None or item.state != "sent" or not item.participant
                or expects.kind in ("review", "confirm", "approval")):
            continue
        at = datetime.fromtimestamp(item.created or item.updated, UTC)
        day = at.astimezone(zone).date().isoformat()
        rule = str((item.meta or {}).get("rule") or "")
        groups[(rule, day)].append((item, expects.kind, answered(
            expects, people.get(item.participant), at, replies.get(item.participant, ()))))
    found = []
    for (rule, day), sent in groups.items():
        first, asked, _answered = sent[0]
        found.append(Rate(rule=rule, template=str((first.meta or {}).get("template") or ""),
                          asked=asked, day=day, sent=len(sent),
                          answered=sum(1 for _item, _asked, done in sent if done)))
    found.sort(key=lambda r: (r.day, r.rule), reverse=True)
    return tuple(found[:shown])


def waiting(review: Iterable[ReviewItem], now: datetime, zone: tzinfo) -> list[Waiting]:
    """The open review items, oldest first, with their age."""
    return [Waiting(when=_local(item.created, zone), age=age(item.created, now),
                    who=item.who, reason="; ".join(item.problems) or item.kind)
            for item in review if not item.resolved]


def trouble(outgoing: Iterable[OutboxItem], zone: tzinfo) -> list[Trouble]:
    """Mail in doubt (the server may or may not have it) or failed, oldest first."""
    found = sorted((i for i in outgoing if i.state in TROUBLE), key=lambda i: i.updated)
    return [Trouble(when=_local(i.updated, zone), to=", ".join(i.recipients),
                    subject=i.subject, state=i.state, error=(i.error or "")[:120])
            for i in found]


def coming(planned: Iterable[Any], zone: tzinfo) -> list[Coming]:
    """Next week's mail (rows of ``Scheduler.plan``) counted by day and template."""
    counts = Counter((row.when.astimezone(zone).date().isoformat(), str(row.template))
                     for row in planned)
    return [Coming(day=day, template=template, count=n)
            for (day, template), n in sorted(counts.items())]


def from_store(store: Store, outbox: Outbox, now: datetime,
               upcoming: Callable[[datetime, datetime], list[Any]], zone: tzinfo,
               surveys: Mapping[str, Mapping[str, str]]) -> Dashboard:
    """The dashboard of the program as ``store`` and ``outbox`` hold it at ``now``."""
    people = [dict(p) for p in store.table("participants").all()]
    by_email = {p["email"]: p for p in people if p.get("email")}
    replies: dict[str, list[datetime]] = defaultdict(list)
    for row in store.table("inbound").all():
        moment = _parsed(row.get("received"))
        if row.get("participant") and moment is not None:
            replies[row["participant"]].append(moment)
    outgoing = list(outbox.items.values())
    review = waiting(items(store), now, zone)
    troubled = trouble(outgoing, zone)
    planned = coming(upcoming(now, now + timedelta(days=7)), zone)
    return Dashboard(
        funnel=funnel(people, surveys), rates=rates(outgoing, by_email, replies, zone),
        review=tuple(review[:LISTED]), review_total=len(review),
        trouble=tuple(troubled[:LISTED]), trouble_total=len(troubled),
        coming=tuple(planned), coming_total=sum(c.count for c in planned))


def _parsed(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local(moment: str | float, zone: tzinfo) -> str:
    """A stored time (ISO text or a timestamp) in the program's zone, to the minute."""
    at = (datetime.fromtimestamp(moment, UTC) if isinstance(moment, int | float)
          else _parsed(moment))
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else str(moment)[:16]
