"""Hostile mail is read in bounded work: HTML tag soup, deep nesting, MIME depth, header floods."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from mailflow.parsing.html_text import html_to_text


def _lines_executed(work: Callable[[], object]) -> int:
    """How many Python lines `work` executes: a deterministic measure of work, unlike time."""
    count = 0

    def tracer(_frame: FrameType, event: str, _arg: Any) -> Callable[..., Any]:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _grows_linearly(make: Callable[[int], str], n: int) -> bool:
    """Whether doubling the input at most (about) doubles the work of html_to_text."""
    html_to_text(make(16))  # first use: imports and caches are not part of the measure
    small = _lines_executed(lambda: html_to_text(make(n)))
    large = _lines_executed(lambda: html_to_text(make(2 * n)))
    return large <= 2.5 * small


def test_unclosed_tags_then_stray_end_tags_take_linear_work():
    assert _grows_linearly(lambda n: "<span>" * n + "</x>" * n, 1500)


def test_deeply_nested_quotes_give_text_in_proportion_to_the_html():
    html = "<blockquote>" * 5000 + "line<br>" * 5000
    assert len(html_to_text(html)) <= 2 * len(html)


def test_misnested_formatting_tags_take_linear_work():
    assert _grows_linearly(lambda n: "".join(f'<b id="{i}">x</i>' for i in range(n)), 1500)
