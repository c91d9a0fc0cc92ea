"""`mailflow select` and `withdraw`: the lottery on the stored applications, and its mail."""

from __future__ import annotations

from datetime import datetime

from mailflow.commands import services
from mailflow.commands.people import person_named
from mailflow.errors import MailflowError
from mailflow.program import lottery, participants
from mailflow.program.coordination import changes, selecting
from mailflow.runtime import Program


def applicants(program: Program) -> list[lottery.Applicant]:
    """Mentee applicants with a complete application, as the lottery sees them."""
    return selecting.applicants(program.store)


def select(program: Program, places: int, reserved: int, seed: str, now: datetime,
           dry_run: bool = False) -> lottery.Draw:
    """Draw, and unless ``dry_run`` record the draw, move everyone and queue their mail."""
    return selecting.select(services(program), places, reserved, seed, now, dry_run)


def approve_mentor(program: Program, who: str, now: datetime) -> None:
    """A coordinator accepts a mentor who applied by mail: the next selection includes them.
    ``who`` is an address or a name, case and accents aside ('tomas' finds Tomás)."""
    person = person_named(program, who)
    if person.get("role") != "mentor":
        raise MailflowError(f"{person.get('name') or ''} <{person['email']}> is not a mentor "
                            "(see mailflow status)")
    with program.store.transaction():
        participants.set_fields(program.store, person["email"], {"approved": True},
                                "coordinator (mailflow approve)", now.isoformat())


def withdraw(program: Program, who: str, now: datetime, cause: str) -> str | None:
    """Withdraw ``who`` (an address or a name, case and accents aside); a freed place goes
    to the next on the waitlist, who is told."""
    return changes.withdraw(services(program), person_named(program, who)["email"], now, cause)

