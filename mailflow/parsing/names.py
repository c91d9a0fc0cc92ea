"""Which mentor a name as someone wrote it means: folding, typos, partial names.

Shared by the choices reader and the coordinators' commands; it never guesses: a name
that may mean two mentors returns both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mailflow.text import fold_accents

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_TITLES = re.compile(
    r"\b(?:dr|doctor|docteur|prof|professor|professeur|professeure|pr|mr|mrs|ms|mme|mlle|m)\b\.?",
    re.IGNORECASE,
)
_REMARK = re.compile(r"\s*(?:\(.*|\[.*|\s[-–—]\s.*|:.*|[.!?]\s.*|[.!?]$)")
_STOPWORD_TEXT = """
    because as since who whose which that for her his their its is was would will could
    fits fit works work seems please thanks thank you first then also maybe if really very
    i my me we our to with of in on at the a an too as well ideally
    car parce que qui dont pour sa son ses leur est serait sont merci svp ensuite puis aussi
    peut etre si tres je mon ma mes nous avec en au aux les une un premier premiere
    yes no oui non ok hello hi bonjour
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_PARTICLES = frozenset({"de", "da", "di", "du", "del", "della", "van", "von", "der", "le", "la",
                        "dos", "das", "do", "ben", "bin", "al", "el"})


def stopword(token: str) -> bool:
    """Whether a folded word is a common word or a name particle ("de", "van"), never a
    name alone."""
    return token in _STOPWORDS or token in _PARTICLES


@dataclass(frozen=True)
class RosterEntry:
    """A mentor who can be chosen: their address (the key) and display name."""

    email: str
    name: str


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of a name, for comparing (cached:
    every lookup folds every mentor's name)."""
    text = fold_accents(text)
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    return " ".join(re.sub(r"[^\w@.+']+|_|'(?=\s|$)", " ", text).replace("'", "").split())


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _token_limit(token: str) -> int:
    """Typos tolerated in one name token: one up to 6 letters, else two."""
    return 1 if len(token) <= 6 else 2


def _close(written: list[str], actual: list[str], slack: int = 0) -> bool:
    """Each token within its typo limit (plus ``slack``) and at most 2 (+ slack) in all."""
    if len(written) != len(actual):
        return False
    total = 0
    for w, a in zip(written, actual, strict=True):
        distance = edit_distance(w, a, 2 + slack)
        if distance > _token_limit(a) + slack:
            return False
        total += distance
    return total <= 2 + slack


def _in_order(written: list[str], actual: list[str]) -> bool:
    """The written tokens appear in order in the actual name (a name without a middle name)."""
    position = 0
    for token in written:
        try:
            position = actual.index(token, position) + 1
        except ValueError:
            return False
    return True


def match_names(written: str, roster: list[RosterEntry]) -> list[RosterEntry]:
    """Roster entries that the written name may mean: exact first, then partial or typo."""
    tokens = fold(written).split()
    if not tokens:
        return []
    names = [(entry, fold(entry.name).split()) for entry in roster]
    exact = [e for e, n in names if n == tokens or (len(tokens) > 1 and n == tokens[::-1])]
    if len(exact) == 1:
        return exact
    if exact:
        return exact
    if len(tokens) == 1:  # a first or last name alone: every plausible reading counts
        token = tokens[0]
        return [e for e, n in names
                if any(t == token or edit_distance(t, token, 2) <= _token_limit(t) for t in n)]
    partial = [e for e, n in names if len(tokens) < len(n) and _in_order(tokens, n)]
    typo = [e for e, n in names if _close(tokens, n) or _close(tokens[::-1], n)]
    if typo:
        # A name one typo further from another mentor, or that sounds like it, is too
        # close to call: "Sofi Ross" is two edits from Sofia Rossi and sounds like Sophie Ross.
        sounds = [_sound(t) for t in tokens]
        typo += [e for e, n in names if _close(tokens, n, 1) or _close(tokens[::-1], n, 1)
                 or _sounds_alike(sounds, [_sound(t) for t in n])]
    return list(dict.fromkeys(partial + typo))


def _sounds_alike(written: list[str], actual: list[str]) -> bool:
    """Spoken forms equal but for one letter in all."""
    return len(written) == len(actual) and sum(
        edit_distance(w, a, 2) for w, a in zip(written, actual, strict=True)) <= 1


def _sound(token: str) -> str:
    """A rough spoken form of a folded name token (ph/f, y/i, doubled letters, final e)."""
    for written, spoken in (("ph", "f"), ("th", "t"), ("ck", "k"), ("y", "i"), ("z", "s")):
        token = token.replace(written, spoken)
    token = re.sub(r"(.)\1+", r"\1", token)
    return token[:-1] if len(token) > 3 and token.endswith("e") else token


def name_part(text: str) -> str:
    """The leading name in an item, without titles, remarks or trailing words."""
    text = _REMARK.sub("", _TITLES.sub(" ", text.strip())).strip(" ,;.")
    words: list[str] = []
    for word in text.split():
        key = fold(word)
        if (key in _STOPWORDS and key not in _PARTICLES) or not key:
            break
        words.append(word.strip(",;"))
        if word.endswith(",") and len(words) >= 2:
            break
    return " ".join(words)


def mentioned(text: str, roster: list[RosterEntry]) -> list[str]:
    """Roster names written in full anywhere in the text (the pattern is built only for a
    name the text holds at all: a roster of hundreds would overflow re's cache)."""
    folded = fold(text)
    return [e.name for e in roster if (name := fold(e.name)) and name in folded and re.search(
        rf"(?<![\w@]){re.escape(name)}(?![\w@]|\.\w)", folded)]


def candidates(written: str, roster: list[RosterEntry]) -> list[RosterEntry]:
    """The roster entries a name (or an address) as someone wrote it may mean."""
    address = EMAIL.search(written)
    if address:
        wanted = address.group(0).rstrip(".").casefold()
        return [e for e in roster if e.email.casefold() == wanted]
    return match_names(name_part(written) or written, roster)


def join_names(names: list[str], word: str = "and") -> str:
    """"A", "A and B", "A, B and C": names as a sentence says them."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} {names[-1]}"
