"""The trust corpus, measured as a black box: every message's sender, coordinator
authentication and review must be what tests/corpus/trust/expected.yaml says."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _runner() -> ModuleType:
    path = Path(__file__).with_name("run.py")
    spec = importlib.util.spec_from_file_location("trust_corpus_run", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_no_message_of_the_corpus_is_trusted_as_the_coordinator_wrongly() -> None:
    run = _runner()
    results = run.measure()
    trusted = [r for r in results if r.said and r.said.get("authenticated")
               and not r.expected["authenticated"]]
    assert not trusted, "\n".join(f"{r.name}: {'; '.join(r.wrong)}" for r in trusted)


# Four remain, all the safe way (a genuine pass not trusted, a sender read as none);
# strict, so that the day they are right this mark has to go.
@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="4 messages read the safe way; see run.py"
)
def test_every_trust_corpus_message_is_understood_as_expected() -> None:
    run = _runner()
    results = run.measure()
    wrong = [r for r in results if not r.right]
    assert not wrong, "\n".join(
        [run.summary(results), run.breakdown(results)]
        + [f"{r.name}: {'; '.join(r.wrong)}" for r in wrong]
    )
