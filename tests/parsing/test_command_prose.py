"""Commands asked for in words, in any thread: a request is read as the command; a question
about one, a negation, or two commands at once is not; a pause without its end is doubted."""

from __future__ import annotations

from datetime import date

from mailflow.parsing.command_prose import read_asked_command

TODAY = date(2027, 4, 12)


def test_a_request_to_be_unsubscribed_is_stop():
    found = read_asked_command("Hello,\n\nCould you take me off this list please?\n\nBest,\nOmar",
                               TODAY)
    assert found is not None and (found.name, found.doubt) == ("stop", None)


def test_a_french_request_to_be_unsubscribed_is_stop():
    found = read_asked_command("Bonjour, merci de me désabonner de ces envois.", TODAY)
    assert found is not None and found.name == "stop"
    assert read_asked_command("Je ne souhaite plus recevoir ces messages.", TODAY).name == "stop"


def test_a_spanish_request_to_be_unsubscribed_is_stop():
    assert read_asked_command("Por favor, quiero darme de baja.", TODAY).name == "stop"


def test_a_pause_with_the_day_it_ends_is_read_with_that_day():
    found = read_asked_command("I'm travelling for fieldwork; please pause my emails until "
                               "June 30, 2027.", TODAY)
    assert found is not None and (found.name, found.until) == ("pause", date(2027, 6, 30))


def test_a_french_pause_until_a_day_without_a_year_is_the_next_such_day():
    found = read_asked_command("Pouvez-vous mettre mes envois en pause jusqu'au 2 septembre ?",
                               TODAY)
    assert found is not None and (found.name, found.until) == ("pause", date(2027, 9, 2))


def test_stop_until_a_day_is_a_pause():
    found = read_asked_command("Please stop sending me mail until 15 May 2027.", TODAY)
    assert found is not None and (found.name, found.until) == ("pause", date(2027, 5, 15))


def test_a_pause_without_its_end_is_read_with_a_doubt():
    found = read_asked_command("Please put my participation on hold for a while.", TODAY)
    assert found is not None and found.name == "pause" and found.until is None
    assert found.doubt


def test_a_pause_until_a_past_day_is_read_with_a_doubt():
    found = read_asked_command("Please pause my emails until 1 March 2027.", TODAY)
    assert found is not None and found.until is None and found.doubt


def test_the_word_alone_above_a_remark_is_the_command():
    found = read_asked_command("Resume\n\nBack at my desk after the conference season.", TODAY)
    assert found is not None and found.name == "resume"


def test_a_question_about_a_command_is_not_the_command():
    assert read_asked_command("How do I unsubscribe me from the tips only?", TODAY) is None
    assert read_asked_command("Can I pause my emails until July?", TODAY) is None


def test_a_negated_request_is_not_the_command():
    assert read_asked_command("Please don't unsubscribe me, I still want the tips.", TODAY) is None


def test_two_different_requests_are_not_read_as_one():
    assert read_asked_command("Please unsubscribe me. Actually, resume my emails instead.",
                              TODAY) is None


def test_a_request_far_below_a_long_letter_is_left_to_a_person():
    letter = "We met twice and talked about grants.\n" * 60 + "Please unsubscribe me."
    assert read_asked_command(letter, TODAY) is None


def test_a_spanish_plea_to_send_no_more_is_stop():
    found = read_asked_command("Buenas, no me manden más correos de este programa.", TODAY)
    assert found is not None and found.name == "stop"


def test_a_portuguese_request_to_suspend_the_emails_until_a_date_is_a_pause():
    asked = read_asked_command("Podem suspender os emails do programa até 6 de setembro?", TODAY)
    assert asked is not None and asked.name == "pause" and asked.until == date(2027, 9, 6)


def test_a_portuguese_wish_to_receive_no_more_is_stop():
    asked = read_asked_command("Não quero mais receber estes emails, obrigada.", TODAY)
    assert asked is not None and asked.name == "stop"


def test_the_word_alone_with_a_courtesy_word_is_the_command():
    found = read_asked_command("STOP svp\n\nObtenir Outlook pour Android", TODAY)
    assert found is not None and found.name == "stop"


def test_pausing_the_pairs_calls_is_not_a_pause_of_our_mail():
    text = ("Thanks! He suggested we pause our weekly calls until after my exam (April 20), "
            "so it may be a few weeks.")
    assert read_asked_command(text, TODAY) is None


def test_a_portuguese_plea_not_to_stop_the_tips_is_no_command():
    assert read_asked_command("Por favor, não parem de enviar estas dicas, são ótimas.",
                              TODAY) is None


def test_an_italian_plea_to_send_no_more_is_stop():
    asked = read_asked_command("Vi prego di non inviarmi più questi consigli mensili.", TODAY)
    assert asked is not None and asked.name == "stop"


def test_an_italian_plea_not_to_stop_is_no_command():
    assert read_asked_command("Non smettete di inviarmi i consigli, sono utili!", TODAY) is None


def test_a_german_request_to_be_taken_off_is_stop():
    for text in ("Bitte melden Sie mich ab.", "Bitte keine Tipps mehr, danke."):
        asked = read_asked_command(text, TODAY)
        assert asked is not None and asked.name == "stop", text


def test_a_pause_until_a_day_written_in_words_is_read_with_that_day():
    asked = read_asked_command("PAUSE until the fifteenth of May, please. Fieldwork!", TODAY)
    assert asked is not None and asked.name == "pause" and asked.until == date(2027, 5, 15)


def test_an_italian_pause_until_a_date_is_a_pause():
    asked = read_asked_command("Potete sospendere le email fino al 30 giugno?", TODAY)
    assert asked is not None and asked.name == "pause" and asked.until == date(2027, 6, 30)


def test_a_pause_named_as_a_noun_before_until_is_no_command():
    assert read_asked_command("There will be a pause until May in our meetings.", TODAY) is None


def test_a_french_no_answering_something_before_a_stop_does_not_negate_it():
    asked = read_asked_command("Non, je ne veux plus recevoir ces courriels.", TODAY)
    assert asked is not None and asked.name == "stop"


def test_a_pause_until_a_day_on_a_line_below_a_greeting_is_read():
    asked = read_asked_command("Hi,\n\nPAUSE until the fifteenth of May, please.", TODAY)
    assert asked is not None and asked.name == "pause" and asked.until == date(2027, 5, 15)
