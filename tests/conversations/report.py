"""How mailflow reads the conversation corpus: a line per case and the figures.

``python -m tests.conversations.report [--cases DIR] [CASE-PREFIX...]`` runs every case
of cases/ (or of DIR, e.g. tests/conversations/holdout; or those named) through the
daemon in-process (see ``harness``), rates each (see ``judge``) and prints the per-case
lines, then "conversations: N, correct X (p %), flagged Y, wrong Z", by expected kind and
by client, and the concern cases apart.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from tests.conversations.harness import CASES_DIR, Case, load_cases, run_case
from tests.conversations.judge import Verdict, judge

VERDICTS = ("correct", "flagged", "wrong")


def run_all(cases: Iterable[Case]) -> list[Verdict]:
    """Every case in its own fresh program directory, rated."""
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="mf-conversations-") as tmp:
        for case in cases:
            verdicts.append(judge(run_case(case, Path(tmp) / case.name)))
    return verdicts


def summary(verdicts: list[Verdict]) -> str:
    counts = Counter(v.verdict for v in verdicts)
    total = len(verdicts)
    share = 100 * counts["correct"] / total if total else 0.0
    return (f"conversations: {total}, correct {counts['correct']} ({share:.0f} %), "
            f"flagged {counts['flagged']}, wrong {counts['wrong']}")


def breakdown(verdicts: list[Verdict], attribute: str) -> list[str]:
    """One line per value of ``attribute``: how many, and how many of each verdict."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for verdict in verdicts:
        groups[getattr(verdict, attribute)][verdict.verdict] += 1
    return [f"  {name:<22} {sum(c.values()):>3}   " + "  ".join(
        f"{v} {c[v]:>2}" for v in VERDICTS) for name, c in sorted(groups.items())]


def lines(verdicts: list[Verdict]) -> list[str]:
    out = [f"{'case':<48} {'client':<18} {'lang':<4} {'expected':<11} {'got':<28} "
           f"{'verdict':<8} reason"]
    for v in verdicts:
        out.append(f"{v.case:<48} {v.client:<18} {v.language:<4} {v.expected:<11} "
                   f"{v.got:<28} {v.verdict:<8} {v.reason}")
    out += ["", summary(verdicts), "", "by expected kind:", *breakdown(verdicts, "expected"),
            "", "by client:", *breakdown(verdicts, "client")]
    concerns = [v for v in verdicts if v.concern]
    if concerns:
        out += ["", f"concerns ({len(concerns)}):"]
        out += [f"  {v.case}: {v.verdict}: {v.reason}" for v in concerns]
    return out


def main(argv: list[str]) -> int:
    folder = CASES_DIR
    if argv[:1] == ["--cases"] and len(argv) > 1:
        folder, argv = Path(argv[1]), argv[2:]
    verdicts = run_all(load_cases(argv or None, folder))
    print("\n".join(lines(verdicts)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
