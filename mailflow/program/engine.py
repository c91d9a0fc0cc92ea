"""Decide what to do about a message: pure, so it is tested without store or network."""

from __future__ import annotations

from dataclasses import dataclass

from mailflow.parsing.understand import Reading
from mailflow.program.actions import Action
from mailflow.program.rules import Rule
from mailflow.store.records import Participant

NEVER_ANSWERED = frozenset({"auto_reply", "bounce", "feedback"})


@dataclass(frozen=True)
class Decision:
    """An action and the rule that asked for it."""

    rule: str
    action: Action


def facts(reading: Reading, participant: Participant | None) -> dict[str, str | None]:
    """The values rule conditions are matched against."""
    if reading.authenticated:
        sender = "coordinator"
    elif participant is not None:
        sender = "participant"
    else:
        sender = "stranger"
    application = None
    if reading.kind == "application":
        form = reading.application
        application = "complete" if form.role and not form.missing else "incomplete"
    return {
        "message": reading.kind,
        "review": "true" if reading.needs_review else "false",
        "sender": sender,
        "application": application,
        "role": reading.application.role or (participant.get("role") if participant else None),
        "status": (participant.get("status") if participant else None),
        "command": reading.command,
    }


def matches(rule: Rule, values: dict[str, str | None]) -> bool:
    """Whether every condition of ``rule`` holds; a message for review needs 'review: true'."""
    if values.get("review") == "true" and rule.when.get("review") != "true":
        return False
    return all(values.get(name) == expected for name, expected in rule.when.items())


def decide(reading: Reading, participant: Participant | None, rules: list[Rule]) -> list[Decision]:
    """The actions of every matching rule, in rule order; never an answer to automatic mail."""
    if reading.own_mail or reading.no_answer:
        return []
    if reading.kind == "bounce" and reading.bounce.status == "temporary":
        return []  # a delay is only recorded: no rule counts it or acts on it
    values = facts(reading, participant)
    decisions = []
    for rule in rules:
        if matches(rule, values):
            for action in rule.actions:
                if action.type == "send" and action.to == "sender" and (
                        reading.kind in NEVER_ANSWERED):
                    continue
                decisions.append(Decision(rule.name, action))
    return decisions
