"""mailflow reads the eighth holdout, written apart from its code, without recording
anything wrong.

The cases of holdout8/ (numbered 901 to 935) were written by an eighth writer who never
read the parsing code nor the other corpora's replies and expectations, and never tuned
anything against them. They run through the daemon as mail really arrives, exactly as
test_holdout7.py runs holdout7/; ``python -m tests.conversations.report --cases
tests/conversations/holdout8`` prints the same run case by case. Flagged for review is
allowed here; read wrong is not.
"""

from __future__ import annotations

from tests.conversations.harness import HERE, load_cases
from tests.conversations.report import run_all, summary

HOLDOUT8_DIR = HERE / "holdout8"


def test_no_eighth_holdout_conversation_is_read_wrong():
    verdicts = run_all(load_cases(folder=HOLDOUT8_DIR))
    wrong = [v for v in verdicts if v.verdict == "wrong"]
    assert not wrong, summary(verdicts) + "\n" + "\n".join(
        f"{v.case} ({v.client}): expected {v.expected}, got {v.got}: {v.reason}"
        for v in wrong)
