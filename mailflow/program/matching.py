"""Pair mentees with mentors from their ranked choices: the best assignment, and a greedy baseline.

Objective (lexicographic, exact): maximise the number of mentees given their first choice;
among those assignments, the number given their second; then their third; then the number
matched at all -- to a mentor they did not choose who still has room (such mentees are
*flagged* for the coordinators to confirm). No other preference is expressed: among
assignments equal on these four counts the solver's choice stands (deterministic for a
given input order).

How: each mentor is expanded into ``capacity`` identical slots, and each mentee gets a
private "unmatched" column, so every mentee can always be placed and the problem is a
rectangular assignment solved by ``scipy.optimize.linear_sum_assignment``. With ``n``
mentees and ``B = n + 1``, a mentee's *gain* is ``B**3`` for a first choice, ``B**2`` for a
second, ``B`` for a third, ``1`` for any other mentor and ``0`` for unmatched; the cost is
``B**3 - gain``. The mentees at the levels below level ``k`` add at most ``n * B**(k-1)``,
less than the ``B**k`` of one more mentee at level ``k``, so minimising the total cost is
exactly the lexicographic order above. All costs are integers and every total is at most
``n * B**3``. The solver works in float64, exact for integers below ``2**53``; its
intermediate values (potentials, path lengths) are sums and differences of costs, so
:data:`MAX_MENTEES` (3,443) keeps ``n * B**3`` a further 64 times below ``2**53`` as
headroom, and more mentees are refused rather than silently rounded. 2,000 mentees stay
below ``1.7e13``.

Exclusions are ``(mentee, mentor)`` pairs -- a mentor declared a conflict with that mentee.
They get an infinite cost (the solver never uses them) and the result is checked again
before it is returned. Choices of mentors who are not in ``mentors`` (for instance a
mentor who withdrew) can never be met; the other choices keep the rank the mentee gave.

Modes: ``"traditional"`` -- one mentor to one or two mentees (capacity 1 or 2);
``"group"`` -- one mentor with a small group, the capacity being the group size. Same
algorithm; the mode only sets which capacities are valid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

Mode = Literal["traditional", "group"]
MAX_CHOICES = 3
TRADITIONAL_CAPACITY = (1, 2)
FLOAT_EXACT = 2**53
HEADROOM = 64


def _fits(n: int) -> bool:
    return n * (n + 1) ** MAX_CHOICES * HEADROOM < FLOAT_EXACT


MAX_MENTEES = next(n for n in range(1, 100_000) if not _fits(n + 1))


@dataclass(frozen=True)
class MenteePrefs:
    """A mentee and the mentors they chose, best first (up to three)."""

    email: str
    choices: list[str]  # mentor emails, rank order, up to 3


@dataclass(frozen=True)
class MentorCap:
    """A mentor and how many mentees they take (group mode: the group size)."""

    email: str
    capacity: int


@dataclass(frozen=True)
class Matching:
    """The pairs, each mentee's rank of their mentor, and who needs a coordinator's eye."""

    pairs: list[tuple[str, str]]  # (mentee, mentor), in mentee input order
    rank_of: dict[str, int | None]  # every mentee: 1, 2, 3, or None (not chosen / unmatched)
    unmatched: list[str]
    flagged: list[str]  # mentees matched outside their choices


def score(matching: Matching) -> tuple[int, int, int, int]:
    """The lexicographic objective: (firsts, seconds, thirds, matched at all); higher is better."""
    ranks = Counter(matching.rank_of[mentee] for mentee, _ in matching.pairs)
    return ranks[1], ranks[2], ranks[3], len(matching.pairs)


def _validate(mentees: list[MenteePrefs], mentors: list[MentorCap], mode: Mode) -> None:
    if mode not in ("traditional", "group"):
        raise ValueError(f"unknown mode {mode!r}")
    for label, emails in (("mentee", [m.email for m in mentees]),
                          ("mentor", [m.email for m in mentors])):
        duplicates = sorted(e for e, n in Counter(emails).items() if n > 1)
        if duplicates:
            raise ValueError(f"duplicate {label}s: {', '.join(duplicates)}")
    for mentee in mentees:
        if len(mentee.choices) > MAX_CHOICES:
            raise ValueError(f"{mentee.email} has more than {MAX_CHOICES} choices")
    for mentor in mentors:
        allowed = mentor.capacity in TRADITIONAL_CAPACITY if mode == "traditional" else (
            mentor.capacity >= 1)
        if not allowed:
            raise ValueError(f"{mentor.email}: capacity {mentor.capacity} is not valid in "
                             f"{mode} mode")


def _ranks(mentee: MenteePrefs) -> dict[str, int]:
    """Mentor email -> rank (1-based) as the mentee stated it; a repeated choice keeps its best."""
    ranks: dict[str, int] = {}
    for rank, mentor in enumerate(mentee.choices, start=1):
        ranks.setdefault(mentor, rank)
    return ranks


def _result(mentees: list[MenteePrefs], assigned: dict[str, str],
            exclusions: set[tuple[str, str]], mentors: list[MentorCap]) -> Matching:
    """Build the Matching from mentee -> mentor, checking exclusions and capacities again."""
    pairs = [(m.email, assigned[m.email]) for m in mentees if m.email in assigned]
    broken = [pair for pair in pairs if pair in exclusions]
    if broken:
        raise RuntimeError(f"excluded pairs in the matching: {broken}")
    load = Counter(mentor for _, mentor in pairs)
    capacity = {m.email: m.capacity for m in mentors}
    if any(n > capacity.get(mentor, 0) for mentor, n in load.items()):
        raise RuntimeError("a mentor's capacity is exceeded")
    rank_of = {m.email: _ranks(m).get(assigned[m.email]) if m.email in assigned else None
               for m in mentees}
    return Matching(
        pairs=pairs,
        rank_of=rank_of,
        unmatched=[m.email for m in mentees if m.email not in assigned],
        flagged=[m.email for m in mentees if m.email in assigned and rank_of[m.email] is None],
    )


def match(
    mentees: list[MenteePrefs],
    mentors: list[MentorCap],
    exclusions: set[tuple[str, str]],
    mode: Mode = "traditional",
) -> Matching:
    """The assignment that is best in the lexicographic order of the module docstring."""
    _validate(mentees, mentors, mode)
    n = len(mentees)
    if n > MAX_MENTEES:
        raise ValueError(f"{n} mentees: exact weights only up to {MAX_MENTEES}; split the cohort")
    slots = [m.email for m in mentors for _ in range(m.capacity)]
    if n == 0:
        return _result(mentees, {}, exclusions, mentors)
    columns: dict[str, list[int]] = {}
    for j, mentor in enumerate(slots):
        columns.setdefault(mentor, []).append(j)
    base = n + 1
    top = base**MAX_CHOICES
    gain = {rank: base ** (MAX_CHOICES + 1 - rank) for rank in range(1, MAX_CHOICES + 1)}
    cost = np.full((n, len(slots) + n), float(top))  # the last n columns: unmatched
    cost[:, : len(slots)] = top - 1  # any mentor with room, outside the choices
    row_of = {m.email: i for i, m in enumerate(mentees)}
    for i, mentee in enumerate(mentees):
        for mentor, rank in _ranks(mentee).items():
            cost[i, columns.get(mentor, [])] = top - gain[rank]
    for mentee_email, mentor in exclusions:
        if mentee_email in row_of:
            cost[row_of[mentee_email], columns.get(mentor, [])] = np.inf
    rows, cols = linear_sum_assignment(cost)
    assigned = {mentees[i].email: slots[j] for i, j in zip(rows, cols, strict=True)
                if j < len(slots)}
    return _result(mentees, assigned, exclusions, mentors)


def greedy_first_come(
    mentees: list[MenteePrefs], mentors: list[MentorCap], exclusions: set[tuple[str, str]]
) -> Matching:
    """The baseline: in arrival order, each takes their best choice with room, else any mentor."""
    room = {m.email: m.capacity for m in mentors}
    assigned: dict[str, str] = {}
    for mentee in mentees:
        def free(mentor: str, who: str = mentee.email) -> bool:
            return room.get(mentor, 0) > 0 and (who, mentor) not in exclusions

        pick = next((m for m in _ranks(mentee) if free(m)), None) or next(
            (m for m in room if free(m)), None)
        if pick is not None:
            assigned[mentee.email] = pick
            room[pick] -= 1
    return _result(mentees, assigned, exclusions, mentors)
