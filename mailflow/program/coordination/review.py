"""Review items: what waits for a coordinator, and the pure rule of when they are told.

Each message that goes to review, and each concern (a question rules cannot answer), is
one open item in the store's ``review`` table: why, from whom, the text read, and what
mailflow would have done. The coordinators hear of new items in batched notices
(``notices.py``) and resolve them by replying to a notice (``answers.py``) or from the
command line; a resolved item keeps who resolved it, when and how.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from mailflow.parsing.reading import Reading
from mailflow.program.engine import decide
from mailflow.program.rules import Rule
from mailflow.store import Store
from mailflow.store.records import Participant

TABLE = "review"
NOTICES = "review_notices"
MAX_TEXT = 2_000  # of the text read, kept with the item: enough to answer it
CONCERN = "a question or a call for help: "  # the reason given for a concern
LEAVING = "asks to leave the program: "  # the reason given for a request to withdraw


@dataclass
class ReviewItem:
    """One thing a person has to look at (a row of the ``review`` table)."""

    created: str
    kind: str = "review"            # review (not read with certainty) | concern | withdrawal
    inbound: str | None = None      # the ledger key of the message
    sender: str | None = None
    subject: str | None = None
    problems: list[str] = field(default_factory=list)   # the reasons
    text: str = ""                  # what was read of the message
    proposed: str = ""              # what mailflow would have done without review
    participant: str | None = None  # whose message it is, when known
    probably: str | None = None     # an unknown address that looks like this participant's
    language: str | None = None
    message_id: str | None = None
    references: list[str] = field(default_factory=list)
    notice: int | None = None       # the notice that listed it, and its number there
    number: int | None = None
    resolved: bool = False
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolution: str | None = None   # how: applied, choices, meeting, linked, ignored, answered
    id: int = 0                     # the store's doc id (not stored in the row)

    @classmethod
    def from_doc(cls, doc: Any) -> ReviewItem:
        """The item a stored row holds; rows written before items were typed lack fields."""
        # Lists copied: a scan reads the stored rows themselves (Table.rows), and a change
        # to an item's list must not reach the store without a commit.
        known: dict[str, Any] = {k: list(v) if isinstance(v, list) else v
                                 for k, v in dict(doc).items()
                                 if k in cls.__dataclass_fields__}
        known.setdefault("created", "")
        return cls(**{**known, "id": int(getattr(doc, "doc_id", 0))})

    def to_doc(self) -> dict[str, Any]:
        """The stored row."""
        row = asdict(self)
        row.pop("id")
        return row

    @property
    def who(self) -> str:
        """The participant it is about, else its sender."""
        return self.participant or self.probably or self.sender or "?"


@dataclass(frozen=True)
class Notice:
    """A batched notice: its number, when it was queued, and the items it lists, in order."""

    number: int
    sent: str
    items: tuple[int, ...]
    mails: dict[str, str]   # coordinator address -> outbox id of their copy

    def item_id(self, number: int | None) -> int | None:
        """The doc id of the item numbered ``number`` (None: the only item, if it is alone)."""
        if number is None:
            return self.items[0] if len(self.items) == 1 else None
        return self.items[number - 1] if 0 < number <= len(self.items) else None


def open_item(store: Store, item: ReviewItem) -> int:
    """Record ``item`` as open; returns its id."""
    item.text = item.text[:MAX_TEXT]
    item.id = store.table(TABLE).insert(item.to_doc())
    return item.id


def items(store: Store, include_resolved: bool = False) -> list[ReviewItem]:
    """The items, oldest first; only the open ones unless ``include_resolved``."""
    found = [ReviewItem.from_doc(row) for row in store.table(TABLE).rows()]
    return sorted((i for i in found if include_resolved or not i.resolved),
                  key=lambda i: (i.created, i.id))


def get(store: Store, item_id: int) -> ReviewItem | None:
    """One item by id."""
    row = store.table(TABLE).get(doc_id=item_id)
    return ReviewItem.from_doc(row) if row is not None else None


def resolve(store: Store, item_id: int, by: str, how: str, at: str) -> None:
    """Mark an item resolved, with who resolved it and how."""
    store.table(TABLE).update({"resolved": True, "resolved_by": by, "resolution": how,
                               "resolved_at": at}, doc_ids=[item_id])


EXPIRED = "expired"  # the resolution of an item nobody answered in time (by ``mailflow``)
# What a resolved item keeps once it is old: who, when, how it was resolved; the text, the
# reasons and the threading go (the raw mail stays as long as the retention says).
SUMMARY_FIELDS = ("created", "kind", "inbound", "participant", "sender", "resolved",
                  "resolved_at", "resolved_by", "resolution")


def close_unanswered(store: Store, now: datetime, days: int) -> int:
    """Close the open items created more than ``days`` ago as EXPIRED (as Mailman drops
    held mail after ``max_days_to_hold``): the queue of a program nobody tends stays
    bounded. The digest counts them; a late answer to the notice still acts on one.
    Returns how many; none when ``days`` is 0."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    old = [row.doc_id for row in store.table(TABLE).rows()
           if not row.get("resolved") and _moment(row.get("created"), now) < cutoff]
    if old:
        with store.transaction():
            store.table(TABLE).update({"resolved": True, "resolved_by": "mailflow",
                                       "resolution": EXPIRED,
                                       "resolved_at": now.isoformat()}, doc_ids=old)
    return len(old)


def _moment(stamp: str | None, now: datetime) -> datetime:
    """A stored time as a datetime comparable with ``now`` (a bad one counts as now)."""
    try:
        moment = datetime.fromisoformat(stamp or "")
    except ValueError:
        return now
    return moment if moment.tzinfo or now.tzinfo is None else moment.replace(
        tzinfo=now.tzinfo)


def summarise_resolved(store: Store, now: datetime, days: int) -> int:
    """Reduce items resolved more than ``days`` ago to SUMMARY_FIELDS; returns how many."""
    cutoff = now - timedelta(days=days)
    old = [row.doc_id for row in store.table(TABLE).rows()
           if row.get("resolved") and _moment(row.get("resolved_at"), now) < cutoff
           and set(row) - set(SUMMARY_FIELDS)]
    if old:
        with store.transaction():
            store.table(TABLE).update(_keep_summary, doc_ids=old)
    return len(old)


def _keep_summary(document: MutableMapping[str, Any]) -> None:
    """SUMMARY_FIELDS, and of the participant and the sender only whom the item is about."""
    for name in [n for n in document if n not in SUMMARY_FIELDS]:
        del document[name]
    if document.get("participant"):
        document.pop("sender", None)


def notices(store: Store) -> list[Notice]:
    """Every notice sent, in order."""
    rows = sorted(store.table(NOTICES).all(), key=lambda r: r["number"])
    return [Notice(r["number"], r["sent"], tuple(r["items"]), dict(r.get("mails") or {}))
            for r in rows]


def notice(store: Store, number: int) -> Notice | None:
    """The notice numbered ``number``, if there is one."""
    return next((n for n in notices(store) if n.number == number), None)


def record_notice(store: Store, listed: Notice) -> None:
    """Record a notice and give each item it lists its notice and its number there."""
    store.table(NOTICES).insert({"number": listed.number, "sent": listed.sent,
                                 "items": list(listed.items), "mails": listed.mails})
    for number, item_id in enumerate(listed.items, start=1):
        store.table(TABLE).update({"notice": listed.number, "number": number},
                                  doc_ids=[item_id])


def batch_due(waiting: Iterable[ReviewItem], last_sent: datetime | None, now: datetime,
              every: timedelta) -> list[ReviewItem]:
    """The items the notice sent ``now`` lists: every open item never notified, when the
    last notice is at least ``every`` old (or there was none); else none (they wait).

    Pure: the caller gives the clock, so the rule is tested without one."""
    if last_sent is not None and now - last_sent < every:
        return []
    return sorted((i for i in waiting if not i.resolved and i.notice is None),
                  key=lambda i: (i.created, i.id))


def age(created: str, now: datetime) -> str:
    """How long an item has waited, in words a coordinator scans: '3 d', '5 h', '12 min'."""
    try:
        since = datetime.fromisoformat(created)
    except ValueError:
        return "?"
    if since.tzinfo is None and now.tzinfo is not None:
        since = since.replace(tzinfo=now.tzinfo)
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes >= 2 * 24 * 60:
        return f"{minutes // (24 * 60)} d"
    if minutes >= 120:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def proposal_text(reading: Reading, person: Participant | None, rules: list[Rule]) -> str:
    """What mailflow would have done with the message, had it been read with certainty."""
    if reading.kind == "concern" or (reading.concern and not reading.needs_review):
        return "nothing: a person answers (write the answer under this item)"
    parts = []
    if reading.kind == "choices" and reading.choices:
        parts.append("record the choices " + ", ".join(reading.choices))
    reported = reading.meeting.reported
    if reading.kind == "meeting" and reported is not None:
        held = "held" if reported.get("met") else "not held"
        parts.append(f"record a meeting {held} {reported.get('date') or ''}".rstrip())
    for fact in reading.meeting.per_mentee if reading.kind == "meeting" else []:
        parts.append(f"record a meeting with {fact.get('mentee')}: "
                     f"{'held' if fact.get('met') else 'not held'}")
    if reading.kind == "command" and reading.command:
        parts.append(f"carry out {reading.command.upper()}")
    if person is None:
        parts.append("nothing for the sender, who is not a participant"
                     + (f" (probably {reading.probably}: LINK)" if reading.probably else ""))
        return "; ".join(parts)
    clean = replace(reading, needs_review=False, problems=[], no_answer=False)
    for decision in decide(clean, person, rules):
        action = decision.action
        parts.append(f"{action.type} {action.template or ''} (rule {decision.rule})"
                     .replace("  ", " "))
    return "; ".join(parts) or "nothing (no rule applies)"
