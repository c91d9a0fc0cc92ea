"""The coordinators' weekly digest: what went out, came in, waits, and is coming."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, TypedDict

from mailflow.config.model import Config
from mailflow.config.translated import in_language
from mailflow.outbound.outbox import Outbox
from mailflow.program import dashboard
from mailflow.program.coordination.review import EXPIRED, age, items
from mailflow.store import Store

if TYPE_CHECKING:
    from mailflow.program.scheduler import Planned

WEEK = timedelta(days=7)


class Digest(TypedDict):
    """What the digest template is given: rows of what went out, came in, waits, is coming."""

    period: str
    sent: list[dict[str, str]]
    received: list[dict[str, str | None]]
    review: list[dict[str, object]]
    unanswered: list[dict[str, str]]
    upcoming: list[dict[str, str]]
    dashboard: dashboard.Dashboard
    counts: dict[str, int]


def previous_digest(store: Store, now: datetime) -> datetime | None:
    """When the coordinators' previous digest went out, if one did."""
    times = [datetime.fromisoformat(f["at"]) for f in store.table("firings").all()
             if f.get("recipient") == "coordinators" and f.get("state") == "fired"
             and f.get("rule", "").endswith("digest") and f["at"] < now.isoformat()]
    return max(times) if times else None


def survey_titles(config: Config) -> dict[str, dict[str, str]]:
    """Each configured survey's title in each program language, in the configured order."""
    return {key: {language: in_language(survey.title, language)
                  or key.replace("_", " ").capitalize() for language in config.languages}
            for key, survey in config.surveys.items()}


def build_digest(store: Store, outbox: Outbox, now: datetime,
                 upcoming: Callable[[datetime, datetime], list[Planned]],
                 zone: tzinfo | None = None,
                 surveys: Mapping[str, Mapping[str, str]] | None = None) -> Digest:
    """What happened since the previous digest (a week at most when there was none), and
    what the coming week will send: a monthly digest covers its month. Every time is
    shown in ``zone`` (the program's), whatever it was stored in. Its ``dashboard`` is
    the program's figures (``surveys``: each survey's title by language, in order)."""
    zone = zone or now.tzinfo or UTC

    def local(moment: datetime | float | str | None) -> str:
        if moment is None or moment == "":
            return ""
        if isinstance(moment, float | int):
            moment = datetime.fromtimestamp(moment, UTC)
        elif isinstance(moment, str):
            text = moment
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return text[:16]
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    since = previous_digest(store, now) or now - WEEK
    since_ts = since.timestamp()
    sent = sorted((i for i in outbox.items.values()
                   if i.state == "sent" and i.updated >= since_ts), key=lambda i: i.updated)
    received = [e for e in store.table("inbound").all() if (e.get("received") or "") >=
                since.isoformat()]
    review = items(store)
    expired = [i for i in items(store, include_resolved=True)
               if i.resolution == EXPIRED and (i.resolved_at or "") >= since.isoformat()]
    unanswered: list[dict[str, str]] = []
    answered_by = {e.get("participant") for e in received if e.get("participant")}
    for item in outbox.items.values():
        expects = (item.meta or {}).get("expects")
        if not expects or item.state != "sent" or not item.participant:
            continue
        if item.participant in answered_by or item.updated > since_ts:
            continue
        unanswered.append({"person": item.participant, "asked": expects,
                           "since": local(item.updated)[:10]})
    coming = upcoming(now, now + WEEK)
    return {
        "period": f"{since.date().isoformat()} – {now.date().isoformat()}",
        "sent": [{"when": local(i.updated),
                  "to": ", ".join(i.recipients), "subject": i.subject} for i in sent],
        "received": [{"when": local(e.get("received")), "sender": e.get("sender") or "?",
                      "kind": e.get("kind") or e.get("state")} for e in received],
        "review": [{"when": local(r.created), "sender": r.sender or "?",
                    "subject": r.subject or "", "problems": r.problems,
                    "age": age(r.created, now)} for r in review],
        "unanswered": unanswered,
        "upcoming": [{"when": local(p.when), "rule": p.rule, "to": p.to,
                      "template": p.template} for p in coming],
        "dashboard": dashboard.from_store(store, outbox, now, upcoming, zone, surveys or {}),
        "counts": dict(Counter({"sent": len(sent), "received": len(received),
                                "review": len(review), "expired": len(expired),
                                "unanswered": len(unanswered),
                                "upcoming": len(coming)})),
    }
