"""A participant who writes that they leave the program: read as a request for the
coordinators to confirm, in English, French or Spanish; a question about leaving, a
negation or an everyday 'withdraw' is not one."""

from __future__ import annotations

from mailflow.parsing.leaving import asks_to_leave


def test_an_english_participant_who_has_to_withdraw_asks_to_leave():
    text = ("I am sorry, I have to withdraw from the program: I accepted a position abroad "
            "and will not have the time.")
    assert asks_to_leave(text) == text


def test_a_french_participant_who_must_leave_asks_to_leave():
    found = asks_to_leave("Bonjour,\nJe suis désolée, je dois me retirer du programme : j'ai "
                          "accepté un poste à l'étranger.\nCamille")
    assert found == ("Je suis désolée, je dois me retirer du programme : j'ai accepté un "
                     "poste à l'étranger.")


def test_a_spanish_participant_who_must_leave_asks_to_leave():
    assert asks_to_leave("Lo siento, tengo que retirarme del programa.") is not None


def test_leaving_the_program_in_other_words_is_asking_to_leave():
    assert asks_to_leave("Unfortunately I'm leaving the program next month.") is not None
    assert asks_to_leave("Je me retire du programme, merci pour tout.") is not None
    assert asks_to_leave("Please remove me from the program.") is not None


def test_a_question_about_withdrawing_is_not_a_request():
    assert asks_to_leave("Do I have to withdraw if I move abroad?") is None
    assert asks_to_leave("Est-ce que je dois me retirer si je déménage ?") is None


def test_saying_one_will_not_withdraw_is_not_a_request():
    assert asks_to_leave("I don't want to withdraw, I just need more time.") is None


def test_withdrawing_something_else_is_not_leaving():
    assert asks_to_leave("I will withdraw my choice of Sofia and pick David instead.") is None
    assert asks_to_leave("My mentee had to withdraw her paper from the conference.") is None
    assert asks_to_leave("I am leaving for Paris tomorrow, back on Monday.") is None
