"""Nothing half-read is applied: what a reader extracts is checked against what the text says."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import Context, understand
from tests.parsing.context import reading_context

MENTORS = {"chen.wei@example.org": "Chen Wei", "amelie.tremblay@example.org": "Amélie Tremblay",
           "kwame.mensah@example.org": "Kwame Mensah"}
NOOR = {"email": "noor@example.com", "name": "Noor Haddad", "role": "mentee",
        "status": "selected", "language": "en"}
KWAME = {"email": "kwame.mensah@example.org", "name": "Kwame Mensah", "role": "mentor",
         "status": "introduced", "mentees": ["noor@example.com", "ivan@example.com"]}
CHOICES = SimpleNamespace(id="c1", message_id="c1.q@northlake.example.org",
                          recipients=[NOOR["email"]], meta={"expects": "choices"})
CHECKIN = SimpleNamespace(id="m1", message_id="m1.q@northlake.example.org",
                          recipients=[KWAME["email"]], meta={"expects": "meeting"})
TIP = SimpleNamespace(id="t1", message_id="t1.q@northlake.example.org",
                      recipients=[NOOR["email"]], meta={})
SURVEY = SimpleNamespace(id="s1", message_id="s1.q@northlake.example.org",
                         recipients=[NOOR["email"]], meta={"expects": "survey:midpoint"})


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    ivan = {"email": "ivan@example.com", "name": "Ivan Petrov", "role": "mentee"}
    mentors = [{"email": e, "name": n, "role": "mentor"} for e, n in MENTORS.items()
               if e != KWAME["email"]]
    return reading_context(tmp_path, [NOOR, KWAME, ivan, *mentors], [CHOICES, CHECKIN, SURVEY, TIP])


def _reply(ctx: Context, sender: dict, item, body: str):
    raw = (f"From: {sender['name']} <{sender['email']}>\r\n"
           "To: mentorship@northlake.example.org\r\nSubject: Re: our mail\r\n"
           f"Message-ID: <r-{item.id}@mail.example.com>\r\nIn-Reply-To: <{item.message_id}>\r\n"
           "Date: Wed, 17 Mar 2027 10:00:00 -0400\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode("utf-8")
    return understand(decode_message(raw), ctx)


def test_a_mentor_named_in_the_reply_but_missing_from_the_choices_sends_it_to_review(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "Chen Wei first, then Amélie Tremblay. I would also "
                     "be glad to work with Kwame Mensah.\n")

    assert reading.needs_review
    assert any("Kwame Mensah" in p for p in reading.problems)


def test_a_report_from_a_mentor_of_two_mentees_gives_a_fact_for_each_one_named(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Met Noor on March 4; Ivan and I have not met yet.\n")

    assert reading.kind == "meeting" and not reading.needs_review
    assert reading.meeting.per_mentee == [
        {"with": "noor@example.com", "met": True, "date": "2027-03-04"},
        {"with": "ivan@example.com", "met": False, "date": None}]


def test_a_report_from_a_mentor_of_two_mentees_that_names_neither_goes_to_review(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "yes, March 9\n")

    assert reading.kind == "meeting" and reading.needs_review and not reading.meeting.per_mentee


def test_a_yes_for_both_mentees_holds_for_each_one_named_with_only_a_day(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Sí, con los dos. Con Noor el 2 de marzo por Teams y "
                     "con Ivan ayer por videollamada.\n")

    assert reading.kind == "meeting" and not reading.needs_review
    assert reading.meeting.per_mentee == [
        {"with": "noor@example.com", "met": True, "date": "2027-03-02"},
        {"with": "ivan@example.com", "met": True, "date": "2027-03-16"}]


def test_a_yes_for_both_does_not_make_a_mentee_named_without_a_day_met(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Yes. Noor on March 2. Ivan is lovely.\n")

    assert reading.needs_review and not reading.meeting.per_mentee


def test_survey_answers_read_without_numbers_and_a_required_one_missing_go_to_review(ctx):
    reading = _reply(ctx, NOOR, SURVEY, "> How satisfied are you with your mentoring relationship "
                     "(1 to 5)?\n> How many times have you met so far?\n\n"
                     "How many times have you met so far? Three times\n")

    assert reading.kind == "survey" and reading.needs_review
    assert any("required question" in p for p in reading.problems)


def test_a_mentee_named_as_a_label_before_the_answer_gets_that_answer(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Noor: yes, a video call on Thursday 11 March.\n"
                     "Ivan: not yet.\n")

    assert not reading.needs_review
    assert reading.meeting.per_mentee == [
        {"with": "noor@example.com", "met": True, "date": "2027-03-11"},
        {"with": "ivan@example.com", "met": False, "date": None}]


def test_a_yes_for_both_dates_a_clause_that_says_how_they_met(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Yes with both :)\nNoor on Monday the 8th, and Ivan "
                     "last Friday, both over Zoom.\n")

    assert reading.meeting.per_mentee == [
        {"with": "noor@example.com", "met": True, "date": "2027-03-08"},
        {"with": "ivan@example.com", "met": True, "date": "2027-03-12"}]


def test_our_survey_question_run_on_from_the_previous_answer_is_no_concern(ctx):
    reading = _reply(ctx, NOOR, SURVEY, "How satisfied are you with your mentoring relationship? "
                     "Very happy, I'd say 5\nHow many times have you met so far? Three times\n\n"
                     "> How satisfied are you with your mentoring relationship (1 to 5)?\n"
                     "> How many times have you met so far?\n")

    assert reading.kind == "survey" and reading.concern is None


def test_a_no_beside_a_mentees_day_keeps_the_yes_for_both_from_dating_it(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Sí, con los dos. Noor el 2 de marzo. Ivan no el "
                     "lunes.\n")

    assert reading.needs_review and not reading.meeting.per_mentee


def test_an_unknown_label_ends_the_field_before_it_and_goes_to_review(ctx):
    stranger = {"email": "new@example.com", "name": "Ana"}
    raw = ("From: Ana <new@example.com>\r\nTo: mentorship@northlake.example.org\r\n"
           "Subject: Application\r\nMessage-ID: <a1@mail.example.com>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n"
           "Role: mentee\nFull name: Ana Lima\nHobby: chess\nGoals: a postdoc plan\n")
    reading = understand(decode_message(raw.encode()), ctx)

    assert reading.kind == "application" and stranger
    assert reading.application.fields["name"] == "Ana Lima"
    assert reading.needs_review


def test_a_first_name_alone_on_the_last_line_is_a_sign_off_not_an_answer(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "1. Chen Wei\n2. Kwame Mensah\n3. Amélie Tremblay\n\n"
                     "Noor\n")

    assert reading.choices == ["chen.wei@example.org", "kwame.mensah@example.org",
                               "amelie.tremblay@example.org"]
    assert reading.reply_text.endswith("Amélie Tremblay")


def test_a_call_for_help_in_any_reply_reaches_a_person(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Not yet. I wrote to Noor twice and never heard "
                     "back. Could someone help?\n")

    assert reading.needs_review and reading.concern


def test_a_question_in_a_choices_reply_reaches_a_person_with_the_choices_read(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "1. Chen Wei\n2. Kwame Mensah\n3. Amélie Tremblay\n\n"
                     "Will the meetings be online?\n")

    assert reading.kind == "choices" and len(reading.choices) == 3
    assert reading.concern == "Will the meetings be online?"


def test_a_polite_question_is_no_concern(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "Hope you are well?\n\n1. Chen Wei\n2. Kwame Mensah\n"
                     "3. Amélie Tremblay\n")

    assert reading.concern is None and not reading.needs_review


def test_a_thank_you_alone_changes_nothing_and_asks_nothing(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "Merci beaucoup !\n")

    assert reading.kind == "unknown" and not reading.needs_review and reading.choices == []


def test_an_acknowledgement_of_a_survey_changes_nothing_and_asks_nothing(ctx):
    reading = _reply(ctx, NOOR, SURVEY, "Received, thanks\n")

    assert reading.kind == "unknown" and not reading.needs_review


def test_our_survey_questions_copied_above_the_answers_are_no_concern(ctx):
    reading = _reply(ctx, NOOR, SURVEY,
                     "How satisfied are you with your mentoring relationship (1 to 5)? 4\n"
                     "How many times have you met so far? Twice\n"
                     "Would you take part in the program again (yes/no)? Yes\n\n"
                     "On Tue, Jun 1, 2027 at 9:00 AM Northlake wrote:\n"
                     "> 1. How satisfied are you with your mentoring relationship (1 to 5)?\n"
                     "> 2. How many times have you met so far?\n"
                     "> 3. Would you take part in the program again (yes/no)?\n")

    assert reading.concern is None


def test_a_question_of_the_writer_beside_survey_answers_is_a_concern(ctx):
    reading = _reply(ctx, NOOR, SURVEY, "1. 4\n2. Twice\n3. yes\n4. Can I change mentor?\n\n"
                     "> 1. How satisfied are you with your mentoring relationship (1 to 5)?\n")

    assert reading.concern is not None


def test_thanks_with_a_request_is_not_a_thank_you(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "Could you send me the list of mentors again? Thanks\n")

    assert reading.kind != "unknown" and reading.needs_review


def test_thanks_with_a_request_to_stop_is_that_request(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "Please stop sending me these. Thanks\n")

    assert reading.kind == "command"
    assert "stop" in (reading.command, reading.pending)


@pytest.mark.parametrize("body", ["1- Chen Wei\n2- Kwame Mensah\n3- Amélie Tremblay\n",
                                  "1 Chen Wei\n2 Kwame Mensah\n3 Amélie Tremblay\n"])
def test_ranks_written_with_a_dash_or_a_space_are_a_list(ctx, body):
    reading = _reply(ctx, NOOR, CHOICES, body)

    assert reading.choices == ["chen.wei@example.org", "kwame.mensah@example.org",
                               "amelie.tremblay@example.org"] and not reading.needs_review


def test_a_mentor_of_two_writing_of_one_mentee_and_i_gives_that_mentee_a_fact(ctx):
    reading = _reply(ctx, KWAME, CHECKIN,
                     "Noor and I had our first call on March 4. Ivan and I have not met yet.\n")

    assert reading.kind == "meeting" and not reading.needs_review
    assert reading.meeting.per_mentee == [
        {"with": "noor@example.com", "met": True, "date": "2027-03-04"},
        {"with": "ivan@example.com", "met": False, "date": None}]


def test_a_spanish_report_of_one_meeting_and_one_not_yet_gives_two_facts(ctx):
    reading = _reply(ctx, KWAME, CHECKIN,
                     "Me reuní con Noor el 4 de marzo. Con Ivan todavía no he podido reunirme.\n")

    assert reading.kind == "meeting" and not reading.needs_review
    assert reading.meeting.per_mentee == [
        {"with": "noor@example.com", "met": True, "date": "2027-03-04"},
        {"with": "ivan@example.com", "met": False, "date": None}]


def test_a_thank_you_that_promises_the_choices_later_needs_nobody(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "Thanks a lot! I will send my choices on Monday "
                     "once I have read the profiles.\n\nNoor\n")

    assert reading.kind == "unknown" and not reading.needs_review and reading.choices == []


def test_survey_answers_above_a_quote_without_marks_are_not_doubled_by_it(ctx):
    # Outlook quotes our mail without '>': our questions and our example answers below
    body = ("1. 4\n2. three times\n3. yes\n\nNoor\n\n"
            "From: Northlake Mentorship Program <mentorship@northlake.example.org>\n"
            "Sent: Tuesday, June 1, 2027 9:00 AM\nTo: Noor Haddad <noor@example.com>\n"
            "Subject: Mid-program survey\n\nThe questions:\n\n"
            "  1. How satisfied are you with your mentoring relationship (1 to 5)?\n"
            "  2. How many times have you met so far?\n"
            "  3. Would you take part in the program again (yes/no)?\n\n"
            "For example:\n\n  1. 4\n  2. yes\n  3. The meetings helped me.\n")
    reading = _reply(ctx, NOOR, SURVEY, body)

    assert reading.kind == "survey" and not reading.needs_review
    assert reading.survey.answers == {1: 4, 2: "three times", 3: True}


def test_thanks_for_mail_that_asked_nothing_needs_nobody(ctx):
    reading = _reply(ctx, NOOR, TIP, "Thanks, this is useful - we will try the goals "
                     "exercise at our next meeting.\n\nNoor\n")

    assert reading.kind == "unknown" and not reading.needs_review


def test_thanks_with_a_question_for_mail_that_asked_nothing_reaches_a_person(ctx):
    reading = _reply(ctx, NOOR, TIP, "Thanks! Is there a template for the goals?\n")

    assert reading.needs_review
