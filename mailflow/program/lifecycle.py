"""A participant's life in the program: explicit states and the transitions allowed between them.

    applicant -> selected | waitlisted | not_selected
    waitlisted -> selected | not_selected
    selected -> matched -> introduced -> active -> completed  (matched -> selected: undone)
    any state -> withdrawn;  not_selected, completed, withdrawn -> applicant (next round)

Every transition is recorded in the person's timeline with its cause (a message, a
rule, a coordinator's command), so ``mailflow show PERSON`` tells the whole story.
The dates of the transitions that rules can refer to (selected, matched,
introduced) are kept on the record.
"""

from __future__ import annotations

from mailflow.errors import MailflowError
from mailflow.program import participants
from mailflow.store import Store

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


def move(store: Store, email: str, new: str, cause: str, at: str) -> dict:
    """Change a participant's state, recording why; raises TransitionError if not allowed."""
    if new not in STATES:
        raise TransitionError(f"unknown state {new!r}; states: {', '.join(STATES)}")
    person = participants.find(store, email)
    if person is None:
        raise TransitionError(f"no participant with the address {email}")
    current = person.get("status")
    if not can_move(current, new):
        raise TransitionError(f"{email} is {current}; it cannot become {new} "
                              f"(allowed: {', '.join(sorted(ALLOWED.get(current, set())))})")
    if new == current:
        return dict(person)
    values: dict = {"status": new}
    if new in DATED:
        values[new] = at
    store.table("participants").update({**values, "updated": at}, doc_ids=[person.doc_id])
    participants.add_event(store, email, "status", cause, at, {"from": current, "to": new})
    return {**person, **values}
