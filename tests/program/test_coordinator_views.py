"""What coordinators type and read: a person named as they say it ('tomas' finds Tomás)
in every command that names one, and times in the program's zone (America/Montreal)."""

from __future__ import annotations

from datetime import datetime

from mailflow.commands.people import show_text
from mailflow.commands.selection import approve_mentor, withdraw
from mailflow.commands.status import review_text
from mailflow.program import participants
from mailflow.program.coordination import review
from mailflow.program.coordination.review import ReviewItem
from tests.program.year import ZONE, Run

NOW = datetime(2027, 4, 6, 10, 0, tzinfo=ZONE)
TOMAS = "tomas.alvarez@example.es"


def add_tomas(run: Run, role: str = "mentor") -> None:
    with run.program.store.transaction():
        participants.insert(run.program.store, {
            "email": TOMAS, "name": "Tomás Álvarez", "role": role, "status": "selected",
            "language": "fr"})


def test_withdraw_finds_a_person_by_name_without_accents_or_capitals(run):
    add_tomas(run, "mentee")
    withdraw(run.program, "tomas alvarez", NOW, "coordinator (mailflow withdraw)")
    assert participants.find(run.program.store, TOMAS)["status"] == "withdrawn"


def test_approve_finds_a_mentor_by_name_in_capitals(run):
    add_tomas(run)
    approve_mentor(run.program, "TOMÁS", NOW)
    assert participants.find(run.program.store, TOMAS)["approved"] is True


def test_the_timeline_shows_times_in_the_programs_zone(run):
    add_tomas(run)
    with run.program.store.transaction():
        participants.add_event(run.program.store, TOMAS, "note", "test",
                               "2027-04-06T14:00:00+00:00", {})
    text = show_text(run.program, "tomas")
    assert "timeline: (times in America/Montreal)" in text
    assert "  2027-04-06 10:00  note:" in text  # 14:00 UTC is 10:00 in Montreal in April


def test_the_review_list_shows_times_in_the_programs_zone(run):
    with run.program.store.transaction():
        review.open_item(run.program.store, ReviewItem(
            created="2027-04-06T14:00:00+00:00", sender=TOMAS, subject="Question"))
    assert review_text(run.program, NOW).startswith("2027-04-06 10:00  " + TOMAS)
