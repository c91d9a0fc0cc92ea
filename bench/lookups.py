"""The per-message lookups alone, by program size: a cost that grows with the store shows here.

    python bench/lookups.py [--quick]

For programs of 100, 1,000, 10,000 and 50,000 participants (--quick: up to 10,000), each
seeded with a year of history (``_common.seed_history``) and opened as the daemon opens
it, times the lookups ingest and the send loop make: a participant by address and by
name, the ledger's "seen this key?" and its unfinished entries, the outbox's due items,
its next due time and its counts by state. In-process and CPU-bound: far less disturbed
by a busy machine than the ingest ratio. Prints microseconds per lookup and the growth
from the smallest program to the largest (flat: about 1x).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from _common import emit, seed_history, temp_dir

from mailflow.inbound.ledger import Ledger
from mailflow.outbound.outbox import Outbox
from mailflow.program import participants
from mailflow.store import Store

SIZES = (100, 1_000, 10_000, 50_000)
QUICK_SIZES = (100, 1_000, 10_000)


def per_call(call: Callable[[int], object], budget: float = 0.3) -> float:
    """Microseconds per call of ``call(i)``: the best of 3 rounds of about ``budget`` s."""
    rounds = []
    n = 1
    while True:  # find a round length worth timing
        t0 = time.process_time()
        for i in range(n):
            call(i)
        spent = time.process_time() - t0
        if spent > budget / 10 or n > 100_000:
            break
        n *= 4
    for _ in range(3):
        t0 = time.process_time()
        for i in range(n):
            call(i)
        rounds.append((time.process_time() - t0) / n)
    return 1e6 * min(rounds)


def measure(base: Path, people: int) -> dict[str, float]:
    program = base / "program"
    (program / "state").mkdir(parents=True)
    seed_history(program, people)
    store = Store(program / "state")
    outbox = Outbox(program / "state" / "outbox", clock=lambda: 1.8e9)
    try:
        ledger = Ledger(store)
        result = {
            "find by address": per_call(
                lambda i: participants.find(store, f"member{i % people}@history.example.org")),
            "find by name": per_call(lambda i: participants.named(store, "Zoë Nobody")),
            "ledger known(key)": per_call(lambda i: ledger.known(f"history:{i % people}:1")),
            # TinyDB caches a query's result until the next write, and ingest writes
            # between two calls: the cache is emptied as that write would.
            "ledger unfinished()": per_call(
                lambda i: (ledger.table.clear_cache(), ledger.unfinished())),
            "outbox due(now)": per_call(lambda i: outbox.due(1.8e9)),
            "outbox next_due()": per_call(lambda i: outbox.next_due()),
            "outbox counts()": per_call(lambda i: outbox.counts()),
        }
    finally:
        outbox.close()
        store.close()
    return result


def main() -> None:
    sizes = QUICK_SIZES if "--quick" in sys.argv else SIZES
    rows = {}
    for people in sizes:
        with temp_dir(f"mf-bench-lookups-{people}-") as base:
            rows[people] = measure(base, people)
        print(f"{people:>7} participants done", flush=True)
    names = list(rows[sizes[0]])
    print(f"\n{'us per lookup':22}" + "".join(f"{p:>10,}" for p in sizes) + "    growth")
    growth = {}
    for name in names:
        growth[name] = rows[sizes[-1]][name] / max(rows[sizes[0]][name], 1e-3)
        print(f"{name:22}" + "".join(f"{rows[p][name]:>10.1f}" for p in sizes)
              + f"{growth[name]:>9.1f}x")
    worst = max(growth, key=lambda n: growth[n])
    emit("lookups", {"sizes": list(sizes), "us": {str(p): rows[p] for p in sizes},
                     "worst": worst, "worst_growth": round(growth[worst], 1)})


if __name__ == "__main__":
    main()
