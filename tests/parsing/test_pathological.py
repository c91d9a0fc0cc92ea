"""Hostile mail is read in bounded work: HTML tag soup, deep nesting, MIME depth, header floods."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mailflow.budget import BudgetExceeded, time_budget
from mailflow.daemon import MESSAGE_BUDGET_SECONDS
from mailflow.parsing.decode import (
    MAX_DEPTH,
    MAX_HEADER_CHARS,
    MAX_HEADERS,
    MAX_HTML_CHARS,
    MAX_PARTS,
    MAX_TEXT_CHARS,
    decode_message,
)
from mailflow.parsing.html_text import html_to_text
from mailflow.parsing.understand import Context, understand
from tests.reading.corpus import corpus_context

# -- HTML ------------------------------------------------------------------------------------


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


# -- MIME ------------------------------------------------------------------------------------

HEAD = (
    b"From: Stranger <stranger@example.org>\r\n"
    b"To: mentorship@northlake.example.org\r\n"
    b"Subject: Joining\r\n"
    b"Message-ID: <hostile-1@example.org>\r\n"
    b"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
    b"MIME-Version: 1.0\r\n"
)
HELLO = b"Hello, I would like to join the program."


def _mail(content_type: bytes, body: bytes, extra_headers: bytes = b"") -> bytes:
    return HEAD + extra_headers + content_type + b"\r\n\r\n" + body + b"\r\n"


def _nested_multiparts(depth: int) -> bytes:
    """Each level a multipart/mixed whose first part is text, then the next level."""
    body = b""
    for level in range(depth):
        body += (
            b'Content-Type: multipart/mixed; boundary="level%d"\r\n\r\n--level%d\r\n'
            b"Content-Type: text/plain\r\n\r\n%s\r\n--level%d\r\n" % (level, level, HELLO, level)
        )
    body += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    for level in reversed(range(depth)):
        body += b"--level%d--\r\n" % level
    return HEAD + body


def test_deeply_nested_multiparts_are_read_down_to_the_limit():
    msg = decode_message(_nested_multiparts(1000))
    assert msg.text.startswith(HELLO.decode())
    assert f"MIME nested more than {MAX_DEPTH} deep, deeper parts ignored" in msg.problems


def test_deeply_nested_attached_messages_are_read_down_to_the_limit():
    inner = b"Content-Type: text/plain\r\n\r\n" + HELLO + b"\r\n"
    for level in range(1000):
        inner = (
            b"Content-Type: message/rfc822\r\n\r\nFrom: level%d@example.org\r\n"
            b"Subject: Fwd\r\n" % level + inner
        )
    msg = decode_message(HEAD + inner)
    assert msg.sender == "stranger@example.org"
    assert f"MIME nested more than {MAX_DEPTH} deep, deeper parts ignored" in msg.problems


def test_parts_beyond_the_limit_are_ignored():
    parts = b"".join(
        b"--B\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(3 * MAX_PARTS)
    )
    msg = decode_message(_mail(b'Content-Type: multipart/mixed; boundary="B"', parts + b"--B--"))
    assert msg.text.startswith("part 0\n\npart 1")
    assert f"part {2 * MAX_PARTS}" not in msg.text
    assert f"more than {MAX_PARTS} MIME parts, parts beyond ignored" in msg.problems


def test_header_fields_beyond_the_limit_are_ignored():
    flood = b"".join(b"X-Tracking-%d: %d\r\n" % (i, i) for i in range(20 * MAX_HEADERS))
    msg = decode_message(_mail(b"Content-Type: text/plain", HELLO, flood))
    assert msg.sender == "stranger@example.org" and msg.text == HELLO.decode()
    assert len(msg.headers) == MAX_HEADERS
    assert f"more than {MAX_HEADERS} header fields, those beyond ignored" in msg.problems


def test_a_huge_header_field_is_cut():
    huge = b"X-Spam-Report: " + b"scored high " * (MAX_HEADER_CHARS // 2) + b"\r\n"
    msg = decode_message(_mail(b"Content-Type: text/plain", HELLO, huge))
    assert msg.text == HELLO.decode()
    assert all(len(value) <= MAX_HEADER_CHARS for _, value in msg.headers)
    assert f"header field longer than {MAX_HEADER_CHARS} characters, cut" in msg.problems


def test_text_beyond_the_limit_is_cut():
    body = HELLO + b"\r\n" + b"more text, " * (MAX_TEXT_CHARS // 5)
    msg = decode_message(_mail(b"Content-Type: text/plain; charset=utf-8", body))
    assert msg.text.startswith(HELLO.decode()) and len(msg.text) <= MAX_TEXT_CHARS
    assert f"text beyond {MAX_TEXT_CHARS} characters ignored" in msg.problems


def test_html_beyond_the_limit_is_cut_and_recorded():
    html = "<p>Hello, I would like to join.</p>" + "<div>filler</div>" * 30_000
    msg = decode_message(_mail(b"Content-Type: text/html; charset=utf-8", html.encode()))
    assert msg.text.startswith("Hello, I would like to join.")
    assert msg.html is not None and len(msg.html) == MAX_HTML_CHARS
    assert f"HTML beyond {MAX_HTML_CHARS} characters ignored" in msg.problems


def test_html_limit_counts_all_the_parts_together():
    html = b"<table><tr><td>cell" * 5_000  # 100,000 characters a part
    parts = b"".join(
        b"--B\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + b"\r\n" for _ in range(10)
    )
    msg = decode_message(_mail(b'Content-Type: multipart/mixed; boundary="B"', parts + b"--B--"))
    assert f"HTML beyond {MAX_HTML_CHARS} characters ignored" in msg.problems


# -- the time budget -------------------------------------------------------------------------


def _spin() -> None:
    """Work that would go on for hours: only the budget ends it."""
    for _ in range(10**11):
        pass


def test_work_past_its_budget_is_interrupted():
    with pytest.raises(BudgetExceeded), time_budget(0.05):
        _spin()


def test_the_budget_is_not_swallowed_by_except_exception():
    # contextlib.suppress(Exception) stands for the parsing code's fallbacks
    with pytest.raises(BudgetExceeded), time_budget(0.05), contextlib.suppress(Exception):
        _spin()


def test_the_budget_is_a_no_op_outside_the_main_thread():
    outcome: list[str] = []

    def work() -> None:
        with time_budget(0.01):
            time.sleep(0.05)
        outcome.append("finished")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["finished"]


def test_the_alarm_is_disarmed_after_the_block():
    with time_budget(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


# -- fuzz: hostile mail of every kind is read within the daemon's budget ---------------------

HTML_SHAPES = [
    lambda n: "<span>" * n + "</x>" * n,
    lambda n: "<div>" * n + "deep" + "</div>" * n,
    lambda n: "".join(f'<b id="{i}">x</i>' for i in range(n)),
    lambda n: "<blockquote>" * n + "line<br>" * n,
    lambda n: "<ul><li>" * n,
    lambda n: "<b>x</b> " * n,
]


@st.composite
def hostile_mail(draw: st.DrawFn) -> bytes:
    """HTML tag soup inside nested multiparts, among many parts, under a flood of headers."""
    html = draw(st.sampled_from(HTML_SHAPES))(draw(st.integers(1, 20_000)))
    part = b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html.encode() + b"\r\n"
    for level in range(draw(st.integers(0, 300))):
        siblings = b"".join(
            b"--n%d\r\nContent-Type: text/plain\r\n\r\nsibling\r\n" % level
            for _ in range(draw(st.integers(0, 3)))
        )
        part = (
            b'Content-Type: multipart/mixed; boundary="n%d"\r\n\r\n%s--n%d\r\n%s\r\n--n%d--\r\n'
            % (level, siblings, level, part, level)
        )
    flood = b"".join(b"Received: from relay%d.example.net\r\n" % i
                     for i in range(draw(st.integers(0, 5000))))
    return HEAD + flood + part


@pytest.fixture(scope="module")
def context() -> Iterator[Context]:
    with corpus_context() as ctx:
        yield ctx


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=hostile_mail())
@example(raw=_mail(b"Content-Type: text/html", b"<span>" * 40_000 + b"</x>" * 40_000))  # the issue
def test_hostile_mail_is_read_within_the_daemon_budget(context: Context, raw: bytes) -> None:
    with time_budget(MESSAGE_BUDGET_SECONDS):
        reading = understand(decode_message(raw), context)
    assert reading.sender == "stranger@example.org"

