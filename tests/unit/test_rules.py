"""load_rules: rules are data, and every mistake in them is pointed at with its fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mailflow.config.load import BUILTIN_RULES
from mailflow.errors import ConfigError
from mailflow.program.rules import Action, load_rules

TEMPLATES = {"application_form", "application_received", "application_incomplete", "digest"}

VALID = """\
rules:
  - name: application-form
    description: Send the form to strangers.
    when: {message: unknown, sender: stranger}
    do:
      - send: application_form
  - name: application-received
    when: {message: application, application: complete, role: mentee}
    do:
      - record: application
      - send: application_received
      - send: digest
        to: coordinators
      - set: {status: applied}
      - review: check the affiliation
"""


def write_rules(directory: Path, text: str, name: str = "flow.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rules_error(directory: Path, text: str) -> ConfigError:
    write_rules(directory, text)
    with pytest.raises(ConfigError) as info:
        load_rules(directory, TEMPLATES)
    return info.value


def test_valid_rules_file_loads_with_conditions_actions_and_source(tmp_path):
    path = write_rules(tmp_path, VALID)

    rules = load_rules(tmp_path, TEMPLATES)

    assert [r.name for r in rules] == ["application-form", "application-received"]
    assert rules[0].when == {"message": "unknown", "sender": "stranger"}
    assert rules[0].actions == (Action("send", template="application_form"),)
    assert rules[0].source == f"{path}:2"
    assert rules[1].actions == (
        Action("record"),
        Action("send", template="application_received", to="sender"),
        Action("send", template="digest", to="coordinators"),
        Action("set", values={"status": "applied"}),
        Action("review", reason="check the affiliation"),
    )


def test_rules_from_several_files_are_loaded_in_file_name_order(tmp_path):
    write_rules(tmp_path, VALID, "b.yaml")
    write_rules(tmp_path, """\
        rules:
          - name: first
            when: {message: bounce}
            do: [{review: a bounce}]
        """, "a.yaml")

    assert [r.name for r in load_rules(tmp_path, TEMPLATES)] == [
        "first", "application-form", "application-received"]


def test_built_in_rules_load_against_the_built_in_templates():
    from mailflow.config.load import BUILTIN_TEMPLATES
    from mailflow.outbound.templates import Templates

    names = Templates([BUILTIN_TEMPLATES], "en").names()

    assert [r.name for r in load_rules(BUILTIN_RULES, names)] == [
        "application-form", "application-received", "application-incomplete",
        "ask-to-clarify", "acknowledge-choices", "thank-for-survey",
        "tell-coordinators-of-bounce", "confirm-unsubscribe", "confirm-pause",
        "confirm-resume", "acknowledge-leaving"]


def test_template_names_are_not_checked_when_none_are_given(tmp_path):
    write_rules(tmp_path, VALID.replace("send: digest", "send: not_yet_written"))

    assert len(load_rules(tmp_path)) == 2


def test_unknown_template_names_file_line_and_fix(tmp_path):
    error = rules_error(tmp_path, VALID.replace("send: application_form", "send: aplication_form"))

    assert error.file == str(tmp_path / "flow.yaml")
    assert error.where == "line 6, key 'rules[0].do[0].send'"
    assert "unknown template 'aplication_form'" in error.problem
    assert error.fix == "create templates/aplication_form.en.txt or fix the name"


def test_unknown_condition_names_file_line_and_the_valid_conditions(tmp_path):
    error = rules_error(tmp_path, VALID.replace("sender: stranger", "from: stranger"))

    assert error.file == str(tmp_path / "flow.yaml")
    assert error.where == "line 4, key 'rules[0].when.from'"
    assert "unknown condition 'from'" in error.problem
    assert "application, command, message, review, role, sender, status" in error.fix


def test_unknown_message_kind_names_the_valid_kinds(tmp_path):
    error = rules_error(tmp_path, VALID.replace("message: unknown", "message: spam"))

    assert error.where == "line 4, key 'rules[0].when.message'"
    assert "unknown value 'spam'" in error.problem
    assert "auto_reply" in error.fix and "bounce" in error.fix


def test_unknown_condition_value_is_refused(tmp_path):
    error = rules_error(tmp_path, VALID.replace("role: mentee", "role: teacher"))

    assert "rules[1].when.role" in error.where
    assert "mentee, mentor" in error.fix


def test_rule_without_a_message_kind_is_refused(tmp_path):
    error = rules_error(tmp_path, VALID.replace("{message: unknown, sender: stranger}",
                                                "{sender: stranger}"))

    assert error.where == "line 4, key 'rules[0].when'"
    assert "message: KIND" in error.problem


def test_unknown_action_names_file_line_and_the_valid_actions(tmp_path):
    error = rules_error(tmp_path, VALID.replace("- send: application_form",
                                                "- mail: application_form"))

    assert error.file == str(tmp_path / "flow.yaml")
    assert error.where == "line 6, key 'rules[0].do[0]'"
    assert "record, review, send, set" in error.problem


def test_unknown_recipient_is_refused_with_the_valid_ones(tmp_path):
    error = rules_error(tmp_path, VALID.replace("to: coordinators", "to: everyone"))

    assert "rules[1].do[2].to" in error.where
    assert error.fix == "use one of: coordinators, sender"


def test_setting_a_field_rules_may_not_set_is_refused(tmp_path):
    error = rules_error(tmp_path, VALID.replace("{status: applied}", "{email: x@example.org}"))

    assert "rules[1].do[3].set.email" in error.where
    assert "language, notes, status" in error.fix


def test_unknown_key_in_a_rule_is_refused(tmp_path):
    error = rules_error(tmp_path, VALID.replace("    description:", "    comment:"))

    assert error.where == "line 3, key 'rules[0].comment'"
    assert "name, description, when and do" in error.fix


def test_duplicate_rule_names_point_at_both_rules(tmp_path):
    path = write_rules(tmp_path, VALID.replace("name: application-received",
                                               "name: application-form"))

    with pytest.raises(ConfigError) as info:
        load_rules(tmp_path, TEMPLATES)

    assert info.value.where == "line 7, key 'rules[1].name'"
    assert "'application-form' is used twice" in info.value.problem
    assert info.value.fix == f"the other one is at {path}:2"


def test_duplicate_rule_names_across_files_are_refused(tmp_path):
    write_rules(tmp_path, VALID, "a.yaml")
    write_rules(tmp_path, VALID, "b.yaml")

    with pytest.raises(ConfigError, match="used twice") as info:
        load_rules(tmp_path, TEMPLATES)

    assert info.value.file == str(tmp_path / "b.yaml")
    assert str(tmp_path / "a.yaml") in info.value.fix


def test_rule_with_no_actions_is_refused(tmp_path):
    error = rules_error(tmp_path, """\
        rules:
          - name: nothing
            when: {message: unknown}
            do: []
        """)

    assert "rules[0].do" in error.where


def test_file_without_a_rules_list_is_refused(tmp_path):
    error = rules_error(tmp_path, "rules: {name: x}\n")

    assert "expected 'rules:'" in error.problem


def test_yaml_syntax_error_in_rules_gives_its_line(tmp_path):
    error = rules_error(tmp_path, "rules:\n  - name: x\n    when: {message: [unknown\n")

    assert error.where.startswith("line ")
    assert "not valid YAML" in error.problem


def test_a_review_reason_may_be_written_per_language_for_the_clarification(tmp_path):
    write_rules(tmp_path, """\
        rules:
          - name: hold
            when: {message: bounce}
            do: [{review: {en: a person reads it, fr: une personne le lit}}]
        """)

    [rule] = load_rules(tmp_path, TEMPLATES)

    reason = rule.actions[0].reason
    assert reason == "a person reads it"
    assert reason.in_language("fr") == "une personne le lit"  # type: ignore[attr-defined]
