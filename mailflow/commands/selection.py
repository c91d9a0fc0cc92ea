"""`mailflow select` and `withdraw`: the lottery on the stored applications, and its mail."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from mailflow.commands import services
from mailflow.errors import MailflowError
from mailflow.program import lottery, participants
from mailflow.program.coordination import changes
from mailflow.runtime import Program

YES = frozenset({"yes", "oui", "y", "o", "true", "1", "si", "sí"})


def _yes(value: object) -> bool:
    return str(value or "").strip().lower().split(" ")[0].strip(".,;") in YES


def applicants(program: Program) -> list[lottery.Applicant]:
    """Mentee applicants with a complete application, as the lottery sees them."""
    found = []
    for person in program.store.table("participants").all():
        if person.get("role") != "mentee" or person.get("status") != "applicant":
            continue
        if not (person.get("application") or {"complete": True}).get("complete"):
            continue
        fields = person.get("fields") or {}
        found.append(lottery.Applicant(person["email"], _yes(fields.get("self_identification")),
                                       _yes(fields.get("prior_participation"))))
    return found


def select(program: Program, places: int, reserved: int, seed: str, now: datetime,
           dry_run: bool = False) -> lottery.Draw:
    """Draw, and unless ``dry_run`` record the draw, move everyone and queue their mail."""
    draw = lottery.draw(applicants(program), places, reserved, seed)
    if dry_run:
        return draw
    store, at = program.store, now.isoformat()
    cause = f"selection draw {draw.seed_hash[:12]}"
    occasion = f"draw:{draw.seed_hash[:16]}"
    with store.transaction(), program.outbox.batch():
        store.table("draws").insert({"seed_hash": draw.seed_hash, "seed": seed, "at": at,
                                     "places": places, "reserved": reserved,
                                     "order": [asdict(p) for p in draw.order]})
        outcomes = [(e, "selected", None) for e in draw.selected] + [
            (e, "waitlisted", i + 1) for i, e in enumerate(draw.waitlist)]
        mentors = [p["email"] for p in store.table("participants").all()
                   if p.get("role") == "mentor" and p.get("status") == "applicant"
                   and p.get("approved") is not False
                   and (p.get("application") or {"complete": True}).get("complete")]
        outcomes += [(e, "selected", None) for e in mentors]
        for email, state, position in outcomes:
            participants.move(store, email, state, cause, at)
            _tell(program, email, f"selection_{state}", occasion, now,
                  {"waitlist_position": position} if position else {})
    return draw


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


def _tell(program: Program, email: str, template: str, occasion: str, now: datetime,
          extra: dict) -> None:
    changes.tell(services(program), email, template, occasion, now, extra)
