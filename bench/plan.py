"""How many mails the example cohort's rules plan over its year, and how long a plan takes.

    python bench/plan.py            # 20, 200 and 2,000 participants
    python bench/plan.py --quick    # 20 and 200

Prints, for each roster size, the mails of `plan` from 2026-12-01 to 2027-12-15 by
template family, the time to compute the plan, and as a baseline measured in the
same run the time per planned mail with no participants (the rule expansion alone),
to show how the cost grows with the roster. Prints figures, never passes or fails.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mailflow.program import participants
from mailflow.runtime import Program, open_program
from tests.program.year import END, START, new_program


def populate(program: Program, size: int) -> None:
    """``size`` participants: half mentees, half mentors, in the stages of a cohort."""
    stages = ("introduced", "introduced", "introduced", "selected", "applicant")
    with program.store.transaction():
        for i in range(size):
            role = "mentee" if i % 2 == 0 else "mentor"
            status = stages[i % len(stages)] if role == "mentee" else "introduced"
            participants.insert(program.store, {
                "email": f"p{i}@example.org", "name": f"Person {i}", "role": role,
                "status": status, "language": "fr" if i % 3 == 0 else "en",
                "introduced": "2027-02-15" if status == "introduced" else None,
                "application": {"complete": i % 10 != 4, "missing": []}})


def measure(size: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = new_program(Path(tmp) / "program")
        program = open_program(root)
        try:
            populate(program, size)
            started = time.perf_counter()
            rows = program.scheduler.plan(START, END)
            seconds = time.perf_counter() - started
        finally:
            program.close()
    families = Counter(r.template.split("/")[0] for r in rows)
    return {"participants": size, "mails": len(rows), "seconds": round(seconds, 6),
            "by_template": dict(sorted(families.items()))}


def main() -> None:
    sizes = (20, 200) if "--quick" in sys.argv else (20, 200, 2000)
    baseline = measure(0)
    print(f"baseline, no participants: {baseline['mails']} mails planned in "
          f"{baseline['seconds'] * 1000:.2f} ms")
    base_us = 1e6 * baseline["seconds"] / max(baseline["mails"], 1)
    print(f"{'participants':>12}  {'mails':>7}  {'seconds':>8}  {'us/mail':>8}  vs baseline")
    results = []
    for size in sizes:
        result = measure(size)
        results.append(result)
        per_mail = 1e6 * result["seconds"] / max(result["mails"], 1)
        print(f"{size:>12}  {result['mails']:>7}  {result['seconds']:>8.3f}  {per_mail:>8.1f}  "
              f"{per_mail / max(base_us, 1e-3):.2f}x")
    print("\nmails by template (the largest roster):")
    for family, count in results[-1]["by_template"].items():
        print(f"  {family:28} {count}")
    print("BENCH-RESULT " + json.dumps({"bench": "plan", "baseline": baseline,
                                        "results": results}))


if __name__ == "__main__":
    main()
