"""A coordinator's reply to a review notice: what to do with each numbered item.

One line per decision: ``APPLY n``, ``CHOICES n 1. … 2. …``, ``MEETING n yes|no [date]``,
``LINK n``, ``IGNORE n`` (French: APPLIQUER, CHOIX, RENCONTRE|RÉUNION oui|non, LIER,
IGNORER), or ``ANSWER n: text`` / ``RÉPONSE n : texte``. Text written under a quoted
item of the notice (``> [2] …``) is the answer to that item; a command there may leave
its number out. When the notice holds one item, any number may be left out, and a reply
with no command at all is the answer to it. Pure: tested without mail or store.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from mailflow.parsing.examine import split_sign_off
from mailflow.parsing.quotes import is_sign_off, marked_lines
from mailflow.text import fold_accents

VERBS = {
    "apply": "apply", "appliquer": "apply", "applique": "apply",
    "choices": "choices", "choice": "choices", "choix": "choices",
    "meeting": "meeting", "rencontre": "meeting", "reunion": "meeting",
    "link": "link", "lier": "link",
    "ignore": "ignore", "ignorer": "ignore",
    "answer": "answer", "reponse": "answer", "repondre": "answer", "reply": "answer",
}
_FRENCH = frozenset({"appliquer", "applique", "choix", "rencontre", "reunion", "lier",
                     "ignorer", "reponse", "repondre"})
_LINE = re.compile(r"^(?P<word>[a-z]+)\b\s*(?:#\s*)?"
                   r"(?P<number>\d{1,3}(?![\d.)]))?\s*[:.\-]?\s*(?P<rest>.*)$")
_QUOTED_ITEM = re.compile(r"^\s*(?:> ?)+\[(?P<number>\d{1,3})\]")
_QUOTED = re.compile(r"^\s*>")
_LISTED = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s*")
_YES = {"yes": True, "oui": True, "y": True, "no": False, "non": False, "n": False}
_DELIMITER = re.compile(r"^--\s?$")


@dataclass(frozen=True)
class ReviewAction:
    """One decision on one item (``number`` None: the notice's only item, or none given)."""

    verb: str                    # apply | choices | meeting | link | ignore | answer
    number: int | None
    line: str
    choices: tuple[str, ...] = ()
    met: bool | None = None
    date: str | None = None
    text: str = ""
    language: str | None = None
    problem: str | None = None   # why it cannot be done as written

    def to_json(self) -> dict[str, Any]:
        """The stored form, in the reading."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReviewAction:
        """The action a reading stored."""
        return cls(**{**data, "choices": tuple(data.get("choices") or ())})


def _choices(rest: str) -> tuple[str, ...]:
    parts = _LISTED.split(" " + rest)
    # split keeps the numbers: [before, n, text, n, text, ...]
    return tuple(t.strip(" ,;") for t in parts[2::2] if t.strip(" ,;"))


def _meeting(rest: str) -> tuple[bool | None, str | None, str | None]:
    words = rest.replace(",", " ").split()
    if not words or fold_accents(words[0]).strip(".!") not in _YES:
        return None, None, "needs yes or no (MEETING 2 yes 2027-01-15)"
    met = _YES[fold_accents(words[0]).strip(".!")]
    if len(words) < 2:
        return met, None, None
    try:
        return met, date.fromisoformat(words[1].strip(".")).isoformat(), None
    except ValueError:
        return met, None, f"{words[1]!r} is not a date such as 2027-01-15"


def _command(line: str, current: int | None) -> ReviewAction | None:
    folded = fold_accents(line)
    match = _LINE.match(folded)
    if match is None or match["word"] not in VERBS:
        return None
    verb = VERBS[match["word"]]
    number = int(match["number"]) if match["number"] else current
    # The rest as written (accents kept) when folding kept the positions.
    rest = (line if len(folded) == len(line) else folded)[match.start("rest"):].strip()
    language = "fr" if match["word"] in _FRENCH else "en"
    if verb == "choices":
        choices = _choices(rest)
        return ReviewAction(verb, number, line, choices=choices, language=language,
                            problem=None if choices else "lists no choice "
                            "(CHOICES 2 1. Name 2. Name 3. Name)")
    if verb == "meeting":
        met, when, problem = _meeting(rest)
        return ReviewAction(verb, number, line, met=met, date=when, language=language,
                            problem=problem)
    if verb == "answer":
        return ReviewAction(verb, number, line, text=rest, language=language)
    if rest:
        return None  # 'Apply the rule as usual, thanks' is prose, not a command
    return ReviewAction(verb, number, line, language=language)


def read_review_answer(text: str, new_text: str, single: bool,
                       names: tuple[str, ...] = ()) -> list[ReviewAction]:
    """The decisions in a reply to a notice, in order.

    ``text`` is the whole reply (quotes included: they say which item text is under),
    ``new_text`` what the coordinator wrote above the quote, ``single`` whether the
    notice holds one item, ``names`` the writer's: a last line that is only their name,
    or a closing formula, signs the mail and answers no item."""
    actions: list[ReviewAction] = []
    current: int | None = None       # the quoted item the lines are under
    answering: list[str] | None = None
    for raw, quoted_material in marked_lines(text):
        line = " ".join(raw.split())
        if _DELIMITER.match(raw.rstrip()):
            break  # the signature
        quoted = _QUOTED_ITEM.match(raw)
        if quoted:
            current, answering = int(quoted["number"]), None
            continue
        if quoted_material or _QUOTED.match(raw):
            continue  # the notice itself, quoted or appended below an Outlook header
        command = _command(line, current) if line else None
        if command is not None:
            actions.append(command)
            answering = [command.text] if command.verb == "answer" else None
            continue
        if command is None and actions and actions[-1].verb == "choices" and _LISTED.match(line):
            last = actions.pop()  # a list of choices written one a line
            choices = last.choices + _choices(line)
            actions.append(ReviewAction("choices", last.number, last.line + "\n" + line,
                                        choices=choices, language=last.language))
            continue
        if answering is None and current is not None and line:
            answering = []
            actions.append(ReviewAction("answer", current, line))
        if answering is not None:
            answering.append(raw.rstrip())
            actions[-1] = _with_text(actions[-1], answering)
    actions = [_unsigned(a, list(names)) for a in actions]
    actions = [a for a in actions if a.verb != "answer" or a.text]
    if not actions and single and new_text.strip():
        actions.append(ReviewAction("answer", None, new_text.strip().splitlines()[0],
                                    text=new_text.strip()))
    return actions


def _with_text(action: ReviewAction, lines: list[str]) -> ReviewAction:
    text = "\n".join(lines).strip()
    return ReviewAction(action.verb, action.number, action.line, text=text,
                        language=action.language)


def _unsigned(action: ReviewAction, names: list[str]) -> ReviewAction:
    """An answer without the writer's name or a bare closing formula at its end."""
    if action.verb != "answer":
        return action
    text, _ = split_sign_off("x\n" + action.text, names)
    text = text[2:]
    if is_sign_off(text.strip()):
        text = ""
    return _with_text(action, [text]) if text != action.text else action
