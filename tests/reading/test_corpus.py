"""Every message of tests/corpus/readings read as a careful human would: no wrong answer."""

from __future__ import annotations

import pytest

from tests.reading.corpus import (
    CORPUS,
    corpus_context,
    expected,
    judge,
    names,
    read,
)

EXPECTED = expected()


@pytest.fixture(scope="module")
def ctx():
    with corpus_context() as context:
        yield context


def test_corpus_is_complete():
    files = sorted(p.name for p in CORPUS.glob("*.eml"))
    assert files == names()
    assert len(files) >= 80


@pytest.mark.parametrize("name", names())
def test_reading_is_not_wrong(name, ctx):
    verdict = judge(name, EXPECTED[name], read(name, ctx))
    assert verdict.outcome != "wrong", (
        f"{name}: expected kind {verdict.expected_kind}, got {verdict.got_kind}; "
        f"differences (expected, got): {verdict.diffs}; problems: {verdict.problems}")


def test_at_least_95_percent_of_the_corpus_is_read_correctly(ctx):
    verdicts = [judge(n, EXPECTED[n], read(n, ctx)) for n in names()]
    correct = sum(v.outcome == "correct" for v in verdicts)
    assert correct / len(verdicts) >= 0.95, [v.name for v in verdicts if v.outcome != "correct"]
