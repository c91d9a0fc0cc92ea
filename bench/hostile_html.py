"""HTML to text on hostile markup: time per MB of each pathological shape against ordinary mail.

Run: ``python bench/hostile_html.py`` (``--quick`` for a smoke run, ``--mb`` for the input size).
The baseline is measured in the same run: ordinary mail HTML (a reply with a Gmail quote,
paragraphs, a list, a table and links) of the same size. Each pathological shape is given
as a ratio of its time per MB to the baseline's, at the size asked and at twice that size:
linear work keeps both ratios near each other (super-linear work makes the second grow).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file's name hides the standard library's html module from a script in its folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mailflow.parsing.html_text import html_to_text  # noqa: E402

ORDINARY = (
    '<div dir="ltr"><p>Hi L&eacute;a,</p><p>Tuesday at <b>6pm</b> works for me. See '
    '<a href="https://example.org/agenda">the agenda</a>:</p><ul><li>goals</li><li>grant '
    "draft</li></ul><table><tr><td>Mon</td><td>busy</td></tr></table></div>"
    '<div class="gmail_quote"><blockquote class="gmail_quote">Are you free?</blockquote></div>\n'
)
SHAPES: dict[str, Callable[[int], str]] = {
    "unclosed + stray end tags": lambda n: "<span>" * n + "</x>" * n,
    "deep nesting": lambda n: "<div>" * n + "deep" + "</div>" * n,
    "misnested formatting": lambda n: "".join(f'<b id="{i}">x</i>' for i in range(n)),
    "nested quotes": lambda n: "<blockquote>" * n + "line<br>" * n,
    "inline run on one line": lambda n: "<b>x</b> " * n,
    "unclosed table cells": lambda n: "<table><tr><td>" * n,
}


def _sized(make: Callable[[int], str], size: int) -> str:
    """The shape grown until it is about `size` characters long."""
    unit = max(len(make(100)) // 100, 1)
    return make(max(size // unit, 1))


def _seconds_per_mb(html: str) -> float:
    start = time.perf_counter()
    html_to_text(html)
    return (time.perf_counter() - start) / (len(html) / 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (0.05 MB)")
    parser.add_argument("--mb", type=float, default=0.4, help="input size in MB (default 0.4)")
    args = parser.parse_args()
    size = int((0.05 if args.quick else args.mb) * 1e6)
    html_to_text(ORDINARY)  # imports and caches are not part of the measure
    baseline = _seconds_per_mb(ORDINARY * (size // len(ORDINARY)))
    print(f"ordinary mail HTML: {baseline:.3f} s/MB (baseline)")
    figures: dict[str, list[float]] = {}
    for name, make in SHAPES.items():
        ratios = [_seconds_per_mb(_sized(make, n)) / baseline for n in (size, 2 * size)]
        figures[name] = [round(r, 2) for r in ratios]
        print(f"{name:26} {ratios[0]:6.2f}x baseline at {size / 1e6:.2f} MB, "
              f"{ratios[1]:6.2f}x at {2 * size / 1e6:.2f} MB")
    print("BENCH-RESULT " + json.dumps(
        {"bench": "html", "mb": size / 1e6, "baseline_s_per_mb": round(baseline, 3),
         "ratios": figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
