"""What a whole year of each preset sends, read as its recipients read it (issue 12 item 2).

Each preset's year is told by mail through the daemon (tests/program/year_stories.py),
with people writing in English and in French; these tests read every mail that left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from langdetect import DetectorFactory, detect_langs

from tests.program.year_content import Sent, Year, at, dates_in, run_preset
from tests.program.year_stories import MENTORS, STORIES, VALUES

DetectorFactory.seed = 0  # langdetect samples at random: the same verdict on every run

# The mail that ends each story, by preset (see the end-of-story rules of each preset).
CLOSING = {
    "matched": {"program_end"},
    "unmatched": {"unmatched_mentor"},
    "waitlisted": {"waitlist_closed"},
    "withdrawn": {"program_end_withdrawn"},
    "paused": {"program_end"},
}
# The rolling preset's pairs end three months after their introduction (its rules/endings.yaml).
# A paused person of a pair hears the pair's end like the other.
ROLLING_CLOSING = {**CLOSING, "matched": {"pair_end"}, "paused": {"pair_end"}}
# The stories that once ended in silence: the scheduler skipped paused people (now the
# ending rules say 'reaches_paused: true'), and rolling had no date to thank the withdrawn.
LEFT_BEFORE_THE_END = {"paused", "withdrawn"}
# An example of an answer about a past meeting ("reply: yes, March 12"), not an announcement.
ANSWER_EXAMPLE = re.compile(r"(?:\byes,|\boui, le)\s*$", re.IGNORECASE)
# A day named in a sentence about the past ("was planned by September 10") is no promise.
PAST_TENSE = re.compile(r"\b(?:was|were|had|était|étaient|avait|aviez)\b", re.IGNORECASE)
# A deadline announced for the introductions ('by DATE'): they may come before it.
DEADLINE = re.compile(r"(?:\bby|d'ici le|au plus tard le|avant le)\s*$", re.IGNORECASE)
# The calendar date each preset's mail announces for the introductions (rolling: none;
# its rules introduce a pair the day the mentor says YES, 'after: introduced, 0h').
ANNOUNCED = {"cohort": "introductions", "conference": "matching_done"}
INTRODUCTIONS = ("introduction", "introduction_group")


@pytest.fixture(scope="module", params=sorted(STORIES))
def year(request, tmp_path_factory) -> Iterator[Year]:
    run = run_preset(request.param, tmp_path_factory.mktemp(request.param))
    yield run
    run.close()


def text_of(mail: Sent) -> str:
    """What the recipient reads: the subject and the plain text, without quoted lines."""
    lines = [line for line in mail.text.splitlines() if not line.startswith(">")]
    return mail.subject + "\n" + "\n".join(lines)


def test_every_mail_is_written_in_its_recipients_language(year):
    wrong = []
    for mail in year.sent():
        found = detect_langs(text_of(mail))[0]
        expected = year.language_of(mail.to)
        if found.lang != expected:
            wrong.append(f"{mail.when:%Y-%m-%d} {mail.template} to {mail.to} ({expected}): "
                         f"detected {found}")
    assert not wrong, "\n".join(wrong)


def test_no_mail_presents_a_past_day_as_to_come(year):
    stale = []
    for mail in year.sent():
        # A subject in double quotes (the digest's list of what was sent) is a citation.
        for mention in dates_in(re.sub(r'"[^"\n]*"', "", text_of(mail)), mail.when):
            if (mention.day < mail.when.date() and mention.day not in year.reported_days
                    and not ANSWER_EXAMPLE.search(mention.before)
                    and not PAST_TENSE.search(mention.before)):
                stale.append(f"{mail.when:%Y-%m-%d} {mail.template} to {mail.to}: "
                             f"'...{mention.before} {mention.written}'")
    assert not stale, "\n".join(stale)


def test_every_person_gets_a_closing_mail_that_fits_their_story(year):
    closing = closings(year)
    missing = []
    for address, story in sorted(year.stories.items()):
        got = {m.template for m in year.sent() if m.to == address}
        if not got & closing[story]:
            missing.append(f"{address} ({story}): none of {sorted(closing[story])}")
    assert year.stories and not missing, "\n".join(missing)


def closings(year: Year) -> dict[str, set[str]]:
    """The closing templates by story, for ``year``."""
    return ROLLING_CLOSING if year.preset == "rolling" else CLOSING


def test_a_paused_or_withdrawn_person_hears_their_story_end(year):
    closing = closings(year)
    people = [(a, story) for a, story in year.stories.items() if story in LEFT_BEFORE_THE_END]
    assert {story for _, story in people} == LEFT_BEFORE_THE_END
    for address, story in people:
        assert {m.template for m in year.sent() if m.to == address} & closing[story]


def test_introductions_go_out_on_the_day_the_program_announced(year):
    if year.preset not in ANNOUNCED:
        pytest.skip("the rolling preset announces no date: it introduces on the mentor's YES")
    announced = year.program.config.calendar.dates[ANNOUNCED[year.preset]].when.date()
    introductions = [m for m in year.sent() if m.template in INTRODUCTIONS]
    assert introductions
    wrong = []
    for intro in introductions:
        promises = [(mail, mention) for mail in year.sent()
                    if mail.to == intro.to and mail.when < intro.when
                    for mention in dates_in(text_of(mail), mail.when)
                    if mention.day == announced]
        for mail, mention in promises:
            deadline = DEADLINE.search(mention.before) is not None
            on_time = (intro.when.date() <= announced if deadline
                       else intro.when.date() == announced)
            if not on_time:
                wrong.append(f"{intro.to}: introduced {intro.when:%Y-%m-%d}; {mail.template} "
                             f"said '...{mention.before} {mention.written}'")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_no_mail_has_an_empty_subject_or_a_doubled_reply_prefix(year):
    bad = [f"{m.template} to {m.to}: {m.subject!r}" for m in year.sent()
           if not m.subject.strip() or re.search(r"\bre\s*:\s*re\s*:", m.subject, re.I)]
    assert not bad, "\n".join(bad)


def test_a_french_form_sent_back_without_a_greeting_is_answered_in_french(tmp_path):
    year = Year.open(tmp_path / "cohort", "cohort", at(2026, 12, 1, 10))
    marc = next(m for m in MENTORS if m.language == "fr")
    year.apply(marc, VALUES["fr"], greeting=False)
    received = year.last(marc.email, "application_received")
    year.close()
    assert detect_langs(text_of(received))[0].lang == "fr"
