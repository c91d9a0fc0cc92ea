"""The `note` action: a rule writes a line in a person's timeline, and changes nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailflow.commands.people import show_text
from mailflow.config.yamlfile import load_yaml
from mailflow.errors import ConfigError
from mailflow.program import participants
from mailflow.program.actions import MESSAGE, SCHEDULED, names, parse_action
from tests.program.year import START, Run, new_program

RULE = """
  - name: note-introduced
    at: {after: introduced, offsets: [1d]}
    to: {status: introduced}
    do:
      - note: introduced a day ago; no news yet
"""


@pytest.fixture
def run(tmp_path):
    root = new_program(tmp_path / "program")
    calendar = root / "rules" / "calendar.yaml"
    calendar.write_text(calendar.read_text(encoding="utf-8") + RULE, encoding="utf-8")
    running = Run.open(root)
    with running.program.store.transaction():
        participants.insert(running.program.store, {
            "email": "lea@example.org", "name": "Léa Gagnon", "role": "mentee",
            "status": "introduced", "introduced": START.isoformat(), "language": "en"})
    yield running
    running.close()


def test_a_scheduled_note_is_in_the_persons_timeline(run):
    run.ticks(START, START + timedelta(days=2))

    assert "note: text=introduced a day ago; no news yet  [rule note-introduced]" in show_text(
        run.program, "lea@example.org")


def test_a_note_changes_nothing_in_the_record(run):
    before = participants.find(run.program.store, "lea@example.org")

    run.ticks(START, START + timedelta(days=2))

    assert participants.find(run.program.store, "lea@example.org") == before


def test_message_rules_and_scheduled_rules_may_both_note():
    assert "note" in names(MESSAGE) and "note" in names(SCHEDULED)


def test_a_note_without_words_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("rules: []\n", encoding="utf-8")

    with pytest.raises(ConfigError) as error:
        parse_action(load_yaml(path), "rules[0].do[0]", {"note": ""}, None, SCHEDULED)

    assert error.value.problem == "expected the note as text"
    assert "note:" in error.value.fix
