"""Crafted text that the new readers once read wrongly and silently; each now goes to review
with a reason (or is read as the words say). One behaviour per test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from mailflow.parsing.choices import read_choices
from mailflow.parsing.decode import decode_message
from mailflow.parsing.meeting import read_meeting
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.understand import Reading, understand
from tests.parsing.context import reading_context

ROSTER = [
    RosterEntry("chen.wei@lab.example", "Chen Wei"),
    RosterEntry("kwame.mensah@agi.example", "Kwame Mensah"),
    RosterEntry("sofia.rossi@polimi.example", "Sofia Rossi"),
]
CHEN, KWAME, SOFIA = (e.email for e in ROSTER)
NUMBERED = [CHEN, SOFIA, KWAME]  # our invitation's list: 1 Chen, 2 Sofia, 3 Kwame
WEDNESDAY = datetime(2027, 3, 17, 14, 0, tzinfo=UTC)


def _met(text: str) -> tuple[bool | None, list[str]]:
    reading = read_meeting(text, WEDNESDAY, None)
    return reading.met, reading.problems


# -- choices: numbers beside names -------------------------------------------------------


def test_a_name_followed_by_a_year_is_not_a_choice_read_silently():
    reading = read_choices("Chen Wei 2019\nSofia Rossi 2021\n", ROSTER)
    assert reading.choices == [] and reading.problems


def test_a_single_name_followed_by_a_year_is_not_a_choice_read_silently():
    reading = read_choices("Chen Wei 2019\n", ROSTER)
    assert reading.choices == [] and reading.problems


def test_rows_with_ranks_broken_by_a_remark_are_not_read_in_the_written_order():
    # The rank column says Chen first; the rows reader stopped at the remark and the list
    # reader took the lines in order, Sofia first.
    reading = read_choices("Sofia Rossi 2\nsome remark\nChen Wei 1\n", ROSTER)
    assert reading.choices == [] and reading.problems


def test_numbers_in_brackets_beside_names_in_a_sentence_are_not_dropped():
    reading = read_choices("Chen Wei (2), Sofia Rossi (1)\n", ROSTER, NUMBERED)
    assert reading.choices == [] and any("not read as a rank" in p for p in reading.problems)


def test_bullets_with_a_number_beside_each_name_are_not_read_in_the_written_order():
    reading = read_choices("- Chen Wei 2\n- Sofia Rossi 1\n", ROSTER)
    assert reading.choices == [] and reading.problems


def test_a_phone_extension_after_a_name_is_not_read_silently():
    reading = read_choices("Kwame Mensah, Sofia Rossi ext. 12\n", ROSTER)
    assert reading.choices == [] and reading.problems


def test_a_name_with_a_remark_without_numbers_is_still_read():
    reading = read_choices("1. Chen Wei (because of her work on NLP)\n2. Sofia Rossi\n", ROSTER)
    assert reading.choices == [CHEN, SOFIA] and reading.problems == []


# -- choices: words that take a choice back ----------------------------------------------


def test_a_numbered_choice_taken_back_in_its_remark_goes_to_review():
    reading = read_choices("1. Chen Wei\n2. Sofia Rossi\n3. Kwame Mensah - actually no, not him\n",
                           ROSTER)
    assert reading.choices == [] and any("take the choice back" in p for p in reading.problems)


def test_a_french_choice_taken_back_in_brackets_goes_to_review():
    reading = read_choices("1. Chen Wei\n2. Sofia Rossi (finalement non)\n", ROSTER)
    assert reading.choices == [] and reading.problems


def test_a_negated_row_in_a_rank_table_is_not_dropped_silently():
    reading = read_choices("Chen Wei 1\nSofia Rossi 2\nnot Kwame Mensah 3\n", ROSTER)
    assert reading.choices == [] and reading.problems


def test_a_row_of_a_rank_table_naming_no_mentor_is_not_dropped_silently():
    # "K. Mensah" names no one mentor: the table's third choice, not the end of the table.
    reading = read_choices("Chen Wei 1\nSofia Rossi 2\nK. Mensah 3\n", ROSTER)
    assert reading.choices == [] and reading.unknown and reading.problems


# -- meeting: negatives in Spanish and French, and "never" -------------------------------


def test_spanish_never_met_is_not_read_as_met():
    assert _met("Nunca nos reunimos.")[0] is not True


def test_spanish_never_saw_each_other_is_read_as_not_met():
    assert _met("Jamás nos vimos.")[0] is False


def test_spanish_not_met_in_the_short_form_is_read_as_not_met():
    assert _met("No nos reunimos aún.")[0] is False


def test_french_never_met_is_read_as_not_met():
    assert _met("On ne s'est jamais vus.")[0] is False


def test_french_no_meeting_yet_is_read_as_not_met():
    assert _met("Toujours pas de réunion.")[0] is False


def test_english_never_met_is_read_as_not_met():
    assert _met("We have never met.")[0] is False


def test_a_question_answered_no_is_not_read_as_met():
    assert _met("We met? No.")[0] is not True


def test_a_spanish_question_answered_no_is_not_read_as_met():
    assert _met("¿Nos reunimos? No.")[0] is not True


# -- meeting: dates that are not when they met --------------------------------------------


def test_a_meeting_date_years_before_the_message_is_not_recorded_silently():
    reading = read_meeting("We met on March 4, 2019.", WEDNESDAY, None)
    assert reading.date is None and reading.problems


def test_a_spanish_count_after_the_word_for_sea_is_not_a_date_in_march():
    reading = read_meeting("Nos vimos en el mar 3 veces.", WEDNESDAY, None)
    assert reading.date is None


# -- meeting: cancelled, moved, planned, talked about ------------------------------------


def test_a_cancelled_first_meeting_is_not_read_as_met():
    met, problems = _met("Our first meeting was cancelled.")
    assert met is None and problems


def test_a_french_meeting_planned_then_cancelled_gives_no_date_of_meeting():
    reading = read_meeting("Le rendez-vous était prévu le 3 mars mais a été annulé.",
                           WEDNESDAY, None)
    assert reading.met is None and reading.date is None and reading.problems


def test_a_postponed_meeting_is_not_read_as_met():
    met, problems = _met("La réunion a été reportée.")
    assert met is None and problems


def test_talking_about_meeting_is_not_meeting():
    met, problems = _met("We talked about meeting soon but nothing yet.")
    assert met is not True and problems


def test_spanish_talking_about_meeting_is_not_meeting():
    assert _met("Hablamos de reunirnos pero aún nada.")[0] is not True


# -- meeting: Spanish present and preterite share a form ---------------------------------


def test_the_spanish_sign_off_talk_soon_is_not_read_as_met():
    met, problems = _met("Gracias, hablamos pronto.")
    assert met is None and problems


def test_spanish_we_meet_next_week_is_not_read_as_met():
    met, problems = _met("Nos reunimos la próxima semana.")
    assert met is None and problems


def test_spanish_we_met_with_a_past_date_is_still_read_as_met():
    reading = read_meeting("Sí, nos reunimos el 4 de marzo por videollamada.", WEDNESDAY, None)
    assert reading.met is True and reading.date.isoformat() == "2027-03-04"


# -- a mentor's report on several mentees (per_mentee) -----------------------------------

KWAME = {"email": "kwame@agi.example", "name": "Kwame Mensah", "role": "mentor",
         "status": "introduced", "language": "en",
         "mentees": ["noor@example.com", "ivan@example.com"]}
MENTEES = [{"email": "noor@example.com", "name": "Noor Haddad", "role": "mentee"},
           {"email": "ivan@example.com", "name": "Ivan Petrov", "role": "mentee"}]
CHECKIN = SimpleNamespace(id="m1", message_id="m1.q@northlake.example.org",
                          recipients=[KWAME["email"]], meta={"expects": "meeting"})


def _report(tmp_path: Path, body: str) -> Reading:
    ctx = reading_context(tmp_path, [KWAME, *MENTEES], [CHECKIN])
    raw = (f"From: Kwame Mensah <{KWAME['email']}>\r\nTo: mentorship@northlake.example.org\r\n"
           f"Subject: Re: check-in\r\nMessage-ID: <r1@mail.example.com>\r\n"
           f"In-Reply-To: <{CHECKIN.message_id}>\r\nDate: Wed, 17 Mar 2027 10:00:00 -0400\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()
    return understand(decode_message(raw), ctx)


def _ivan_met(reading: Reading) -> bool | None:
    return next((f["met"] for f in reading.meeting.per_mentee if f["with"] == "ivan@example.com"),
                None)


def test_a_mentee_named_after_but_not_is_not_read_as_met(tmp_path):
    reading = _report(tmp_path, "Met Noor on March 4 but not Ivan.\n")
    assert _ivan_met(reading) is not True and reading.needs_review


def test_a_mentee_set_apart_in_french_is_not_read_as_met(tmp_path):
    reading = _report(tmp_path, "Vu Noor le 4 mars, pas Ivan.\n")
    assert _ivan_met(reading) is not True and reading.needs_review


def test_a_mentee_met_instead_of_is_not_read_as_met(tmp_path):
    reading = _report(tmp_path, "Met Noor on March 4 instead of Ivan.\n")
    assert _ivan_met(reading) is not True and reading.needs_review


def test_a_mentee_named_then_refused_in_spanish_is_not_read_as_met(tmp_path):
    reading = _report(tmp_path, "Me reuní con Noor el 4 de marzo, con Ivan no.\n")
    assert _ivan_met(reading) is not True and reading.needs_review


def test_someone_else_and_i_in_a_mentees_sentence_is_not_the_mentee(tmp_path):
    reading = _report(tmp_path, "Noor and I met on March 4. Ivan: my colleague and I met on "
                                "March 10 to plan.\n")
    assert _ivan_met(reading) is not True and reading.needs_review


def test_a_mentees_relative_met_is_not_the_mentee_met(tmp_path):
    reading = _report(tmp_path, "Noor and I met on March 4. Ivan's mother and I met on "
                                "March 10.\n")
    assert _ivan_met(reading) is not True and reading.needs_review


def test_a_mentees_colleague_met_is_not_the_mentee_met(tmp_path):
    reading = _report(tmp_path, "I met Noor's colleague on March 4. Ivan and I have not met.\n")
    noor = [f for f in reading.meeting.per_mentee if f["with"] == "noor@example.com"]
    assert not (noor and noor[0]["met"]) and reading.needs_review


def test_two_mentees_each_with_their_own_verb_are_still_read_apart(tmp_path):
    reading = _report(tmp_path, "Noor and I met on March 4 but Ivan and I have not met.\n")
    assert reading.meeting.per_mentee == [
        {"with": "noor@example.com", "met": True, "date": "2027-03-04"},
        {"with": "ivan@example.com", "met": False, "date": None}]


# -- automatic or a person: subjects, words and headers ----------------------------------

NOOR = {"email": "noor@example.com", "name": "Noor Haddad", "role": "mentee",
        "status": "selected", "language": "en"}
INVITATION = SimpleNamespace(id="c1", message_id="c1.q@northlake.example.org",
                             recipients=[NOOR["email"]], meta={"expects": "choices"})
TO_CLAIRE = SimpleNamespace(id="n" * 24, message_id="note-1.a9f3@northlake.example.org",
                            recipients=["claire.dubois@northlake.example.org"], meta={})
TO_NOOR = SimpleNamespace(id="t" * 24, message_id="tip-1.x7q2@northlake.example.org",
                          recipients=[NOOR["email"]], meta={})
MENTOR_PEOPLE = [{"email": e.email, "name": e.name, "role": "mentor"} for e in ROSTER]


def _from_noor(tmp_path: Path, subject: str, body: str, extra: str = "") -> Reading:
    ctx = reading_context(tmp_path, [NOOR, *MENTOR_PEOPLE], [INVITATION])
    raw = (f"From: Noor Haddad <{NOOR['email']}>\r\nTo: mentorship@northlake.example.org\r\n"
           f"Subject: {subject}\r\nMessage-ID: <r1@mail.example.com>\r\n"
           f"In-Reply-To: <{INVITATION.message_id}>\r\n{extra}"
           "Date: Wed, 17 Mar 2027 10:00:00 -0400\r\nContent-Type: text/plain; charset=utf-8"
           "\r\n\r\n" + body).encode()
    return understand(decode_message(raw), ctx)


def _bounce(tmp_path: Path, body: str, extra: str = "") -> Reading:
    ctx = reading_context(tmp_path, [NOOR], [TO_CLAIRE, TO_NOOR])
    raw = ("From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
           "To: mentorship@northlake.example.org\r\nSubject: Undelivered Mail Returned to Sender"
           f"\r\nMessage-ID: <b1@mx.example.net>\r\n{extra}Content-Type: text/plain\r\n\r\n"
           + body).encode()
    return understand(decode_message(raw), ctx)


def test_a_persons_reply_saying_auto_submitted_no_is_read_as_their_choices(tmp_path):
    reading = _from_noor(tmp_path, "Re: choose your mentors", "Chen Wei and Sofia Rossi\n",
                         "Auto-Submitted: no\r\n")
    assert reading.kind == "choices" and reading.choices == [CHEN, SOFIA]


def test_a_person_out_of_office_giving_choices_in_the_thread_is_read_as_choices(tmp_path):
    reading = _from_noor(tmp_path, "Re: choose your mentors", "I am out of office until "
                         "Monday, my choices are Chen Wei and Sofia Rossi.\n")
    assert reading.kind == "choices" and reading.choices == [CHEN, SOFIA]


def test_an_automatic_reply_subject_alone_on_a_persons_choices_goes_to_review(tmp_path):
    reading = _from_noor(tmp_path, "Automatic reply: choose your mentors",
                         "My choices are Chen Wei and Sofia Rossi.\n")
    assert reading.kind == "auto_reply" and reading.needs_review


def test_a_signature_saying_do_not_reply_does_not_drop_a_persons_reply_silently(tmp_path):
    reading = _from_noor(tmp_path, "Re: choose your mentors", "Chen Wei and Sofia Rossi\n\n"
                         "Please do not reply to this email, write to noor.h@example.net\n")
    assert reading.needs_review or reading.choices == [CHEN, SOFIA]


def test_machine_words_in_the_quoted_text_do_not_make_a_reply_automatic(tmp_path):
    reading = _from_noor(tmp_path, "Re: choose your mentors", "Chen Wei and Sofia Rossi\n\n"
                         "On Mon, Helpdesk wrote:\n> This is an automated message, please do "
                         "not reply to this email.\n")
    assert reading.kind == "choices" and reading.choices == [CHEN, SOFIA]


def test_a_forged_bounce_naming_a_coordinator_is_not_applied(tmp_path):
    reading = _bounce(tmp_path, "<claire.dubois@northlake.example.org>: user unknown\n")
    assert reading.needs_review


def test_a_bounce_quoting_our_mail_to_a_coordinator_does_not_silence_them(tmp_path):
    # The Message-ID of a coordinator's notice travels in the References of their replies:
    # quoting it is no proof, and a silenced coordinator stops the program's oversight.
    reading = _bounce(tmp_path, "<claire.dubois@northlake.example.org>: user unknown\n\n"
                      f"Message-ID: <{TO_CLAIRE.message_id}>\n")
    assert reading.needs_review and any("coordinator" in p for p in reading.problems)


def test_an_exim_header_naming_a_coordinator_does_not_silence_them(tmp_path):
    reading = _bounce(tmp_path, f"Message-ID: <{TO_CLAIRE.message_id}>\n",
                      "X-Failed-Recipients: claire.dubois@northlake.example.org\r\n")
    assert reading.needs_review


def test_a_bounce_naming_the_programs_own_address_is_not_applied(tmp_path):
    reading = _bounce(tmp_path, "<mentorship@northlake.example.org>: user unknown\n\n"
                      f"Message-ID: <{TO_NOOR.message_id}>\n")
    assert reading.needs_review


# -- choices in sentences (prose ranks) --------------------------------------------------


def test_a_rank_in_words_that_is_then_refused_goes_to_review():
    reading = read_choices("My first choice is Sofia Rossi, then Kwame Mensah, and Chen Wei as a "
                           "third option is not possible.\n", ROSTER)
    assert reading.choices == [] and any("may say no" in p for p in reading.problems)
