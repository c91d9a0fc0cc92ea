"""Matching has no cohort cap: large cohorts are matched, exactly, by staged optimisation."""

from __future__ import annotations

import random

from hypothesis import given, settings

from mailflow.program import flows
from mailflow.program.matching import (
    MenteePrefs,
    MentorCap,
    greedy_first_come,
    match,
    score,
)
from tests.unit.test_matching import brute_force_best, cases, check_consistent

LARGE = 10_000


def skewed_cohort(n: int, seed: int) -> tuple[list[MenteePrefs], list[MentorCap],
                                               set[tuple[str, str]]]:
    """Mentees whose three choices favour a few popular mentors, and some conflicts."""
    rng = random.Random(seed)
    mentors = [MentorCap(f"mentor{j}@example.org", rng.choice((1, 2)))
               for j in range(n * 2 // 3)]
    weights = [1 / (k + 1) for k in range(len(mentors))]
    mentees = []
    for i in range(n):
        picks: list[str] = []
        while len(picks) < 3:
            pick = rng.choices(mentors, weights)[0].email
            if pick not in picks:
                picks.append(pick)
        mentees.append(MenteePrefs(f"mentee{i}@example.org", picks))
    exclusions = {(rng.choice(mentees).email, rng.choice(mentors).email)
                  for _ in range(n // 100)}
    return mentees, mentors, exclusions


def test_ten_thousand_mentees_are_matched() -> None:
    mentees, mentors, exclusions = skewed_cohort(LARGE, seed=3)
    result = match(mentees, mentors, exclusions)
    check_consistent(result, mentees, mentors, exclusions)
    assert score(result) >= score(greedy_first_come(mentees, mentors, exclusions))


def test_a_large_cohort_reaches_an_optimum_known_by_construction() -> None:
    """Mentor k is the first choice of mentees 2k and 2k+1 and has room for one: at best
    half the mentees get their first choice, and the other half their second, which is
    the first choice of nobody (a second, quiet mentor per pair)."""
    pairs = LARGE // 2
    mentors = [MentorCap(f"busy{k}", 1) for k in range(pairs)] + [
        MentorCap(f"quiet{k}", 1) for k in range(pairs)]
    mentees = [MenteePrefs(f"e{i}", [f"busy{i // 2}", f"quiet{i // 2}"]) for i in range(LARGE)]
    result = match(mentees, mentors, set())
    assert score(result) == (pairs, pairs, 0, LARGE)


def test_a_large_cohort_keeps_every_exclusion_even_when_matched_outside_choices() -> None:
    """More mentees than chosen places: the rest are placed with mentors they did not
    choose, and none of them with the mentor they are in conflict with."""
    mentors = [MentorCap(f"m{j}", 2) for j in range(3000)]
    mentees = [MenteePrefs(f"e{i}", ["m0"]) for i in range(5000)]
    exclusions = {(f"e{i}", f"m{j}") for i in range(0, 5000, 50) for j in range(1, 40)}
    result = match(mentees, mentors, exclusions)
    check_consistent(result, mentees, mentors, exclusions)
    assert score(result) == (2, 0, 0, 5000)


@given(cases(max_mentees=5, max_mentors=3))
@settings(max_examples=200, deadline=None)
def test_small_instances_are_optimal_against_brute_force(case) -> None:
    mentees, mentors, exclusions = case
    result = match(mentees, mentors, exclusions)
    check_consistent(result, mentees, mentors, exclusions)
    assert score(result) == brute_force_best(mentees, mentors, exclusions)


def _model(case) -> flows.FlowModel:
    mentees, mentors, exclusions = case
    column = {m.email: j for j, m in enumerate(mentors)}
    choices = [{column[c]: r for r, c in enumerate(e.choices, 1)} for e in mentees]
    excluded = [{column[m] for who, m in exclusions if who == e.email} for e in mentees]
    return flows.build(choices, [m.capacity for m in mentors], excluded)


@given(cases(max_mentees=12, max_mentors=8))
@settings(max_examples=200, deadline=None)
def test_the_stages_over_optimal_faces_agree_with_the_stages_over_added_rows(case) -> None:
    """The fast way (LPs over faces found by duals) gives the optimum of the plain one
    (integer programs with a row per earlier optimum), and is not silently skipped."""
    problem, objectives = flows.staged(_model(case), levels=(1, 2, 3))
    fast = problem.by_faces(objectives)
    assert fast is not None
    plain = problem.by_rows(objectives)
    assert [o @ fast for o in objectives] == [o @ plain for o in objectives]
