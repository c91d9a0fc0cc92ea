"""Invalid scheduled rules fail check with the file, the rule and the fix."""

from __future__ import annotations

import pytest

from mailflow.config.dates import CalendarConfig
from mailflow.errors import ConfigError
from mailflow.program.calendar import ProgramDate
from mailflow.program.scheduled import load_scheduled
from tests.program.year import START, ZONE

CALENDAR = CalendarConfig(zone=ZONE, dates={"program_end": ProgramDate("program_end", START)})


def load(tmp_path, rule: str, templates=frozenset({"digest", "tips/01-a"})):
    (tmp_path / "calendar.yaml").write_text("rules:\n" + rule, encoding="utf-8")
    return load_scheduled(tmp_path, set(templates), CALENDAR)


def test_unknown_template_names_file_rule_and_fix(tmp_path):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, "  - name: a\n    at: {after: program_end}\n    do: [send: nope]\n")
    assert "calendar.yaml" in str(error.value) and "rules[0].do[0].send" in str(error.value)
    assert "create templates/nope.en.txt" in error.value.fix


def test_unknown_date_lists_the_dates_one_may_use(tmp_path):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, "  - name: a\n    at: {before: kickoff}\n    do: [send: digest]\n")
    assert "unknown date 'kickoff'" in error.value.problem
    assert "calendar.dates" in error.value.fix and "introduced" in error.value.fix


def test_bad_recurrence_shows_a_valid_example(tmp_path):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, "  - name: a\n    at: {every: month, on: someday}\n"
                       "    to: coordinators\n    do: [send: digest]\n")
    assert "bad recurrence" in error.value.problem and "first monday" in error.value.fix


def test_bad_offset_is_named(tmp_path):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, "  - name: a\n    at: {after: program_end, offsets: [soon]}\n"
                       "    do: [send: digest]\n")
    assert "'soon' is not a duration" in error.value.problem


def test_a_sequence_needs_its_folder(tmp_path):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, "  - name: a\n    at: {every: week, on: monday}\n"
                       "    do: [send_next: quotes]\n")
    assert "templates/quotes/" in error.value.fix


def test_a_weekly_rule_written_with_yaml_on_loads(tmp_path):
    [rule] = load(tmp_path, "  - name: a\n    at: {every: week, on: monday, time: '08:00'}\n"
                            "    to: coordinators\n    do: [send: digest]\n")
    assert rule.trigger.weekday == 0


def test_a_stop_action_names_the_rules_it_stops(tmp_path):
    [rule] = load(tmp_path, "  - name: a\n    at: {after: program_end}\n"
                            "    do: [stop: [monthly-tip, weekly-digest]]\n")
    assert rule.actions[0].values == {"rules": ["monthly-tip", "weekly-digest"]}
