"""`mailflow select` and `withdraw`: the lottery on the stored applications, and its mail."""

from __future__ import annotations

from datetime import datetime

from mailflow.commands import services
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


def approve_mentor(program: Program, email: str, now: datetime) -> None:
    """A coordinator accepts a mentor who applied by mail: the next selection includes them."""
    person = participants.find(program.store, email)
    if person is None or person.get("role") != "mentor":
        raise MailflowError(f"no mentor with the address {email} (see mailflow status)")
    with program.store.transaction():
        participants.set_fields(program.store, person["email"], {"approved": True},
                                "coordinator (mailflow approve)", now.isoformat())


def withdraw(program: Program, email: str, now: datetime, cause: str) -> str | None:
    """Withdraw ``email``; a freed place goes to the next on the waitlist, who is told."""
    return changes.withdraw(services(program), email, now, cause)

