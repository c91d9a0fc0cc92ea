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


# Every command a reading concludes (``Reading.command``), declared once: the message
# rules accept exactly these as ``when: {command: NAME}`` (``mailflow.program.rules``).
# A new command is a line here, plus the reader that concludes it (a test keeps them in step).
COMMANDS: dict[str, str] = {
    "stop": "a participant: no more mail from the program",
    "start": "a participant: mail again after a STOP",
    "pause": "a participant: no scheduled mail until a day (Reading.until)",
    "resume": "a participant: scheduled mail again after a PAUSE",
    "my_data": "a participant: a copy of their data, sent to the registered address",
    "erase": "a participant: delete my data (always confirmed first)",
    "confirm": "a participant's change waiting for their CONFIRM (Reading.pending)",
    "leave": "a participant leaves the program: the coordinators confirm",
    "accept": "a mentor's YES to the mentee proposed (Reading.proposal)",
    "decline": "a mentor's NO to the mentee proposed",
    "approve": "a coordinator approves the proposed pairs",
    "edit": "a coordinator's changes to the proposed pairs (Reading.edits)",
}
# Commands the coordination carries out itself (``mailflow.program.coordination``), not rules.
COORDINATION_COMMANDS: dict[str, str] = {
    "coordinator": "a coordinator's command mail (Reading.coordinator)",
    "review": "a coordinator's answer to a review notice (Reading.review)",
}


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


# Coordinator commands: the words each canonical command is written with, English and
# French (folded: no accents, lower case). The registry of what they do is
# ``mailflow.program.coordination.registry``; a test keeps the two in step.
COORDINATOR_WORDS: dict[str, str] = {
    "help": "help", "aide": "help",
    "status": "status", "etat": "status",
    "review": "review", "revue": "review",
    "show": "show", "voir": "show",
    "plan": "plan",
    "export": "export", "exporter": "export",
    "pause": "pause", "suspendre": "pause",
    "resume": "resume", "reprendre": "resume",
    "link": "link", "lier": "link",
    "withdraw": "withdraw", "retirer": "withdraw",
    "propose": "propose", "proposer": "propose",
    "import": "import", "importer": "import",
    "select": "select", "selectionner": "select",
    "match": "match", "apparier": "match",
    "confirm": "confirm", "confirmer": "confirm", "confirme": "confirm",
}
_FRENCH_ONLY = frozenset({"aide", "etat", "revue", "voir", "exporter", "suspendre",
                          "reprendre", "lier", "retirer", "proposer", "confirmer", "confirme",
                          "importer", "selectionner", "apparier"})
_ENGLISH_ONLY = frozenset({"help", "status", "review", "show", "resume", "link", "withdraw",
                           "confirm", "import", "select", "match"})
_SUBJECT_PREFIX = re.compile(r"^(?:(?:re|aw|tr|fwd?|rv)\s?:\s?)+", re.IGNORECASE)
_LEADING_WORD = re.compile(r"^([^\W\d_]+)[:.]?(?:\s+|$)")
MAX_COORDINATOR_COMMANDS = 20


@dataclass(frozen=True)
class CoordinatorCommand:
    """One command line of a coordinator: its canonical name (or 'unknown'), the rest of
    the line as written, and the language its word belongs to (None: both)."""

    name: str
    rest: str
    line: str
    language: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The stored form, in the reading."""
        return {"name": self.name, "rest": self.rest, "line": self.line,
                "language": self.language}


def _shouted(text: str) -> bool:
    """Whether ``text`` starts with a word of three letters or more, all in capitals."""
    match = _LEADING_WORD.match(text)
    return match is not None and len(match.group(1)) >= 3 and match.group(1).isupper()


def _coordinator_line(line: str) -> CoordinatorCommand | None:
    match = _LEADING_WORD.match(line)
    if match is None:
        return None
    word = fold_accents(match.group(1))
    name = COORDINATOR_WORDS.get(word)
    if name is None:
        return None
    language = "fr" if word in _FRENCH_ONLY else "en" if word in _ENGLISH_ONLY else None
    return CoordinatorCommand(name, line[match.end():].strip(), line, language)


def read_coordinator_commands(new_text: str, subject: str,
                              loose: bool = False) -> list[CoordinatorCommand]:
    """The command lines at the top of a coordinator's new text, in order; else the subject's.

    Reading stops at the first line that is not a command (a greeting, a signature); a
    line in capitals among commands is a mistyped one ('unknown'). With
    ``loose``, a first line that starts with a word in
    capitals is taken for a command mistyped ('unknown'), so its writer gets the help.
    """
    lines = [" ".join(line.split()) for line in new_text.strip().splitlines() if line.strip()]
    found: list[CoordinatorCommand] = []
    for line in lines[:MAX_COORDINATOR_COMMANDS]:
        command = _coordinator_line(line)
        if command is None and found and _shouted(line):
            command = CoordinatorCommand("unknown", "", line)  # a mistyped one among them
        if command is None:
            break
        found.append(command)
    if found:
        return found
    # The subject, when there is no text or its command word is in capitals: a subject
    # such as "Plan for Thursday" above a letter is no command.
    title = _SUBJECT_PREFIX.sub("", " ".join(subject.split()))
    command = _coordinator_line(title) if title else None
    if command is not None and (not lines or _shouted(title)):
        return [command]
    first = lines[0] if lines else title
    if loose and first and _shouted(first):
        return [CoordinatorCommand("unknown", "", first)]
    return []
