"""The participants CSV: one column per field and per survey question, none twice."""

from __future__ import annotations

import csv
import io

from mailflow.commands.roster import export_participants
from mailflow.program import participants
from mailflow.runtime import open_program
from tests.program.year import new_program


def test_the_csv_has_no_column_twice_and_a_column_per_survey_question(tmp_path):
    program = open_program(new_program(tmp_path / "p"))
    try:
        with program.store.transaction():
            participants.insert(program.store, {
                "email": "lea@example.org", "name": "Léa Gagnon", "role": "mentee",
                "status": "introduced", "fields": {"name": "Léa Gagnon", "goals": "a lab"},
                "surveys": {"midpoint": {"1": 5, "2": "twice"}}})
        rows = list(csv.reader(io.StringIO(export_participants(program, "csv"))))
    finally:
        program.close()
    header, [lea] = rows[0], rows[1:]
    assert len(header) == len(set(header))
    assert dict(zip(header, lea, strict=True))["midpoint q2"] == "twice"


def test_show_gives_the_survey_answers_only_when_asked(tmp_path):
    from mailflow.commands.people import show_text
    program = open_program(new_program(tmp_path / "p"))
    try:
        with program.store.transaction():
            participants.insert(program.store, {
                "email": "tomas@example.org", "name": "Tomás Ortega", "role": "mentee",
                "surveys": {"midpoint": {"1": 4, "2": "monthly"}}})
        plain, private = show_text(program, "tomas"), show_text(program, "tomas", private=True)
    finally:
        program.close()
    assert "monthly" not in plain and "midpoint q2: monthly" in private
