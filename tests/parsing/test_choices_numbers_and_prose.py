"""read_choices on what people write besides a list of names: numbers from our numbered
list, and ranks given in sentences. A number or a rank the text does not settle is never
guessed."""

from __future__ import annotations

from mailflow.parsing.choices import read_choices
from mailflow.parsing.names import RosterEntry

ROSTER = [
    RosterEntry("amelie.tremblay@umontreal.example", "Amélie Tremblay"),
    RosterEntry("chen.wei@lab.example", "Chen Wei"),
    RosterEntry("kwame.mensah@agi.example", "Kwame Mensah"),
    RosterEntry("johanna.nielsen@au.example", "Johanna Nielsen"),
    RosterEntry("sofia.rossi@polimi.example", "Sofia Rossi"),
    RosterEntry("jose.martinez@robotnik.example", "José Martínez"),
]
AMELIE, CHEN, KWAME, JOHANNA, SOFIA, JOSE = (e.email for e in ROSTER)
# The order our invitation numbered them in (not the roster's order).
NUMBERED = [SOFIA, CHEN, JOSE, AMELIE, KWAME, JOHANNA]


def test_numbers_in_a_sentence_are_the_places_in_our_numbered_list():
    reading = read_choices("My picks are 3, 1 and 5", ROSTER, NUMBERED)
    assert reading.choices == [JOSE, SOFIA, KWAME]
    assert reading.problems == []


def test_numbers_one_per_line_are_the_places_in_our_numbered_list():
    assert read_choices("6\n2\n4\n", ROSTER, NUMBERED).choices == [JOHANNA, CHEN, AMELIE]


def test_numbered_ranks_holding_list_numbers():
    reading = read_choices("1. #5\n2. #3\n3. #1", ROSTER, NUMBERED)
    assert reading.choices == [KWAME, JOSE, SOFIA]


def test_numbers_with_a_remark_after_them():
    reading = read_choices("Hi! Mine are 5, 2 and 6 (in that order).\n\nAisha", ROSTER, NUMBERED)
    assert reading.choices == [KWAME, CHEN, JOHANNA]


def test_list_numbers_written_before_the_names_are_not_ranks():
    text = "5. Kwame Mensah\n1. Sofia Rossi\n6. Johanna Nielsen"
    reading = read_choices(text, ROSTER, NUMBERED)
    assert reading.choices == [KWAME, SOFIA, JOHANNA]


def test_a_number_that_disagrees_with_the_name_beside_it_goes_to_review():
    reading = read_choices("5. Sofia Rossi\n1. Kwame Mensah", ROSTER, NUMBERED)
    assert reading.choices == [] and reading.problems


def test_numbers_when_our_mail_numbered_nothing_go_to_review_saying_why():
    reading = read_choices("My picks are 3, 1 and 5", ROSTER, None)
    assert reading.found and reading.choices == []
    assert "no numbered list" in reading.problems[0]


def test_a_number_beyond_the_list_is_not_guessed():
    reading = read_choices("My picks are 3, 1 and 9", ROSTER, NUMBERED)
    assert reading.choices == []
    assert any("no number 9" in p for p in reading.problems)


def test_prose_first_next_and_as_a_third_option():
    text = ("My first choice would be Johanna Nielsen, whose fieldwork is close to mine. "
            "Next I would pick Kwame Mensah because of his grant experience, and Amélie "
            "Tremblay as a third option.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == [JOHANNA, KWAME, AMELIE]
    assert reading.problems == []


def test_prose_with_a_rank_after_each_name():
    text = "I'd go with Chen Wei first, then Sofia Rossi, and finally José Martínez."
    assert read_choices(text, ROSTER).choices == [CHEN, SOFIA, JOSE]


def test_french_prose_premier_deuxieme_troisieme_choix():
    text = ("Mon premier choix serait Sofia Rossi. En deuxième choix, Chen Wei, et en "
            "troisième choix Amélie Tremblay.")
    assert read_choices(text, ROSTER).choices == [SOFIA, CHEN, AMELIE]


def test_spanish_prose_primera_y_segunda_opcion():
    text = "Mi primera opción es José Martínez y la segunda Sofia Rossi."
    assert read_choices(text, ROSTER).choices == [JOSE, SOFIA]


def test_ranks_written_out_of_order_are_put_in_order():
    text = "Kwame Mensah would be my second choice. My first choice is Chen Wei."
    assert read_choices(text, ROSTER).choices == [CHEN, KWAME]


def test_prose_naming_a_mentor_without_a_rank_goes_to_review():
    text = "My first choice is Chen Wei. I also enjoyed Sofia Rossi's talk."
    reading = read_choices(text, ROSTER)
    assert reading.choices == []
    assert any("Sofia Rossi" in p for p in reading.problems)


def test_words_that_contradict_the_order_of_the_list_go_to_review():
    text = "1. Chen Wei\n2. Sofia Rossi (really my first choice)\n3. Kwame Mensah"
    reading = read_choices(text, ROSTER)
    assert reading.choices == []
    assert any("Sofia Rossi first" in p for p in reading.problems)


def test_two_mentors_given_the_same_rank_go_to_review():
    text = "My first choice is Chen Wei. My first choice is also Kwame Mensah."
    assert read_choices(text, ROSTER).choices == []


def test_numbers_with_an_article_before_each_are_places_in_our_list():
    reading = read_choices("Mes choix, dans l'ordre : le 5, le 2 et le 6.", ROSTER, NUMBERED)
    assert reading.choices == [KWAME, CHEN, JOHANNA]


def test_the_mentor_one_would_most_like_and_the_one_after_her_are_ranked():
    text = ("The person I would most like to work with is Johanna Nielsen. After her I would "
            "pick Kwame Mensah, and Sofia Rossi as my third choice.")
    reading = read_choices(text, ROSTER, NUMBERED)
    assert reading.choices == [JOHANNA, KWAME, SOFIA]
    assert reading.problems == []


def test_french_d_abord_then_en_deuxieme_and_en_troisieme_are_ranks():
    text = ("Je prendrais d'abord Kwame Mensah. En deuxième, Sofia Rossi, et en troisième "
            "Chen Wei.")
    reading = read_choices(text, ROSTER, NUMBERED)
    assert reading.choices == [KWAME, SOFIA, CHEN]
    assert reading.problems == []


def test_a_rank_word_inside_a_wrapped_question_about_a_mentor_ranks_nobody():
    text = ("First of all, a question: does Kwame Mensah also take students who are not\n"
            "in genomics? I would not want to waste his time.\n\n"
            "Meanwhile, my choices in order: 6, 2 and 4.\n")
    reading = read_choices(text, ROSTER, NUMBERED)
    assert reading.choices == [JOHANNA, CHEN, AMELIE]


def test_numbers_of_our_list_that_disagree_with_the_names_read_go_to_review():
    text = "My first choice is Kwame Mensah, then Sofia Rossi.\nIn numbers: 2, 1\n"
    reading = read_choices(text, ROSTER, NUMBERED)
    assert reading.choices == [] and reading.problems


def test_numbers_joined_by_then_are_the_places_in_our_numbered_list():
    reading = read_choices("6 then 3 then 1 please", ROSTER, NUMBERED)
    assert reading.choices == [JOHANNA, JOSE, SOFIA] and reading.problems == []


def test_most_of_all_then_after_him_then_a_fallback_are_three_ranks():
    text = ("I would love to work with Kwame Mensah most of all, since grants are where I "
            "struggle, and after him Sofia Rossi. If neither of them is available, Chen Wei "
            "would be great too.")
    reading = read_choices(text, ROSTER, NUMBERED)
    assert reading.choices == [KWAME, SOFIA, CHEN]
    assert reading.problems == []


def test_a_fallback_with_no_mentor_ranked_before_it_is_not_a_rank():
    text = "If neither is possible, Chen Wei. I also liked Sofia Rossi."
    assert read_choices(text, ROSTER, NUMBERED).choices == []
