"""compose(): encoded names, threading, RFC 3834 marks and headers that cannot be split."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.errors import DeliveryError
from mailflow.outbound.compose import WIRE, Envelope, bounce_address, compose, message_id_for
from mailflow.outbound.templates import Rendered

DOMAIN = "northlake.example.org"
PROGRAM = "mentorship@northlake.example.org"


def envelope(**overrides) -> Envelope:
    values = {"from_name": "Northlake Mentorship Program", "from_address": PROGRAM,
              "to_name": "Léa Gagnon", "to_address": "lea@example.org", **overrides}
    return Envelope(**values)


def rendered(html: str | None = None, subject: str = "Your application") -> Rendered:
    return Rendered(subject=subject, text="Hello Léa,\nthank you.\n", html=html, language="fr")


def build(env: Envelope | None = None, html: str | None = None, subject: str = "Your application"):
    """The composed bytes, and the message parsed back from them."""
    msg = compose(env or envelope(), rendered(html, subject), "abc123", DOMAIN,
                  now=datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    data = msg.as_bytes()
    return data, message_from_bytes(data, policy=policy.default)


def header_block(data: bytes) -> bytes:
    return data.split(b"\n\n", 1)[0]


@pytest.mark.parametrize("name", ["Léa Gagnon", "José Martínez"])
def test_non_ascii_display_name_is_rfc2047_encoded_and_decodes_back(name):
    data, parsed = build(envelope(to_name=name, from_name=f"Programme de {name}"))

    headers = header_block(data)
    assert headers.isascii()
    assert b"=?utf-8?" in headers
    assert parsed["To"].addresses[0].display_name == name
    assert parsed["To"].addresses[0].addr_spec == "lea@example.org"
    assert parsed["From"].addresses[0].display_name == f"Programme de {name}"


def test_reply_is_threaded_under_the_message_it_answers():
    _, parsed = build(envelope(in_reply_to="orig@mail.example.org",
                               references=("root@mail.example.org", "orig@mail.example.org")))

    assert parsed["In-Reply-To"] == "<orig@mail.example.org>"
    assert parsed["References"] == "<root@mail.example.org> <orig@mail.example.org>"


def test_references_keep_only_the_last_ten_before_the_answered_message():
    refs = tuple(f"r{i}@example.org" for i in range(15))
    _, parsed = build(envelope(in_reply_to="orig@example.org", references=refs))

    ids = parsed["References"].split()
    assert len(ids) == 11
    assert ids[0] == "<r5@example.org>" and ids[-1] == "<orig@example.org>"


def test_mail_answering_nothing_has_no_threading_headers():
    _, parsed = build(envelope(kind="scheduled"))

    assert parsed["In-Reply-To"] is None
    assert parsed["References"] is None


@pytest.mark.parametrize(("kind", "value"), [
    ("reply", "auto-replied"), ("scheduled", "auto-generated"), ("notice", "auto-generated"),
])
def test_auto_submitted_says_how_the_mail_was_triggered(kind, value):
    _, parsed = build(envelope(kind=kind))

    assert parsed["Auto-Submitted"] == value


def test_outlook_auto_responses_are_suppressed():
    _, parsed = build()

    assert parsed["X-Auto-Response-Suppress"] == "All"


def test_message_id_is_on_the_program_domain_and_names_the_item():
    _, parsed = build()

    assert parsed["Message-ID"].startswith("<mf-abc123.")
    assert parsed["Message-ID"].endswith("@northlake.example.org>")
    assert parsed["X-Mailflow-Id"] == "abc123"


def test_message_id_cannot_be_guessed_from_the_item():
    assert message_id_for("abc123", DOMAIN) != message_id_for("abc123", DOMAIN)


def test_an_international_domain_is_sent_in_idna():
    _, parsed = build(envelope(to_address="lea@müller.de"))

    assert parsed["To"].addresses[0].addr_spec == "lea@xn--mller-kva.de"


def test_a_non_ascii_local_part_is_refused_with_a_clear_error():
    with pytest.raises(DeliveryError, match="SMTPUTF8"):
        build(envelope(to_address="léa@example.org"))


def test_bounce_address_carries_the_item_id():
    assert bounce_address("mentorship", DOMAIN, "abc123") == (
        "mentorship+b-abc123@northlake.example.org")


def test_text_only_mail_is_a_single_text_plain_part():
    _, parsed = build()

    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content() == "Hello Léa,\nthank you.\n"


def test_text_and_html_give_multipart_alternative():
    _, parsed = build(html="<p>Hello Léa</p>\n")

    assert parsed.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in parsed.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert parsed.get_body(("html",)).get_content() == "<p>Hello Léa</p>\n"


def test_text_that_holds_the_boundary_line_cannot_split_the_parts():
    boundary_line = "--=_mf_alt_abc123"
    text, html = f"Hello,\n{boundary_line}\nbye\n", f"<p>{boundary_line}--</p>"
    msg = compose(envelope(), Rendered(subject="s", text=text, html=html, language="en"),
                  "abc123", DOMAIN)

    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)

    assert [p.get_content() for p in parsed.iter_parts()] == [text, html]


def test_cr_lf_in_a_display_name_never_splits_a_header():
    data, parsed = build(envelope(to_name="Léa\r\nBcc: victim@example.org",
                                  from_name="Program\nX-Injected: yes"))

    assert parsed["Bcc"] is None
    assert parsed["X-Injected"] is None
    assert len(parsed["To"].addresses) == 1
    assert parsed["To"].addresses[0].addr_spec == "lea@example.org"
    assert b"\nBcc:" not in header_block(data)


def test_cr_lf_in_the_subject_never_splits_a_header():
    _, parsed = build(subject="Hello\r\nBcc: victim@example.org")

    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Hello Bcc: victim@example.org"


def test_reply_to_uses_the_program_name():
    _, parsed = build(envelope(reply_to="mentorship+tok@northlake.example.org"))

    assert parsed["Reply-To"].addresses[0].addr_spec == "mentorship+tok@northlake.example.org"
    assert parsed["Reply-To"].addresses[0].display_name == "Northlake Mentorship Program"


def test_content_language_names_the_rendered_language():
    _, parsed = build()

    assert parsed["Content-Language"] == "fr"


def test_nul_in_names_subject_and_extra_headers_never_reaches_the_headers():
    env = envelope(to_name="Lé\x00a", from_name="Program\x00",
                   extra_headers={"List-Unsubscribe": "<mailto:stop\x00@northlake.example.org>"})
    data, parsed = build(env, subject="Hello\x00there")

    assert b"\x00" not in header_block(data)
    assert parsed["Subject"] == "Hello there"
    assert parsed["To"].addresses[0].display_name == "Lé a"


def test_a_lone_cr_or_other_control_character_in_a_name_never_splits_a_header():
    data, parsed = build(envelope(to_name="Léa\rBcc: victim@example.org\x0b"))

    assert parsed["Bcc"] is None
    assert b"\r" not in header_block(data).replace(b"\r\n", b"")


@pytest.mark.parametrize("address", ["lea@example.org\r\nBcc: victim@example.org",
                                     "lea@exa\x00mple.org", "lea@example.org\nX: y"])
def test_an_address_with_a_control_character_is_refused_with_a_clear_error(address):
    with pytest.raises(DeliveryError, match="control character"):
        build(envelope(to_address=address))


def test_a_message_id_from_mail_that_would_break_a_header_is_left_out():
    data, parsed = build(envelope(in_reply_to="a@b>\r\nBcc: victim@example.org"))

    assert parsed["In-Reply-To"] is None and parsed["Bcc"] is None
    assert b"victim" not in header_block(data)


def test_references_with_nul_or_line_breaks_are_dropped_and_the_rest_kept():
    _, parsed = build(envelope(in_reply_to="ok@example.org",
                               references=("bad\x00@example.org", "x@y>\nBcc: v@e.org",
                                           "first@example.org")))

    assert parsed["References"] == "<first@example.org> <ok@example.org>"


@given(name=st.sampled_from(["Subject", "References", "List-Unsubscribe", "X-Mailflow-Id"]),
       value=st.text(st.characters(min_codepoint=9, max_codepoint=126), max_size=1100))
@settings(max_examples=500)
def test_every_header_is_written_as_compat32_would_write_it(name, value):
    compat32 = policy.compat32.clone(max_line_length=998)

    assert written(WIRE, name, value) == written(compat32, name, value)


def written(wire: policy.Policy, name: str, value: str) -> bytes | str:
    """The header line, or the error it raises, as the policy writes it."""
    try:
        return wire.fold_binary(name, value)
    except Exception as exc:  # the error itself is compared
        return type(exc).__name__
