"""The automatic-mail corpus, measured as a black box through `mailflow parse`:
bounces, auto-replies and feedback reports must never be answered, people's mail that
only looks automatic must never be taken for it, and bounces must name the failed
recipient (tests/corpus/automatic/expected.yaml, evaluated by run.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _runner() -> ModuleType:
    path = Path(__file__).with_name("run.py")
    spec = importlib.util.spec_from_file_location("automatic_corpus_run", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report() -> Any:
    measured, _stderr = _runner().measure()
    return measured


def _misses(report: Any, names: list[str]) -> str:
    return "\n".join(m for m in report.misses if m.split(":", 1)[0] in names)


def test_automatic_mail_is_never_answered(report: Any) -> None:
    assert report.automatic.percent >= 99.0, (
        f"{report.automatic.line()}\n{_misses(report, report.answered)}"
    )


def test_no_person_mail_is_taken_for_automatic(report: Any) -> None:
    assert not report.persons_taken, (
        f"{report.person.line()}\n{_misses(report, report.persons_taken)}"
    )


def test_bounces_name_the_right_recipient(report: Any) -> None:
    wrong = [m for m in report.misses if "recipient " in m and m.startswith("bounce")]
    assert report.recipient.percent >= 90.0, f"{report.recipient.line()}\n" + "\n".join(wrong)
