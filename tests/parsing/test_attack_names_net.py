"""Attack on the completeness net for names (commit bfe28d6) and on survey answers run
together on one line. Each test is one behaviour; a confirmed bug is an xfail(strict=True)
that states what should happen, so the file passes and the bug stays visible.

Ranked by harm in the report: silent wrong readings (a choice applied that the reply
excludes, an order the reply changes, a choice dropped), then answers lost, then replies
wrongly sent to review. Timings are printed by bench/attack_names_net.py, never asserted."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mailflow.parsing.choices import read_choices
from mailflow.parsing.decode import decode_message
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.survey import Question, Survey, read_survey
from mailflow.parsing.understand import Context, understand
from tests.parsing.context import reading_context

ROSTER = [
    RosterEntry("amelie.tremblay@umontreal.example", "Amélie Tremblay"),
    RosterEntry("chen.wei@lab.example", "Chen Wei"),
    RosterEntry("kwame.mensah@agi.example", "Kwame Mensah"),
    RosterEntry("johanna.nielsen@au.example", "Johanna Nielsen"),
    RosterEntry("sofia.rossi@polimi.example", "Sofia Rossi"),
    RosterEntry("sofia.almeida@ulisboa.example", "Sofia Almeida"),
    RosterEntry("jose.martinez@robotnik.example", "José Martínez"),
    RosterEntry("grace.obi@uniben.example", "Grace Obi"),
    RosterEntry("mark.lee@kaist.example", "Mark Lee"),
    RosterEntry("siobhan.obrien@tcd.example", "Siobhán O'Brien"),
    RosterEntry("jl.picard@epfl.example", "Jean-Luc Picard"),
    RosterEntry("ana.lopez@unam.example", "Ana Maria Lopez"),
    RosterEntry("li.lee@hku.example", "李小龙 Lee"),
]
(AMELIE, CHEN, KWAME, JOHANNA, SOFIA, SOFIA_A, JOSE, GRACE, MARK, SIOBHAN, JEAN_LUC, ANA,
 LI) = (e.email for e in ROSTER)

TWO = "1. Kwame Mensah\n2. Amélie Tremblay\n\n"
THREE = "1. Kwame Mensah\n2. Amélie Tremblay\n3. Johanna Nielsen\n\n"


def _to_review(text: str) -> bool:
    """Whether read_choices keeps nothing and says why (a person looks)."""
    reading = read_choices(text, ROSTER)
    return reading.choices == [] and bool(reading.problems)


# --- 1. Silent wrong readings: a mentor the reply excludes is applied -----------------------

def test_a_first_name_excluded_with_anyone_but_is_not_chosen():
    text = "My first choice is Chen Wei, second Kwame Mensah, and third anyone but Johanna."
    assert JOHANNA not in read_choices(text, ROSTER).choices


def test_a_first_name_to_avoid_after_lastly_is_not_chosen():
    text = "My first choice is Chen Wei, then Kwame Mensah. Lastly, I'd rather avoid Johanna."
    assert JOHANNA not in read_choices(text, ROSTER).choices


# --- 2. Silent wrong readings: words after the list change the order; the list is applied --

def test_make_it_a_later_choice_first_goes_to_review():
    assert _to_review(THREE + "Actually, make it Johanna first.")


def test_no_wait_put_the_last_first_goes_to_review():
    assert _to_review(THREE + "Actually make it Kwame first... no wait, put Nielsen first.")


def test_flip_the_first_two_goes_to_review():
    assert _to_review(THREE + "PS: flip the first two.")


def test_the_other_way_round_goes_to_review():
    assert _to_review(THREE + "Oops, the other way round!")


@pytest.mark.parametrize("words", ["Oops, vice versa.", "Sorry, wrong order.",
                                   "En fait, dans l'autre sens.", "Perdón, al revés."])
def test_other_words_for_reversing_go_to_review(words):
    assert _to_review(THREE + words)


@pytest.mark.parametrize("words", ["Swapping them would be better, actually.",
                                   "Please switch 1 and 2."])
def test_swap_in_other_forms_goes_to_review(words):
    assert _to_review(TWO + words)


def test_a_later_choice_said_to_top_the_list_goes_to_review():
    assert _to_review(THREE + "On reflection, Johanna should top the list.")


def test_ranks_restated_as_numbers_after_the_list_go_to_review():
    assert _to_review(TWO + "Sorry, I meant 2 then 1.")


def test_names_written_again_in_another_order_go_to_review():
    assert _to_review(THREE + "Change of mind: Johanna over Kwame.")


def test_swap_written_plainly_goes_to_review():
    assert _to_review(TWO + "SWAP THE TWO PLEASE")


# --- 3. Silent wrong readings: a mentor the reply adds is dropped ---------------------------

def test_a_lower_case_first_name_beside_the_list_goes_to_review():
    assert _to_review(TWO + "and johanna as a third.")


def test_a_name_written_surname_first_goes_to_review():
    assert _to_review(TWO + "Wei Chen would be my third.")


def test_first_and_middle_name_without_surname_goes_to_review():
    assert _to_review(TWO + "Ana Maria would be my third.")


def test_a_surname_with_an_apostrophe_goes_to_review():
    assert _to_review(TWO + "O'Brien would be my third.")


def test_the_first_name_of_a_mentor_with_an_apostrophe_goes_to_review():
    assert _to_review(TWO + "Siobhan would be my third.")


def test_a_hyphenated_first_name_alone_goes_to_review():
    assert _to_review(TWO + "Jean-Luc would be my third.")


def test_a_first_name_in_a_script_without_capitals_goes_to_review():
    assert _to_review(TWO + "李小龙 would be my third.")


def test_a_misspelt_first_name_alone_goes_to_review():
    assert _to_review(TWO + "Also Johana would be fine as third.")


def test_a_mentor_address_in_a_sentence_goes_to_review():
    assert _to_review(TWO + "Also johanna.nielsen@au.example would be fine as third.")


def test_a_choice_given_after_a_question_about_the_mentor_goes_to_review():
    assert _to_review(TWO + "Is Johanna still taking mentees? If so I'd like her as third.")


def test_a_name_asked_then_confirmed_goes_to_review():
    assert _to_review(TWO + "Johanna? As a third, sure.")


@pytest.mark.parametrize("words", [
    "P.S. I'd also be glad to work with Dr. Rossi.",       # surname shared by no one
    "I'd also be glad to work with MARTINEZ.",             # capitals, no accent
    "Also Jóhanna would be fine as third.",                # an accent added
    "Also Johanna-Nielsen would be fine as third.",        # hyphenated full name
    "Also Nielsen, Johanna would be fine as third.",       # surname, comma, first name
    "(Johanna as 3rd would be fine too)",
    "I would also be happy with Sofia.",                   # two Sofias: asked
])
def test_a_mentor_named_beside_the_list_goes_to_review(words):
    assert _to_review(TWO + words)


# --- 4. Wrongly sent to review (over-flagging) --------------------------------------------

def test_grace_a_vous_is_not_a_mentor():
    reading = read_choices(THREE + "Grace à vous, merci !", ROSTER)
    assert reading.choices == [KWAME, AMELIE, JOHANNA]


def test_mark_as_a_verb_is_not_a_mentor():
    reading = read_choices(THREE + "Mark it in the calendar, I can't wait.", ROSTER)
    assert reading.choices == [KWAME, AMELIE, JOHANNA]


@pytest.mark.xfail(strict=True, reason="the choices named again in explanation ('I met A at a "
                   "talk, and K at a workshop') count as another order")
def test_choices_named_again_to_explain_them_are_kept():
    reading = read_choices(TWO + "I met Amélie at a talk, and Kwame at a workshop.", ROSTER)
    assert reading.choices == [KWAME, AMELIE]


@pytest.mark.xfail(strict=True, reason="same: 'Amélie and Kwame both work on soil'")
def test_choices_named_together_in_a_remark_are_kept():
    reading = read_choices(TWO + "Amélie and Kwame both work on soil, which is why I chose them.",
                           ROSTER)
    assert reading.choices == [KWAME, AMELIE]


def test_a_question_about_a_mentor_beside_a_short_list_goes_to_review():
    # Two choices and a question about a third mentor: she may be the missing third.
    reading = read_choices(TWO + "Is Johanna available?", ROSTER)
    assert reading.choices == []
    assert any("also names Johanna Nielsen" in p for p in reading.problems)


def test_a_question_about_another_mentor_beside_a_full_list_does_not_stop_it():
    # Three choices read: the mentor asked about cannot be a missing one (the question
    # itself reaches a person as a concern).
    reading = read_choices(TWO + "3. Chen Wei\n\nIs Johanna available next year?", ROSTER)
    assert reading.choices == [KWAME, AMELIE, CHEN] and reading.problems == []


def test_a_mentor_set_aside_beside_the_list_is_not_a_missing_choice():
    reading = read_choices(TWO + "Not Johanna though, she'd be my fourth.", ROSTER)
    assert reading.choices == [KWAME, AMELIE]


def test_a_shared_first_name_written_many_times_gives_one_problem():
    reading = read_choices(TWO + "Sofia.\n" * 50, ROSTER)
    assert reading.choices == []
    assert sum("could be" in p for p in reading.problems) == 1


def test_a_reply_naming_mentors_past_the_bound_goes_to_review_with_one_reason():
    reading = read_choices(TWO + "Sofia.\n" * 1000, ROSTER)
    assert reading.choices == []
    assert len(reading.problems) == 1 and "more than 60 times" in reading.problems[0]


def test_a_swap_naming_mentors_before_the_list_goes_to_review():
    assert _to_review("Correction: swap Kwame and Amélie.\n1. Kwame Mensah\n2. Amélie Tremblay")


# --- 4b. The same through the whole pipeline (sign-offs, signatures, quotes) --------------

GRACE_M = {"email": "grace.miller@example.com", "name": "Grace Miller", "role": "mentee",
           "status": "selected", "language": "en"}
OURS = SimpleNamespace(id="c" * 24, message_id="choices-1@northlake.example.org",
                       recipients=[GRACE_M["email"]], meta={"expects": "choices"})


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    mentors = [{"email": e.email, "name": e.name, "role": "mentor"} for e in ROSTER]
    return reading_context(tmp_path, [GRACE_M, *mentors], [OURS])


def _understand(ctx: Context, body: str):
    raw = (f"From: {GRACE_M['name']} <{GRACE_M['email']}>\r\n"
           "To: mentorship@northlake.example.org\r\nSubject: Re: Your top 3 mentors\r\n"
           f"Message-ID: <r1@mail.example.com>\r\nIn-Reply-To: <{OURS.message_id}>\r\n"
           "Date: Tue, 09 Feb 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode("utf-8")
    return understand(decode_message(raw), ctx)


def test_a_sign_off_of_the_writer_first_name_alone_is_not_a_mentor(ctx):
    reading = _understand(ctx, THREE + "Thanks!\nGrace")
    assert reading.choices == [KWAME, AMELIE, JOHANNA] and not reading.needs_review


def test_a_sign_off_with_the_writer_first_name_on_the_closing_line_is_not_a_mentor(ctx):
    reading = _understand(ctx, THREE + "Best wishes, Grace")
    assert reading.choices == [KWAME, AMELIE, JOHANNA] and not reading.needs_review


def test_the_writer_full_name_in_a_signature_block_is_not_a_mentor(ctx):
    reading = _understand(ctx, THREE + "Grace Miller\nPhD student, Biology")
    assert reading.choices == [KWAME, AMELIE, JOHANNA] and not reading.needs_review


def test_mentors_named_in_the_quoted_part_of_an_inline_reply_are_not_choices(ctx):
    body = ("> Please reply with your top 3 mentors.\n> Mentors: Sofia, Grace, Mark\n"
            "1. Kwame Mensah\n2. Amélie Tremblay\n> The others: Sofia Rossi, Chen Wei.\n"
            "3. Johanna Nielsen\n")
    reading = _understand(ctx, body)
    assert reading.choices == [KWAME, AMELIE, JOHANNA] and not reading.needs_review


def test_the_writer_lab_in_a_signature_after_the_dashes_is_not_a_mentor(ctx):
    reading = _understand(ctx, THREE + "-- \nGrace Miller\nPhD student, Nielsen lab")
    assert reading.choices == [KWAME, AMELIE, JOHANNA] and not reading.needs_review


# --- 5. Survey answers run together on one line -------------------------------------------

SURVEY = Survey("midpoint", [
    Question(1, "scale", "How satisfied are you with your mentoring relationship (1-5)?", True),
    Question(2, "text", "How many times have you met so far?", True),
    Question(3, "yesno", "Would you take part in the program again (yes/no)?", True),
    Question(4, "text", "Anything you would like the coordinators to know?", False),
])


def _survey(text: str):
    return read_survey(text, "", SURVEY)


@pytest.mark.parametrize("line", ["Q1) 3 - Q2) twice - Q3) yes", "Q1: 3 - Q2: twice - Q3: yes",
                                  "1: 3 - 2: twice - 3: yes"])
def test_answers_run_together_with_other_marks_are_not_lost(line):
    reading = _survey(line)
    assert reading.answers == {1: 3, 2: "twice", 3: True} or reading.problems


def test_a_yes_no_followed_by_another_numbered_answer_does_not_lose_it():
    reading = _survey("1) 4\n2) twice\n3) yes 4) we covered 1) grants and 2) teaching")
    assert 4 in reading.answers or reading.problems


def test_a_numbered_word_inside_the_last_text_answer_is_kept_as_written():
    reading = _survey("1) 4 2) 3 3) yes 4) Chapter 5) was great")
    assert reading.answers.get(4) == "Chapter 5) was great"


def test_answers_run_together_are_read_one_by_one():
    assert _survey("1) 4 - 2) twice - 3) yes - 4) nothing").answers == {
        1: 4, 2: "twice", 3: True, 4: "nothing"}


def test_a_count_written_with_a_parenthesis_goes_to_review_not_a_wrong_number():
    reading = _survey("1) 4 - 2) we met 2) times - 3) yes - 4) nothing")
    assert reading.answers == {} and reading.problems


def test_dates_with_dots_on_one_line_go_to_review_not_a_wrong_number():
    reading = _survey("1. 4; 2. twice, on 1. 12.03.2027 and 2. 19.03.2027; 3. yes")
    assert reading.answers == {} and reading.problems


def test_dates_with_dots_on_their_own_line_are_read_as_written():
    reading = _survey("1. 4\n2. 12.03.2027 and 19.03.2027\n3. yes")
    assert reading.answers == {1: 4, 2: "12.03.2027 and 19.03.2027", 3: True}


def test_a_decimal_scale_answer_run_together_is_a_problem_not_rounded():
    reading = _survey("1) 4.5 - 2) 3 - 3) yes")
    assert 1 not in reading.answers and reading.problems


def test_a_text_answer_with_its_own_numbered_list_on_one_line_is_kept():
    reading = _survey("1) 4\n2) 3 times: 1) in Jan, 2) in Feb, 3) in March\n3) yes")
    assert reading.answers[2] == "3 times: 1) in Jan, 2) in Feb, 3) in March"
