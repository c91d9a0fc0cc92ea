"""A simulated cohort year: a program from the example, a roster, and a fixed clock.

Without pytest: the year benchmark (bench/year.py) uses it and measures its own memory.
The ``run`` fixture is in tests/program/year.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from mailflow.commands.init import init_program
from mailflow.housekeeping import compact_program
from mailflow.program import participants
from mailflow.runtime import Program, open_program

ZONE = ZoneInfo("America/Montreal")
START = datetime(2026, 12, 1, 0, 0, tzinfo=ZONE)
END = datetime(2027, 12, 15, 0, 0, tzinfo=ZONE)
HOUR = timedelta(hours=1)


def roster(program: Program, pairs: int = 4, applicants: int = 2, selected: int = 2) -> None:
    """Introduced pairs (half in French), incomplete applicants and selected mentees."""
    store, at = program.store, START.isoformat()
    with store.transaction():
        for i in range(pairs):
            language = "fr" if i % 2 else "en"
            mentor, mentee = f"mentor{i}@example.org", f"mentee{i}@example.org"
            participants.insert(store, {
                "email": mentor, "name": f"Mentor {i}", "role": "mentor", "language": language,
                "status": "introduced", "introduced": "2027-02-15", "mentees": [mentee],
                "fields": {"expertise": "vision"}})
            participants.insert(store, {
                "email": mentee, "name": f"Mentee {i}", "role": "mentee", "language": language,
                "status": "introduced", "introduced": "2027-02-15", "mentor": mentor,
                "choices": [mentor], "fields": {"goals": "a career plan"}})
        for i in range(applicants):
            participants.insert(store, {
                "email": f"applicant{i}@example.org", "name": f"Applicant {i}",
                "role": "mentee", "status": "applicant", "language": "en",
                "application": {"complete": False, "missing": ["Goals"]}, "created": at})
        for i in range(selected):
            participants.insert(store, {
                "email": f"selected{i}@example.org", "name": f"Selected {i}", "role": "mentee",
                "status": "selected", "language": "fr" if i else "en", "created": at})


def new_program(tmp: Path) -> Path:
    """The example program, copied to ``tmp``."""
    init_program(tmp)
    return tmp


@dataclass
class Run:
    """Ticks a program hour by hour over a span, reopening it like a restart when asked."""

    root: Path
    program: Program

    @classmethod
    def open(cls, root: Path) -> Run:
        return cls(root, open_program(root))

    def restart(self) -> None:
        self.program.close()
        self.program = open_program(self.root)

    def ticks(self, start: datetime, end: datetime, step: timedelta = HOUR) -> None:
        now = start
        while now <= end:
            # One clock: what the outbox records is dated by the simulated time too.
            self.program.outbox.clock = lambda moment=now: moment.timestamp()
            self.program.scheduler.tick(now)
            now += step

    def firings(self, state: str = "fired") -> list[dict]:
        return [f for f in self.program.store.table("firings").all() if f["state"] == state]

    def close(self) -> None:
        self.program.close()


def made_since(run: Run, newest: int) -> tuple[list[str], int]:
    """The keys of the firings made since doc id ``newest``, and the newest id now."""
    rows = [f for f in run.program.store.table("firings").all() if f.doc_id > newest]
    return [f["key"] for f in rows], max([newest, *(f.doc_id for f in rows)])


def days_with_housekeeping(run: Run, first: datetime, last: datetime, made: list[str],
                           newest: int) -> int:
    """Tick each day from ``first`` to ``last``, housekeeping at its end, as the daemon."""
    day = first
    while day <= last:
        run.ticks(day, day + timedelta(hours=22), step=timedelta(hours=2))
        keys, newest = made_since(run, newest)
        made += keys
        compact_program(run.program, day + timedelta(hours=23, minutes=30))
        day += timedelta(days=1)
    return newest
