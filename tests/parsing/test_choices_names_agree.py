"""read_choices' completeness net for names: every mentor a reply names is among the choices
read, in the order read, or a person looks. A first name alone counts as naming a mentor."""

from __future__ import annotations

from mailflow.parsing.choices import read_choices
from mailflow.parsing.names import RosterEntry

ROSTER = [
    RosterEntry("amelie.tremblay@umontreal.example", "Amélie Tremblay"),
    RosterEntry("chen.wei@lab.example", "Chen Wei"),
    RosterEntry("kwame.mensah@agi.example", "Kwame Mensah"),
    RosterEntry("johanna.nielsen@au.example", "Johanna Nielsen"),
    RosterEntry("sofia.rossi@polimi.example", "Sofia Rossi"),
    RosterEntry("sofia.almeida@ulisboa.example", "Sofia Almeida"),
    RosterEntry("jose.martinez@robotnik.example", "José Martínez"),
]
AMELIE, CHEN, KWAME, JOHANNA, SOFIA, SOFIA_A, JOSE = (e.email for e in ROSTER)


def test_a_first_name_alone_in_ranking_prose_is_that_mentor():
    text = ("My first choice is Chen Wei. After that I'd go with Johanna, and José Martínez "
            "as a third option.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == [CHEN, JOHANNA, JOSE]
    assert reading.problems == []


def test_a_first_name_two_mentors_share_goes_to_review():
    text = ("My first choice is Kwame Mensah, then Amélie Tremblay. I would also be happy "
            "with Sofia.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == []
    assert any("'Sofia' could be Sofia Rossi or Sofia Almeida" in p for p in reading.problems)


def test_a_mentor_named_beside_the_list_but_not_in_it_goes_to_review():
    text = "1. Chen Wei\n2. José Martínez\n\nI would also love to work with Johanna Nielsen."
    reading = read_choices(text, ROSTER)
    assert reading.choices == []
    assert any("also names Johanna Nielsen" in p for p in reading.problems)


def test_choices_named_again_in_another_order_go_to_review():
    text = ("1. Johanna Nielsen\n2. Sofia Rossi\n3. Amélie Tremblay\n\n"
            "Thinking about it, Sofia Rossi should come before Johanna Nielsen.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == []
    assert any("again in another order" in p for p in reading.problems)


def test_words_that_swap_the_order_given_go_to_review():
    text = ("1. Johanna Nielsen\n2. Sofia Rossi\n3. Amélie Tremblay\n\n"
            "Oups, inversez les deux premiers s'il vous plaît.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == []
    assert any("inversez" in p for p in reading.problems)


def test_a_choice_named_again_in_the_same_order_is_kept():
    text = ("1. Chen Wei\n2. Kwame Mensah\n3. Amélie Tremblay\n\n"
            "Chen's robotics work is why he comes first; Kwame Mensah's grant experience "
            "is a close second.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == [CHEN, KWAME, AMELIE]
    assert reading.problems == []


def test_a_mentor_set_aside_beside_the_list_is_not_a_missing_choice():
    text = "1. Kwame Mensah (not Sofia, sorry about my last mail)\n2. Chen Wei\n3. José Martínez"
    reading = read_choices(text, ROSTER)
    assert reading.choices == [KWAME, CHEN, JOSE]
    assert reading.problems == []


def test_a_correction_before_the_list_introduces_the_answer():
    text = "Correction to my earlier message, my choices are:\n1. Chen Wei\n2. Kwame Mensah"
    reading = read_choices(text, ROSTER)
    assert reading.choices == [CHEN, KWAME]
    assert reading.problems == []


def test_another_mentor_named_outside_any_choosing_beside_a_full_list_is_kept():
    text = ("1. Johanna Nielsen\n2. Sofia Rossi\n3. José Martínez\n\n"
            "Kwame recommended that I also talk to Chen about industry jobs, and I will.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == [JOHANNA, SOFIA, JOSE] and reading.problems == []


def test_another_mentor_offered_in_place_of_one_beside_a_full_list_goes_to_review():
    text = ("1. Johanna Nielsen\n2. Sofia Rossi\n3. José Martínez\n\n"
            "Or Chen Wei instead of José, if he is taken.")
    reading = read_choices(text, ROSTER)
    assert reading.choices == []
    assert any("also names Chen Wei" in p for p in reading.problems)


def test_a_shared_first_name_outside_any_choosing_beside_a_full_list_is_kept():
    text = ("1. Kwame Mensah\n2. Johanna Nielsen\n3. Chen Wei\n\n"
            "I'll be in Sofia from Thursday to Sunday for a workshop.")
    assert read_choices(text, ROSTER).choices == [KWAME, JOHANNA, CHEN]
