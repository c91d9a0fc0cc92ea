"""One-word commands a participant can send: STOP, START, PAUSE until a date, RESUME."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mailflow.text import fold_accents

_WORDS = {
    "stop": "stop", "unsubscribe": "stop", "desabonner": "stop", "desinscrire": "stop",
    "arret": "stop", "arreter": "stop",
    "start": "start", "subscribe": "start", "reprendre les conseils": "start",
    "pause": "pause", "resume": "resume", "reprendre": "resume",
}
_COMMAND = re.compile(r"^\s*(?P<word>[a-z]+(?: les conseils)?)\b\s*[.!]?\s*"
                      r"(?:(?:until|jusqu'au|jusqu au|jusqu’au)\s+(?P<until>\d{4}-\d{2}-\d{2}))?"
                      r"\s*[.!]?\s*$")


@dataclass(frozen=True)
class Command:
    """A command and, for a pause, the day it ends."""

    name: str               # stop | start | pause | resume
    until: date | None = None


def _fold(text: str) -> str:
    return fold_accents(text)


def read_command(new_text: str, subject: str) -> Command | None:
    """The command when the reply (or, for an empty reply, the subject) is only a command."""
    # Runs of blanks made one: the pattern's optional parts then cost nothing to try.
    lines = [" ".join(line.split()) for line in new_text.strip().splitlines() if line.strip()]
    candidates = [lines[0]] if len(lines) == 1 else []
    if not lines:
        candidates.append(re.sub(r"^(re|aw|tr|fwd?) ?: ?", "", " ".join(subject.split()),
                                 flags=re.I))
    for text in candidates:
        match = _COMMAND.match(_fold(text))
        if match is None or match["word"] not in _WORDS:
            continue
        name = _WORDS[match["word"]]
        until = None
        if match["until"]:
            try:
                until = date.fromisoformat(match["until"])
            except ValueError:
                return None
        if name == "pause" and until is None:
            return None  # a pause needs its end; the clarification mail says how
        return Command(name, until)
    return None


_YES_WORDS = re.compile(r"\b(yes|oui|ok|okay|sure|gladly|pleasure|d'accord|volontiers|"
                        r"absolutely|certainly|happy|accept|j'accepte|bien sur|of course)\b")
_NO_WORDS = re.compile(r"\b(no|non|not|sorry|unfortunately|malheureusement|desole|desolee|"
                       r"decline|can'?t|cannot|ne|pas|unable|impossible)\b")


def read_yes_no(new_text: str) -> bool | None:
    """YES or NO from the first sentence; None when it has neither, or words of both.

    'No problem, happy to!' or 'Sorry for the delay - yes' hold words of both kinds:
    a person reads those, mailflow does not guess.
    """
    text = _fold(new_text.strip()).replace("’", "'")
    first = re.split(r"(?<=[.!?])\s|\n\s*\n", text, maxsplit=1)[0] if text else ""
    yes, no = bool(_YES_WORDS.search(first)), bool(_NO_WORDS.search(first))
    return yes if yes != no else None
