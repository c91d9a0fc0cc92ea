"""A participant named by a coordinator: an address, a full name, or an unambiguous part."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailflow.program import participants
from mailflow.store import Store
from mailflow.store.records import Participant
from mailflow.text import fold_accents

MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Named:
    """The one person ``who`` names, or the candidates when it names none or several."""

    who: str
    person: Participant | None = None
    candidates: list[Participant] = field(default_factory=list)

    def problem(self, language: str = "en") -> str:
        """Why no single person was found, with the candidates listed."""
        names = "; ".join(f"{p.get('name') or ''} <{p['email']}>"
                          for p in self.candidates[:MAX_CANDIDATES])
        if not self.candidates:
            return (f"« {self.who} » ne désigne aucun participant" if language == "fr"
                    else f"{self.who!r} names no participant")
        if language == "fr":
            return (f"« {self.who} » désigne {len(self.candidates)} participants : {names}; "
                    "écrivez l'adresse")
        return (f"{self.who!r} matches {len(self.candidates)} participants: {names}; "
                "write the address")


def resolve(store: Store, who: str) -> Named:
    """The participant of this address, else of this name (case and accents aside), else
    the only one whose name contains it."""
    who = " ".join(who.split()).strip("<>")
    if not who:
        return Named(who)
    person = participants.find(store, who.lower())
    if person is not None:
        return Named(who, {**person})
    exact = participants.named(store, who)
    if len(exact) == 1:
        return Named(who, exact[0])
    if exact:
        return Named(who, None, exact)
    wanted = fold_accents(who)
    found = [p for p in participants.everyone(store)
             if wanted in fold_accents(" ".join((p.get("name") or "").split()))]
    if len(found) == 1:
        return Named(who, found[0])
    return Named(who, None, found)
