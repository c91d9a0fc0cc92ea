"""The completeness net for names: every mentor a reply names is among the choices read,
in the order read, or a person looks. Apart from choices.py, which reads; this checks."""

from __future__ import annotations

import re
from itertools import pairwise

from mailflow.parsing.names import (
    RosterEntry,
    expand_short_names,
    join_names,
    short_mentions,
)
from mailflow.parsing.prose_ranks import first_mention_at, mentions_in_order, set_aside
from mailflow.text import fold_accents

# Words that change an answer given above: "inversez les deux premiers", "swap 1 and 2".
_CORRECTION = re.compile(
    r"\b(?:swap|switch (?:the|them|those|my|it|places)|reverse|invert|inverse[rz]?|invertir"
    r"|intercambi\w*|interchang\w*|echange[rz]|intervert\w*|on second thought|a la reflexion"
    r"|pensandolo mejor|scratch that|correction|rectifi\w*)\b")


def names_agree(text: str, roster: list[RosterEntry], choices: list[str]) -> list[str]:
    """The completeness net for names: every mentor the reply names (in full, or by a word
    of the name: "Johanna", "Sofia") is among the choices read, a word that may mean two
    mentors is a question, and nothing in it reorders them afterwards ("inversez les deux
    premiers", the names written again in another order); otherwise a person looks."""
    problems = [f"'{text[start:end]}' could be " + join_names([e.name for e in entries], "or")
                for start, end, entries in short_mentions(text, roster)
                if len(entries) > 1 and not set_aside(text[:start])]
    expanded = expand_short_names(text, roster)
    named = mentions_in_order(expanded, roster)
    others = [e.name for e in dict.fromkeys(named) if e.email not in choices]
    if others:
        problems.append("the reply also names " + join_names(others) + ", not among the choices "
                        "read")
    rank = {email: place for place, email in enumerate(choices)}
    seen: set[str] = set()
    again: list[int] = []
    for entry in named:
        if entry.email in seen and entry.email in rank:
            again.append(rank[entry.email])
        seen.add(entry.email)
    if any(a > b for a, b in pairwise(again)):
        problems.append("the reply names the choices again in another order")
    after = first_mention_at(expanded, roster) or 0  # "Correction: 1. A…" is the answer
    correction = _CORRECTION.search(fold_accents(expanded), after)
    if correction:
        problems.append(f"'{correction.group(0)}': the reply may change the order it gives")
    return problems
