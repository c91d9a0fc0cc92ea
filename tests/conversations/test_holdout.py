"""mailflow reads the holdout conversations, written apart from its code, without
recording anything wrong.

The holdout cases (holdout/, numbered 201 and up) were written by someone who never read
the parsing code nor tuned anything against them: they measure how mailflow reads mail
it was not shaped on. Each runs through the daemon as mail really arrives, exactly as
test_conversations.py runs cases/; ``python -m tests.conversations.report --cases
tests/conversations/holdout`` prints the same run case by case. Flagged for review is
allowed here; read wrong is not.
"""

from __future__ import annotations

from tests.conversations.harness import HOLDOUT_DIR, load_cases
from tests.conversations.report import run_all, summary


def test_no_holdout_conversation_is_read_wrong():
    verdicts = run_all(load_cases(folder=HOLDOUT_DIR))
    wrong = [v for v in verdicts if v.verdict == "wrong"]
    assert not wrong, summary(verdicts) + "\n" + "\n".join(
        f"{v.case} ({v.client}): expected {v.expected}, got {v.got}: {v.reason}"
        for v in wrong)
