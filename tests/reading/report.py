"""``python -m tests.reading.report``: correct / flagged / wrong over the reading corpus."""

from __future__ import annotations

from collections import Counter, defaultdict

from tests.reading.corpus import run_all


def main() -> None:
    verdicts, elapsed = run_all()
    total = Counter(v.outcome for v in verdicts)
    n = len(verdicts)
    print(f"Reading corpus: {n} messages")
    for outcome in ("correct", "flagged", "wrong"):
        print(f"  {outcome:8} {total[outcome]:3}  ({100 * total[outcome] / n:.1f} %)")
    per_kind: dict[str, Counter] = defaultdict(Counter)
    for v in verdicts:
        per_kind[v.expected_kind][v.outcome] += 1
    print("\nBy expected kind:        total correct flagged  wrong")
    for kind in sorted(per_kind):
        c = per_kind[kind]
        print(f"  {kind:22} {sum(c.values()):5} {c['correct']:7} {c['flagged']:7} {c['wrong']:6}")
    wrong = [v for v in verdicts if v.outcome == "wrong"]
    if wrong:
        print("\nWrong:")
        for v in wrong:
            print(f"  {v.name}: expected {v.expected_kind}, got {v.got_kind}")
            for key, (exp, got) in v.diffs.items():
                print(f"      {key}: expected {exp!r}, got {got!r}")
    flagged = [v for v in verdicts if v.outcome == "flagged"]
    if flagged:
        print("\nFlagged (sent to a person):")
        for v in flagged:
            print(f"  {v.name}: expected {v.expected_kind}, got {v.got_kind}")
    print(f"\nSpeed: {n / elapsed:.0f} messages/second (decode + understand, "
          f"{1000 * elapsed / n:.2f} ms per message)")


if __name__ == "__main__":
    main()
