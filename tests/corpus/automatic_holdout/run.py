"""Measure mailflow on the held-out automatic-mail corpus (messages/ beside this file),
as a black box, against expected.yaml here. It prints the same figures as
tests/corpus/automatic/run.py, whose evaluation it reuses with this folder.

Usage: python tests/corpus/automatic_holdout/run.py [--code CHECKOUT]
It is a report: the exit status is always 0.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE_RUNNER = HERE.parent / "automatic" / "run.py"


def _base():
    spec = importlib.util.spec_from_file_location("automatic_corpus_run", BASE_RUNNER)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    # Same evaluation, this corpus's messages and expectations.
    module.CORPUS = HERE
    module.MESSAGES = HERE / "messages"
    return module


if __name__ == "__main__":
    sys.exit(_base().main(sys.argv[1:]))
