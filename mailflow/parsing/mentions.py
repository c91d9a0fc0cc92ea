"""Where a text names mentors: in full, or by words of the name alone ("Johanna", "Wei
Chen", "O'Brien"), found word by word in one pass, so the cost follows the text's length
and not the roster's size times it.

A word counts as part of a name when it folds (accents, case, apostrophes, hyphens) to one
of the name's words. A word alone counts when it is capitalised, or written in lower case
but not a common word ("johanna" yes, "grace" no), or in a script without capitals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from mailflow.parsing.names import RosterEntry, edit_distance, fold, stopword

# Words, with apostrophes and hyphens inside them ("O'Brien", "Jean-Luc").
_WORD = re.compile(r"[^\W\d_](?:[\w'’]|-(?=[^\W\d_]))*")
# Words that are first names and also everyday words: alone, they name nobody.
_COMMON_TEXT = """
    grace mark will rose may june april august hope joy faith bill pat dawn ray art sunny
    summer rich guy max frank lily iris ivy amber ruby pearl daisy violet sky river rob
    sue jack win page long young white black brown green king wood stone hill
    pierre rose marin blanche claire france prudence constance
    rosa paz luz sol mar pilar dolores angeles consuelo amparo
"""
_COMMON = frozenset(_COMMON_TEXT.split())
# More mentions than this in one reply is not a reply to read by machine.
MAX_MENTIONS = 60


@dataclass(frozen=True)
class Mention:
    """A place where the text names a mentor: [start, end) and who it may be."""

    start: int
    end: int
    entries: tuple[RosterEntry, ...]
    full: bool  # the whole name, in its order


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    key: str  # one folded word ("jean-luc" gives two: jean, luc, with the same span)
    capital: bool
    sentence_start: bool


class TooManyMentions(Exception):
    """The text names mentors more than MAX_MENTIONS times."""


@dataclass(frozen=True)
class _Index:
    names: dict[str, list[tuple[tuple[str, ...], RosterEntry]]]  # first word -> names
    owners: dict[str, tuple[RosterEntry, ...]]  # a word of 3+ letters -> whose name has it


@lru_cache(maxsize=64)
def _index(roster: tuple[RosterEntry, ...]) -> _Index:
    names: dict[str, list[tuple[tuple[str, ...], RosterEntry]]] = {}
    owners: dict[str, list[RosterEntry]] = {}
    for entry in roster:
        tokens = tuple(fold(entry.name).split())
        if not tokens:
            continue
        names.setdefault(tokens[0], []).append((tokens, entry))
        for token in set(tokens):
            if len(token) >= 3 and not stopword(token):
                owners.setdefault(token, []).append(entry)
    return _Index(names, {k: tuple(v) for k, v in owners.items()})


def _words(text: str) -> list[_Word]:
    words = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        first = _after_a_stop(text, match.start())
        capital = not word[0].islower()  # upper case, or a script without case
        for key in fold(word).split():
            words.append(_Word(match.start(), match.end(), key, capital, first))
    return words


def _after_a_stop(text: str, at: int) -> bool:
    """Whether the word at ``at`` starts a sentence or a line (quotes and spaces between)."""
    i = at - 1
    while i >= 0 and at - i < 20 and text[i] in " \t\"'(«“‘*_":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;>"


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    """Words of one name: the same word, or only spaces or a hyphen between (no newline)."""
    return left.start == right.start or (right.start - left.end < 8
                                         and not text[left.end:right.start].strip(" \t-"))


def find_mentions(text: str, roster: list[RosterEntry], short: bool = True) -> list[Mention]:
    """Every mention of a mentor in ``text``, in order; with ``short``, also the words of a
    name written alone or out of order ("Johanna", "Wei Chen"). Raises TooManyMentions."""
    index = _index(tuple(roster))
    words = _words(text)
    found: list[Mention] = []
    i = 0
    while i < len(words):
        full = _full_at(text, words, i, index)
        if full is not None:
            length, entries = full
            found.append(Mention(words[i].start, words[i + length - 1].end, entries, True))
            i += length
            continue
        if short:
            run = _short_run(text, words, i, index)
            if run is not None:
                length, entries = run
                found.append(Mention(words[i].start, words[i + length - 1].end, entries, False))
                i += length
                continue
        i += 1
    if len(found) > MAX_MENTIONS:
        raise TooManyMentions
    return found


def _full_at(text: str, words: list[_Word], i: int, index: _Index
             ) -> tuple[int, tuple[RosterEntry, ...]] | None:
    best: tuple[int, tuple[RosterEntry, ...]] | None = None
    for tokens, entry in index.names.get(words[i].key, ()):
        n = len(tokens)
        run = words[i:i + n]
        if (len(run) == n and all(w.key == t for w, t in zip(run, tokens, strict=True))
                and all(_adjacent(text, a, b) for a, b in pairwise(run))):
            if best is None or n > best[0]:
                best = (n, (entry,))
            elif n == best[0]:
                best = (n, best[1] + (entry,))
    return best


def _alone(word: _Word) -> bool:
    """Whether a word written alone may be a name: see the module's docstring."""
    if word.key in _COMMON:
        return word.capital and not word.sentence_start
    return word.capital or len(word.key) >= 4


def _short_run(text: str, words: list[_Word], i: int, index: _Index
               ) -> tuple[int, tuple[RosterEntry, ...]] | None:
    """Words of names not written as a whole name: one, or several beside each other that
    belong to the same mentors ("Wei Chen", "Ana Maria")."""
    owners = index.owners.get(words[i].key)
    if not owners or not _alone(words[i]):
        return None
    entries = set(owners)
    length = 1
    while i + length < len(words) and _adjacent(text, words[i + length - 1], words[i + length]):
        more = index.owners.get(words[i + length].key)
        if not more or not entries & set(more):
            break
        entries &= set(more)
        length += 1
    return length, tuple(e for e in owners if e in entries)


def expand_short_names(text: str, roster: list[RosterEntry]) -> str:
    """``text`` with each short mention that names one mentor ("Johanna", "Nielsen") written
    as the mentor's full name, so that readers of full names read it; shared words stay."""
    try:
        mentions = find_mentions(text, roster)
    except TooManyMentions:
        return text
    for mention in reversed(mentions):
        if not mention.full and len(mention.entries) == 1:
            text = text[:mention.start] + mention.entries[0].name + text[mention.end:]
    return text


@lru_cache(maxsize=64)
def _near_index(roster: tuple[RosterEntry, ...]) -> dict[str, set[str]]:
    """Each word of 5+ letters of the mentors' names under itself and each form with one
    letter left out: two words one edit apart share a key (symmetric deletion)."""
    keys: dict[str, set[str]] = {}
    for token in _index(roster).owners:
        if len(token) >= 5:
            for key in {token} | {token[:i] + token[i + 1:] for i in range(len(token))}:
                keys.setdefault(key, set()).add(token)
    return keys


def near_mentions(text: str, roster: list[RosterEntry]) -> list[Mention]:
    """Capitalised words inside a sentence one letter away from a word of a mentor's name
    ("Johana" for Johanna): perhaps that mentor, misspelt, so a person should look."""
    index, near = _index(tuple(roster)), _near_index(tuple(roster))
    found = []
    for word in _words(text):
        key = word.key
        if (len(key) < 5 or not word.capital or word.sentence_start or key in index.owners
                or key in _COMMON or stopword(key)):
            continue
        tokens = set().union(*(near.get(k, set()) for k in
                               {key} | {key[:i] + key[i + 1:] for i in range(len(key))}))
        entries = {e for t in tokens if edit_distance(key, t, 1) <= 1 for e in index.owners[t]}
        if entries:
            found.append(Mention(word.start, word.end, tuple(e for e in roster if e in entries),
                                 False))
            if len(found) > MAX_MENTIONS:
                raise TooManyMentions
    return found
