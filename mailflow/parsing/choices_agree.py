"""The completeness net for names: every mentor a reply names is among the choices read,
in the order read, or a person looks. Apart from choices.py, which reads; this checks."""

from __future__ import annotations

import re
from itertools import pairwise

from mailflow.parsing.mentions import Mention, expand_short_names, find_mentions, near_mentions
from mailflow.parsing.names import EMAIL, RosterEntry, fold, join_names
from mailflow.parsing.prose_ranks import sentence_ranks, set_aside
from mailflow.text import fold_accents

# Words that change the order given: "inversez les deux premiers", "swap 1 and 2", "the
# other way round", "I meant 2 then 1".
_REORDER = re.compile(
    r"\b(?:swap\w*|switch\w*|flip\w*|revers\w*|invert\w*|inverse[rz]?|invertir|intercambi\w*"
    r"|interchang\w*|echange[rz]|intervert\w*|permut\w*|vice versa|other way (?:round|around)"
    r"|wrong order|in (?:the )?reverse|dans l'autre sens|a l'envers|al reves|on second thought"
    r"|a la reflexion|pensandolo mejor|scratch that|i meant|je voulais dire|quise decir"
    r"|mean(?:t|s)? the opposite|no wait|wait,? no|or rather|ou plutot|mejor dicho"
    r"|non attend(?:s|ez)|no,? espera)\b")
# Words that introduce the answer as a correction of an earlier mail: they count only after
# the first mentor named ("Correction: 1. A…" is the answer itself).
_CORRECTION = re.compile(r"\b(?:correction|correct(?:ed|ing) (?:that|this|myself)|rectifi\w*"
                         r"|corrijo|correccion)\b")


def names_agree(text: str, roster: list[RosterEntry], choices: list[str],
                most: int = 3) -> list[str]:
    """The problems that make a reading of ``choices`` unsafe: a mentor the reply names (in
    full, or by words of the name: "Johanna", "Wei Chen", an address) who is not among the
    choices, a word that may mean two mentors, the choices named again or ranked again in
    another order, or words that change the order ("inversez les deux premiers").

    Once ``most`` choices were read, another mentor can only replace one: a mentor named
    in a question ("is Kwame still taking students?", which reaches a person anyway) or in
    a clause with no word of choosing ("Kwame told me to talk to Chen about jobs", "I'll
    be in Sofia on Thursday") is not about the choices."""
    full = len(choices) >= most
    mentions = find_mentions(text, roster)
    about = [m for m in mentions if not (full and (_asked(text, m) or not _choosing(text, m)))]
    problems = _shared(text, about)
    kept = [m for m in mentions
            if len(m.entries) == 1 and not set_aside(text[max(0, m.start - 30):m.start])]
    others = [e.name for e in dict.fromkeys(m.entries[0] for m in kept if m in about)
              if e.email not in choices]
    others += [e.name for m in near_mentions(text, roster) for e in m.entries
               if e.email not in choices and e.name not in others  # "Johana": misspelt?
               and not (full and (_asked(text, m) or not _choosing(text, m)))]
    addresses = {a.group(0).rstrip(".").casefold() for a in EMAIL.finditer(text)}
    others += [e.name for e in roster if e.email not in choices and e.name not in others
               and e.email.casefold() in addresses]
    if others:
        problems.append("the reply also names " + join_names(others) + ", not among the choices "
                        "read")
    problems += _order_agrees([m.entries[0] for m in kept], choices)
    place = {email: n for n, email in enumerate(choices, 1)}
    for entry, rank in sentence_ranks(expand_short_names(text, roster), roster):
        if entry.email in place and place[entry.email] != rank:
            problems.append(f"the reply also puts {entry.name} in place {rank}, not "
                            f"{place[entry.email]}")
            break
    folded = fold_accents(text)
    reorder = _REORDER.search(folded)
    first = mentions[0].start if mentions else 0
    correction = reorder or _CORRECTION.search(folded, first)
    if correction:
        problems.append(f"'{correction.group(0)}': the reply may change the order it gives")
    return problems


_SENTENCE_END = re.compile(r"[^.!?]*?([.!?]|\n[ \t]*\n|$)")


def _asked(text: str, mention: Mention) -> bool:
    """Whether the sentence that names ``mention`` is a question."""
    end = _SENTENCE_END.match(text, mention.end)
    return end is not None and end.group(1) == "?"


# Words of choosing, ranking or replacing, in English, French and Spanish.
_CHOOSING = re.compile(
    r"\b(?:choice|choices|choose|chose|chosen|pick\w*|prefer\w*|rank\w*|instead|rather|replac\w*"
    r"|swap\w*|switch\w*|chang\w*|first|second|third|1st|2nd|3rd|top|option\w*|list|or"
    r"|choix|choisi\w*|plutot|remplac\w*|premier|premiere|deuxieme|troisieme|ou|liste"
    r"|eleg\w*|elij\w*|escog\w*|opcion\w*|primer\w*|segund\w*|tercer\w*|lugar|vez|mejor"
    r"|lista|cambi\w*)\b")
# A clause: the text between stops, commas and the words that join two clauses.
_CLAUSE_EDGE = re.compile(r"[.!?;:,\n()]|\s(?:but|and|mais|et|pero|y|that|que)\s")


def _choosing(text: str, mention: Mention) -> bool:
    """Whether the clause that names ``mention`` has a word of choosing."""
    start = max(0, mention.start - 200)
    before = [m.end() for m in _CLAUSE_EDGE.finditer(text, start, mention.start)]
    after = _CLAUSE_EDGE.search(text, mention.end, mention.end + 200)
    clause = text[before[-1] if before else start:after.start() if after else mention.end + 200]
    return bool(_CHOOSING.search(fold_accents(clause)))


def _shared(text: str, mentions: list[Mention]) -> list[str]:
    """One problem per word that may mean several mentors ("Sofia"), however often written."""
    said: dict[str, str] = {}
    for m in mentions:
        written = text[m.start:m.end]
        if len(m.entries) > 1 and not set_aside(text[max(0, m.start - 30):m.start]):
            said.setdefault(fold(written), f"'{written}' could be " + join_names(
                [e.name for e in m.entries], "or"))
    return list(said.values())


def _order_agrees(named: list[RosterEntry], choices: list[str]) -> list[str]:
    """The choices named again after their first mention must come in the order read."""
    rank = {email: place for place, email in enumerate(choices)}
    seen: set[str] = set()
    again: list[int] = []
    for entry in named:
        if entry.email in seen and entry.email in rank:
            again.append(rank[entry.email])
        seen.add(entry.email)
    if any(a > b for a, b in pairwise(again)):
        return ["the reply names the choices again in another order"]
    return []
