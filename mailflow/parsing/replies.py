"""What a participant's reply says: choices, a meeting, survey answers, never a guess.

The mail a reply answers (found by its token or In-Reply-To) says what was asked
(``expects``); without it, the content decides, and a reader that finds nothing
leaves the message unknown, for review.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mailflow.config.model import Config
from mailflow.parsing.choices import RosterEntry, read_choices
from mailflow.parsing.decode import DecodedMessage
from mailflow.parsing.meeting import read_meeting
from mailflow.parsing.quotes import Reply
from mailflow.parsing.survey import read_survey


def expected_reply(item: Any) -> str | None:
    """What the answered mail asked for: 'choices', 'meeting', 'survey:KEY', or None."""
    meta = getattr(item, "meta", None) or {}
    return meta.get("expects") if isinstance(meta, dict) else None


def read_content(reading: Any, reply: Reply, msg: DecodedMessage, config: Config,
                 person: dict | None, expects: str | None,
                 roster: list[RosterEntry]) -> bool:
    """Fill ``reading`` with choices, meeting or survey answers; False when none is found."""
    role = (person or {}).get("role")
    if expects == "choices" or (expects is None and role == "mentee"):
        choices = read_choices(reply.new_text, roster)
        if choices.found or expects == "choices":
            reading.kind = "choices"
            reading.choices = choices.choices if not choices.problems else []
            reading.problems.extend(choices.problems)
            if choices.problems or not choices.choices:
                if not choices.problems:
                    reading.problems.append("no mentor name found in the reply")
                reading.needs_review = True
            return True
    if expects and expects.startswith("survey"):
        key = expects.partition(":")[2] or next(iter(config.surveys), "")
        survey = config.surveys.get(key)
        if survey is not None:
            # The whole text: answers typed under quoted questions are read in place.
            answers = read_survey(msg.text, "", survey)
            if not answers.found:
                answers = read_survey(reply.new_text, reply.quoted, survey)
            reading.kind = "survey"
            reading.survey = key
            reading.survey_answers = answers.answers
            reading.problems.extend(answers.problems)
            if answers.problems or not answers.answers:
                if not answers.problems:
                    reading.problems.append("no answer to the survey's questions found")
                reading.needs_review = True
            return True
    if expects in (None, "meeting") or msg.calendar:
        meeting = read_meeting(reply.new_text, msg.date, msg.calendar,
                               day_first=reading.language == "fr")
        if meeting.found or expects == "meeting":
            reading.kind = "meeting"
            reading.meeting = meeting_json(meeting.met, meeting.date, meeting.accepted,
                                           meeting.event_date)
            reading.problems.extend(meeting.problems)
            if meeting.problems or (meeting.met is None and meeting.accepted is None):
                if not meeting.problems:
                    reading.problems.append("could not tell whether the meeting took place")
                reading.needs_review = True
            return True
    return False


def meeting_json(met: bool | None, when: date | None, accepted: bool | None,
                 event_date: date | None) -> dict:
    """The contract's meeting object: an accepted invitation is planned, not held."""
    if accepted is not None:
        return {"met": False, "date": event_date.isoformat() if accepted and event_date
                else None}
    return {"met": met, "date": when.isoformat() if met and when else None}
