"""``mailflow show PERSON`` and ``link``: one person, for a coordinator (also by mail)."""

from __future__ import annotations

from datetime import datetime

from mailflow.commands import services
from mailflow.errors import MailflowError
from mailflow.program.coordination import changes, views
from mailflow.program.coordination.people import resolve
from mailflow.runtime import Program

PRIVATE = views.PRIVATE


def person_named(program: Program, who: str) -> dict:
    """The participant ``who`` names (an address, a name, or an unambiguous part of one)."""
    named = resolve(program.store, who)
    if named.person is None:
        raise MailflowError(named.problem())
    return named.person


def link(program: Program, who: str, address: str, now: datetime) -> dict:
    """Attribute mail from ``address`` to the participant ``who`` names, from now on."""
    person = person_named(program, who)
    with program.store.transaction():
        changes.link(services(program), person, address, "coordinator (mailflow link)",
                     now.isoformat())
    return person


def show_text(program: Program, who: str, private: bool = False) -> str:
    """The record (private answers marked as such, shown with ``private``) and the
    timeline, oldest first."""
    return views.show_text(services(program), person_named(program, who), private)
