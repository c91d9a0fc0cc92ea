"""Hostile replies cost the readers bounded work, counted in Python lines executed (a
deterministic measure, unlike time; the timings are printed by tests/attacks/time_readers.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import Any

from mailflow.parsing.choices import read_choices
from mailflow.parsing.decode import decode_message
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.understand import understand
from tests.parsing.context import reading_context

NOOR = {"email": "noor@example.com", "name": "Noor Haddad", "role": "mentee",
        "status": "selected", "language": "en"}
CHOICES = SimpleNamespace(id="c1", message_id="c1.q@northlake.example.org",
                          recipients=[NOOR["email"]], meta={"expects": "choices"})
FIRST = ["Chen", "Sofia", "Kwame", "Amelie", "Jose", "Priya", "Hana", "Lars", "Ines", "Omar"]
LAST = ["Wei", "Rossi", "Mensah", "Tremblay", "Martinez", "Patel", "Sato", "Berg", "Silva",
        "Khan"]


def _lines_executed(work: Callable[[], object]) -> int:
    count = 0

    def tracer(_frame: FrameType, event: str, _arg: Any) -> Callable[..., Any]:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _mentors(count: int) -> list[dict]:
    names = [f"{f} {last}" for last in LAST for f in FIRST][:count]
    return [{"email": f"mentor{i}@example.org", "name": n, "role": "mentor"}
            for i, n in enumerate(names)]


def _reading_work(tmp_path: Path, mentors: int, body: str) -> int:
    ctx = reading_context(tmp_path, [NOOR, *_mentors(mentors)], [CHOICES])
    raw = (f"From: Noor Haddad <{NOOR['email']}>\r\nTo: mentorship@northlake.example.org\r\n"
           f"Subject: Re: choose your mentors\r\nMessage-ID: <r1@mail.example.com>\r\n"
           f"In-Reply-To: <{CHOICES.message_id}>\r\nContent-Type: text/plain; charset=utf-8"
           "\r\n\r\n" + body).encode()
    message = decode_message(raw)
    understand(message, ctx)  # first use: imports, compiled patterns and caches
    return _lines_executed(lambda: understand(message, ctx))


def test_reading_choices_costs_work_in_proportion_to_the_number_of_mentors(tmp_path):
    # The check that every mentor named is among the choices once read the whole text
    # again for each mentor: 100 mentors cost 100 times 100 name searches.
    body = "Chen Wei, Sofia Rossi and Kwame Mensah\n" + "Thanks for everything.\n" * 20
    small = _reading_work(tmp_path, 25, body)
    large = _reading_work(tmp_path, 100, body)
    assert large <= 4.5 * small


def _rows(count: int) -> str:
    """``count`` rows of different names, each near a mentor's ("Cheen Wie7 8")."""
    return "".join(f"Cheen Wie{i} {i % 90 + 1}\n" for i in range(count))


def test_a_reply_of_thousands_of_different_names_is_not_looked_up_name_by_name():
    # Each name is compared with every mentor's, typos allowed: 2000 rows cost 2000 lookups.
    roster = [RosterEntry(m["email"], m["name"]) for m in _mentors(100)]
    some, many = _rows(400), _rows(2000)
    assert _lines_executed(lambda: read_choices(many, roster)) <= 1.5 * _lines_executed(
        lambda: read_choices(some, roster))


def test_a_reply_of_more_names_than_are_looked_up_goes_to_review_saying_why():
    roster = [RosterEntry(m["email"], m["name"]) for m in _mentors(100)]
    reading = read_choices(_rows(1000), roster)
    assert reading.choices == []
    assert any("names or rows to look up" in p for p in reading.problems)
