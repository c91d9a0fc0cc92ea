"""Attack on the readers changed by the last commits (b1ef85f, 1b70210, 7d31484, 7bfc9c4,
8663a7f, 939f355): relative days in more languages and a weekday with its day number,
commands with courtesy words and pauses of calls, scale answers in words, table cells kept
apart by a tab, and a mentor of two's "yes for both".

Each test is one behaviour. A confirmed defect is an xfail(strict=True) whose reason names
it, so the file passes and the defect stays visible; a plain test pins a defence that holds.
Messages are dated Wednesday 17 March 2027 (Thursday the 11th and the 4th are the Thursdays
before it). Timings are printed by bench/attack_recent_readers.py, never asserted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from mailflow.parsing.command_prose import read_asked_command
from mailflow.parsing.decode import decode_message
from mailflow.parsing.examine import bounded_text
from mailflow.parsing.html_text import html_to_text
from mailflow.parsing.meeting import read_meeting
from mailflow.parsing.quotes import split_reply
from mailflow.parsing.survey import Question, Survey, read_survey
from mailflow.parsing.understand import Context, understand
from tests.parsing.context import reading_context

WHEN = datetime(2027, 3, 17, 10, 0)  # a Wednesday
TODAY, YESTERDAY, LAST_MONDAY = date(2027, 3, 17), date(2027, 3, 16), date(2027, 3, 15)
LAST_THURSDAY, LAST_TUESDAY = date(2027, 3, 11), date(2027, 3, 16)

SURVEY = Survey("midpoint", [
    Question(1, "scale", "How useful have your meetings been (1-5)?", True),
    Question(2, "yesno", "Would you recommend the program to a friend?", True),
    Question(3, "text", "Any comments?", False),
])

NOOR = {"email": "noor@example.com", "name": "Noor Haddad", "role": "mentee",
        "status": "selected", "language": "en"}
IVAN = {"email": "ivan@example.com", "name": "Ivan Petrov", "role": "mentee"}
KWAME = {"email": "kwame.mensah@example.org", "name": "Kwame Mensah", "role": "mentor",
         "status": "introduced", "mentees": [NOOR["email"], IVAN["email"]]}
CHEN = {"email": "chen.wei@example.org", "name": "Chen Wei", "role": "mentor"}
AMELIE = {"email": "amelie.tremblay@example.org", "name": "Amélie Tremblay", "role": "mentor"}
CHOICES = SimpleNamespace(id="c1", message_id="c1.q@northlake.example.org",
                          recipients=[NOOR["email"]], meta={"expects": "choices"})
CHECKIN = SimpleNamespace(id="m1", message_id="m1.q@northlake.example.org",
                          recipients=[KWAME["email"]], meta={"expects": "meeting"})
TIP = SimpleNamespace(id="t1", message_id="t1.q@northlake.example.org",
                      recipients=[NOOR["email"]], meta={})
SURVEY_ITEM = SimpleNamespace(id="s1", message_id="s1.q@northlake.example.org",
                              recipients=[NOOR["email"]], meta={"expects": "survey:midpoint"})


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    return reading_context(tmp_path, [NOOR, IVAN, KWAME, CHEN, AMELIE],
                           [CHOICES, CHECKIN, TIP, SURVEY_ITEM])


def _reply(ctx: Context, sender: dict, item: SimpleNamespace, body: str, html: bool = False):
    kind = "text/html" if html else "text/plain"
    raw = (f"From: {sender['name']} <{sender['email']}>\r\n"
           "To: mentorship@northlake.example.org\r\nSubject: Re: our mail\r\n"
           f"Message-ID: <r-{item.id}@mail.example.com>\r\nIn-Reply-To: <{item.message_id}>\r\n"
           "Date: Wed, 17 Mar 2027 10:00:00 -0400\r\nMIME-Version: 1.0\r\n"
           f"Content-Type: {kind}; charset=utf-8\r\n\r\n" + body + "\n").encode("utf-8")
    return understand(decode_message(raw), ctx)


def _meeting(text: str):
    return read_meeting(text, WHEN, None)


def _survey(text: str):
    """read_survey on the text as the pipeline hands it (bounded, quotes split off)."""
    reply = split_reply(bounded_text(text)[0])
    return read_survey(reply.new_text, reply.quoted, SURVEY)


def _fact(reading, person: dict) -> dict | None:
    return next((f for f in reading.meeting.per_mentee if f["with"] == person["email"]), None)


# === 1. Meeting dates: silent wrong dates ====================================================

def test_hoy_about_the_writer_does_not_date_the_meeting_today():
    reading = _meeting("Sí, nos vimos el lunes pasado. Hoy estoy de viaje.")
    assert reading.met is True and reading.date == LAST_MONDAY


def test_hoy_as_a_name_is_not_today():
    reading = _meeting("Yes, we met on Monday. I'm writing from the Hoy lab.")
    assert reading.date == LAST_MONDAY


def test_a_time_after_the_weekday_is_not_its_day_number():
    assert _meeting("Yes, we met on Thursday 4 pm").date == LAST_THURSDAY


def test_an_evening_hour_after_the_weekday_is_not_its_day_number():
    assert _meeting("Yes, we met on Tuesday 9 pm").date == LAST_TUESDAY


def test_a_duration_after_the_weekday_is_not_its_day_number():
    assert _meeting("Yes, we met Tuesday, 2 hours.").date == LAST_TUESDAY


def test_a_weekday_and_day_that_is_tomorrow_goes_to_a_person():
    reading = _meeting("Yes, we met on Thursday 18")
    assert reading.date is None and reading.problems


def test_a_french_hour_after_the_weekday_is_still_last_thursday():
    reading = read_meeting("Oui, jeudi 14 h", WHEN, None, day_first=True)
    assert reading.date == LAST_THURSDAY and not reading.problems


@pytest.mark.parametrize("text", ["Sim, ontem.", "Ja, gestern."])
def test_portuguese_and_german_yesterday_after_their_own_yes(text):
    reading = _meeting(text)
    assert reading.met is True and reading.date == YESTERDAY


# --- defences that hold ---

@pytest.mark.parametrize("text", ["Yes, we met at Bayer's office last Monday",
                                  "Sí, nos vimos el lunes pasado en la playa de Ayerbe",
                                  "Yes, we met last Monday at the Hoyt lab"])
def test_yesterday_and_today_words_inside_other_words_are_not_read(text):
    assert _meeting(text).date == LAST_MONDAY


@pytest.mark.parametrize("text", ["Yes, we met Thursday 11:30", "Yes, we met Thursday 11h",
                                  "Yes, we met Thursday 11am", "Oui, on s'est vus jeudi 11",
                                  "Yes, we met Thursday the 11th", "Sí, el jueves 11"])
def test_a_weekday_with_its_day_or_a_glued_time_is_last_thursday(text):
    assert _meeting(text).date == LAST_THURSDAY


def test_a_weekday_and_a_day_that_disagree_go_to_a_person():
    reading = _meeting("Yes, we met on Thursday 12")
    assert reading.date is None and reading.problems


@pytest.mark.parametrize("text", ["Yes, we met on March 4. The previous mentor had no "
                                  "meeting with her at all.",
                                  "Yes, we met on March 4 - we had no call since"])
def test_had_no_meeting_beside_we_met_goes_to_a_person_not_to_not_met(text):
    reading = _meeting(text)
    assert reading.met is None and reading.problems


@pytest.mark.parametrize("text", ["Sí, ayer", "Yes, gestern", "Sí, nos reunimos ayer"])
def test_yesterday_in_new_languages_after_a_yes(text):
    assert _meeting(text).date == YESTERDAY


# === 2. Mentor of two: a yes for both dates clauses that are not about a meeting =============

def test_yes_for_both_does_not_date_ivan_by_his_leave(ctx):
    reading = _reply(ctx, KWAME, CHECKIN,
                     "Yes, with both. Noor on March 2. Ivan is off until the 20th.")
    assert reading.needs_review or (_fact(reading, IVAN) or {}).get("date") != "2027-02-20"


def test_yes_for_both_does_not_date_ivan_by_his_email(ctx):
    reading = _reply(ctx, KWAME, CHECKIN,
                     "Yes. Noor on March 2. Ivan today wrote to say he is ill.")
    assert reading.needs_review or (_fact(reading, IVAN) or {}).get("date") != "2027-03-17"


def test_yes_for_both_does_not_date_ivan_by_his_exam_today(ctx):
    reading = _reply(ctx, KWAME, CHECKIN,
                     "Yes to both. Noor on March 2. Ivan: heute Prüfung, nächste Woche Treffen.")
    assert reading.needs_review or (_fact(reading, IVAN) or {}).get("date") != "2027-03-17"


def test_si_con_los_dos_does_not_date_ivan_by_a_message_written_to_him(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Sí, con los dos. Con Noor el 2 de marzo. A Ivan le "
                     "escribí ayer para fijar la próxima.")
    assert reading.needs_review or (_fact(reading, IVAN) or {}).get("date") != "2027-03-16"


def test_yes_for_both_and_a_time_after_the_weekday(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Yes. With Noor on the 2nd. With Ivan on Thursday 4 pm.")
    assert reading.needs_review or _fact(reading, IVAN)["date"] == "2027-03-11"


# --- defences that hold ---

@pytest.mark.parametrize("body", [
    "Yes, with both. Noor on March 2. Ivan's exam is on the 20th.",  # another's
    "Yes, with both. Noor on March 2. Ivan tomorrow.",  # a future day
    "Yes, both of them! Noor last week, Ivan on March 9.",  # no day for Noor
    "Yes. Noor on March 2. Ivan is lovely.",  # no day for Ivan
])
def test_yes_for_both_with_a_clause_that_gives_no_past_day_goes_to_a_person(ctx, body):
    reading = _reply(ctx, KWAME, CHECKIN, body)
    assert reading.kind == "meeting" and reading.needs_review and not reading.meeting.per_mentee


def test_yes_for_both_with_two_days_gives_a_fact_for_each(ctx):
    reading = _reply(ctx, KWAME, CHECKIN, "Yes, we met. Noor on March 2.\nIvan on March 9.")
    assert not reading.needs_review and reading.meeting.per_mentee == [
        {"with": NOOR["email"], "met": True, "date": "2027-03-02"},
        {"with": IVAN["email"], "met": True, "date": "2027-03-09"}]


# === 3. Surveys: number words and table cells ===============================================

@pytest.mark.parametrize("answer", ["tres de diez", "two of ten", "cuatro de diez"])
def test_a_spelled_score_out_of_ten_is_not_read_on_the_five_scale(answer):
    reading = _survey(f"1. {answer}\n2. yes")
    assert 1 not in reading.answers and reading.problems


@pytest.mark.parametrize("answer", ["Um, hard to say", "Um...", "Due - I was away"])
def test_a_first_word_that_is_not_a_number_is_no_score(answer):
    reading = _survey(f"1. {answer}\n2. yes")
    assert 1 not in reading.answers


def test_two_answers_on_a_line_kept_apart_by_a_tab():
    reading = _survey("1. 4\t2. yes")
    assert reading.answers.get(1) != 2 and (reading.answers == {1: 4, 2: True}
                                            or reading.problems)


def test_answers_in_side_by_side_html_cells():
    text = html_to_text("<table><tr><td>1. Usefulness: 4</td><td>2. Recommend: yes</td></tr>"
                        "</table>")
    reading = _survey(text)
    assert reading.answers.get(1) != 2


def test_two_answers_kept_apart_by_a_tab_through_the_pipeline(ctx):
    reading = _reply(ctx, NOOR, SURVEY_ITEM, "1. 4\t2. yes")
    assert reading.needs_review or reading.survey.answers == {1: 4, 2: True}


def test_a_text_answer_with_a_tab_is_kept_whole():
    reading = _survey("1. 4\n2. yes\n3. Great program.\tThanks to Léa for everything")
    assert reading.answers[3].startswith("Great program.")


@pytest.mark.parametrize("note", ["2 meetings so far", "1-5"])
def test_a_note_in_a_third_cell_is_not_the_score(note):
    reading = _survey(f"1. Usefulness\t4\t{note}\n2. Recommend\tyes")
    assert reading.answers.get(1) in (4, None) and (1 in reading.answers or reading.problems)


# --- defences that hold ---

@pytest.mark.parametrize("answer", ["Un peu utile", "due to travel we met once",
                                    "One of the best!", "five stars", "A four"])
def test_a_number_word_inside_a_sentence_is_no_score(answer):
    reading = _survey(f"1. {answer}\n2. yes")
    assert 1 not in reading.answers and reading.problems


@pytest.mark.parametrize("answer", ["Sept.", "Otto, my mentor, was great", "Sei: molto utile",
                                    "quatre sur dix", "four out of ten", "Dix sur dix !"])
def test_a_number_word_off_the_scale_goes_to_a_person(answer):
    reading = _survey(f"1. {answer}\n2. yes")
    assert 1 not in reading.answers and reading.problems


@pytest.mark.parametrize("answer,value", [("four", 4), ("Quatre sur cinq.", 4), ("cuatro", 4),
                                          ("Tres (más o menos)", 3)])
def test_a_scale_answered_in_words(answer, value):
    assert _survey(f"1. {answer}\n2. yes").answers == {1: value, 2: True}


@pytest.mark.parametrize("row", ["1. Usefulness\t4\tgreat", "1. Usefulness\t4\t(out of 5)"])
def test_a_third_cell_in_words_goes_to_a_person(row):
    reading = _survey(f"{row}\n2. yes")
    assert 1 not in reading.answers and reading.problems


def test_a_score_then_a_remark_in_the_next_cell_is_the_score():
    assert _survey("1. 4\t(was 3 last time)\n2. yes").answers == {1: 4, 2: True}


def test_a_numbered_table_without_dots_is_read_row_by_row(ctx):
    body = ("<table><tr><td>1</td><td>Usefulness</td><td>4</td></tr>"
            "<tr><td>2</td><td>Recommend</td><td>yes</td></tr></table>")
    reading = _reply(ctx, NOOR, SURVEY_ITEM, body, html=True)
    assert reading.survey.answers[1] == 4


def test_an_empty_cell_adds_no_tab_and_the_answer_is_read():
    text = html_to_text("<table><tr><td>1. Usefulness</td><td></td><td>4</td></tr>"
                        "<tr><td>2. Recommend</td><td>yes</td></tr></table>")
    assert text == "1. Usefulness\t4\n2. Recommend\tyes"
    assert _survey(text).answers == {1: 4, 2: True}


def test_answers_after_the_question_words_and_a_tab():
    reading = _survey("How useful have your meetings been (1-5)?\t4\n"
                      "Would you recommend the program to a friend?\tyes")
    assert reading.answers == {1: 4, 2: True}


# === 4. bounded_text keeps a tab between words only ==========================================

def test_bounded_text_tabs():
    text, cut = bounded_text("1.\t4\n\t\t- item\t5\n   \t  lead\nsig:\tJohn \t Doe")
    assert text == "1. 4\n - item\t5\n lead\nsig:\tJohn\tDoe" and not cut


def test_choices_in_a_table_with_a_number_column_are_read(ctx):
    reading = _reply(ctx, NOOR, CHOICES, "1\tChen Wei\n2\tKwame Mensah\n3\tAmélie Tremblay")
    assert reading.choices == [CHEN["email"], KWAME["email"], AMELIE["email"]]


# === 5. Commands: courtesy words and a pause of calls =======================================

@pytest.mark.parametrize("text", ["Please pause the meeting reminders until May 1",
                                  "Please pause all meeting emails until May 1",
                                  "Pause the session emails until May 1"])
def test_a_pause_of_meeting_reminders_is_a_pause_of_our_mail(text):
    asked = read_asked_command(text, TODAY)
    assert asked is not None and asked.name == "pause" and asked.until == date(2027, 5, 1)


def test_a_pause_of_calls_and_emails_is_a_pause_whatever_the_order():
    asked = read_asked_command("Please pause our calls and my emails until May 1", TODAY)
    assert asked is not None and asked.name == "pause"


def test_stop_comma_thanks_is_stop():
    asked = read_asked_command("Stop, thanks.", TODAY)
    assert asked is not None and asked.name == "stop"


# --- defences that hold ---

def test_a_pause_of_the_meeting_reminders_is_read_through_the_pipeline(ctx):
    reading = _reply(ctx, NOOR, TIP, "Please pause the meeting reminders until May 1")
    # From alone in a thread without a signed address: the pause waits for CONFIRM.
    assert reading.kind == "command" and reading.pending == "pause:2027-05-01"


@pytest.mark.parametrize("text,name", [("STOP svp", "stop"), ("stop thanks", "stop"),
                                       ("STOP THANKS", "stop"), ("Stop\nthanks", "stop"),
                                       ("Pause bitte", "pause"), ("Resume obrigado", "resume"),
                                       ("My data please", "my_data")])
def test_the_word_alone_with_a_courtesy_word(text, name):
    asked = read_asked_command(text, TODAY)
    assert asked is not None and asked.name == name


@pytest.mark.parametrize("text", ["stop?", "Thanks stop", "Non-stop thanks!",
                                  "He suggested we pause our weekly calls until April 20",
                                  "We decided to stop our weekly calls until after my exam",
                                  "Can we pause the calls until May? The emails are fine."])
def test_not_a_command(text):
    assert read_asked_command(text, TODAY) is None


def test_a_pause_of_my_emails_and_our_calls_is_a_pause():
    asked = read_asked_command("Please pause my emails and our calls until May 1", TODAY)
    assert asked is not None and asked.name == "pause" and asked.until == date(2027, 5, 1)
