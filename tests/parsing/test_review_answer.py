"""A coordinator's reply to a review notice, read line by line, in English and French."""

from __future__ import annotations

from mailflow.parsing.review_answer import read_review_answer


def read(text: str, single: bool = False):
    return read_review_answer(text, text, single)


def test_one_decision_a_line_each_with_its_item_number():
    found = read("APPLY 1\nIGNORE 2\nLINK 3")
    assert [(a.verb, a.number) for a in found] == [("apply", 1), ("ignore", 2), ("link", 3)]


def test_french_words_are_read_and_say_the_language():
    found = read("Appliquer 1\nIgnorer 2\nLier 3\nRéunion 4 oui 2027-01-15")
    assert [(a.verb, a.number, a.language) for a in found] == [
        ("apply", 1, "fr"), ("ignore", 2, "fr"), ("link", 3, "fr"), ("meeting", 4, "fr")]
    assert found[3].met is True and found[3].date == "2027-01-15"


def test_choices_on_one_line_keep_their_order():
    [found] = read("CHOICES 2 1. Sofia Rossi 2. Chen Wei 3. Ana Lima")
    assert found.number == 2 and found.choices == ("Sofia Rossi", "Chen Wei", "Ana Lima")


def test_choices_one_a_line_are_one_decision():
    [found] = read("CHOIX 2\n1. Sofia Rossi\n2. Chen Wei")
    assert found.choices == ("Sofia Rossi", "Chen Wei")


def test_without_an_item_number_the_first_choice_is_not_taken_for_one():
    [found] = read("CHOICES 1. Sofia Rossi 2. Chen Wei", single=True)
    assert found.number is None and found.choices == ("Sofia Rossi", "Chen Wei")


def test_a_meeting_that_did_not_happen_needs_no_date():
    [found] = read("MEETING 3 no")
    assert found.met is False and found.date is None and found.problem is None


def test_a_meeting_without_yes_or_no_says_what_is_missing():
    [found] = read("MEETING 3 maybe")
    assert found.problem and "yes or no" in found.problem


def test_text_under_a_quoted_item_is_the_answer_to_that_item():
    text = ("On Tue, Northlake wrote:\n> [1] A question, from lea@example.com\n"
            ">     They wrote: can I change mentor?\nDear Léa,\nyes, we will call you.\n"
            "> [2] Not read with certainty\nIGNORE\n")
    answer, ignore = read(text)
    assert (answer.verb, answer.number) == ("answer", 1)
    assert answer.text == "Dear Léa,\nyes, we will call you."
    assert (ignore.verb, ignore.number) == ("ignore", 2)


def test_a_greeting_above_the_quote_is_no_answer_when_the_notice_lists_several():
    assert read("Hello,\nthanks for this.\n> [1] A question\n> [2] Another") == []


def test_a_reply_of_prose_alone_answers_the_only_item():
    [found] = read("Dear Léa, your mentor is on leave until May.", single=True)
    assert found.verb == "answer" and found.number is None
    assert found.text == "Dear Léa, your mentor is on leave until May."


def test_prose_starting_with_a_command_word_is_not_a_command():
    assert read("Apply the usual rule, I think", single=False) == []


def test_the_signature_is_not_read():
    assert read("IGNORE 1\n-- \nAPPLY 2") and len(read("IGNORE 1\n-- \nAPPLY 2")) == 1


def test_the_notice_appended_unquoted_below_an_outlook_header_is_not_read():
    text = ("IGNORE 2\n\n________________________________\nFrom: Northlake Mentorship Program "
            "<mentorship@northlake.example.org>\nSent: Tuesday, March 2, 2027 10:00\n"
            "To: Claire Dubois\nSubject: Waiting for review: 2 items (notice 1)\n\n"
            "  APPLY n        do what mailflow would have done\n"
            "  CHOICES n 1. Name 2. Name 3. Name    record these choices\n"
            "  MEETING n yes|no [2027-01-15]        record whether they met\n")
    assert [(a.verb, a.number) for a in read(text)] == [("ignore", 2)]
