"""One-word commands in replies: STOP, START, PAUSE until a date, RESUME; nothing else."""

from datetime import date

import pytest

from mailflow.parsing.commands import Command, read_command, read_yes_no


def test_stop_alone_is_an_unsubscribe():
    assert read_command("STOP", "Re: Mentoring tip") == Command("stop")


def test_french_unsubscribe_words_are_understood():
    assert read_command("Désabonner", "Re: Conseil du mois") == Command("stop")


def test_an_empty_reply_reads_the_subject_as_list_unsubscribe_mailers_send_it():
    assert read_command("", "STOP") == Command("stop")


def test_pause_needs_its_end_date():
    assert read_command("PAUSE until 2027-05-01", "") == Command("pause", date(2027, 5, 1))
    assert read_command("pause", "") is None


def test_a_sentence_that_contains_stop_is_not_a_command():
    assert read_command("Please don't stop the tips, they are great", "Re: tip") is None


def test_stop_on_the_first_of_several_lines_is_not_a_command():
    assert read_command("Stop\nI mean, could we stop meeting on Fridays?", "Re: hello") is None


@pytest.mark.parametrize("text, answer", [
    ("Yes, with pleasure!", True),
    ("Oui, avec plaisir.\n\nChen", True),
    ("No, sorry, I am travelling all spring.", False),
    ("Non, malheureusement.", False),
    ("No problem, happy to!", None),
    ("Sorry for the delay - yes, I would be glad to", None),
    ("Of course not, I have no time", None),
    ("Okay, no.", None),
    ("Let me think about it.", None),
])
def test_yes_or_no_is_read_only_when_the_first_sentence_is_unambiguous(text, answer):
    assert read_yes_no(text) is answer
