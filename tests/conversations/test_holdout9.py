"""mailflow reads the ninth holdout, written apart from its code, without recording
anything wrong.

The cases of holdout9/ (numbered 1001 to 1035) were written by a ninth writer who never
read the parsing code nor the other corpora's replies and expectations, and never tuned
anything against them. They run through the daemon as mail really arrives, exactly as
test_holdout8.py runs holdout8/; ``python -m tests.conversations.report --cases
tests/conversations/holdout9`` prints the same run case by case. Flagged for review is
allowed here; read wrong is not.
"""

from __future__ import annotations

from tests.conversations.harness import HERE, load_cases
from tests.conversations.report import run_all, summary

HOLDOUT9_DIR = HERE / "holdout9"


def test_no_ninth_holdout_conversation_is_read_wrong():
    verdicts = run_all(load_cases(folder=HOLDOUT9_DIR))
    wrong = [v for v in verdicts if v.verdict == "wrong"]
    assert not wrong, summary(verdicts) + "\n" + "\n".join(
        f"{v.case} ({v.client}): expected {v.expected}, got {v.got}: {v.reason}"
        for v in wrong)
