"""Mentor matching quality and time: the lexicographic optimum against greedy first-come.

For 1,000, 5,000 and 10,000 mentees (no cap since the staged optimisation; mentors =
mentees / 1.5, capacity 1 or 2, so about as many places as mentees), each mentee picks
3 distinct mentors with a Zipf-like popularity skew (mentor k is chosen with weight 1 / k),
so popular mentors are over-asked. Prints the share
of mentees who got their first, second, third choice, another mentor (flagged) or nobody,
for both algorithms on the same data, and the time each takes. Figures, not pass/fail.

    python bench/matching.py [--seed N] [--sizes 1000 5000 10000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from mailflow.program.matching import (
    Matching,
    MenteePrefs,
    MentorCap,
    greedy_first_come,
    match,
)

RESULT_PREFIX = "BENCH-RESULT "  # the line bench/run_all.py collects
ZIPF_EXPONENT = 1.0
EXCLUSIONS_PER_MENTEE = 0.01


def cohort(
    n: int, seed: int
) -> tuple[list[MenteePrefs], list[MentorCap], set[tuple[str, str]]]:
    """Mentees with skewed top-3 choices, mentors with capacity 1-2, a few declared conflicts."""
    rng = np.random.default_rng(seed)
    mentors = [MentorCap(f"mentor{j}@example.org", int(rng.integers(1, 3)))
               for j in range(max(3, round(n / 1.5)))]
    weights = 1.0 / np.arange(1, len(mentors) + 1) ** ZIPF_EXPONENT
    weights /= weights.sum()
    mentees = [
        MenteePrefs(f"mentee{i}@example.org",
                    [mentors[k].email for k in rng.choice(len(mentors), 3, replace=False,
                                                          p=weights)])
        for i in range(n)
    ]
    exclusions = {
        (mentees[int(rng.integers(n))].email, mentors[int(rng.integers(len(mentors)))].email)
        for _ in range(round(n * EXCLUSIONS_PER_MENTEE))
    }
    return mentees, mentors, exclusions


def shares(result: Matching, n: int) -> dict[str, float]:
    """Share of mentees per outcome: 1st, 2nd, 3rd choice, other mentor, unmatched."""
    ranks = [result.rank_of[mentee] for mentee, _ in result.pairs]
    return {
        "1st": ranks.count(1) / n,
        "2nd": ranks.count(2) / n,
        "3rd": ranks.count(3) / n,
        "other": len(result.flagged) / n,
        "unmatched": len(result.unmatched) / n,
    }


def timed(solve: Callable[[], Matching], repeat: int) -> tuple[Matching, float]:
    """The result and the best wall time over ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = solve()
        best = min(best, time.perf_counter() - start)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--quick", action="store_true", help="20 and 200 mentees")
    args = parser.parse_args()
    if args.quick:
        args.sizes = [20, 200]
    header = (f"{'mentees':>7} {'mentors':>7} {'places':>6}  {'algorithm':<9} {'1st':>6} "
              f"{'2nd':>6} {'3rd':>6} {'other':>6} {'none':>6} {'time':>9}")
    print(header)
    print("-" * len(header))
    figures = {}
    for n in args.sizes:
        mentees, mentors, exclusions = cohort(n, args.seed)
        places = sum(m.capacity for m in mentors)
        repeat = 5 if n <= 200 else 1
        for name, solve in (("optimal", match), ("greedy", greedy_first_come)):
            result, seconds = timed(partial(solve, mentees, mentors, exclusions), repeat)
            share = shares(result, n)
            print(f"{n:>7} {len(mentors):>7} {places:>6}  {name:<9} "
                  + " ".join(f"{share[k]:>6.1%}" for k in share)
                  + f" {seconds * 1000:>7.1f}ms")
            figures[f"{name}_{n}"] = {**{k: round(v, 4) for k, v in share.items()},
                                      "seconds": round(seconds, 4)}
    print("\n'other': matched to a mentor they did not choose (flagged); 'none': unmatched.")
    print(RESULT_PREFIX + json.dumps({"bench": "matching", **figures}))


if __name__ == "__main__":
    main()
