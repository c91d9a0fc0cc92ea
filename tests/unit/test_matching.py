"""Mentor matching: lexicographically best on ranked choices, exclusions and capacities kept."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.program.matching import (
    Matching,
    MenteePrefs,
    MentorCap,
    greedy_first_come,
    match,
    score,
)


def prefs(**choices: str) -> list[MenteePrefs]:
    """Mentees named by keyword, each with a space-separated list of mentor choices."""
    return [MenteePrefs(name, value.split()) for name, value in choices.items()]


def caps(**capacities: int) -> list[MentorCap]:
    return [MentorCap(name, capacity) for name, capacity in capacities.items()]


@st.composite
def cases(draw, max_mentees: int = 5, max_mentors: int = 3):
    """Small random instances: mentees, mentors (capacity 1-2), exclusions."""
    mentors = [MentorCap(f"m{j}", draw(st.integers(1, 2)))
               for j in range(draw(st.integers(1, max_mentors)))]
    names = [m.email for m in mentors]
    mentees = [MenteePrefs(f"e{i}", draw(st.lists(st.sampled_from(names), max_size=3,
                                                   unique=True)))
               for i in range(draw(st.integers(0, max_mentees)))]
    pairs = [(e.email, m) for e in mentees for m in names]
    exclusions = set(draw(st.lists(st.sampled_from(pairs), max_size=4))) if pairs else set()
    return mentees, mentors, exclusions


def brute_force_best(mentees, mentors, exclusions) -> tuple[int, int, int, int]:
    """The best score over every assignment that respects capacities and exclusions."""
    best = (0, 0, 0, 0)
    options = [m.email for m in mentors] + [None]
    capacity = {m.email: m.capacity for m in mentors}
    for combo in itertools.product(options, repeat=len(mentees)):
        load = Counter(m for m in combo if m)
        if any(load[m] > capacity[m] for m in load):
            continue
        if any((e.email, m) in exclusions for e, m in zip(mentees, combo, strict=True)):
            continue
        ranks = Counter(e.choices.index(m) + 1 for e, m in zip(mentees, combo, strict=True)
                        if m in e.choices)
        best = max(best, (ranks[1], ranks[2], ranks[3], sum(load.values())))
    return best


def check_consistent(result: Matching, mentees, mentors, exclusions) -> None:
    """Every invariant a Matching must satisfy, whoever made it."""
    load = Counter(mentor for _, mentor in result.pairs)
    capacity = {m.email: m.capacity for m in mentors}
    assert all(load[m] <= capacity[m] for m in load)
    assert not set(result.pairs) & exclusions
    paired = [mentee for mentee, _ in result.pairs]
    assert sorted(paired + result.unmatched) == sorted(m.email for m in mentees)
    assert set(result.rank_of) == {m.email for m in mentees}
    assert result.flagged == [e for e in paired if result.rank_of[e] is None]


# The objective


def test_uncontested_first_choices_are_all_granted() -> None:
    result = match(prefs(a="x y", b="y x"), caps(x=1, y=1), set())
    assert result.pairs == [("a", "x"), ("b", "y")]
    assert result.rank_of == {"a": 1, "b": 1}


def test_a_second_choice_is_given_to_free_another_mentee_only_choice() -> None:
    result = match(prefs(a="x y", b="x"), caps(x=1, y=1), set())
    assert dict(result.pairs) == {"a": "y", "b": "x"}
    assert result.rank_of == {"a": 2, "b": 1}


def test_one_more_first_choice_outweighs_two_seconds() -> None:
    result = match(prefs(a="m0 m1", b="m1 m2", c="m0"), caps(m0=1, m1=1, m2=1), set())
    assert score(result) == (2, 0, 0, 3)
    assert result.flagged == ["c"]


def test_a_third_choice_counts_before_merely_being_matched() -> None:
    mentees = [*prefs(e="", b="x", c="y"), MenteePrefs("a", ["x", "y", "z"])]
    result = match(mentees, caps(x=1, y=1, w=1, z=1), set())
    assert result.rank_of == {"e": None, "b": 1, "c": 1, "a": 3}


def test_a_mentee_with_no_choice_left_is_matched_elsewhere_and_flagged() -> None:
    result = match(prefs(a="x", b="x"), caps(x=1, y=1), set())
    assert score(result) == (1, 0, 0, 2)
    assert result.flagged == [next(e for e, m in result.pairs if m == "y")]
    assert result.unmatched == []


def test_a_mentee_is_unmatched_when_no_mentor_has_room() -> None:
    result = match(prefs(a="x", b="x", c="x"), caps(x=2), set())
    assert len(result.unmatched) == 1
    assert result.rank_of[result.unmatched[0]] is None


def test_a_choice_of_an_absent_mentor_keeps_the_other_ranks() -> None:
    result = match(prefs(a="gone x"), caps(x=1), set())
    assert result.rank_of == {"a": 2}


def test_no_mentees_give_an_empty_matching() -> None:
    assert match([], caps(x=1), set()) == Matching([], {}, [], [])


def test_weights_stay_exact_for_two_thousand_mentees() -> None:
    mentees = [MenteePrefs(f"e{i}", ["m0", "m1", "m2"]) for i in range(2000)]
    mentors = [MentorCap(f"m{j}", 1) for j in range(1400)]
    assert score(match(mentees, mentors, set())) == (1, 1, 1, 1400)


def test_a_cohort_beyond_the_old_float_cap_is_matched_exactly() -> None:
    """3,444 mentees were refused while one float64 objective held the exact weights.

    Each mentor is the first choice of two mentees, the second of two and the third of
    two, with room for one: the optimum gives every mentor to a first choice.
    """
    mentors = [MentorCap(f"m{j}", 1) for j in range(1722)]
    mentees = [MenteePrefs(f"e{i}", [f"m{i // 2}", f"m{(i // 2 + 1) % 1722}",
                                     f"m{(i // 2 + 2) % 1722}"]) for i in range(3444)]
    result = match(mentees, mentors, set())
    assert score(result) == (1722, 0, 0, 1722)
    check_consistent(result, mentees, mentors, set())


# Exclusions and capacities


def test_an_excluded_pair_is_never_made_even_as_the_only_choice() -> None:
    result = match(prefs(a="x"), caps(x=1), {("a", "x")})
    assert result.unmatched == ["a"]


def test_an_exclusion_sends_the_mentee_to_their_next_choice() -> None:
    result = match(prefs(a="x y"), caps(x=1, y=1), {("a", "x")})
    assert result.pairs == [("a", "y")]


def test_a_traditional_mentor_can_take_two_mentees() -> None:
    result = match(prefs(a="x", b="x"), caps(x=2), set())
    assert score(result) == (2, 0, 0, 2)


def test_group_mode_fills_a_group_up_to_its_size() -> None:
    mentees = [MenteePrefs(f"e{i}", ["x"]) for i in range(7)]
    result = match(mentees, caps(x=5), set(), mode="group")
    assert score(result) == (5, 0, 0, 5)
    assert len(result.unmatched) == 2


@pytest.mark.parametrize("capacity", [0, 3])
def test_traditional_mode_takes_only_one_or_two_mentees_per_mentor(capacity: int) -> None:
    with pytest.raises(ValueError, match="capacity"):
        match(prefs(a="x"), caps(x=capacity), set())


def test_group_mode_refuses_an_empty_group() -> None:
    with pytest.raises(ValueError, match="capacity"):
        match(prefs(a="x"), caps(x=0), set(), mode="group")


def test_more_than_three_choices_are_refused() -> None:
    with pytest.raises(ValueError, match="more than 3"):
        match(prefs(a="w x y z"), caps(w=1, x=1, y=1, z=1), set())


def test_duplicate_mentees_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate mentees"):
        match([MenteePrefs("a", ["x"]), MenteePrefs("a", ["x"])], caps(x=2), set())


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        match(prefs(a="x"), caps(x=1), set(), mode="pairs")  # type: ignore[arg-type]


# The greedy baseline


def test_greedy_gives_the_first_to_arrive_their_first_choice() -> None:
    result = greedy_first_come(prefs(a="x y", b="x"), caps(x=1, y=1), set())
    assert result.pairs == [("a", "x"), ("b", "y")]
    assert result.flagged == ["b"]


def test_greedy_never_makes_an_excluded_pair() -> None:
    result = greedy_first_come(prefs(a="x"), caps(x=1), {("a", "x")})
    assert result.unmatched == ["a"]


# Properties on small random cases


@given(cases())
@settings(max_examples=300, deadline=None)
def test_match_is_optimal_by_brute_force(case) -> None:
    mentees, mentors, exclusions = case
    assert score(match(mentees, mentors, exclusions)) == brute_force_best(
        mentees, mentors, exclusions)


@given(cases(max_mentees=12, max_mentors=8))
@settings(deadline=None)
def test_match_keeps_capacities_exclusions_and_ranks_consistent(case) -> None:
    mentees, mentors, exclusions = case
    check_consistent(match(mentees, mentors, exclusions), mentees, mentors, exclusions)


@given(cases(max_mentees=12, max_mentors=8))
@settings(deadline=None)
def test_greedy_keeps_capacities_exclusions_and_ranks_consistent(case) -> None:
    mentees, mentors, exclusions = case
    check_consistent(greedy_first_come(mentees, mentors, exclusions), mentees, mentors,
                     exclusions)


@given(cases(max_mentees=12, max_mentors=8))
@settings(deadline=None)
def test_match_scores_at_least_as_well_as_greedy(case) -> None:
    mentees, mentors, exclusions = case
    assert score(match(mentees, mentors, exclusions)) >= score(
        greedy_first_come(mentees, mentors, exclusions))
