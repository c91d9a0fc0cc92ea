"""The cohort lottery: reproducible, reserved places as a floor, priority to new applicants."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.program.lottery import (
    Applicant,
    category,
    chances,
    draw,
    expected_chances,
    next_from_waitlist,
    seed_hash,
    ticket,
    withdraw,
)


def applicants(
    group_new: int, group_prior: int, other_new: int, other_prior: int
) -> list[Applicant]:
    """A pool with this many applicants in each category, emails naming the category."""
    pool = []
    for name, count, group, prior in (
        ("gn", group_new, True, False),
        ("gp", group_prior, True, True),
        ("on", other_new, False, False),
        ("op", other_prior, False, True),
    ):
        pool += [Applicant(f"{name}{i}@example.org", group, prior) for i in range(count)]
    return pool


POOL = applicants(4, 3, 12, 6)
BY_EMAIL = {a.email: a for a in POOL}

pools = st.lists(
    st.builds(Applicant, st.integers(0, 99).map("a{}@x.org".format), st.booleans(),
              st.booleans()),
    max_size=25,
    unique_by=lambda a: a.email,
)


@st.composite
def lotteries(draw_: st.DrawFn) -> tuple[list[Applicant], int, int, str]:
    pool = draw_(pools)
    places = draw_(st.integers(0, len(pool) + 2))
    reserved = draw_(st.integers(0, places))
    return pool, places, reserved, draw_(st.text(min_size=1, max_size=8))


def group_count(emails: list[str], pool: list[Applicant]) -> int:
    group = {a.email for a in pool if a.reserved_group}
    return sum(e in group for e in emails)


# Reproducibility


def test_same_seed_gives_the_same_draw() -> None:
    assert draw(POOL, 8, 3, "2025-spring") == draw(POOL, 8, 3, "2025-spring")


def test_order_of_the_applications_does_not_matter() -> None:
    assert draw(POOL, 8, 3, "s") == draw(list(reversed(POOL)), 8, 3, "s")


def test_different_seeds_give_different_draws() -> None:
    assert draw(POOL, 8, 3, "seed-a").selected != draw(POOL, 8, 3, "seed-b").selected


def test_seed_hash_is_the_sha256_hex_of_the_seed() -> None:
    assert seed_hash("2025-spring") == hashlib.sha256(b"2025-spring").hexdigest()


def test_draw_records_the_announced_seed_hash() -> None:
    assert draw(POOL, 8, 3, "2025-spring").seed_hash == seed_hash("2025-spring")


def test_ticket_is_sha256_of_seed_colon_email() -> None:
    assert ticket("s", "a@x.org") == hashlib.sha256(b"s:a@x.org").hexdigest()


def test_without_reserve_or_prior_participants_the_lowest_tickets_win() -> None:
    pool = applicants(0, 0, 10, 0)
    expected = sorted((a.email for a in pool), key=lambda e: ticket("s", e))
    assert draw(pool, 4, 0, "s").selected == expected[:4]


# Reserved places


@given(lotteries())
def test_the_group_holds_at_least_the_reserved_places(case) -> None:
    pool, places, reserved, seed = case
    group_size = sum(a.reserved_group for a in pool)
    assert group_count(draw(pool, places, reserved, seed).selected, pool) >= min(
        reserved, group_size)


@given(lotteries())
def test_reserved_places_are_held_only_by_group_members(case) -> None:
    pool, places, reserved, seed = case
    group = {a.email for a in pool if a.reserved_group}
    held = [p.email for p in draw(pool, places, reserved, seed).order if p.place == "reserved"]
    assert set(held) <= group
    assert len(held) == min(reserved, len(group))


@given(lotteries())
def test_every_place_is_filled_while_anyone_waits(case) -> None:
    pool, places, reserved, seed = case
    assert len(draw(pool, places, reserved, seed).selected) == min(places, len(pool))


def test_unfilled_reserved_places_become_open_places() -> None:
    result = draw(applicants(1, 0, 10, 0), 5, 3, "s")
    assert [p.place for p in result.order[:5]] == ["reserved", "open", "open", "open", "open"]


@given(lotteries())
def test_reserve_changes_nothing_when_a_plain_lottery_already_meets_it(case) -> None:
    pool, places, reserved, seed = case
    plain = draw(pool, places, 0, seed).selected
    if group_count(plain, pool) >= reserved:
        assert set(draw(pool, places, reserved, seed).selected) == set(plain)


def test_reserve_is_a_floor_not_an_addition_to_the_group_share() -> None:
    pool = applicants(10, 0, 10, 0)
    seed = next(s for s in map(str, range(100))
                if group_count(draw(pool, 6, 0, s).selected, pool) == 3)
    assert group_count(draw(pool, 6, 2, seed).selected, pool) == 3


def test_reserve_replaces_the_worst_ranked_others_when_it_binds() -> None:
    pool = applicants(5, 0, 15, 0)
    seed = next(s for s in map(str, range(200))
                if group_count(draw(pool, 5, 0, s).selected, pool) == 0)
    plain, reserved = draw(pool, 5, 0, seed).selected, draw(pool, 5, 2, seed).selected
    assert set(reserved) - set(plain) == set(draw(pool, 2, 2, seed).selected)
    assert set(plain) - set(reserved) == set(plain[3:])


# Priority to people who were not in an earlier cohort


@given(lotteries())
def test_no_prior_participant_takes_an_open_place_while_a_new_applicant_waits(case) -> None:
    pool, places, reserved, seed = case
    result = draw(pool, places, reserved, seed)
    open_prior = [p for p in result.order if p.place == "open" and p.prior_participant]
    waiting_new = [p for p in result.order if p.place is None and not p.prior_participant]
    assert not (open_prior and waiting_new)


@given(lotteries())
def test_no_prior_group_member_takes_a_reserved_place_before_a_new_one(case) -> None:
    pool, places, reserved, seed = case
    result = draw(pool, places, reserved, seed)
    in_reserve = [p for p in result.order if p.place == "reserved"]
    passed_over = [p for p in result.order
                   if p.reserved_group and not p.prior_participant and p.place != "reserved"]
    assert not (any(p.prior_participant for p in in_reserve) and passed_over)


# Waitlist and withdrawal


@given(lotteries())
def test_waitlist_is_everyone_else_in_rank_order(case) -> None:
    pool, places, reserved, seed = case
    result = draw(pool, places, reserved, seed)
    rank = {a.email: (a.prior_participant, ticket(seed, a.email)) for a in pool}
    assert sorted(result.selected + result.waitlist) == sorted(a.email for a in pool)
    assert result.waitlist == sorted(result.waitlist, key=rank.__getitem__)


def open_holder(result) -> str:
    return next(p.email for p in result.order if p.place == "open")


def reserved_holder(result) -> str:
    return next(p.email for p in result.order if p.place == "reserved")


def test_a_freed_open_place_is_offered_to_the_first_on_the_waitlist() -> None:
    result = draw(POOL, 8, 3, "s")
    assert next_from_waitlist(result, open_holder(result)) == result.waitlist[0]


def test_a_freed_reserved_place_is_offered_to_the_first_group_member_waiting() -> None:
    result = draw(POOL, 8, 3, "s")
    first_group = next(e for e in result.waitlist if BY_EMAIL[e].reserved_group)
    assert result.waitlist[0] != first_group  # the group member is passed ahead of others
    assert next_from_waitlist(result, reserved_holder(result)) == first_group


def test_a_freed_reserved_place_is_open_when_no_group_member_waits() -> None:
    result = draw(applicants(2, 0, 6, 0), 4, 2, "s")
    assert next_from_waitlist(result, reserved_holder(result)) == result.waitlist[0]


def test_withdrawing_from_the_waitlist_frees_no_place() -> None:
    result = draw(POOL, 8, 3, "s")
    assert next_from_waitlist(result, result.waitlist[0]) is None


def test_nobody_is_offered_a_place_when_nobody_waits() -> None:
    result = draw(POOL, len(POOL), 3, "s")
    assert next_from_waitlist(result, result.selected[0]) is None


def test_withdraw_puts_the_offered_person_in_the_freed_place() -> None:
    result = draw(POOL, 8, 3, "s")
    gone = reserved_holder(result)
    offered = next_from_waitlist(result, gone)
    after = withdraw(result, gone)
    assert after.selected == [offered if e == gone else e for e in result.selected]
    assert after.waitlist == [e for e in result.waitlist if e != offered]
    assert next(p.place for p in after.order if p.email == offered) == "reserved"


def test_a_reserved_place_given_to_someone_outside_the_group_becomes_open() -> None:
    result = draw(applicants(2, 0, 6, 0), 4, 2, "s")
    gone = reserved_holder(result)
    after = withdraw(result, gone)
    assert next(p.place for p in after.order if p.email == result.waitlist[0]) == "open"


def test_successive_withdrawals_walk_down_the_waitlist() -> None:
    result = draw(applicants(0, 0, 10, 0), 3, 0, "s")
    offered = []
    for _ in range(3):
        gone = result.selected[0]
        offered.append(next_from_waitlist(result, gone))
        result = withdraw(result, gone)
    assert offered == draw(applicants(0, 0, 10, 0), 3, 0, "s").waitlist[:3]


def test_an_unknown_email_cannot_withdraw() -> None:
    with pytest.raises(ValueError, match="not in this draw"):
        next_from_waitlist(draw(POOL, 8, 3, "s"), "nobody@example.org")


# Refused inputs


@pytest.mark.parametrize(("places", "reserved"), [(3, 4), (-1, 0), (3, -1)])
def test_impossible_place_counts_are_refused(places: int, reserved: int) -> None:
    with pytest.raises(ValueError, match="reserved <= places"):
        draw(POOL, places, reserved, "s")


def test_duplicate_applications_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        draw([*POOL, POOL[0]], 8, 3, "s")


def test_an_empty_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="seed"):
        draw(POOL, 8, 3, "")


# Fairness over many seeds

FAIRNESS_RUNS = 2000
TOLERANCE = 0.05  # 4.5 standard deviations of a 2,000-draw estimate at p = 0.5

SCENARIOS = {
    "cut among new applicants": (applicants(6, 3, 14, 7), 12, 5),
    "cut among prior participants": (applicants(1, 4, 14, 6), 18, 4),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_applicant_is_selected_with_the_documented_chance(scenario: str) -> None:
    pool, places, reserved = SCENARIOS[scenario]
    expected = expected_chances(pool, places, reserved)
    wins = Counter(e for run in range(FAIRNESS_RUNS)
                   for e in draw(pool, places, reserved, f"fair-{run}").selected)
    for applicant in pool:
        chance = wins[applicant.email] / FAIRNESS_RUNS
        assert chance == pytest.approx(expected[category(applicant)], abs=TOLERANCE), applicant


def test_chances_per_category_match_the_documented_chances() -> None:
    pool, places, reserved = SCENARIOS["cut among new applicants"]
    measured = chances(pool, places, reserved, runs=500, seed_prefix="c-")
    for name, chance in expected_chances(pool, places, reserved).items():
        assert measured[name] == pytest.approx(chance, abs=TOLERANCE)


@given(lotteries())
@settings(max_examples=50)
def test_documented_chances_account_for_every_place(case) -> None:
    pool, places, reserved, _ = case
    sizes = Counter(category(a) for a in pool)
    expected = expected_chances(pool, places, reserved)
    total = sum(sizes[name] * chance for name, chance in expected.items())
    assert total == pytest.approx(min(places, len(pool)))


def test_a_binding_reserve_moves_chance_from_the_others_to_the_group() -> None:
    pool, places, reserved = SCENARIOS["cut among new applicants"]
    with_reserve = expected_chances(pool, places, reserved)
    plain = expected_chances(pool, places, 0)
    assert with_reserve["group-new"] > plain["group-new"]
    assert with_reserve["other-new"] < plain["other-new"]
