"""``mailflow show``, ``link``, ``pause``, ``resume``: one person, for a coordinator."""

from __future__ import annotations

from datetime import date, datetime

from mailflow.commands import services
from mailflow.errors import MailflowError
from mailflow.program.coordination import changes, registry, views
from mailflow.program.coordination.people import resolve
from mailflow.program.coordination.services import Request
from mailflow.runtime import Program
from mailflow.store.records import Participant

PRIVATE = views.PRIVATE


def person_named(program: Program, who: str) -> Participant:
    """The participant ``who`` names (an address, a name, or an unambiguous part of one)."""
    named = resolve(program.store, who)
    if named.person is None:
        raise MailflowError(named.problem())
    return named.person


def link(program: Program, who: str, address: str, now: datetime) -> Participant:
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


def pause(program: Program, who: str, until: str | None, now: datetime) -> str:
    """No scheduled mail to ``who`` until ``until`` (YYYY-MM-DD) or resume: the mail
    command PAUSE, run for the CLI; returns its receipt."""
    args = {"person": who}
    if until is not None:
        try:
            args["until"] = date.fromisoformat(until).isoformat()
        except ValueError:
            raise MailflowError(f"{until!r} is not a date such as 2027-05-01") from None
    return _run(program, registry.run_pause, args, now, "coordinator (mailflow pause)")


def resume(program: Program, who: str, now: datetime) -> str:
    """Scheduled mail to ``who`` again (the mail command RESUME); returns its receipt."""
    return _run(program, registry.run_resume, {"person": who}, now,
                "coordinator (mailflow resume)")


def _run(program: Program, runner: registry.Runner, args: registry.Args, now: datetime,
         cause: str) -> str:
    with program.store.transaction():
        result = runner(services(program), args, Request(now, cause=cause))
    if not result.ok:
        raise MailflowError(result.text)
    return result.text
