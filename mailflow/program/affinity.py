"""Suggested mentors for a mentee who gave no ranked choices: shared expertise and preferences.

Conference tracks match on the area of expertise a mentee wants and the preferences
given at registration instead of named choices. The suggestion is only a ranking fed
to the same optimal matching, and the coordinators approve the result.
"""

from __future__ import annotations

import re

from mailflow.store.records import Participant
from mailflow.text import fold_accents

WANTED = ("expertise_wanted", "goals")
OFFERED = ("expertise",)
_STOP = frozenset({"with", "from", "into", "that", "this", "have", "their", "about", "pour", "of",
                   "are", "but", "not", "you", "our", "est", "sur", "par", "aux", "du",
                   "dans", "avec", "sans", "des", "les", "une", "and", "the", "for"})


def words(text: str) -> set[str]:
    """Folded words of three letters or more (MRI, NLP), without function words, crudely stemmed."""
    text = fold_accents(text)
    found = {w.rstrip("s") for w in re.findall(r"[a-z]{3,}", text)}
    return found - _STOP


def _field(person: Participant, keys: tuple[str, ...]) -> str:
    fields = person.get("fields") or {}
    return " ".join(str(fields.get(k) or "") for k in keys)


def score(mentee: Participant, mentor: Participant) -> float:
    """How well a mentor fits what a mentee asked for: shared words, then sector and language."""
    shared = len(words(_field(mentee, WANTED)) & words(_field(mentor, OFFERED)))
    if not shared:
        return 0.0
    fields, offered = mentee.get("fields") or {}, mentor.get("fields") or {}
    sector = words(str(fields.get("mentor_sector") or ""))
    bonus = 0.5 if sector and sector & words(str(offered.get("sector") or "")) else 0.0
    languages = words(str(fields.get("languages") or "")) & words(
        str(offered.get("languages") or ""))
    return shared + bonus + (0.25 if languages else 0.0)


def suggested_choices(mentee: Participant, mentors: list[Participant], limit: int = 3) -> list[str]:
    """The best-fitting mentors' addresses, best first; [] when nothing is shared."""
    scored = sorted(((score(mentee, m), m["email"]) for m in mentors), key=lambda x: (-x[0], x[1]))
    return [email for value, email in scored if value > 0][:limit]
