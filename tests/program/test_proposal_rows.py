"""A matching proposal says which pairs follow a mentee's choice and which are suggestions."""

from __future__ import annotations

from mailflow.program import participants
from mailflow.runtime import open_program
from tests.program.year import START, new_program


def test_a_mentee_without_choices_is_shown_as_a_suggestion_never_as_her_first_choice(tmp_path):
    program = open_program(new_program(tmp_path / "p"))
    try:
        with program.store.transaction():
            for i, expertise in enumerate(("vision", "ecology")):
                participants.insert(program.store, {
                    "email": f"mentor{i}@example.org", "name": f"Mentor {i}", "role": "mentor",
                    "status": "selected", "fields": {"expertise": expertise}})
            participants.insert(program.store, {
                "email": "lea@example.org", "name": "Léa", "role": "mentee",
                "status": "selected", "choices": ["mentor0@example.org"]})
            participants.insert(program.store, {
                "email": "priya@example.org", "name": "Priya", "role": "mentee",
                "status": "selected", "fields": {"goals": "ecology fieldwork"}})
        proposal = program.pairing.propose(START)
        rows = {row["mentee_email"]: row["rank"] for row in program.pairing.rows(proposal)}
    finally:
        program.close()

    assert rows == {"lea@example.org": 1, "priya@example.org": "suggested"}
