"""A participant's life in the program: explicit states and the transitions allowed between them.

    applicant -> selected | waitlisted | not_selected
    waitlisted -> selected | not_selected
    selected -> matched -> introduced -> active -> completed  (matched -> selected: undone)
    any state -> withdrawn;  not_selected, completed, withdrawn -> applicant (next round)

The rules alone, without the store: ``mailflow.program.participants.move`` applies
them, recording every transition in the person's timeline with its cause (a message,
a rule, a coordinator's command), and the dates rules refer to (selected, matched,
introduced) on the record.
"""

from __future__ import annotations

from mailflow.errors import MailflowError

STATES = ("applicant", "selected", "waitlisted", "not_selected", "matched", "introduced",
          "active", "completed", "withdrawn")
ALLOWED: dict[str | None, set[str]] = {
    None: {"applicant", "selected"},
    "applicant": {"selected", "waitlisted", "not_selected"},
    "waitlisted": {"selected", "not_selected"},
    "not_selected": {"applicant"},
    "selected": {"matched"},
    "matched": {"introduced", "selected", "completed"},
    "introduced": {"active", "completed"},
    "active": {"completed"},
    "completed": {"applicant"},
    "withdrawn": {"applicant"},
}
DATED = ("selected", "matched", "introduced", "completed", "withdrawn")


class TransitionError(MailflowError):
    """A change of state the program does not allow."""


def can_move(current: str | None, new: str) -> bool:
    """Whether ``current`` may become ``new`` (anyone may withdraw, or stay where they are)."""
    return new == current or new == "withdrawn" or new in ALLOWED.get(current, set())


def check(email: str, current: str | None, new: str) -> None:
    """Raise TransitionError naming the allowed states when ``current`` may not become ``new``."""
    if new not in STATES:
        raise TransitionError(f"unknown state {new!r}; states: {', '.join(STATES)}")
    if not can_move(current, new):
        raise TransitionError(f"{email} is {current}; it cannot become {new} "
                              f"(allowed: {', '.join(sorted(ALLOWED.get(current, set())))})")
