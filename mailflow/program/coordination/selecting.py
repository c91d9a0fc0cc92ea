"""The selection lottery on the stored applications, and its mail: shared by
``mailflow select`` and SELECT by mail, so a preview shows exactly what CONFIRM does."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import datetime

from mailflow.program import lottery, participants
from mailflow.program.coordination.changes import tell
from mailflow.program.coordination.services import Services
from mailflow.store import Store

YES = frozenset({"yes", "oui", "y", "o", "true", "1", "si", "sí"})


def _yes(value: object) -> bool:
    return str(value or "").strip().lower().split(" ")[0].strip(".,;") in YES


def applicants(store: Store) -> list[lottery.Applicant]:
    """Mentee applicants with a complete application, as the lottery sees them."""
    found = []
    for person in store.table("participants").all():
        if person.get("role") != "mentee" or person.get("status") != "applicant":
            continue
        if not (person.get("application") or {"complete": True}).get("complete"):
            continue
        fields = person.get("fields") or {}
        found.append(lottery.Applicant(person["email"], _yes(fields.get("self_identification")),
                                       _yes(fields.get("prior_participation"))))
    return found


def left_out(store: Store) -> list[str]:
    """Mentee applicants the draw leaves out: their application is incomplete."""
    return sorted(p["email"] for p in store.table("participants").all()
                  if p.get("role") == "mentee" and p.get("status") == "applicant"
                  and not (p.get("application") or {"complete": True}).get("complete"))


def mentors_to_select(store: Store) -> list[str]:
    """Mentors who applied, were not refused and completed their application."""
    return [p["email"] for p in store.table("participants").all()
            if p.get("role") == "mentor" and p.get("status") == "applicant"
            and p.get("approved") is not False
            and (p.get("application") or {"complete": True}).get("complete")]


def entrants_digest(store: Store) -> str:
    """A hash of who enters the draw, as the lottery sees them: a preview's draw is the
    draw CONFIRM runs only while this is unchanged."""
    text = "\n".join(sorted(f"{a.email}:{a.reserved_group}:{a.prior_participant}"
                            for a in applicants(store)) + sorted(mentors_to_select(store)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def select(services: Services, places: int, reserved: int, seed: str, now: datetime,
           dry_run: bool = False) -> lottery.Draw:
    """Draw, and unless ``dry_run`` record the draw, move everyone and queue their mail."""
    store = services.store
    draw = lottery.draw(applicants(store), places, reserved, seed)
    if dry_run:
        return draw
    at = now.isoformat()
    cause = f"selection draw {draw.seed_hash[:12]}"
    occasion = f"draw:{draw.seed_hash[:16]}"
    with store.transaction(), services.outbox.batch():
        store.table("draws").insert({"seed_hash": draw.seed_hash, "seed": seed, "at": at,
                                     "places": places, "reserved": reserved,
                                     "order": [asdict(p) for p in draw.order]})
        outcomes = [(e, "selected", None) for e in draw.selected] + [
            (e, "waitlisted", i + 1) for i, e in enumerate(draw.waitlist)]
        outcomes += [(e, "selected", None) for e in mentors_to_select(store)]
        for email, state, position in outcomes:
            participants.move(store, email, state, cause, at)
            tell(services, email, f"selection_{state}", occasion, now,
                 {"waitlist_position": position} if position else {})
    return draw
