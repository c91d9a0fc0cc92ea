"""Old history, summarised: what exactly-once needs stays, the per-message detail goes.

Two tables grow with every message and every firing: ``events`` (a person's timeline)
and ``firings`` (each scheduled mail, keyed). Past ``retention.history_days`` a firing
is removed: the scheduler never looks further back than LOOKBACK (45 days, below the
60 days history_days allows at least), so it cannot fall due again, and the outbox keeps
the id of every key it sent (archived) besides. A person's older events become one row
counting them by type (from and until which month): a person writes about once a month,
so a row per month would save next to nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from mailflow.program.scheduler import LOOKBACK
from mailflow.store import Store

MIN_HISTORY_DAYS = 60  # the least retention.history_days allows

SUMMARY = "summary"  # the type of an events row that counts older events by type
assert timedelta(days=MIN_HISTORY_DAYS) > LOOKBACK, "a firing must outlive the scan window"


def remove_old_firings(store: Store, now: datetime, days: int) -> int:
    """Remove the firings due (and made) more than ``days`` ago; returns how many.

    Age is counted from the newest firing when the clock is past it: one housekeeping
    with the clock stepped ahead (a bad NTP step) must not remove the firings the
    scheduler still looks back on, or they would be made again once the clock is right.
    A row without its times (reduced to key and state by an earlier version) is older."""
    table = store.table("firings")
    times = {f.doc_id: max(f.get("due", ""), f.get("at", "")) for f in table.rows()}
    cutoff = (min(now, _newest(times.values(), now))
              - timedelta(days=max(days, MIN_HISTORY_DAYS))).isoformat()
    old = [doc_id for doc_id, when in times.items() if when < cutoff]
    if old:
        with store.transaction():
            table.remove(doc_ids=old)
            store.indexes.pop("firings", None)  # the scheduler's key -> state, made again
    return len(old)


def _newest(times: Iterable[str], now: datetime) -> datetime:
    """The newest of ISO times written by the scheduler (``now`` when there is none)."""
    newest = max(times, default="")
    try:
        when = datetime.fromisoformat(newest)
    except ValueError:
        return now
    return when if when.tzinfo is not None else when.replace(tzinfo=now.tzinfo)


def summarise_events(store: Store, now: datetime, days: int) -> int:
    """Fold events older than ``days`` into one row per person; returns how many."""
    cutoff = (now - timedelta(days=days)).isoformat()
    table = store.table("events")
    summaries: dict[str, Any] = {}
    old: list[Any] = []
    for event in table.rows():
        if event.get("type") == SUMMARY:
            summaries[event.get("participant") or ""] = event
        elif (event.get("at") or "") < cutoff:
            old.append(event)
    if not old:
        return 0
    counts: dict[str, Counter[str]] = {}
    months: dict[str, list[str]] = {}
    for event in old:
        person, month = event.get("participant") or "", (event.get("at") or "")[:7]
        counts.setdefault(person, Counter())[event.get("type") or "?"] += 1
        months.setdefault(person, []).append(month)
    with store.transaction():
        table.remove(doc_ids=[e.doc_id for e in old])
        for person, found in sorted(counts.items()):
            earlier = summaries.get(person)
            span = [*months[person], *([earlier.get("at", ""), earlier.get("until", "")]
                                       if earlier is not None else [])]
            row = {"at": min(m for m in span if m), "until": max(span),
                   "detail": dict(sorted((Counter((earlier or {}).get("detail") or {})
                                          + found).items()))}
            if earlier is not None:
                table.update(row, doc_ids=[earlier.doc_id])
            else:
                table.insert({"participant": person, "type": SUMMARY,
                              "cause": "older events, counted by type", **row})
    return len(old)
