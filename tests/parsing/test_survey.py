"""read_survey: answers to a survey defined as data, numbered or typed under quoted questions."""

from __future__ import annotations

from mailflow.config.translated import Translated
from mailflow.parsing.quotes import split_reply
from mailflow.parsing.survey import Question, Survey, read_survey

SURVEY = Survey("midpoint", [
    Question(1, "scale", "How useful have your meetings been (1-5)?", True),
    Question(2, "yesno", "Would you recommend the program to a friend?", True),
    Question(3, "text", "Any comments?", False),
])
QUOTED = ("> 1. How useful have your meetings been (1-5)?\n"
          "> 2. Would you recommend the program to a friend?\n> 3. Any comments?")


def read(text: str):
    reply = split_reply(text)
    return read_survey(reply.new_text, reply.quoted, SURVEY)


def test_numbered_answers_with_dots():
    reading = read("1. 4\n2. yes\n3. Léa has been great.")
    assert reading.answers == {1: 4, 2: True, 3: "Léa has been great."}
    assert reading.missing == [] and reading.problems == [] and reading.found


def test_parenthesis_and_out_of_five():
    assert read("1) 4/5\n2) yes").answers == {1: 4, 2: True}


def test_q_prefix():
    assert read("Q1: 5\nQ2: no").answers == {1: 5, 2: False}


def test_dash_separator():
    assert read("1 - 3\n2 - yes").answers == {1: 3, 2: True}


def test_french_oui_and_non():
    assert read("1. 4\n2. oui").answers[2] is True
    assert read("1. 2\n2. non, pas vraiment").answers[2] is False


def test_french_phrases_for_yes():
    assert read("1. 5\n2. Bien sûr !").answers[2] is True


def test_question_copied_before_the_answer():
    text = "1. How useful have your meetings been (1-5)? 4\n2. Would you recommend it? Yes"
    assert read(text).answers == {1: 4, 2: True}


def test_answer_on_the_line_after_the_number():
    assert read("1.\n4\n2.\nyes").answers == {1: 4, 2: True}


def test_multiline_text_answer():
    answers = read("1. 4\n2. yes\n3. Two things:\n- more time\n- fewer emails").answers
    assert answers[3] == "Two things:\n- more time\n- fewer emails"


def test_answers_under_quoted_questions():
    text = ("> 1. How useful have your meetings been (1-5)?\n4\n"
            "> 2. Would you recommend the program to a friend?\nOui\n"
            "> 3. Any comments?\nMerci à François !")
    assert read(text).answers == {1: 4, 2: True, 3: "Merci à François !"}


def test_skipped_inline_question_is_tied_by_kind_when_only_one_way_fits():
    text = ("> 1. How useful have your meetings been (1-5)?\n4\n"
            "> 2. Would you recommend the program to a friend?\n"
            "> 3. Any comments?\nChen Wei is a great mentor.")
    reading = read(text)
    assert reading.answers == {1: 4, 3: "Chen Wei is a great mentor."}
    assert reading.missing == [2]


def test_inline_answers_that_cannot_be_tied_are_flagged():
    survey = Survey("s", [Question(1, "scale", "How useful have your meetings been (1-5)?", True),
                          Question(2, "scale", "How well prepared was your mentor (1-5)?", True),
                          Question(3, "scale", "How likely are you to continue (1-5)?", True)])
    quoted = ("> 1. How useful have your meetings been (1-5)?\n"
              "> 2. How well prepared was your mentor (1-5)?\n"
              "> 3. How likely are you to continue (1-5)?")
    reading = read_survey("4\n\n5", quoted, survey)
    assert reading.answers == {} and reading.found
    assert reading.problems == ["answers are typed between the quoted questions but could not "
                                "be tied to them one by one"]


def test_unquoted_full_text_with_quote_marks_is_read_in_place():
    text = "> 1. How useful have your meetings been (1-5)?\n3\n> 2. Would you recommend?\nno"
    assert read_survey(text, "", SURVEY).answers == {1: 3, 2: False}


def test_note_above_an_unanswered_quoted_survey_is_not_an_answer():
    reading = read_survey("Here are my answers", QUOTED, SURVEY)
    assert not reading.found and reading.answers == {}


def test_scale_value_out_of_range_is_a_problem_not_clamped():
    reading = read("1. 7\n2. yes")
    assert 1 not in reading.answers and reading.missing == [1]
    assert reading.problems == ["question 1: 7 is outside 1-5"]


def test_scale_on_another_base_is_a_problem():
    assert read("1. 8/10\n2. yes").problems == ["question 1: '8/10' is not on the 1-5 scale"]


def test_fractional_scale_value_is_a_problem():
    assert read("1. 3.5\n2. yes").missing == [1]


def test_words_for_a_scale_are_a_problem():
    assert read("1. very useful\n2. yes").problems == [
        "question 1: expected a whole number from 1 to 5, got 'very useful'"]


def test_unclear_yes_no_is_a_problem():
    assert read("1. 4\n2. maybe").problems == ["question 2: expected yes or no, got 'maybe'"]


def test_optional_question_may_be_left_out():
    assert read("1. 4\n2. yes").missing == []


def test_required_questions_left_out_are_missing():
    assert read("3. Nothing to add").missing == [1, 2]


def test_question_answered_twice_differently_is_a_problem():
    reading = read("1. 4\n2. yes\n1. 5")
    assert "question 1 is answered twice" in reading.problems and 1 not in reading.answers


def test_question_number_not_in_the_survey_is_a_problem():
    assert read("Q7: 4\n1. 4\n2. yes").problems == ["there is no question 7"]


def test_text_without_answers_is_not_found():
    reading = read("Thanks, see you soon!")
    assert not reading.found and reading.missing == [1, 2]


def test_spanish_yes_and_no_with_a_remark_are_yes_and_no():
    assert read("1. 5\n2. Sí, claro que sí").answers[2] is True
    assert read("1. 2\n2. No, la verdad").answers[2] is False


FRENCH = {1: "Quelle a été l'utilité de vos rencontres (1-5) ?",
          2: "Recommanderiez-vous le programme à un ami ?", 3: "Des commentaires ?"}
BILINGUAL = Survey("midpoint", [
    Question(1, "scale", Translated.of({"en": "How useful have your meetings been (1-5)?",
                                        "fr": FRENCH[1]}, "en"), True),
    Question(2, "yesno", Translated.of({"en": "Would you recommend the program to a friend?",
                                        "fr": FRENCH[2]}, "en"), True),
    Question(3, "text", Translated.of({"en": "Any comments?", "fr": FRENCH[3]}, "en"), False),
])


def test_french_answers_under_the_quoted_french_questions_without_numbers_are_read():
    reply = split_reply(f"> {FRENCH[1]}\n4\n> {FRENCH[2]}\noui\n> {FRENCH[3]}\nMerci !")
    reading = read_survey(reply.new_text, reply.quoted, BILINGUAL, "fr")
    assert reading.answers == {1: 4, 2: True, 3: "Merci !"} and reading.problems == []



def test_answers_run_together_on_one_line_are_read_one_by_one():
    reading = read("1) 4 - 2) oui - 3) rien, c'était parfait")
    assert reading.answers == {1: 4, 2: True, 3: "rien, c'était parfait"}
    assert reading.problems == []


def test_a_scale_number_followed_by_another_numbered_answer_is_a_problem_not_that_number():
    reading = read("1) 4 - 3) it was fine")
    assert 1 not in reading.answers
    assert any("more than one answer" in p for p in reading.problems)


def test_answers_after_the_question_words_copied_without_numbers_are_read():
    reading = read("How useful have your meetings been (1-5)? 4\n"
                   "Would you recommend the program to a friend? Yes\n"
                   "Any comments? Léa has been great.")
    assert reading.answers == {1: 4, 2: True, 3: "Léa has been great."}
    assert reading.problems == []


def test_a_scale_answer_written_in_words_is_that_number():
    assert read("1. four\n2. yes").answers[1] == 4
    assert read("1) Quatre sur cinq.\n2) oui").answers[1] == 4
    assert read("1. cuatro\n2. sí").answers[1] == 4


def test_a_sentence_starting_with_a_number_word_is_not_that_number():
    reading = read("1. Un peu utile\n2. oui")
    assert 1 not in reading.answers and reading.problems


def test_answers_in_a_table_with_a_label_column_are_the_last_cells():
    reading = read("Question\tAnswer\n1. Usefulness of the meetings\t4\n2. Recommend it\tYes\n"
                   "3. Comments\tMore evening sessions")
    assert reading.answers == {1: 4, 2: True, 3: "More evening sessions"}
    assert reading.problems == []


def test_a_rating_closing_a_few_words_is_that_number():
    assert read("1. Very useful - I'd say 5\n2. yes").answers[1] == 5
    assert read("1. Really well, 4\n2. yes").answers[1] == 4
    assert read("1) Très satisfaite, 5 sur 5\n2) oui").answers[1] == 5


def test_a_hedged_rating_is_not_read():
    reading = read("1. not a 5, more like a bad week\n2. yes")
    assert 1 not in reading.answers and reading.problems


def test_answers_after_the_question_words_copied_without_the_scale_hint_are_read():
    reading = read("How useful have your meetings been? Very useful, 4\n"
                   "Would you recommend the program to a friend? Yes")
    assert reading.answers == {1: 4, 2: True} and not reading.numbered


def test_answers_with_their_numbers_are_marked_numbered():
    assert read("1. 4\n3. fine").numbered


def test_two_numbers_offered_for_one_scale_answer_are_not_read_as_the_first():
    for answer in ("3 or 4, hard to say", "3-4", "4, ou 5", "4 à 5", "3 o 4"):
        reading = read(f"1. {answer}\n2. yes")
        assert 1 not in reading.answers, answer
        assert any("does not give one number plainly" in p for p in reading.problems), answer


def test_a_number_then_a_remark_after_a_dash_is_that_number():
    assert read("1. 5 - excellent\n2. yes").answers[1] == 5
