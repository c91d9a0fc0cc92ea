"""Attacks on the readers changed in session 8 (commits 1bc6b50, a7da4af, 6116f6f):
two numbers for one rating (survey), nao/non/nicht and the Italian and German stops and
pauses (command_prose), ordinal day words, German '15. Juni' and the one-past-reading rule
for numeric dates (meeting).

A test marked xfail(strict=True) shows a defect as it stands; the others are attacks that
held and pin the behaviour."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mailflow.parsing.command_prose import read_asked_command
from mailflow.parsing.html_text import html_to_text
from mailflow.parsing.meeting import read_meeting
from mailflow.parsing.quotes import split_reply
from mailflow.parsing.survey import Question, Survey, read_survey

SURVEY = Survey("midpoint", [
    Question(1, "scale", "How useful have your meetings been (1-5)?", True),
    Question(2, "yesno", "Would you recommend the program to a friend?", True),
    Question(3, "text", "Any comments?", False),
])


def rating(answer: str):
    """(value read for question 1, problems) when ``answer`` is written after '1.'."""
    reply = split_reply(f"1. {answer}\n2. yes")
    reading = read_survey(reply.new_text, reply.quoted, SURVEY)
    return reading.answers.get(1), reading.problems


# --- 1. survey: one number, then a remark, must still be read -----------------------------

@pytest.mark.parametrize(("answer", "value"), [
    ("5 - and I mean it", 5),
    ("5 (out of 5)", 5),
    ("4 — great, 2 meetings", 4),
    ("5, and I would do it again", 5),
    ("4 - 2nd meeting was the best", 4),
    ("5 - 100% recommend", 5),
    ("4 to be fair", 4),
    ("Very useful - I'd say 5", 5),
    ("Vier", 4),
    ("quattro su cinque", 4),
])
def test_one_number_with_a_remark_is_read(answer, value):
    assert rating(answer) == (value, [])


@pytest.mark.parametrize("answer", [
    "4 - one of the best",
    "5 - zero complaints",
    "4 - one more meeting would help",
])
def test_a_number_word_in_the_remark_is_not_a_second_rating(answer):
    assert rating(answer)[0] == int(answer[0])


@pytest.mark.parametrize("answer", ["4 - two meetings so far", "4 – 2 meetings so far"])
def test_a_count_of_meetings_after_the_rating_is_not_a_second_rating(answer):
    assert rating(answer)[0] == 4


# --- 1. survey: two numbers (or a hedge) must never be recorded as the first ---------------

@pytest.mark.parametrize("answer", [
    "3 or 4", "3-4", "4, ou 5", "4 à 5", "3 to 4", "3~4", "3 oder vier", "3 o 4",
    "3 ou peut-être 4",
    "3/4", "3,5", "3.5", "between 3 and 4", "three or four", "trois ou quatre", "I'd say 3 or 4",
])
def test_two_numbers_or_a_fraction_are_refused(answer):
    value, problems = rating(answer)
    assert value is None and problems


def test_two_numbers_in_an_html_table_cell_are_refused():
    html = ("<table><tr><td>1. Usefulness of the meetings</td><td>3&nbsp;or&nbsp;4</td></tr>"
            "<tr><td>2. Recommend it</td><td>Yes</td></tr></table>")
    reply = split_reply(html_to_text(html))
    reading = read_survey(reply.new_text, reply.quoted, SURVEY)
    assert 1 not in reading.answers and reading.problems and reading.answers[2] is True


@pytest.mark.parametrize("answer", ["4 and a half", "4 e mezzo", "4 y medio", "4 et demi"])
def test_a_rating_and_a_half_is_refused(answer):
    assert rating(answer)[0] is None


@pytest.mark.parametrize("answer", ["3 maybe 4", "3 (maybe 4)", "3, possibly 4", "3 if not 4"])
def test_a_hedged_second_number_is_refused(answer):
    assert rating(answer)[0] is None


@pytest.mark.parametrize("answer", ["3, 4", "3 4", "3..4", "3 → 4", "3 & 4"])
def test_two_bare_numbers_with_other_separators_are_refused(answer):
    assert rating(answer)[0] is None


@pytest.mark.parametrize("answer", ["4 or more", "4 o più"])
def test_an_open_range_is_refused(answer):
    assert rating(answer)[0] is None


@pytest.mark.parametrize("answer", ["almost 5", "nearly 5"])
def test_almost_a_number_is_refused(answer):
    assert rating(answer)[0] is None


# --- 2. commands: negations, false stops, false pauses -------------------------------------

TODAY = date(2027, 4, 12)


def asked(text: str):
    found = read_asked_command(text, TODAY)
    return None if found is None else (found.name, found.until, found.doubt)


@pytest.mark.parametrize("text", [
    "Não, por favor não parem de me enviar as dicas!",
    "Vi prego, non smettete di inviarmi i consigli!",
    "Per favore non disiscrivetemi, è stato un errore.",
    "Bitte melden Sie mich nicht ab.",
    "Nicht abmelden bitte, ich will weitermachen.",
    "No quiero que dejen de enviarme consejos.",
    "Please don't pause until I tell you.",
    "Le riunioni sono in pausa fino al 3 maggio.",
    "The meetings are in pausa until May.",
    "Mein Kollege hat sich abgemeldet. Ich bleibe.",
    "Why am I not getting emails any more?",
])
def test_these_are_no_command(text):
    assert asked(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Non voglio più ricevere questi messaggi.", ("stop", None, None)),
    ("Bitte melden Sie mich ab.", ("stop", None, None)),
    ("Nein, bitte pausieren bis 15. Juni.", ("pause", date(2027, 6, 15), None)),
    ("Non, mettez mes envois en pause jusqu'au 2 septembre.", ("pause", date(2027, 9, 2), None)),
    ("PAUSE until the first of May, please.", ("pause", date(2027, 5, 1), None)),
    ("PAUSE until May the first, please.", ("pause", date(2027, 5, 1), None)),
    ("PAUSE until the twenty-first of May.", ("pause", date(2027, 5, 21), None)),
    ("Sospendere le email fino al 15 giugno, per favore.", ("pause", date(2027, 6, 15), None)),
])
def test_these_requests_are_read(text, expected):
    assert asked(text) == expected


def test_a_day_that_does_not_exist_is_a_doubt_not_a_day():
    assert asked("PAUSE until the thirty-first of June, please.") == (
        "pause", None, "31/6 is not a real date")
    assert asked("Pause until the first week of May.")[1] is None  # type: ignore[index]


def test_portuguese_i_dont_want_you_to_stop_is_no_stop():
    assert asked("Por favor, não quero que parem de enviar estas dicas.") is None


def test_italian_i_dont_want_to_be_unsubscribed_is_no_stop():
    assert asked("Non voglio che mi disiscriviate.") is None


def test_german_i_dont_want_you_to_unsubscribe_me_is_no_stop():
    assert asked("Ich will nicht, dass Sie mich abmelden.") is None


@pytest.mark.parametrize("text", [
    "Ich will keine Tipps mehr verpassen!",
    "Warum bekomme ich keine E-Mails mehr?",
    "Ich bekomme keine E-Mails mehr – ist etwas kaputt?",
    "Sie haben mir keine Erinnerungen mehr geschickt, warum?",
    "Hoffentlich kommen keine E-Mails mehr in den Spam.",
    "Keine Tipps mehr? Schade, sie waren super.",
])
def test_german_no_more_mail_as_a_complaint_is_no_stop(text):
    assert asked(text) is None


def test_a_quoted_request_reported_by_someone_else_is_no_stop():
    assert asked('Ana said "please unsubscribe me" by mistake, ignore it.') is None


@pytest.mark.parametrize("text", [
    "We had to pause until the fifteenth of April because of exams, but we're back on track.",
    "Our project is on pause until the fifteenth of April.",
])
def test_a_pause_told_about_is_no_pause_request(text):
    assert asked(text) is None


def test_a_negated_english_pause_is_no_pause():
    assert asked("I don't want you to pause until May.") is None


@pytest.mark.parametrize("text", [
    "Non ho bisogno di sospendere le email fino al 15 giugno.",
    "Non vorrei mettere tutto in pausa fino a giugno.",
])
def test_a_negated_italian_pause_is_no_pause(text):
    assert asked(text) is None


def test_italian_calls_put_on_pause_is_no_pause_of_our_mail():
    assert asked("Abbiamo deciso di mettere le nostre chiamate in pausa fino a maggio.") is None


@pytest.mark.parametrize("text", ["Vorrei sospendere le email fino al 1° giugno.",
                                  "Potete sospendere le email fino al primo giugno?"])
def test_italian_first_of_the_month_is_read(text):
    assert asked(text) == ("pause", date(2027, 6, 1), None)


# --- 3. meetings: ordinal words, German dots, month names, numeric dates ------------------

MAY_20 = datetime(2027, 5, 20, 10, 0)


def met(text: str, when: datetime = MAY_20):
    return read_meeting(text, when, None)


@pytest.mark.parametrize(("text", "day"), [
    ("Yes, we met on the fifteenth of May.", date(2027, 5, 15)),
    ("Yes, we met on May the fifteenth.", date(2027, 5, 15)),
    ("Oui, on s'est vus le premier mai.", date(2027, 5, 1)),
    ("Sí, nos reunimos el primero de mayo.", date(2027, 5, 1)),
    ("Ja, wir haben uns am 15. Mai getroffen.", date(2027, 5, 15)),
    ("Sì, ci siamo visti giovedì 13.", date(2027, 5, 13)),
    ("Yes, we met on the twentieth of May 2027.", date(2027, 5, 20)),
])
def test_these_days_are_read(text, day):
    reading = met(text)
    assert reading.met is True and reading.date == day and reading.problems == []


@pytest.mark.parametrize("text", ["Yes, we met: our first call in May went well.",
                                  "Yes, the second of our meetings in March was best; we met "
                                  "again recently."])
def test_an_ordinal_not_beside_its_month_is_no_day(text):
    assert met(text).date is None


def test_the_thirty_first_of_april_is_a_problem():
    reading = met("Yes we met on the thirty-first of April.")
    assert reading.date is None and "31/4 is not a real date" in reading.problems


def test_first_may_meeting_is_not_the_first_of_may():
    assert met("Yes, we had our first May meeting last week.").date != date(2027, 5, 1)


def test_may_as_a_wish_is_no_date():
    assert met("Yes, we met on Tuesday. May the second meeting be as good!").date != \
        date(2027, 5, 2)


def test_august_the_person_first_is_no_date():
    assert met("Yes, we met with August first, then the whole team.").date is None


@pytest.mark.parametrize("text", ["Yes, we met in room 12. April joined us too.",
                                  "Yes, we met at 10. August is a good mentor."])
def test_a_number_ending_a_sentence_before_a_name_is_no_date(text):
    assert met(text).date is None


def test_juli_the_person_is_no_date():
    # Not 12 July: the 12 counts days ("12 days ago", 8 September, is the meeting's day).
    assert met("Yes, I met Juli 12 days ago.", datetime(2027, 9, 20, 10)).date == date(
        2027, 9, 8)


@pytest.mark.parametrize("text", [
    "We met on 3 May; since then we have only exchanged emails.",
    "We had only exchanged emails until we met on 3 May.",
    "We only emailed at first, then we met on 3 May.",
    "Not only exchanged emails: we met twice, on 3 May.",
])
def test_only_emails_before_or_after_a_meeting_still_met(text):
    reading = met(text)
    assert reading.met is True and reading.date == date(2027, 5, 3)


def test_only_exchanged_emails_alone_is_not_met():
    assert met("We have only exchanged emails so far.").met is False


def test_the_words_of_a_day_in_words_are_the_writer_s():
    assert "1th" not in (met("Yes we met on the first of May.").date_text or "")


@pytest.mark.parametrize(("text", "when", "day"), [
    ("Yes, we met on 9/3.", datetime(2027, 3, 17), date(2027, 3, 9)),
    ("Yes, we met on 9/3/2027.", datetime(2027, 3, 17), date(2027, 3, 9)),
    ("Yes, we met on 5/6.", datetime(2027, 5, 6), date(2027, 5, 6)),
])
def test_one_past_reading_is_the_day(text, when, day):
    assert met(text, when).date == day


@pytest.mark.parametrize(("text", "when"), [
    ("Yes, we met on 3/4.", datetime(2027, 4, 20)),     # both past: asked
    ("Yes, we met on 12/3.", datetime(2027, 1, 10)),    # neither past this year: asked
    ("Yes, we met on 1/12.", datetime(2027, 12, 31)),   # both past: asked
])
def test_two_or_no_past_readings_are_asked(text, when):
    reading = met(text, when)
    assert reading.date is None and any("day/month or month/day" in p for p in reading.problems)


@pytest.mark.parametrize(("text", "when"), [
    ("Yes, we met on 1/12.", datetime(2027, 1, 20)),
    ("Yes, we met on 11/1.", datetime(2027, 1, 15)),
])
def test_around_new_year_the_other_reading_came_last_year(text, when):
    assert met(text, when).date is None


def test_a_two_digit_year_is_the_message_s_year():
    assert met("Yes, we met on 9/3/27.", datetime(2027, 3, 17)).date == date(2027, 3, 9)


def test_an_absurdly_long_number_loses_only_its_own_question():
    reply = split_reply("1. " + "4" * 5000 + "\n2. yes\n3. Great mentor")
    reading = read_survey(reply.new_text, reply.quoted, SURVEY)
    assert reading.answers == {2: True, 3: "Great mentor"}


def _seconds(call) -> float:
    import time
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_a_long_run_of_blanks_after_the_number_is_read_in_linear_time():
    from mailflow.parsing.survey import value_for
    assert _seconds(lambda: value_for(SURVEY.questions[0], "3" + "\u1680" * 3000 + "x")) < 0.05


def test_a_rating_after_words_then_blanks_is_read_in_linear_time():
    from mailflow.parsing.examine import bounded_text
    text = bounded_text("1. great 4" + "\u1680" * 985 + "x\n2. yes")[0]
    assert _seconds(lambda: read_survey(text, "", SURVEY)) < 0.1
