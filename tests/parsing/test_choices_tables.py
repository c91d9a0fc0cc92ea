"""Choices written as rows "Name 3" (a table's cells flattened, or names with our list's
numbers): a rank column read as ranks, our list's numbers as places, and rows that could be
either, in different orders, never guessed."""

from __future__ import annotations

from mailflow.parsing.choices import read_choices
from mailflow.parsing.names import RosterEntry

ROSTER = [
    RosterEntry("amelie.tremblay@umontreal.example", "Amélie Tremblay"),
    RosterEntry("chen.wei@lab.example", "Chen Wei"),
    RosterEntry("kwame.mensah@agi.example", "Kwame Mensah"),
    RosterEntry("sofia.rossi@polimi.example", "Sofia Rossi"),
]
AMELIE, CHEN, KWAME, SOFIA = (e.email for e in ROSTER)
NUMBERED = [SOFIA, CHEN, KWAME, AMELIE]  # our invitation's list: 1 Sofia … 4 Amélie


def test_rows_under_a_rank_heading_are_ordered_by_their_rank():
    text = "Mentor | Rank\nChen Wei | 2\nAmélie Tremblay | 1\nKwame Mensah | 3\n"
    reading = read_choices(text, ROSTER, NUMBERED)
    assert reading.choices == [AMELIE, CHEN, KWAME]
    assert reading.problems == []


def test_rows_whose_numbers_are_not_their_places_in_our_list_are_ranks():
    reading = read_choices("Kwame Mensah 2\nSofia Rossi 1\nChen Wei 3\n", ROSTER, NUMBERED)
    assert reading.choices == [SOFIA, KWAME, CHEN]


def test_rows_carrying_our_list_numbers_keep_the_order_written():
    reading = read_choices("Amélie Tremblay (4)\nChen Wei (2)\nKwame Mensah (3)\n",
                           ROSTER, NUMBERED)
    assert reading.choices == [AMELIE, CHEN, KWAME]
    assert reading.problems == []


def test_rows_that_fit_both_readings_in_different_orders_go_to_review():
    # 2, 1, 3 are ranks (Chen first) and also Chen's, Sofia's and Kwame's places in our list
    reading = read_choices("Chen Wei 2\nSofia Rossi 1\nKwame Mensah 3\n", ROSTER, NUMBERED)
    assert reading.problems
