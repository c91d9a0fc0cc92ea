"""decide(): which actions a message triggers; pure, so tested with readings and rules alone."""

from __future__ import annotations

import textwrap

import pytest

from mailflow.config.load import BUILTIN_RULES
from mailflow.parsing.reading import Application, Bounce, Reading
from mailflow.program.engine import decide, facts
from mailflow.program.rules import load_rules

PARTICIPANT = {"email": "lea@example.org", "role": "mentee", "status": "applied"}


@pytest.fixture(scope="module")
def rules():
    return load_rules(BUILTIN_RULES)


@pytest.fixture
def answer_everything_rules(tmp_path):
    """Rules that (wrongly) ask to answer machine mail, and to tell the coordinators."""
    (tmp_path / "machine.yaml").write_text(textwrap.dedent("""\
        rules:
          - name: answer-bounce
            when: {message: bounce}
            do:
              - send: delivery_problem
              - send: delivery_problem
                to: coordinators
              - review: a mail bounced
          - name: answer-auto-reply
            when: {message: auto_reply}
            do:
              - send: application_form
          - name: answer-anything-unknown
            when: {message: unknown}
            do:
              - send: application_form
        """), encoding="utf-8")
    return load_rules(tmp_path)


def reading(kind: str = "unknown", **fields) -> Reading:
    return Reading(kind=kind, sender=fields.pop("sender", "stranger@example.com"), **fields)


def sends(decisions) -> list[tuple[str, str | None, str]]:
    return [(d.rule, d.action.template, d.action.to) for d in decisions
            if d.action.type == "send"]


def test_strangers_unknown_message_triggers_the_form_rule(rules):
    decisions = decide(reading("unknown"), None, rules)

    assert sends(decisions) == [("application-form", "application_form", "sender")]


def test_participants_unknown_message_does_not_get_the_form(rules):
    decisions = decide(reading("unknown", participant="lea@example.org"), PARTICIPANT, rules)

    assert decisions == []


def test_complete_application_is_recorded_and_acknowledged(rules):
    decisions = decide(reading("application", application=Application("mentee", {"name": "Léa"})),
                       None, rules)

    assert [(d.rule, d.action.type, d.action.template) for d in decisions] == [
        ("application-received", "record", None),
        ("application-received", "send", "application_received"),
    ]


def test_incomplete_application_is_recorded_and_the_missing_fields_asked_for(rules):
    form = Application("mentee", missing=["Goals"])
    decisions = decide(reading("application", application=form), None, rules)

    assert [(d.rule, d.action.type, d.action.template) for d in decisions] == [
        ("application-incomplete", "record", None),
        ("application-incomplete", "send", "application_incomplete"),
    ]


def test_application_without_a_role_is_incomplete(rules):
    form = Application(None, missing=["Role"])
    decisions = decide(reading("application", application=form), None, rules)

    assert {d.rule for d in decisions} == {"application-incomplete"}


@pytest.mark.parametrize("kind", ["auto_reply", "bounce"])
def test_machine_mail_never_gets_a_send_to_its_sender(answer_everything_rules, kind):
    decisions = decide(reading(kind, sender="mailer-daemon@example.com"), None,
                       answer_everything_rules)

    assert not [d for d in decisions if d.action.type == "send" and d.action.to == "sender"]


def test_bounce_still_notifies_the_coordinators_and_asks_for_review(answer_everything_rules):
    decisions = decide(reading("bounce", bounce=Bounce(recipient="lea@example.org")), None,
                       answer_everything_rules)

    assert [(d.action.type, d.action.to) for d in decisions] == [
        ("send", "coordinators"), ("review", "sender")]


def test_own_mail_gets_nothing(answer_everything_rules, rules):
    own = reading("auto_reply", sender="mentorship@northlake.example.org", own_mail=True)

    assert decide(own, None, answer_everything_rules) == []
    assert decide(reading("unknown", own_mail=True), None, rules) == []


def test_message_needing_review_gets_only_the_rules_written_for_review(rules):
    unsure = reading("unknown", needs_review=True, problems=["empty message"])

    assert [d.rule for d in decide(unsure, None, rules)] == ["ask-to-clarify"]


def test_message_needing_review_never_triggers_the_stranger_form(rules):
    unsure = reading("unknown", needs_review=True, problems=["empty message"])

    assert "application-form" not in {d.rule for d in decide(unsure, None, rules)}


def test_facts_call_an_authenticated_coordinator_a_coordinator():
    values = facts(reading("coordinator_cc", authenticated=True), None)

    assert values["sender"] == "coordinator"


def test_facts_call_a_known_person_a_participant_with_their_role_and_status():
    values = facts(reading("unknown", participant="lea@example.org"), PARTICIPANT)

    assert values == {"message": "unknown", "review": "false", "sender": "participant",
                      "command": None, "application": None,
                      "role": "mentee", "status": "applied"}


def test_facts_take_the_role_of_the_application_over_the_stored_one():
    values = facts(reading("application", application=Application("mentor")), PARTICIPANT)

    assert values["role"] == "mentor"
    assert values["application"] == "complete"


def test_facts_of_a_stranger():
    values = facts(reading("unknown"), None)

    assert values["sender"] == "stranger"
    assert values["application"] is None
    assert values["status"] is None
