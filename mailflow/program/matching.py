"""Pair mentees with mentors from their ranked choices: the best assignment, and a greedy baseline.

Objective (lexicographic, exact): maximise the number of mentees given their first choice;
among those assignments, the number given their second; then their third; then the number
matched at all -- to a mentor they did not choose who still has room (such mentees are
*flagged* for the coordinators to confirm). No other preference is expressed: among
assignments equal on these four counts the solver's choice stands (deterministic for a
given input order).

How, for any cohort size: staged optimisation (see :mod:`mailflow.program.flows`). The
assignment is written as a flow: a mentee goes to a chosen mentor by an edge of its own,
or to "any mentor with room" through a shared hub, so the model grows with the number of
choices, not with mentees times mentors. Stage 1 maximises the first choices; stage 2
fixes that count and maximises the second choices; then the third; then the number
matched. Every stage is an integer program with 0/1 objective coefficients, solved by
HiGHS (``scipy.optimize.milp``): no weight ever grows with the cohort, so nothing can
overflow or round, and there is no cap on the number of mentees.

Exclusions are ``(mentee, mentor)`` pairs -- a mentor declared a conflict with that mentee.
The pair gets no edge, and a mentee with any exclusion reaches the mentors it is excluded
from by no hub either (see flows); the result is checked again before it is returned.
Choices of mentors who are not in ``mentors`` (for instance a mentor who withdrew) can never
be met; the other choices keep the rank the mentee gave.

Modes: ``"traditional"`` -- one mentor to one or two mentees (capacity 1 or 2);
``"group"`` -- one mentor with a small group, the capacity being the group size. Same
algorithm; the mode only sets which capacities are valid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from mailflow.program import flows

Mode = Literal["traditional", "group"]
MAX_CHOICES = 3
TRADITIONAL_CAPACITY = (1, 2)


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
    if not mentees:
        return _result(mentees, {}, exclusions, mentors)
    column = {m.email: j for j, m in enumerate(mentors)}
    row = {m.email: i for i, m in enumerate(mentees)}
    choices = [{column[mentor]: rank for mentor, rank in _ranks(mentee).items()
                if mentor in column} for mentee in mentees]
    excluded: list[set[int]] = [set() for _ in mentees]
    for mentee_email, mentor in exclusions:
        if mentee_email in row and mentor in column:
            excluded[row[mentee_email]].add(column[mentor])
    model = flows.build(choices, [m.capacity for m in mentors], excluded)
    placed = flows.solve(model, levels=range(1, MAX_CHOICES + 1))
    assigned = {mentees[i].email: mentors[j].email for i, j in placed.items()}
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
