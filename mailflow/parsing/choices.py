"""Read a mentee's ranked mentor choices out of the new text of a reply; never guess a name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailflow.text import fold_accents

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
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_TITLES = re.compile(
    r"\b(?:dr|doctor|docteur|prof|professor|professeur|professeure|pr|mr|mrs|ms|mme|mlle|m)\b\.?",
    re.IGNORECASE,
)
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
_NAME_LIKE = re.compile(r"^(?:[A-Z\u00C0-\u00DE][\w'’-]*\.?\s*){2,4}$")
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


@dataclass(frozen=True)
class RosterEntry:
    """A mentor who can be chosen: their address (the key) and display name."""

    email: str
    name: str


@dataclass
class ChoicesReading:
    """Ranked roster emails, plus whatever stops them from being applied as they are."""

    choices: list[str] = field(default_factory=list)  # roster emails in rank order
    problems: list[str] = field(default_factory=list)
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)  # (written, names)
    unknown: list[str] = field(default_factory=list)
    found: bool = False  # the text looks like a choices answer


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of a name, for comparing."""
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


def _candidates(written: str, roster: list[RosterEntry]) -> list[RosterEntry]:
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


def _name_part(text: str) -> str:
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


def _resolve(item: str, roster: list[RosterEntry]) -> tuple[str, list[RosterEntry]]:
    """What the item names (as written) and the roster entries it may mean."""
    email = _EMAIL.search(item)
    if email:
        address = email.group(0).rstrip(".").casefold()
        return email.group(0).rstrip("."), [e for e in roster if e.email.casefold() == address]
    written = _name_part(item)
    found = _candidates(written, roster)
    words = written.split()
    for size in range(min(len(words), 4) - 1, 1, -1):  # "Sofia Rossi NLP": drop trailing words
        if found:
            break
        found = _candidates(" ".join(words[:size]), roster)
        if found:
            written = " ".join(words[:size])
    return written, found


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


def _list_line(line: str, roster: list[RosterEntry]) -> list[str] | None:
    """The pieces of "A, B and C" when the line is such a list of names, else None."""
    body = _LEAD_IN.sub("", line.strip()).strip().rstrip(".!")
    pieces = [_CONNECTIVE.sub("", p) for p in _SEPARATORS.split(body) if p and p.strip(" ,;")]
    if not pieces or len(pieces) > 8:
        return None
    resolved = [bool(_resolve(p, roster)[1]) for p in pieces]
    named = [bool(_name_part(p)) or bool(_EMAIL.search(p)) for p in pieces]
    if sum(resolved) >= 2 or (len(pieces) == 1 and resolved[0] and fold(_name_part(body)) ==
                              fold(body)):
        return [p for p, n in zip(pieces, named, strict=True) if n]
    return None


def _items(text: str, roster: list[RosterEntry]) -> tuple[list[tuple[int, str]], bool, bool]:
    """The written choices with their ranks, whether labelled as choices, whether numbered."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    ranked: list[tuple[int, str]] = []
    labelled = False
    for line in lines:
        inline = _inline_ranks(line)
        if inline:
            ranked.extend(inline)
            continue
        item = _ranked_item(line)
        if item is not None and item[1].strip():
            ranked.append((item[0], item[1]))
            labelled = labelled or item[2]
    if ranked:
        return ranked, labelled, True
    bullets = [m.group("rest") for m in map(_BULLET.match, lines) if m]
    if bullets:
        return list(enumerate(bullets, 1)), False, False
    pieces: list[str] = []
    for line in lines:
        pieces.extend(_list_line(line, roster) or [])
    return list(enumerate(pieces, 1)), False, False


def mentioned(text: str, roster: list[RosterEntry]) -> list[str]:
    """Roster names written in full anywhere in the text."""
    folded = fold(text)
    return [e.name for e in roster if fold(e.name) and re.search(
        rf"(?<![\w@]){re.escape(fold(e.name))}(?![\w@]|\.\w)", folded)]


def read_choices(new_text: str, roster: list[RosterEntry]) -> ChoicesReading:
    """Ranked choices from a reply's new text; ambiguous or unknown names are never applied."""
    reading = ChoicesReading()
    try:
        _read(new_text or "", roster, reading)
    except Exception as error:  # conservative: a human looks at it
        reading.choices = []
        reading.problems.append(f"could not read the choices ({type(error).__name__})")
    return reading


def _read(text: str, roster: list[RosterEntry], reading: ChoicesReading) -> None:
    items, labelled, numbered = _items(text, roster)
    resolved = [(rank, raw, *_resolve(raw, roster)) for rank, raw in items]
    relevant = [r for r in resolved if r[3]]
    labelled = labelled or (numbered and all(
        _NAME_LIKE.match(written) or _EMAIL.search(written) for _r, _i, written, _c in resolved))
    if not relevant and not labelled:
        named = mentioned(text, roster)
        if named:
            reading.found = True
            reading.problems.append("mentions " + _join(named) + " but not as a list of "
                                    "ranked choices")
        return
    reading.found = True
    resolved.sort(key=lambda entry: entry[0])  # stable: bullets keep their order
    ranks = [rank for rank, *_ in resolved]
    if len(set(ranks)) != len(ranks):
        reading.problems.append("the same rank is given to more than one choice")
    elif ranks and ranks != list(range(1, len(ranks) + 1)):
        reading.problems.append("ranks are not numbered 1, 2, 3 without gaps")
    chosen: list[str] = []
    for _rank, raw, written, candidates in resolved:
        label = written or raw.strip()[:60]
        if len(candidates) == 1:
            chosen.append(candidates[0].email)
        elif candidates:
            names = [c.name for c in candidates]
            reading.ambiguous.append((label, names))
            reading.problems.append(f"'{label}' could be " + _join(names, "or"))
        else:
            reading.unknown.append(label)
            reading.problems.append(f"'{label}' is not a mentor in the program")
    if len(resolved) > MAX_CHOICES:
        reading.problems.append(f"{len(resolved)} choices given; at most {MAX_CHOICES} allowed")
    repeated = sorted({e for e in chosen if chosen.count(e) > 1})
    for email in repeated:
        name = next((e.name for e in roster if e.email == email), email)
        reading.problems.append(f"{name} is chosen more than once")
    reading.choices = chosen if not reading.problems else []


def _join(names: list[str], word: str = "and") -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} {names[-1]}"


def candidates(written: str, roster: list[RosterEntry]) -> list[RosterEntry]:
    """The roster entries a name (or an address) as someone wrote it may mean."""
    address = _EMAIL.search(written)
    if address:
        wanted = address.group(0).rstrip(".").casefold()
        return [e for e in roster if e.email.casefold() == wanted]
    return _candidates(_name_part(written) or written, roster)
