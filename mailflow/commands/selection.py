"""`mailflow select` and `withdraw`: the lottery on the stored applications, and its mail."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from mailflow.errors import MailflowError
from mailflow.outbound.mailer import Recipient
from mailflow.program import lifecycle, lottery, participants
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
    store, at = program.store, now.isoformat()
    person = participants.find(store, email)
    if person is None:
        raise lifecycle.TransitionError(f"no participant with the address {email}")
    rows = store.table("draws").all()
    offered = None
    with store.transaction(), program.outbox.batch():
        was = person.get("status")
        participants.move(store, email, "withdrawn", cause, at)
        if rows and was == "selected":
            last = rows[-1]
            draw = lottery.Draw(
                selected=[p["email"] for p in last["order"] if p["place"]],
                waitlist=[p["email"] for p in last["order"] if not p["place"]],
                seed_hash=last["seed_hash"],
                order=[lottery.Pick(**p) for p in last["order"]])
            candidates = [e for e in draw.waitlist
                          if (participants.find(store, e) or {}).get("status") == "waitlisted"]
            draw = lottery.Draw(draw.selected, candidates, draw.seed_hash, draw.order)
            offered = lottery.next_from_waitlist(draw, email) if email in draw.selected else None
            if offered:
                participants.move(store, offered, "selected", f"place freed by {email}", at)
                _tell(program, offered, "selection_selected", f"freed:{email}", now, {})
    return offered


def _tell(program: Program, email: str, template: str, occasion: str, now: datetime,
          extra: dict) -> None:
    person = participants.find(program.store, email) or {"email": email}
    language = person.get("language") or program.config.language
    mailings = program.scheduler.mailings
    context = mailings.contexts.build(dict(person), language, now, template)
    program.mailer.queue(rule="selection", occasion=occasion, template=template,
                         to=Recipient(email, person.get("name") or "", language,
                                      participant=email),
                         context={**context, **extra}, kind="scheduled", now=now)
