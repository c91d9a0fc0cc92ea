"""A bounce silences a participant's mail only when it is tied to our mail by a signature."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import Context, understand
from mailflow.reply_tokens import make_token
from tests.parsing.context import reading_context

SECRET = b"program-secret"
LEA = "lea.gagnon@example.com"
ITEM_ID = "a" * 24
OURS = SimpleNamespace(id=ITEM_ID, message_id="tip-1.x7q2@northlake.example.org",
                       recipients=[LEA], meta={})


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    lea = {"email": LEA, "name": "Léa Gagnon", "role": "mentee", "status": "selected"}
    return reading_context(tmp_path, [lea], [OURS], secret=SECRET)


def _dsn(envelope_to: str, quoted_id: str = "other-1@elsewhere.example") -> bytes:
    """A Postfix-style DSN for a mail to Léa, delivered to ``envelope_to``."""
    return (
        "Return-Path: <>\r\n"
        f"Delivered-To: {envelope_to}\r\n"
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\r\n"
        f"To: {envelope_to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.com>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered\r\n"
        f"to one or more recipients.\r\n\r\n<{LEA}>: mailbox unavailable\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {LEA}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Northlake <mentorship@northlake.example.org>\r\nTo: {LEA}\r\n"
        f"Message-ID: <{quoted_id}>\r\nSubject: Tip\r\n\r\n--B--\r\n").encode()


def test_a_bounce_to_our_signed_return_address_is_applied(ctx):
    token = make_token(SECRET, ITEM_ID, LEA)
    reading = understand(decode_message(
        _dsn(f"mentorship+b-{token}@northlake.example.org")), ctx)

    assert (reading.kind, reading.bounce.recipient) == ("bounce", LEA)
    assert reading.answers_item == ITEM_ID and not reading.needs_review


def test_a_bounce_to_a_return_address_with_a_forged_signature_goes_to_review(ctx):
    forged = ITEM_ID + "abcdefgh"
    reading = understand(decode_message(
        _dsn(f"mentorship+b-{forged}@northlake.example.org")), ctx)

    assert reading.kind == "bounce" and reading.needs_review
    assert reading.answers_item is None


def test_a_bounce_to_an_unsigned_return_address_goes_to_review(ctx):
    reading = understand(decode_message(
        _dsn(f"mentorship+b-{ITEM_ID}@northlake.example.org")), ctx)

    assert reading.kind == "bounce" and reading.needs_review


def test_a_bounce_that_names_a_participant_but_no_mail_of_ours_goes_to_review(ctx):
    reading = understand(decode_message(_dsn("mentorship@northlake.example.org")), ctx)

    assert reading.kind == "bounce" and reading.needs_review


def test_a_bounce_quoting_our_message_id_is_tied_to_our_mail(ctx):
    reading = understand(decode_message(
        _dsn("mentorship@northlake.example.org", quoted_id=OURS.message_id)), ctx)

    assert reading.answers_item == ITEM_ID and not reading.needs_review
