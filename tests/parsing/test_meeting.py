"""read_meeting: whether a pair met, when, and what a calendar reply says."""

from __future__ import annotations

from datetime import date, datetime

from mailflow.parsing.meeting import read_meeting

FRIDAY = datetime(2024, 3, 15, 9, 30)  # the message date


def test_yes_with_month_and_day():
    reading = read_meeting("Yes, we met on March 3.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 3)
    assert reading.found and reading.problems == []


def test_met_yesterday_is_the_day_before_the_message():
    assert read_meeting("We met yesterday, it went well!", FRIDAY, None).date == date(2024, 3, 14)


def test_first_meeting_last_tuesday():
    reading = read_meeting("We had our first meeting last Tuesday.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 12)


def test_not_yet():
    reading = read_meeting("Not yet, sorry.", FRIDAY, None)
    assert reading.met is False and reading.date is None and reading.found


def test_we_have_not_met_yet():
    assert read_meeting("We haven't met yet.", FRIDAY, None).met is False


def test_meeting_next_week_is_not_met_and_has_no_exact_date():
    reading = read_meeting("We are meeting next week.", FRIDAY, None)
    assert reading.met is False and reading.date is None and reading.planned is None
    assert reading.date_text == "next week"


def test_planned_date_goes_to_planned_not_date():
    reading = read_meeting("We're meeting next Tuesday.", FRIDAY, None)
    assert reading.met is False and reading.date is None
    assert reading.planned == date(2024, 3, 19)


def test_french_yes_with_date():
    reading = read_meeting("Oui, nous nous sommes rencontrés le 3 mars.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 3)


def test_french_pas_encore():
    assert read_meeting("Pas encore, désolée !", FRIDAY, None).met is False


def test_french_on_sest_vus_hier():
    reading = read_meeting("On s’est vus hier.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 14)


def test_french_last_week_has_no_exact_date():
    reading = read_meeting("On s'est vus la semaine dernière.", FRIDAY, None)
    assert reading.met is True and reading.date is None and reading.problems == []


def test_french_first_appointment_last_tuesday():
    text = "Nous avons eu notre premier rendez-vous mardi dernier."
    assert read_meeting(text, FRIDAY, None).date == date(2024, 3, 12)


def test_french_future_meeting():
    reading = read_meeting("Nous allons nous rencontrer mardi prochain.", FRIDAY, None)
    assert reading.met is False and reading.planned == date(2024, 3, 19)


def test_iso_date():
    assert read_meeting("We met on 2024-03-04.", FRIDAY, None).date == date(2024, 3, 4)


def test_numeric_date_with_day_over_twelve_is_unambiguous():
    assert read_meeting("We met on 3/14.", FRIDAY, None).date == date(2024, 3, 14)
    assert read_meeting("On s'est vus le 14/3.", FRIDAY, None).date == date(2024, 3, 14)


def test_ambiguous_numeric_date_is_flagged_and_left_unset():
    # 2 March and 3 February are both past on 15 March: nothing settles it.
    reading = read_meeting("We met on 3/2.", FRIDAY, None)
    assert reading.met is True and reading.date is None
    assert reading.problems == ["'3/2' could be day/month or month/day; the date is left unset"]


def test_a_numeric_date_with_one_reading_still_to_come_is_the_past_one():
    # On 15 March, "9/3" is 9 March: 3 September has not come (day first or month first).
    assert read_meeting("Yes, we met on 9/3.", FRIDAY, None).date == date(2024, 3, 9)
    assert read_meeting("Yes, we met on 3/9.", FRIDAY, None).date == date(2024, 3, 9)


def test_a_numeric_date_whose_readings_are_both_still_to_come_is_left_unset():
    reading = read_meeting("Yes, we met on 4/5.", FRIDAY, None)
    assert reading.date is None and reading.problems


def test_days_ago():
    assert read_meeting("We met 3 days ago.", FRIDAY, None).date == date(2024, 3, 12)


def test_il_y_a_deux_semaines():
    text = "Nous nous sommes vus il y a deux semaines."
    assert read_meeting(text, FRIDAY, None).date == date(2024, 3, 1)


def test_date_without_year_late_in_the_year_belongs_to_last_year():
    assert read_meeting("We met on December 20.", FRIDAY, None).date == date(2023, 12, 20)


def test_met_date_after_the_message_is_flagged():
    reading = read_meeting("We met on March 20.", FRIDAY, None)
    assert reading.date is None
    assert reading.problems == ["says they met on 2024-03-20, after the message was sent"]


def test_next_meeting_after_a_past_one_is_planned():
    reading = read_meeting("Yes we met. We will meet again on March 25.", FRIDAY, None)
    assert reading.met is True and reading.planned == date(2024, 3, 25)
    assert reading.problems == []


def test_relative_date_without_message_date_is_flagged():
    reading = read_meeting("We met yesterday.", None, None)
    assert reading.met is True and reading.date is None
    assert reading.problems == ["'yesterday' needs the message date"]


def test_impossible_date_is_flagged():
    assert read_meeting("We met on 31/02.", FRIDAY, None).problems == ["31/2 is not a real date"]


def test_contradiction_is_flagged_and_met_unknown():
    reading = read_meeting("We met on March 3 but have not met since, not yet.", FRIDAY, None)
    assert reading.met is None
    assert "says both that they met and that they have not" in reading.problems


def test_bare_yes_and_no():
    assert read_meeting("Yes!", FRIDAY, None).met is True
    assert read_meeting("No.", FRIDAY, None).met is False


def test_no_problem_is_not_a_no():
    assert read_meeting("No problem, we met yesterday.", FRIDAY, None).met is True


def test_unrelated_text_is_not_found():
    reading = read_meeting("Thanks for the reminder!", FRIDAY, None)
    assert not reading.found and reading.met is None


CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
    "DTSTART;TZID=Europe/Paris:20240320T170000\r\n"
    "ATTENDEE;PARTSTAT={status};CN=Léa\r\n Gagnon:mailto:lea.gagnon@uqam.example\r\n"
    "SUMMARY:Mentoring session\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_accepted_calendar_reply_is_a_plan_not_a_meeting():
    reading = read_meeting("", FRIDAY, CALENDAR.format(status="ACCEPTED"))
    assert reading.found and reading.accepted is True and reading.partstat == "ACCEPTED"
    assert reading.met is None and reading.event_date == date(2024, 3, 20)


def test_declined_calendar_reply():
    reading = read_meeting("", FRIDAY, CALENDAR.format(status="DECLINED"))
    assert reading.accepted is False and reading.partstat == "DECLINED"


def test_tentative_calendar_reply_is_neither_accepted_nor_declined():
    reading = read_meeting("", FRIDAY, CALENDAR.format(status="TENTATIVE"))
    assert reading.accepted is None and reading.partstat == "TENTATIVE" and reading.found


def test_calendar_request_is_not_an_answer():
    request = CALENDAR.format(status="NEEDS-ACTION").replace("METHOD:REPLY", "METHOD:REQUEST")
    assert not read_meeting("", FRIDAY, request).found


def test_calendar_reply_with_text_keeps_both():
    reading = read_meeting("Accepted: see you then. Not yet met.", FRIDAY,
                           CALENDAR.format(status="ACCEPTED"))
    assert reading.met is False and reading.accepted is True


def test_dates_at_the_ends_of_the_calendar_do_not_break_reading():
    reading = read_meeting("We are meeting tomorrow.", datetime(9999, 12, 31), None)
    assert reading.met is False and reading.planned is None and reading.problems == []


def test_spanish_day_de_month_is_a_date():
    reading = read_meeting("Sí, nos reunimos el 12 de marzo.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 12)


def test_spanish_not_yet_is_not_met():
    assert read_meeting("Todavía no nos hemos reunido.", FRIDAY, None).met is False


def test_could_not_manage_to_meet_is_not_met():
    assert read_meeting("We haven't managed to meet yet.", FRIDAY, None).met is False


def test_a_day_of_the_month_alone_is_that_day_of_the_message_month():
    reading = read_meeting("Yes, we had lunch on the 11th.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 11)


def test_a_day_of_the_month_after_the_message_day_is_in_the_month_before():
    reading = read_meeting("Yes, we met on the 28th.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 2, 28)


def test_day_and_month_with_dots_are_read_day_first():
    reading = read_meeting("Yes, on 11.03. (video call with José)",
                           datetime(2027, 3, 17, 9, 0), None)
    assert reading.met is True and reading.date == date(2027, 3, 11)
    assert reading.problems == []


def test_a_time_with_a_dot_is_not_a_date():
    reading = read_meeting("Yes, we met yesterday at 10.30.", datetime(2027, 3, 17, 9, 0), None)
    assert reading.date == date(2027, 3, 16) and reading.problems == []


def test_a_date_written_in_a_form_not_read_goes_to_review_not_dropped():
    reading = read_meeting("Yes, we met on 2027/03/11.", datetime(2027, 3, 17, 9, 0), None)
    assert reading.date is None
    assert any("'2027/03/11' looks like a date" in p for p in reading.problems)


def test_not_yet_with_a_cancelled_meeting_is_not_met_without_review():
    reading = read_meeting("Not yet, she cancelled last week but we're rescheduling for April.",
                           datetime(2027, 3, 17, 9, 0), None)
    assert reading.met is False and reading.problems == []


def test_a_cancelled_meeting_without_not_yet_still_goes_to_review():
    reading = read_meeting("Our meeting on March 5 was cancelled.", datetime(2027, 3, 17, 9, 0),
                           None)
    assert reading.met is None and reading.problems


def test_spanish_si_el_martes_pasado_is_met_last_tuesday():
    reading = read_meeting("sí, el martes pasado. Perdón por la demora!",
                           datetime(2027, 3, 17, 9, 0), None)  # a Wednesday
    assert reading.met is True and reading.date == date(2027, 3, 16)


def test_spanish_el_proximo_lunes_is_planned_not_met():
    reading = read_meeting("Todavía no, nos vemos el próximo lunes.", datetime(2027, 3, 17, 9, 0),
                           None)
    assert reading.met is False and reading.planned == date(2027, 3, 22)


def test_spanish_anteayer_is_two_days_before_the_message():
    reading = read_meeting("Sí, anteayer por videollamada.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 13)


def test_spanish_ayer_is_the_day_before_the_message():
    assert read_meeting("Sí, nos vimos ayer.", FRIDAY, None).date == date(2024, 3, 14)


def test_a_weekday_with_its_day_number_is_that_day_not_the_nearest_weekday():
    reading = read_meeting("Oui, nous nous sommes vus la semaine dernière, vendredi 8, au labo.",
                           FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 8)


def test_a_weekday_and_day_number_that_disagree_leave_the_date_unset_with_a_problem():
    reading = read_meeting("Yes, we met on Thursday 8.", FRIDAY, None)  # the 8th was a Friday
    assert reading.date is None and reading.problems


def test_not_really_yet_and_had_no_meeting_are_not_met_despite_another_persons_meeting():
    text = ("not really yet. My colleague met José at the robotics fair on 5 March and gave him "
            "my CV. But I had no meeting with him myself until now.")
    reading = read_meeting(text, FRIDAY, None)
    assert reading.met is False and reading.date is None


def test_portuguese_sim_and_a_day_of_marco_is_met_that_day():
    reading = read_meeting("Sim, encontrámo-nos a 2 de março, por videochamada.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 2)


def test_marco_the_name_is_no_month():
    reading = read_meeting("Yes, we met with Marco 2 weeks ago.", FRIDAY, None)
    assert reading.date == date(2024, 3, 1)


def test_two_past_days_for_one_meeting_go_to_a_person():
    reading = read_meeting("Yes, twice already (February 25 and March 11).", FRIDAY, None)
    assert reading.date is None and reading.problems


def test_a_past_day_and_a_planned_one_are_the_meeting_and_the_plan():
    reading = read_meeting("Yes, we met on March 3 and we meet again on May 3.", FRIDAY, None)
    assert reading.date == date(2024, 3, 3) and not reading.problems


def test_only_mail_exchanged_so_far_is_not_met():
    for text in ("We have only exchanged emails so far.", "We have only emailed so far.",
                 "On a seulement échangé des mails.", "Solo hemos intercambiado correos."):
        reading = read_meeting(text, FRIDAY, None)
        assert reading.met is False and reading.date is None, text


def test_a_day_written_in_words_beside_its_month():
    reading = read_meeting("Yes, we met on the third of March.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 3, 3)


def test_a_german_day_with_a_dot_before_the_month():
    reading = read_meeting("Ja, wir haben uns am 4. März getroffen. We met, yes.", FRIDAY, None)
    assert reading.date == date(2024, 3, 4)


def test_an_italian_month():
    reading = read_meeting("Yes, we met on 26 febbraio.", FRIDAY, None)
    assert reading.met is True and reading.date == date(2024, 2, 26)
