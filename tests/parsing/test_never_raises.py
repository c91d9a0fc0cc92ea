"""Property tests: random and mutated mail never makes the parsing layer raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.parsing.automatic import (
    automatic_kind,
    bounced_message_ids,
    bounced_recipients,
    verp_id,
)
from mailflow.parsing.decode import DecodedMessage, decode_message
from mailflow.parsing.html_text import html_to_text
from mailflow.parsing.quotes import split_reply
from tests.parsing.corpus import all_names, raw

SAMPLES = [raw(name) for name in all_names()]
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_all(data: bytes) -> None:
    msg = decode_message(data)
    assert isinstance(msg, DecodedMessage)
    assert automatic_kind(msg, {"mentors@example.org"}) in (None, "bounce", "auto_reply", "own")
    assert isinstance(bounced_recipients(msg), list)
    assert isinstance(bounced_message_ids(msg), list)
    assert verp_id(msg, "mentors") is None or isinstance(verp_id(msg, "mentors"), str)
    reply = split_reply(msg.text)
    assert isinstance(reply.new_text, str)
    if msg.html is not None:
        assert isinstance(html_to_text(msg.html), str)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus mail with byte flips, truncation or duplicated header lines."""
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "insert"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 20))):
            index = draw(st.integers(0, len(data) - 1))
            data[index] = draw(st.integers(0, 255))
    elif kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == "duplicate":
        lines = bytes(data).split(b"\n")
        blank = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
        head = lines[: max(blank, 1)]
        extra = [draw(st.sampled_from(head)) for _ in range(draw(st.integers(1, 5)))]
        data = bytearray(b"\n".join(extra + lines))
    else:
        index = draw(st.integers(0, len(data)))
        data[index:index] = draw(st.binary(max_size=64))
    return bytes(data)


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    _check_all(data)


@FAST
@given(mutated())
def test_mutated_corpus_mail_never_raises(data: bytes) -> None:
    _check_all(data)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=1000))
def test_split_reply_never_raises_on_random_text(text: str) -> None:
    reply = split_reply(text)
    assert isinstance(reply.quoted, str) and isinstance(reply.signature, str)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/ab=\"' &;#pdivlbrq\n")), max_size=400))
def test_html_to_text_never_raises_on_tag_soup(html: str) -> None:
    assert isinstance(html_to_text(html), str)
