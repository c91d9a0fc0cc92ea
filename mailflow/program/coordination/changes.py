"""What a coordinator changes: pause, resume, link an address, withdraw (with its preview).

Shared by ``mailflow link|withdraw`` and the same commands by mail. Each checks what
it can before the first write, so a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailflow.outbound.mailer import Recipient
from mailflow.program import lifecycle, lottery, participants
from mailflow.program.coordination.services import Services
from mailflow.store.records import Participant

UNTIL_FURTHER_NOTICE = "9999-12-31"


def pause(services: Services, person: Participant, until: str | None, cause: str, at: str) -> None:
    """No scheduled mail to ``person`` until ``until`` (ISO date; None: until RESUME)."""
    participants.set_fields(services.store, person["email"],
                            {"paused_until": until or UNTIL_FURTHER_NOTICE}, cause, at)


def resume(services: Services, person: Participant, cause: str, at: str) -> None:
    """Scheduled mail to ``person`` again."""
    participants.set_fields(services.store, person["email"], {"paused_until": None}, cause, at)


def link(services: Services, person: Participant, address: str, cause: str, at: str) -> None:
    """Attribute mail from ``address`` to ``person`` too; raises TransitionError when the
    address is another participant's."""
    participants.link(services.store, person, address, cause, at)


@dataclass(frozen=True)
class Withdrawal:
    """What withdrawing someone does: their state before, and who gets their place."""

    email: str
    was: str | None
    offered: str | None


def withdrawal(services: Services, email: str) -> Withdrawal:
    """What withdrawing ``email`` would do, changing nothing (the preview, and the plan
    ``withdraw`` carries out)."""
    store = services.store
    person = participants.find(store, email)
    if person is None:
        raise lifecycle.TransitionError(f"no participant with the address {email}")
    was = person.get("status")
    rows = store.table("draws").all()
    if not rows or was != "selected":
        return Withdrawal(person["email"], was, None)
    last = rows[-1]
    selected = [p["email"] for p in last["order"] if p["place"]]
    candidates = [p["email"] for p in last["order"] if not p["place"]
                  and participants.status_of(store, p["email"]) == "waitlisted"]
    draw = lottery.Draw(selected, candidates, last["seed_hash"],
                        [lottery.Pick(**p) for p in last["order"]])
    offered = lottery.next_from_waitlist(draw, email) if email in draw.selected else None
    return Withdrawal(person["email"], was, offered)


def withdraw(services: Services, email: str, now: datetime, cause: str) -> str | None:
    """Withdraw ``email``; a freed place goes to the next on the waitlist, who is told."""
    plan = withdrawal(services, email)
    store, at = services.store, now.isoformat()
    with store.transaction(), services.outbox.batch():
        participants.move(store, plan.email, "withdrawn", cause, at)
        if plan.offered:
            participants.move(store, plan.offered, "selected", f"place freed by {email}", at)
            tell(services, plan.offered, "selection_selected", f"freed:{email}", now, {})
    return plan.offered


def tell(services: Services, email: str, template: str, occasion: str, now: datetime,
         extra: dict[str, Any]) -> None:
    """The selection's mail to one person, in their language."""
    person = participants.find(services.store, email) or {"email": email}
    language = services.config.writes_to(person.get("language"))
    context = services.mailings.contexts.build(dict(person), language, now, template)
    services.mailer.queue(rule="selection", occasion=occasion, template=template,
                          to=Recipient(email, person.get("name") or "", language,
                                       participant=email),
                          context={**context, **extra}, kind="scheduled", now=now)
