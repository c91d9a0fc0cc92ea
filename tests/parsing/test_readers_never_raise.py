"""Property tests: the choices, meeting and survey readers never raise nor fall back."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.parsing.choices import ChoicesReading, read_choices
from mailflow.parsing.meeting import MeetingReading, read_meeting
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.survey import Question, Survey, SurveyReading, read_survey

ROSTER = [RosterEntry("sofia@uni.example", "Sofia Rossi"),
          RosterEntry("sophie@ngo.example", "Sophie Ross"),
          RosterEntry("lea@uqam.example", "Léa Gagnon"), RosterEntry("x@y.example", "")]
SURVEY = Survey("s", [Question(1, "scale", "How useful?", True),
                      Question(2, "yesno", "Recommend?", True),
                      Question(3, "text", "Comments?", False)])
WORDS = ["1.", "2)", "#3", "Q1:", ">", "-", "Sofia", "Rossi", "Ross", "Léa", "yes", "non", "4/5",
         "3/4", "met", "we", "yesterday", "mardi", "dernier", "pas encore", "2024-02-30", "\n",
         ",", "and", "et", "first choice:", "METHOD:REPLY", "PARTSTAT=ACCEPTED", "DTSTART:2024"]
TEXT = st.one_of(st.text(max_size=400),
                 st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))
DATES = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)),
                  st.just(datetime(1, 1, 1)), st.just(datetime(9999, 12, 31)))


def _fell_back(problems: list[str]) -> bool:
    """Whether a reader hit its catch-all (a bug, even though the caller is safe)."""
    return any(problem.startswith("could not read") for problem in problems)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_read_choices_never_raises(text):
    reading = read_choices(text, ROSTER)
    assert isinstance(reading, ChoicesReading) and not _fell_back(reading.problems)


@settings(max_examples=300, deadline=None)
@given(TEXT, DATES, st.one_of(st.none(), TEXT))
def test_read_meeting_never_raises(text, when, calendar):
    reading = read_meeting(text, when, calendar)
    assert isinstance(reading, MeetingReading) and not _fell_back(reading.problems)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_read_survey_never_raises(new_text, quoted):
    reading = read_survey(new_text, quoted, SURVEY)
    assert isinstance(reading, SurveyReading) and not _fell_back(reading.problems)
