"""Read a mentee's ranked mentor choices out of the new text of a reply; never guess a name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mailflow.parsing.choices_agree import names_agree
from mailflow.parsing.mentions import MAX_MENTIONS, TooManyMentions, expand_short_names
from mailflow.parsing.names import (
    EMAIL,
    RosterEntry,
    fold,
    join_names,
    match_names,
    mentioned,
    name_part,
)
from mailflow.parsing.prose_ranks import read_prose_ranks

MAX_CHOICES = 3
_ORDINALS = {
    "first": 1, "1st": 1, "premier": 1, "premiere": 1, "1er": 1, "1re": 1, "1ere": 1,
    "second": 2, "2nd": 2, "seconde": 2, "deuxieme": 2, "2e": 2, "2eme": 2, "2nde": 2,
    "third": 3, "3rd": 3, "troisieme": 3, "3e": 3, "3eme": 3,
    "fourth": 4, "4th": 4, "quatrieme": 4, "4e": 4, "4eme": 4,
    "fifth": 5, "5th": 5, "cinquieme": 5, "5e": 5, "5eme": 5,
}  # fmt: skip
_CHOICE_WORD = r"(?:choice|choix|pick|preference|option|mentor)"
# "1. X", "1) X", "#1 X", "#1: X", "1 - X", "No. 1: X", "Choice 1: X", "Choix n°1 : X"
_NUMBERED = re.compile(
    r"^(?:#\s*(?P<a>\d{1,2})\s*[.):\-–—]?|(?:n[o°º]\.?\s*)?(?P<b>\d{1,2})\s*(?:[.):]|[-–—]\s|\s[-–—])"
    r"|(?P<d>[1-9])\s+(?=[A-ZÀ-ÖØ-Þ])"
    r"|" + _CHOICE_WORD + r"\s*(?:n[o°º]\.?|#)?\s*(?P<c>\d{1,2})\s*[.):\-–—]?)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# "First choice: X", "1er choix : X", "Deuxième : X", "2e choix - X", "Third: X"
_ORDINAL = re.compile(
    r"^(?P<word>\w+)\s*(?:(?P<label>" + _CHOICE_WORD + r")\b\s*[.):\-–—]?|\s*[.):\-–—])"
    r"\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[-*•–—·▪◦]\s+(?P<rest>.+)$")
_INLINE_RANKS = re.compile(r"(?:^|\s)(\d)\s*[.)]\s+")
# A place in the numbered list of our mail, written alone: "9", "#9", "n° 9", "number 9".
_LIST_NUMBER = re.compile(
    r"^\s*(?:#|n[o°º]\.?|nr\.?|num(?:ber|[ée]ro)?\.?|mentor)?\s*(?P<n>\d{1,3})\s*[.)]?\s*$",
    re.IGNORECASE)
# Numbers joined as a list, "5, 2 and 7", "#4, #2, #9", "3 then 1 then 8"
# ("le 3, le 8 et le 1", "no. 4 and no. 2": an article or a sign before each number)
_NUMBER_MARK = r"(?:#|n[o°º]\.?\s?|(?:le|la|el|number|numero|nummer)\s)?"
_NUMBER_RUN = re.compile(r"(?<![\w.,])" + _NUMBER_MARK + r"\d{1,3}(?:\s*(?:,|;|/|\s(?:and|et|y|"
                         r"then|puis|&)\s)\s*" + _NUMBER_MARK + r"\d{1,3}){1,3}(?![\w.,]?\d)")
# A row ending in a number: "Kwame Mensah 3" (a table's cells), "José Martínez (7)"
_TRAILING_NUMBER = re.compile(r"^(?P<name>.*?[^\d\s#(\[|:–—-])[\s|:–—-]*[(\[#]?\s*(?P<n>\d{1,3})"
                              r"\s*[)\]]?\.?$")
_RANK_HEADING = re.compile(r"\b(?:rank|ranking|rang|rango|classement|preference|préférence|"
                           r"preferencia|order|ordre|orden|choice|choix)\b", re.IGNORECASE)
# Starts only at the first space of a run (or at the mark): one try per run, not one per
# space, so a line of spaces costs its length, not its square.
_SEPARATORS = re.compile(
    r"(?<!\s)\s*(?:[,;/]|\s(?:and|et|then|puis|ensuite|&|>|then,?)\s)\s*", re.I)
_LEAD_IN = re.compile(
    r"^.*?\b(?:choices?|choix|picks?|preferences?|préférences?)\b[^:]*?(?:are|would be|sont|"
    r"seraient|:)\s*|^(?:i(?:'d| would)?\s+(?:like|choose|prefer|pick|want)"
    r"(?:\s+to\s+work\s+with)?|je\s+(?:choisis|voudrais|souhaite|préfère|prefere)"
    r"(?:\s+travailler\s+avec)?)\s+"
    r"|^(?:dans\s+l['’]ordre|par\s+ordre\s+de\s+préférence|in\s+(?:this\s+|that\s+)?order"
    r"|by\s+preference|in\s+order\s+of\s+preference)\s*:?\s*",
    re.IGNORECASE,
)
_CONNECTIVE = re.compile(r"^(?:(?:and|et|then|puis|ensuite|also|aussi|finally|enfin)\b[\s,]*)+",
                         re.IGNORECASE)
# A number beside a name that no reader took as its rank (an ordinal is the prose's to read).
_UNREAD_NUMBER = re.compile(r"\d(?!\d*(?:st|nd|rd|th|er|re|ere|e|eme|nde|o|a)\b)")
# Words beside a name that may undo it: "Kwame Mensah - actually no", "Chen Wei (pas sûr)".
_TAKEN_BACK = re.compile(r"\b(?:no|not|non|nope|pas|never|jamais|nunca|except|sauf|excepto"
                         r"|dont|doesnt|wont|cant|isnt|rather|instead|scratch|ni)\b"
                         r"(?:\s+(?P<who>\w+))?")
_NAME_LIKE = re.compile(r"^(?:[A-Z\u00C0-\u00DE][\w'’-]*\.?\s*){2,4}$")


# Names looked up in one reply: a choices answer names a few mentors, a table all of them.
# Past this the reply is not read (each lookup compares with every mentor): a person reads it.
MAX_LOOKUPS = 200


class _TooManyNames(Exception):
    """More names to look up than a choices answer holds."""


@dataclass(frozen=True)
class _Roster:
    """The mentors who can be chosen, and the numbered list of the mail answered."""

    entries: list[RosterEntry]
    numbered: list[str] | None = None  # addresses by list number (1 first); None: no list
    looked_up: dict[str, tuple[str, list[RosterEntry], str | None]] = field(
        default_factory=dict, compare=False, repr=False)  # item -> what _resolve found

    def number(self, n: int) -> tuple[list[RosterEntry], str | None]:
        """The mentor at place ``n`` of the list, or why there is none."""
        if self.numbered is None:
            return [], (f"'{n}' is a number, but the mail answered has no numbered list of "
                        "mentors")
        if not 1 <= n <= len(self.numbered):
            return [], f"there is no number {n} in the list of mentors"
        wanted = self.numbered[n - 1].casefold()
        found = [e for e in self.entries if e.email.casefold() == wanted]
        return found, (None if found else f"number {n} of the list is no longer a mentor in "
                       "the program")

    def place(self, entry: RosterEntry) -> int | None:
        """The list number of ``entry`` in the mail answered, if it has one."""
        wanted = [a.casefold() for a in self.numbered or []]
        return wanted.index(entry.email.casefold()) + 1 if entry.email.casefold() in wanted \
            else None


@dataclass
class ChoicesReading:
    """Ranked roster emails, plus whatever stops them from being applied as they are."""

    choices: list[str] = field(default_factory=list)  # roster emails in rank order
    problems: list[str] = field(default_factory=list)
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)  # (written, names)
    unknown: list[str] = field(default_factory=list)
    found: bool = False  # the text looks like a choices answer


def _resolve(item: str, roster: _Roster) -> tuple[str, list[RosterEntry], str | None]:
    """What the item names (as written), the roster entries it may mean, and why none;
    each item looked up once, and at most MAX_LOOKUPS of them (else _TooManyNames)."""
    known = roster.looked_up.get(item)
    if known is None:
        if len(roster.looked_up) >= MAX_LOOKUPS:
            raise _TooManyNames
        known = roster.looked_up[item] = _lookup(item, roster)
    return known


def _lookup(item: str, roster: _Roster) -> tuple[str, list[RosterEntry], str | None]:
    number = _LIST_NUMBER.match(item)
    if number:
        return item.strip(), *roster.number(int(number.group("n")))
    email = EMAIL.search(item)
    if email:
        address = email.group(0).rstrip(".").casefold()
        return email.group(0).rstrip("."), [e for e in roster.entries
                                            if e.email.casefold() == address], None
    written = name_part(item)
    found = match_names(written, roster.entries)
    words = written.split()
    for size in range(min(len(words), 4) - 1, 1, -1):  # "Sofia Rossi NLP": drop trailing words
        if found:
            break
        found = match_names(" ".join(words[:size]), roster.entries)
        if found:
            written = " ".join(words[:size])
    return written, found, None


def _ranked_item(line: str) -> tuple[int, str, bool] | None:
    """(rank, rest, labelled) for a ranked line, or None."""
    match = _NUMBERED.match(line)
    if match:
        rank = int(match.group("a") or match.group("b") or match.group("c") or match.group("d"))
        return rank, match.group("rest"), match.group("c") is not None
    match = _ORDINAL.match(line)
    if match and fold(match.group("word")) in _ORDINALS:
        return _ORDINALS[fold(match.group("word"))], match.group("rest"), bool(match.group("label"))
    return None


def _inline_ranks(line: str) -> list[tuple[int, str]]:
    """"1) A 2) B 3) C" on one line: the ranked pieces, or [] when not that shape."""
    marks = list(_INLINE_RANKS.finditer(line))
    if len(marks) < 2:
        return []
    if marks[0].start() > 0 and not line[:marks[0].start()].rstrip().endswith(":"):
        return []  # "so: 1. A 2. B" is a list; "I met 2. people" is not
    ranks = [int(m.group(1)) for m in marks]
    if ranks != list(range(1, len(ranks) + 1)):
        return []
    ends = [m.start() for m in marks[1:]] + [len(line)]
    return [(rank, line[m.end():end].strip(" ,;")) for rank, m, end in zip(ranks, marks, ends,
                                                                             strict=True)]


def _list_line(line: str, roster: _Roster) -> list[str] | None:
    """The pieces of "A, B and C" when the line is such a list of names, else None."""
    if roster.numbered is not None:  # "I'd go with 3, 1 and 5 (in that order)"
        run = _NUMBER_RUN.search(line)
        if run and not re.search(r"\d", line[:run.start()] + line[run.end():]):
            return re.findall(r"\d{1,3}", run.group(0))
    body = _LEAD_IN.sub("", line.strip()).strip().rstrip(".!")
    pieces = [_CONNECTIVE.sub("", p) for p in _SEPARATORS.split(body) if p and p.strip(" ,;")]
    if not pieces or len(pieces) > 8:
        return None
    resolved = [bool(_resolve(p, roster)[1]) or bool(_LIST_NUMBER.match(p)) for p in pieces]
    named = [bool(name_part(p)) or bool(EMAIL.search(p)) for p in pieces]
    if sum(resolved) >= 2 or (len(pieces) == 1 and resolved[0] and fold(name_part(body)) ==
                              fold(body)):
        return [p for p, n in zip(pieces, named, strict=True) if n]
    return None


def _numbered_rows(lines: list[str], roster: _Roster
                   ) -> tuple[list[tuple[int, str]], bool, str] | None:
    """Rows "Name 3" or "Name (7)", as a table with a rank column or names with their
    number in our list. The number means a rank under a "Rank" heading, or when it is not
    the name's place in our list; a place when it is; when both fit and disagree on the
    order, the shape is "unsure" and the reading goes to review."""
    rows: list[tuple[int, str, RosterEntry]] = []
    strays: list[tuple[int, str]] = []  # rows of the table naming no one mentor: never dropped
    heading = False
    for line in lines:
        match = _TRAILING_NUMBER.match(line)
        found = _resolve(match.group("name"), roster)[1] if match else []
        if match and len(found) == 1:
            rows.append((int(match.group("n")), match.group("name"), found[0]))
        elif match and rows:  # "K. Mensah 3", "not Kwame Mensah 3": read, to be reported
            strays.append((int(match.group("n")), match.group("name")))
        elif not rows and _RANK_HEADING.search(line):
            heading = True
        elif rows:
            break
    if len(rows) < 2 and not (rows and heading):
        return None
    numbers = [n for n, _name, _entry in rows]
    as_ranks = sorted(numbers) == list(range(1, len(rows) + 1))
    as_places = all(roster.place(entry) == n for n, _name, entry in rows)
    if heading or (as_ranks and not as_places):
        return [(n, name) for n, name, _entry in rows] + strays, True, "ranked"
    if as_places and (not as_ranks or numbers == sorted(numbers)):
        return [(i, name) for i, (_n, name, _e) in enumerate(rows, 1)] + strays, True, "ranked"
    return [(n, name) for n, name, _entry in rows] + strays, True, "unsure"


def _items(text: str, roster: _Roster) -> tuple[list[tuple[int, str]], bool, str]:
    """The written choices with their ranks, whether labelled as choices, and their shape:
    "ranked" (numbered lines), "bullets", "list" (names in a sentence) or "" (none)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    ranked: list[tuple[int, str]] = []
    labelled = False
    for line in lines:
        inline = _inline_ranks(line)
        if inline:
            ranked.extend(inline)
            continue
        item = _ranked_item(line)
        if (item is not None and item[1].strip() and item[1].strip()[0] not in ",;&"
                and not _NUMBER_RUN.match(line)):  # "6 then 3 then 1": numbers, not a rank 6
            ranked.append((item[0], item[1]))
            labelled = labelled or item[2]
    if ranked:
        return ranked, labelled, "ranked"
    table = _numbered_rows(lines, roster)
    if table is not None:
        return table
    bullets = [m.group("rest") for m in map(_BULLET.match, lines) if m]
    if bullets:
        return list(enumerate(bullets, 1)), False, "bullets"
    pieces: list[str] = []
    for line in lines:
        pieces.extend(_list_line(line, roster) or [])
    return list(enumerate(pieces, 1)), False, "list" if pieces else ""


def read_choices(new_text: str, roster: list[RosterEntry],
                 numbered: list[str] | None = None) -> ChoicesReading:
    """Ranked choices from a reply's new text; ambiguous or unknown names are never applied.

    ``numbered`` is the mentors' addresses in the order of the numbered list of the mail
    answered (None: that mail numbered nothing), so "9, 3 and 11" can be read.
    """
    reading = ChoicesReading()
    try:
        known = _Roster(roster, numbered)
        _read(new_text or "", known, reading)
        _numbers_agree(new_text or "", known, reading)
        if reading.choices:  # the completeness net for names (see choices_agree)
            problems = names_agree(new_text or "", roster, reading.choices, MAX_CHOICES)
            reading.problems.extend(problems)
            reading.choices = [] if problems else reading.choices
    except TooManyMentions:
        reading.choices, reading.found = [], True
        reading.problems.append(f"the reply names mentors more than {MAX_MENTIONS} times; a "
                                "person reads it")
    except _TooManyNames:
        reading.choices, reading.found = [], True
        reading.problems.append(f"the reply has more than {MAX_LOOKUPS} names or rows to look "
                                "up; a person reads it")
    except Exception as error:  # conservative: a human looks at it
        reading.choices = []
        reading.problems.append(f"could not read the choices ({type(error).__name__})")
    return reading


def _numbers_agree(text: str, roster: _Roster, reading: ChoicesReading) -> None:
    """The completeness net for numbers: a run of our list's numbers written anywhere
    ("mes choix : 8, 1 et 4") must name the choices read, in that order, or a person looks."""
    if roster.numbered is None or not reading.choices:
        return
    for line in text.splitlines():
        run = _NUMBER_RUN.search(line)
        if run is None:
            continue
        said = []
        for number in re.findall(r"\d{1,3}", run.group(0)):
            found, _problem = roster.number(int(number))
            said.append(found[0].email if len(found) == 1 else None)
        if said != reading.choices[:len(said)]:
            reading.problems.append(f"the reply also writes the numbers {run.group(0).strip()}, "
                                    "which do not name the choices read")
            reading.choices = []
            return


def _read(text: str, roster: _Roster, reading: ChoicesReading) -> None:
    items, labelled, shape = _items(text, roster)
    prose = read_prose_ranks(expand_short_names(text, roster.entries), roster.entries)
    if shape in ("list", "") and prose.cued:  # "my first choice would be A. Next, B…"
        reading.found = True
        reading.problems.extend(prose.problems)
        _check(prose.order(), roster, reading)
        return
    resolved = [(rank, raw, *_resolve(raw, roster)) for rank, raw in items]
    relevant = [r for r in resolved if r[3] or _LIST_NUMBER.match(r[1])]
    labelled = labelled or (shape == "ranked" and all(
        _NAME_LIKE.match(written) or EMAIL.search(written) or _LIST_NUMBER.match(written)
        for _r, _i, written, _c, _n in resolved))
    if not relevant and not labelled:
        named = mentioned(text, roster.entries)
        if named:
            reading.found = True
            reading.problems.append("mentions " + join_names(named) + " but not as a list of "
                                    "ranked choices")
        return
    reading.found = True
    for _rank, raw, written, found, _why in resolved:
        if len(found) != 1:
            continue  # reported below as ambiguous or unknown
        beside = _beside(raw, written)
        if _UNREAD_NUMBER.search(beside):  # "Chen Wei 2019", "Sofia Rossi (1), Chen Wei (2)"
            reading.problems.append(f"'{raw.strip()[:60]}': the number beside "
                                    f"{found[0].name} is not read as a rank")
        elif _takes_back(beside, found[0], roster):  # "3. Kwame Mensah - actually no, not him"
            reading.problems.append(f"'{raw.strip()[:60]}': the words beside {found[0].name} "
                                    "may take the choice back")
    if shape == "unsure":
        reading.problems.append("the numbers beside the names may be ranks or places in our "
                                "list, and the two give different orders")
    if shape == "ranked" and _list_numbers_as_ranks(resolved, roster):
        # "9. Sofia Rossi / 3. Chen Wei": the numbers of our list, favourite first
        resolved = [(rank, raw, written, found, why)
                    for rank, (_old, raw, written, found, why) in enumerate(resolved, 1)]
    resolved.sort(key=lambda entry: entry[0])  # stable: bullets keep their order
    ranks = [rank for rank, *_ in resolved]
    if len(set(ranks)) != len(ranks):
        reading.problems.append("the same rank is given to more than one choice")
    elif ranks and ranks != list(range(1, len(ranks) + 1)):
        reading.problems.append("ranks are not numbered 1, 2, 3 without gaps")
    chosen: list[str] = []
    for _rank, raw, written, found, why_none in resolved:
        label = written or raw.strip()[:60]
        if len(found) == 1:
            chosen.append(found[0].email)
        elif found:
            names = [c.name for c in found]
            reading.ambiguous.append((label, names))
            reading.problems.append(f"'{label}' could be " + join_names(names, "or"))
        else:
            reading.unknown.append(label)
            reading.problems.append(why_none or f"'{label}' is not a mentor in the program")
    # What the words say must agree with the list: "2. Chen Wei (my first choice)".
    for rank, entry in prose.ranked:
        place = chosen.index(entry.email) + 1 if entry.email in chosen else None
        if rank is not None and place is not None and place != rank:
            reading.problems.append(f"the words rank {entry.name} {_ORDINAL_NAMES.get(rank, rank)}"
                                    f", the list {_ORDINAL_NAMES.get(place, place)}")
    _check(chosen, roster, reading, given=len(resolved))


def _beside(raw: str, written: str) -> str:
    """The words of an item besides the name read from it (a remark, trailing words),
    folded; '' for a number of our list or an address, which are read whole."""
    if _LIST_NUMBER.match(raw) or EMAIL.search(raw):
        return ""
    return fold(raw).replace(fold(written), " ", 1)


def _takes_back(beside: str, entry: RosterEntry, roster: _Roster) -> bool:
    """Whether the words beside a chosen name may undo it: a negation that is not about
    another mentor ("Sophie Ross (not Sofia, sorry)" says which one is meant)."""
    others = {t for e in roster.entries if e != entry for t in fold(e.name).split()}
    return any(not (m.group("who") and m.group("who") in others)
               for m in _TAKEN_BACK.finditer(beside))


def _list_numbers_as_ranks(resolved: list[Any], roster: _Roster) -> bool:
    """Whether the line numbers are the numbers of our list, not ranks: each one is the
    list number of the mentor named on its line, and they are not 1, 2, 3."""
    ranks = [rank for rank, *_ in resolved]
    if roster.numbered is None or ranks == list(range(1, len(ranks) + 1)):
        return False
    return all(len(found) == 1 and roster.place(found[0]) == rank
               for rank, _raw, _written, found, _why in resolved)


def _check(chosen: list[str], roster: _Roster, reading: ChoicesReading,
           given: int | None = None) -> None:
    """Too many choices, or one chosen twice, and the choices kept only without problems."""
    given = len(chosen) if given is None else given
    if given > MAX_CHOICES:
        reading.problems.append(f"{given} choices given; at most {MAX_CHOICES} allowed")
    for email in sorted({e for e in chosen if chosen.count(e) > 1}):
        name = next((e.name for e in roster.entries if e.email == email), email)
        reading.problems.append(f"{name} is chosen more than once")
    reading.choices = chosen if not reading.problems else []


_ORDINAL_NAMES = {1: "first", 2: "second", 3: "third"}
