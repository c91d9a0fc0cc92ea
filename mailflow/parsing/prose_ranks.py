"""Ranks written in sentences: "My first choice would be A. Next I would pick B, and C as a
third option." Each mentor named in full gets the rank its own clause gives it, or none.

The words are English, French and Spanish. A clause is the text between a name and the
next comma (after it) or the previous one (before it); "next"/"then" mean one more than the
mentor before, "finally"/"last" the last place. Nothing is guessed: a mentor whose rank
the text does not give is reported, so the message goes to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailflow.parsing.mentions import find_mentions
from mailflow.parsing.names import RosterEntry
from mailflow.text import fold_accents

_ABSOLUTE = (
    (1, r"first|1st|premier|premiere|1er|1re|1ere|primer|primero|primera|"
        r"top (?:choice|pick|preference)s?|favou?rite|prefere|preferido|preferida|en tete"
        r"|(?:would|'d) most like|most like to work|most want to work|top of my list"
        r"|number one|le plus envie|aimerais le plus|me gustaria mas|mas me gustaria"
        r"|first of all|to begin with|d'abord|tout d'abord|en premier|ante todo|en primer lugar"
        r"|tops? (?:the|my) list|at the top|en haut de (?:la|ma) liste|encabez\w*"
        r"|most of all|above all|avant tout|sobre todo|por encima de todo"),
    (2, r"second|2nd|deuxieme|seconde|2e|2eme|2nde|segundo|segunda"),
    (3, r"third|3rd|troisieme|3e|3eme|tercer|tercero|tercera"),
)
_NEXT = (r"next|then|followed by|after (?:that|him|her|them|this)|afterwards|puis|ensuite|apres"
         r"|luego|despues|seguido|behind (?:him|her|them)"
         # a fallback is the next place: "if neither of them is available, C"
         r"|if neither|if none of them|otherwise|failing that|sinon|a defaut|si aucun"
         r"|si ninguno|de lo contrario|si no es posible")
_LAST = r"finally|lastly|last|enfin|finalement|en dernier|por ultimo|finalmente|al final"
_CUE = re.compile(r"\b(?:(?P<a1>" + _ABSOLUTE[0][1] + r")|(?P<a2>" + _ABSOLUTE[1][1] +
                  r")|(?P<a3>" + _ABSOLUTE[2][1] + r")|(?P<next>" + _NEXT + r")|(?P<last>" +
                  _LAST + r"))\b")
# Between two names, only a separator: "A, B and C" continues a ranked list.
_SEPARATOR_ONLY = re.compile(r"^[\s,;/&]*(?:(?:and|et|y|e)\b[\s,]*)?$")
# Words a trailing rank may follow: "A is my first choice", "A as a third option".
_TRAIL_LEAD = re.compile(r"^[\s(]*(?:(?:is|as|would be|will be|for|my|a|the|est|serait|sera|"
                         r"comme|en|mon|ma|mi|es|seria|como|de)\b\s*)*")
# A negation in a name's own clause: "Chen Wei as a third option is not possible".
_NEGATION = re.compile(r"\b(?:not|no|non|pas|never|jamais|nunca|ni|nor|cannot|can't|don't"
                       r"|won't|isn't|impossible|except|sauf|excepto|avoid\w*|rather not"
                       r"|prefer not|(?:anyone|anybody|everyone|all|any of them) but|eviter"
                       r"|evitar|plutot pas)\b")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_CLAUSE = re.compile(r"[,:]|\s[-–—]\s")


@dataclass
class ProseRanks:
    """Mentors named in full with the rank their clause gives (None: not said)."""

    ranked: list[tuple[int | None, RosterEntry]] = field(default_factory=list)
    cued: bool = False  # some rank word was tied to a name: the text ranks in words
    problems: list[str] = field(default_factory=list)

    def order(self) -> list[str]:
        """The mentors' addresses by rank; only meaningful without problems."""
        return [entry.email for _rank, entry in sorted(
            ((r, e) for r, e in self.ranked if r is not None), key=lambda pair: pair[0])]


@dataclass
class _Mention:
    start: int
    end: int
    entry: RosterEntry
    cues: list[str] = field(default_factory=list)
    follows_list: bool = False
    negated: bool = False


def _plain(text: str) -> str:
    return fold_accents(text)


def _cues(text: str) -> list[str]:
    found = []
    for match in _CUE.finditer(text):
        kind = match.lastgroup or ""
        found.append(kind)
    return found


def _by_sentence(text: str, roster: list[RosterEntry]) -> list[tuple[str, list[_Mention]]]:
    """The sentences of ``text`` (folded, soft wraps joined), each with the mentors it names
    in full: one pass over the text for all of them (mentions.find_mentions)."""
    plain = _plain(_unwrap(text))
    found = find_mentions(plain, roster, short=False)
    result: list[tuple[str, list[_Mention]]] = []
    start, k = 0, 0
    for stop in [m.start() for m in _SENTENCE.finditer(plain)] + [len(plain)]:
        inside: list[_Mention] = []
        while k < len(found) and found[k].start < stop:
            if found[k].start >= start:
                inside.append(_Mention(found[k].start - start, found[k].end - start,
                                       found[k].entries[0]))
            k += 1
        result.append((plain[start:stop], inside))
        match = _SENTENCE.match(plain, stop)
        start = match.end() if match else stop
    return result


# A word just before a name that sets the mentor aside: "(not Sofia, sorry)", "rather than A".
_SET_ASIDE = re.compile(r"\b(?:not|no|non|pas|ni|nor|except|sauf|excepto|instead of|rather than"
                        r"|au lieu de|plutot que|en lugar de|en vez de|avoid\w*|eviter|evitar"
                        r"|(?:anyone|anybody|everyone|all|any of them) but|menos)\W*$")


def set_aside(before: str) -> bool:
    """Whether the words just before a name set that mentor aside ("not", "rather than")."""
    return bool(_SET_ASIDE.search(_plain(before[-30:])))


def sentence_ranks(text: str, roster: list[RosterEntry]) -> list[tuple[RosterEntry, int]]:
    """(mentor, rank) for each mention that its own sentence ranks alone, by an absolute
    word ("make it Johanna Nielsen first", "Kwame Mensah as my third"), not negated."""
    ranks = []
    for sentence, mentions in _by_sentence(text, roster):
        if not mentions or sentence.rstrip().endswith("?"):
            continue
        for mention in _cued(sentence, mentions):
            absolute = {int(c[1]) for c in mention.cues if c.startswith("a")}
            if len(absolute) == 1 and not mention.negated:
                ranks.append((mention.entry, absolute.pop()))
    return ranks


def _unwrap(text: str) -> str:
    """Soft-wrapped lines joined (a lower-case letter or a comma, then a lower-case one), so
    a question wrapped over lines stays one sentence; a list's lines stay apart."""
    return re.sub(r"(?<=[^\W\d_,;]|[,;])[ \t]*\n[ \t]*(?=[^\W\d_A-ZÀ-Þ])", " ", text)


def _split_between(between: str) -> tuple[str, str]:
    """The part of the text between two names that belongs to each: (trail, lead)."""
    parts = _CLAUSE.split(between)
    if len(parts) > 1:
        leads = [p for p in parts[1:] if re.search(r"\w", p)]
        return parts[0], (leads[-1] if leads else "")
    rest = between[_TRAIL_LEAD.match(between).end():]  # type: ignore[union-attr]
    match = _CUE.match(rest)
    if match and match.lastgroup in ("a1", "a2", "a3"):
        cut = len(between) - len(rest) + match.end()
        return between[:cut], between[cut:]
    return "", between


def _cued(sentence: str, mentions: list[_Mention]) -> list[_Mention]:
    """``mentions`` of ``sentence`` with the rank words and negations of their clauses."""
    for i, mention in enumerate(mentions):
        before = sentence[mentions[i - 1].end if i else 0:mention.start]
        after_end = mentions[i + 1].start if i + 1 < len(mentions) else len(sentence)
        after = sentence[mention.end:after_end]
        lead = _split_between(before)[1] if i else before
        trail = _split_between(after)[0] if i + 1 < len(mentions) else _CLAUSE.split(after)[0]
        mention.cues = _cues(lead) + _cues(trail)
        mention.negated = bool(_NEGATION.search(lead + " " + trail))
        mention.follows_list = bool(i) and bool(_SEPARATOR_ONLY.match(before))
    return mentions


def read_prose_ranks(text: str, roster: list[RosterEntry]) -> ProseRanks:
    """The ranks that words give the mentors named in ``text`` (see the module's docstring)."""
    result = ProseRanks()
    mentions: list[_Mention] = []
    for sentence, found in _by_sentence(text, roster):
        if sentence.rstrip().endswith("?"):
            continue  # "Une question d'abord : est-ce que A ... ?" ranks nobody
        mentions.extend(_cued(sentence, found))
    result.cued = any(m.cues for m in mentions)
    if not result.cued:
        result.ranked = [(None, m.entry) for m in mentions]
        return result
    for mention in mentions:
        if mention.negated:
            result.problems.append(f"the words about {mention.entry.name} may say no")
    last_place = len({m.entry.email for m in mentions})
    previous = 0
    given: dict[str, int | None] = {}
    for mention in mentions:
        absolute = {int(c[1]) for c in mention.cues if c.startswith("a")}
        if mention.entry.email in given:  # named again: only a different rank matters
            if absolute and absolute != {given[mention.entry.email]}:
                result.problems.append(f"{mention.entry.name} is given more than one rank")
            continue
        rank: int | None = None
        if len(absolute) > 1:
            result.problems.append(f"{mention.entry.name} is given more than one rank")
        elif absolute:
            rank = absolute.pop()
        elif "last" in mention.cues:
            rank = last_place
        elif "next" in mention.cues or (mention.follows_list and previous):
            rank = previous + 1 if previous else None
        if rank is None and not result.problems:
            result.problems.append(f"the text does not say where {mention.entry.name} ranks")
        result.ranked.append((rank, mention.entry))
        given[mention.entry.email] = rank
        previous = rank or previous
    ranks = [r for r, _e in result.ranked if r is not None]
    if len(set(ranks)) != len(ranks):
        result.problems.append("the same rank is given to more than one mentor")
    elif sorted(ranks) != list(range(1, len(ranks) + 1)):
        result.problems.append("the ranks written do not run 1, 2, 3 without gaps")
    return result
