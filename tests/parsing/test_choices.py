"""read_choices: a mentee's ranked mentor choices, never guessing a name."""

from __future__ import annotations

from mailflow.parsing.choices import read_choices
from mailflow.parsing.names import RosterEntry, edit_distance

ROSTER = [
    RosterEntry("sofia.rossi@uni.example", "Sofia Rossi"),
    RosterEntry("chen.wei@lab.example", "Chen Wei"),
    RosterEntry("marc.dupont@corp.example", "Marc Dupont"),
    RosterEntry("lea.gagnon@uqam.example", "Léa Gagnon"),
    RosterEntry("jose.martinez@uv.example", "José Martínez"),
    RosterEntry("f.lefevre@inria.example", "François Lefèvre"),
    RosterEntry("sophie.ross@ngo.example", "Sophie Ross"),
]
SOFIA, CHEN, MARC = (e.email for e in ROSTER[:3])
LEA, JOSE, FRANCOIS = (e.email for e in ROSTER[3:6])


def test_numbered_list_with_dots_and_parentheses():
    reading = read_choices("1. Sofia Rossi\n2) Chen Wei\n3. Marc Dupont", ROSTER)
    assert reading.choices == [SOFIA, CHEN, MARC]
    assert reading.found and reading.problems == []


def test_hash_ranks_with_titles_and_remarks():
    text = ("#1 Dr. Sofia Rossi (her NLP work fits my goals)\n"
            "#2 Prof. Chen Wei - robotics\n#3 Marc Dupont, because he knows startups")
    assert read_choices(text, ROSTER).choices == [SOFIA, CHEN, MARC]


def test_english_ordinal_labels_without_accents():
    text = "First choice: Lea Gagnon\nSecond choice: Jose Martinez\nThird choice: francois lefevre"
    assert read_choices(text, ROSTER).choices == [LEA, JOSE, FRANCOIS]


def test_french_ordinal_labels():
    text = "1er choix : Léa Gagnon\n2e choix : José Martínez\n3e choix : François Lefèvre"
    assert read_choices(text, ROSTER).choices == [LEA, JOSE, FRANCOIS]


def test_french_words_premier_deuxieme_troisieme():
    text = "Premier choix : François Lefèvre\nDeuxième : Chen Wei\nTroisième choix : Léa Gagnon"
    assert read_choices(text, ROSTER).choices == [FRANCOIS, CHEN, LEA]


def test_bullet_list_keeps_its_order():
    assert read_choices("- Chen Wei\n- Sofia Rossi\n- Marc Dupont", ROSTER).choices == [
        CHEN, SOFIA, MARC]


def test_single_line_with_commas_and_and():
    assert read_choices("Sofia Rossi, Chen Wei and Marc Dupont", ROSTER).choices == [
        SOFIA, CHEN, MARC]


def test_single_french_line_with_et_and_lead_in():
    text = "Mes choix : Léa Gagnon, José Martínez et François Lefèvre."
    assert read_choices(text, ROSTER).choices == [LEA, JOSE, FRANCOIS]


def test_sentence_with_lead_in_and_then():
    text = "I'd like to work with Sofia Rossi first, then Chen Wei, then Marc Dupont."
    assert read_choices(text, ROSTER).choices == [SOFIA, CHEN, MARC]


def test_one_name_per_line_without_numbers():
    assert read_choices("Sofia Rossi\nChen Wei\nMarc Dupont", ROSTER).choices == [
        SOFIA, CHEN, MARC]


def test_ranks_out_of_order_are_sorted_by_written_rank():
    assert read_choices("2. Chen Wei\n1. Sofia Rossi\n3. Marc Dupont", ROSTER).choices == [
        SOFIA, CHEN, MARC]


def test_inline_numbered_list_on_one_line():
    assert read_choices("1) Sofia Rossi 2) Chen Wei 3) Marc Dupont", ROSTER).choices == [
        SOFIA, CHEN, MARC]


def test_addresses_instead_of_names():
    text = "1. Chen.Wei@lab.example\n2. sofia.rossi@uni.example"
    assert read_choices(text, ROSTER).choices == [CHEN, SOFIA]


def test_unknown_address_is_unknown():
    reading = read_choices("1. bob@else.example\n2. Chen Wei", ROSTER)
    assert reading.unknown == ["bob@else.example"] and reading.choices == []


def test_case_and_accents_do_not_matter():
    assert read_choices("1. LÉA GAGNON\n2. jose martinez", ROSTER).choices == [LEA, JOSE]


def test_surname_first_is_accepted():
    assert read_choices("1. Gagnon Léa", ROSTER).choices == [LEA]


def test_typos_of_one_or_two_letters_are_forgiven():
    text = "1. Sofai Rossi\n2. Chen Wie\n3. Marc Dupond"
    assert read_choices(text, ROSTER).choices == [SOFIA, CHEN, MARC]


def test_first_name_alone_when_unique():
    assert read_choices("1. François\n2. Léa", ROSTER).choices == [FRANCOIS, LEA]


def test_last_name_alone_when_unique():
    assert read_choices("1. Martínez\n2. Dupont", ROSTER).choices == [JOSE, MARC]


def test_name_close_to_two_mentors_is_ambiguous_and_nothing_applies():
    reading = read_choices("1. Ross\n2. Chen Wei", ROSTER)
    assert reading.choices == []
    assert reading.ambiguous == [("Ross", ["Sofia Rossi", "Sophie Ross"])]
    assert reading.problems == ["'Ross' could be Sofia Rossi or Sophie Ross"]


def test_typo_within_reach_of_two_mentors_is_ambiguous():
    roster = [*ROSTER, RosterEntry("sofia.russo@uni.example", "Sofia Russo")]
    reading = read_choices("1. Sofia Rosso", roster)
    assert reading.ambiguous == [("Sofia Rosso", ["Sofia Rossi", "Sofia Russo"])]
    assert reading.choices == []


def test_first_name_shared_by_two_mentors_is_ambiguous():
    roster = [*ROSTER, RosterEntry("sofia.russo@uni.example", "Sofia Russo")]
    assert read_choices("1. Sofia", roster).ambiguous == [("Sofia", ["Sofia Rossi",
                                                                      "Sofia Russo"])]


def test_unknown_name_is_reported_and_nothing_applies():
    reading = read_choices("1. Marc Lefebvre\n2. Chen Wei", ROSTER)
    assert reading.unknown == ["Marc Lefebvre"]
    assert reading.problems == ["'Marc Lefebvre' is not a mentor in the program"]
    assert reading.choices == [] and reading.found


def test_more_than_three_choices_is_a_problem():
    text = "1. Sofia Rossi\n2. Chen Wei\n3. Marc Dupont\n4. Léa Gagnon"
    assert read_choices(text, ROSTER).problems == ["4 choices given; at most 3 allowed"]


def test_same_mentor_twice_is_a_problem():
    reading = read_choices("1. Sofia Rossi\n2. sofia rossi", ROSTER)
    assert reading.problems == ["Sofia Rossi is chosen more than once"]
    assert reading.choices == []


def test_duplicate_ranks_are_a_problem():
    reading = read_choices("1. Sofia Rossi\n1. Chen Wei", ROSTER)
    assert reading.problems == ["the same rank is given to more than one choice"]


def test_names_in_prose_are_flagged_not_ranked():
    reading = read_choices("Thanks! I enjoyed the talk. Chen Wei seems kind too.", ROSTER)
    assert reading.found and reading.choices == []
    assert reading.problems == ["mentions Chen Wei but not as a list of ranked choices"]


def test_text_without_choices_is_not_found():
    reading = read_choices("Thanks, see you at the kickoff!", ROSTER)
    assert not reading.found and reading.problems == []


def test_two_typos_in_a_short_name_are_too_far():
    assert read_choices("1. Mcra Dupont", ROSTER).unknown == ["Mcra Dupont"]


def test_edit_distance_counts_a_transposition_as_one():
    assert edit_distance("sofia", "sofai") == 1
    assert edit_distance("rossi", "ross") == 1


def test_name_that_sounds_like_another_mentor_is_ambiguous():
    roster = [RosterEntry("sofia.rossi@example.org", "Sofia Rossi"),
              RosterEntry("sophie.ross@example.com", "Sophie Ross")]
    reading = read_choices("1. Sofi Ross", roster)
    assert reading.choices == []
    assert reading.ambiguous == [("Sofi Ross", ["Sofia Rossi", "Sophie Ross"])]
