"""find_mentions: where a text names mentors, in full or by words of the name."""

from __future__ import annotations

import pytest

from mailflow.parsing.mentions import MAX_MENTIONS, TooManyMentions, find_mentions, near_mentions
from mailflow.parsing.names import RosterEntry

SIOBHAN = RosterEntry("s.obrien@tcd.example", "Siobhán O'Brien")
JEAN_LUC = RosterEntry("jl.picard@inria.example", "Jean-Luc Picard")
CHEN = RosterEntry("chen.wei@lab.example", "Chen Wei")
GRACE = RosterEntry("grace.obi@unilag.example", "Grace Obi")
ROSTER = [SIOBHAN, JEAN_LUC, CHEN, GRACE]


def said(text: str, short: bool = True) -> list[tuple[str, list[str], bool]]:
    return [(text[m.start:m.end], [e.name for e in m.entries], m.full)
            for m in find_mentions(text, ROSTER, short)]


def test_a_full_name_with_an_apostrophe_is_found_whatever_the_apostrophe():
    assert said("I pick Siobhan O’Brien first.") == [
        ("Siobhan O’Brien", ["Siobhán O'Brien"], True)]


def test_a_hyphenated_first_name_alone_is_a_short_mention():
    assert said("Then Jean-Luc, please.") == [("Jean-Luc", ["Jean-Luc Picard"], False)]


def test_a_name_written_surname_first_is_one_short_mention():
    assert said("Wei Chen would be great.") == [("Wei Chen", ["Chen Wei"], False)]


def test_only_full_names_without_short():
    assert said("Chen Wei and Grace", short=False) == [("Chen Wei", ["Chen Wei"], True)]


def test_a_common_word_that_is_a_first_name_names_nobody_at_a_sentence_start():
    assert said("Grace à vous, j'ai compris.") == []


def test_a_common_word_that_is_a_first_name_names_her_inside_a_sentence():
    assert said("I would like Grace too.") == [("Grace", ["Grace Obi"], False)]


def test_a_lower_case_name_word_that_is_no_common_word_is_a_mention():
    assert said("and siobhan as a third") == [("siobhan", ["Siobhán O'Brien"], False)]


def test_a_name_across_a_line_break_is_two_short_mentions_not_a_full_one():
    assert [full for _w, _e, full in said("Chen\nWei")] == [False, False]


def test_more_mentions_than_the_bound_raise():
    with pytest.raises(TooManyMentions):
        find_mentions("Chen Wei. " * (MAX_MENTIONS + 1), ROSTER)


def test_a_capitalised_word_one_letter_from_a_name_word_is_a_near_mention():
    found = near_mentions("and then Siobahn as a third", ROSTER)
    assert [(m.start, [e.name for e in m.entries]) for m in found] == [
        (9, ["Siobhán O'Brien"])]


def test_a_word_at_a_sentence_start_is_never_a_near_mention():
    assert near_mentions("Picardy is lovely. Thanks!", ROSTER) == []
