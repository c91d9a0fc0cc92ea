"""Import time against the rows imported: one table write per import, so linear.

    python bench/imports.py [--quick]

Prints, for N rows (1,000, 10,000, 50,000; --quick: 1,000 and 5,000), the time of
`mailflow import mentees` into a fresh program, of the same file imported again (every
row an update), and the baseline: reading and validating the CSV alone (csv +
email-validator), measured in the same run. Ends with a BENCH-RESULT line.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from email_validator import validate_email

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email", "language", "affiliation"])
        for i in range(rows):
            writer.writerow([f"Person {i}", f"person{i}@example.org", "en", f"Lab {i % 97}"])


def _baseline(path: Path) -> float:
    start = time.perf_counter()
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            validate_email(row["email"], check_deliverability=False)
    return time.perf_counter() - start


def _import(program: Path, path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program), "import", "mentees",
                    str(path)], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    sizes = [1_000, 5_000] if "--quick" in sys.argv else [1_000, 10_000, 50_000]
    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            program, path = Path(tmp) / "program", Path(tmp) / "people.csv"
            subprocess.run([sys.executable, "-m", "mailflow", "init", str(program)],
                           check=True, capture_output=True, cwd=ROOT)
            _write(path, rows)
            base = _baseline(path)
            first, again = _import(program, path), _import(program, path)
        results.append({"rows": rows, "baseline_s": round(base, 2), "import_s": round(first, 2),
                        "reimport_s": round(again, 2)})
        print(f"{rows:>6} rows: import {first:6.2f} s, again {again:6.2f} s; "
              f"baseline (parse + validate) {base:5.2f} s")
    print("BENCH-RESULT " + json.dumps({"bench": "imports", "imports": results}))


if __name__ == "__main__":
    main()
