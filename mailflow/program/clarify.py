"""What a clarification asks of the person who wrote: what we expected of them in that thread.

The thread says what our mail asked (``Reading.expects``); the clarification explains how
to answer it only when the unread reply was that answer, from the person it was asked of:
a mentor declining is asked for a YES or NO, never for mentor choices, and a request
(STOP, a question) is never answered with the instructions of the thread it came in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mailflow.config.model import Config
from mailflow.config.translated import in_language
from mailflow.parsing.expects import Expects
from mailflow.parsing.reading import Reading

# The kind of reading each expectation's reader makes of its answer.
READ_AS = {"choices": "choices", "meeting": "meeting", "survey": "survey", "form": "application"}


def asked_of(reading: Reading, person: Mapping[str, Any] | None, coordinator: bool) -> str:
    """What we expected of the writer, to say again how to answer it; '' for nothing.

    One of: choices, meeting, survey, form, acceptance, approval, confirm (an answer we
    asked for in that thread), pause (a PAUSE without the day it ends), or ''."""
    if reading.kind == "command" and reading.command == "pause" and not reading.until:
        return "pause"
    expects = Expects.decode(reading.expects)
    if expects is None or reading.kind == "concern":
        return ""
    if coordinator:
        return "approval" if expects.kind == "approval" else ""
    if person is None:
        return ""
    role = person.get("role")
    if expects.kind in READ_AS:
        if expects.kind == "choices" and role != "mentee":
            return ""
        return expects.kind if reading.kind == READ_AS[expects.kind] else ""
    if expects.kind == "acceptance":
        undecided = reading.kind == "command" and reading.command in (None, "accept", "decline")
        return "acceptance" if undecided and role == "mentor" else ""
    if expects.kind == "confirm":
        return "confirm" if reading.kind == "unknown" else ""
    return ""


def clarification_context(config: Config, reading: Reading, person: Mapping[str, Any] | None,
                          language: str) -> dict[str, Any]:
    """What the clarification template needs beyond the message: what was expected and,
    for a survey, its questions in the reader's language."""
    coordinator = config.is_coordinator_address(reading.sender or "")
    expected = asked_of(reading, person, coordinator)
    found: dict[str, Any] = {"expected": expected}
    expects = Expects.decode(reading.expects)
    if expected == "survey" and expects is not None and expects.about in config.surveys:
        survey = config.surveys[expects.about]
        found["survey"] = {
            "title": in_language(survey.title, language)
            or survey.key.replace("_", " ").capitalize(),
            "questions": [{"number": q.number, "text": in_language(q.text, language),
                           "required": q.required} for q in survey.questions]}
    return found
