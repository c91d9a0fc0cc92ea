"""How far a mass mailing has got: a log line every 10 %, and a row for ``mailflow status``.

A mailing is one firing of a rule for everyone it concerns (a recurrence, or an offset of a
program date) with more recipients than one tick of the scheduler takes. Its row in the
store's ``mailings`` table is written at each tenth, in the transaction of the firings
that reached it, so after a crash it is never ahead of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from mailflow.program.calendar import local_time
from mailflow.store import Store

log = logging.getLogger(__name__)
TENTHS = 10
SHOWN = 5  # mailings listed by `mailflow status`, latest first


@dataclass
class Mailing:
    """One mass mailing under way: its rule, occasion, size and how many firings are made."""

    rule: str
    occasion: str
    total: int
    made: int
    started: str
    logged: int = -1  # the last tenth logged
    doc_id: int | None = None  # its row in the mailings table, once written

    @property
    def label(self) -> str:
        return f"{self.rule} ({self.occasion})"

    def advance(self, store: Store, now: datetime, made: int = 1) -> None:
        """Count ``made`` more firings; log and record each new tenth reached."""
        self.made += made
        tenth = self.made * TENTHS // self.total if self.total else TENTHS
        if tenth > self.logged:
            self.logged = tenth
            log.info("mailing %s: %d of %d done (%d%%)", self.label, self.made, self.total,
                     100 * self.made // self.total)
            self.save(store, now)

    def save(self, store: Store, now: datetime) -> None:
        """Write this mailing's row (one per rule and occasion)."""
        table = store.table("mailings")
        row = {"rule": self.rule, "occasion": self.occasion, "total": self.total,
               "made": self.made, "started": self.started, "updated": now.isoformat()}
        if self.doc_id is not None:
            table.update(row, doc_ids=[self.doc_id])
        else:
            self.doc_id = table.insert(row)


def begin(store: Store, rule: str, occasion: str, total: int, waiting: int, mass: int,
          now: datetime) -> Mailing | None:
    """The Mailing to count a broadcast's ``waiting`` firings against, or None.

    A broadcast is a mass mailing when more than ``mass`` firings wait at its first scan;
    a later scan (after a restart) carries on with its row until it is done. One whose
    row is done is not begun again for the few (bouncing, away) that every scan finds.
    """
    row = next((doc for doc in store.table("mailings").all()
                if doc["rule"] == rule and doc["occasion"] == occasion), None)
    if row is None and waiting <= mass:
        return None
    if row is not None and row["made"] >= row["total"]:
        return None
    mailing = Mailing(rule, occasion, total, total - waiting,
                      row["started"] if row else now.isoformat(),
                      doc_id=row.doc_id if row else None)
    mailing.advance(store, now, made=0)
    return mailing


def status_lines(store: Store, zone: tzinfo = UTC) -> list[str]:
    """The latest mass mailings and how far each has got, for ``mailflow status`` (times
    in ``zone``, the program's)."""
    rows = sorted(store.table("mailings").all(), key=lambda r: r["started"], reverse=True)
    lines = []
    for row in rows[:SHOWN]:
        share = 100 * row["made"] // row["total"] if row["total"] else 100
        state = "done" if row["made"] >= row["total"] else "under way"
        lines.append(f"  {row['rule']} ({row['occasion']}): {row['made']} of {row['total']} "
                     f"queued ({share}%), {state}, started {local_time(row['started'], zone)}")
    return ["Mass mailings:", *lines] if lines else []
