"""Bounces as common MTAs write them: the failed recipient, and whether the failure is
permanent or a delay (which is only recorded, never counted, never answered)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.load import BUILTIN_RULES
from mailflow.parsing.automatic import text_recipients
from mailflow.parsing.bounces import is_address
from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import Context, Reading, understand
from mailflow.program.engine import decide
from mailflow.program.rules import load_rules
from tests.parsing.context import reading_context

PROGRAM = "mentorship@northlake.example.org"


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    return reading_context(tmp_path, [])


def _mail(sender: str, subject: str, body: str, extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: {PROGRAM}\r\nSubject: {subject}\r\n"
            "Message-ID: <n1@mx.example.net>\r\nDate: Tue, 09 Feb 2027 10:05:00 +0000\r\n"
            f"{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + body.replace("\n", "\r\n")).encode()


def _read(raw: bytes, ctx: Context) -> Reading:
    return understand(decode_message(raw), ctx)


GMAIL_SAME_LINE = _mail(
    "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
    "Delivery Status Notification (Failure)",
    "Delivery to the following recipient failed permanently: sofia.rossi@example.it\n\n"
    "Technical details of permanent failure:\nThe email account that you tried to reach "
    "does not exist.\n")
GMAIL_NEXT_LINE = _mail(
    "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
    "Delivery Status Notification (Failure)",
    "Delivery to the following recipient failed permanently:\n\n     sofia.rossi@example.it\n\n"
    "Technical details of permanent failure:\nGoogle tried to deliver your message, but it "
    "was rejected by the server for the recipient domain example.it.\n")


@pytest.mark.parametrize("raw", [GMAIL_SAME_LINE, GMAIL_NEXT_LINE], ids=["same", "next"])
def test_a_gmail_text_bounce_names_the_whole_address(raw, ctx):
    reading = _read(raw, ctx)

    assert (reading.kind, reading.bounce.status) == ("bounce", "permanent")
    assert reading.bounce.recipient == "sofia.rossi@example.it"


def test_our_text_reader_never_cuts_a_gmail_address_short():
    text = decode_message(GMAIL_NEXT_LINE).text
    assert text_recipients(text) == ["sofia.rossi@example.it"]


@pytest.mark.parametrize("text", ["sofia.rossi@e", "a@b", "x@.example.org", "@example.org",
                                  "lea..g@example.org", "lea@example"])
def test_a_recipient_must_be_a_whole_address(text):
    assert not is_address(text)


def test_an_exchange_text_bounce_is_read_by_the_second_reader(ctx):
    raw = _mail(
        "System Administrator <postmaster@corp.example>", "Undeliverable: Choose your mentors",
        "Your message\n\n  To:      Chen Wei\n  Subject: Choose your mentors\n"
        "  Sent:    Tue, 9 Feb 2027 10:00:00 -0500\n\n"
        "did not reach the following recipient(s):\n\n"
        "chen.wei@corp.example on Tue, 9 Feb 2027 10:01:00 -0500\n"
        "    The e-mail account does not exist at the organization this message was sent to.\n"
        "    <mx.corp.example #5.1.1>\n")
    reading = _read(raw, ctx)

    assert (reading.kind, reading.bounce.recipient) == ("bounce", "chen.wei@corp.example")
    assert reading.bounce.status == "permanent"


def test_a_failing_second_reader_sends_the_bounce_to_review(ctx, monkeypatch):
    import flufl.bounce

    def broken(_msg):
        raise RuntimeError("detector bug")

    monkeypatch.setattr(flufl.bounce, "all_failures", broken)
    reading = _read(GMAIL_SAME_LINE, ctx)

    assert reading.kind == "bounce" and reading.needs_review
    assert any("bounce detector failed" in p for p in reading.problems)


DELAYS = {
    "postfix": _mail(
        "Mail Delivery System <MAILER-DAEMON@mx.example.net>",
        "Delayed Mail (still being retried)",
        "This is the mail system at host mx.example.net.\n\n"
        "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################\n\n"
        "Your message could not be delivered for more than 4 hour(s).\n"
        "It will be retried until it is 5 day(s) old.\n\n"
        "<marc.dupuis@example.fr>: connect to mx.example.fr[192.0.2.40]:25: "
        "Connection timed out\n", "Return-Path: <>\r\n"),
    "exim": _mail(
        "Mail Delivery System <Mailer-Daemon@mx.example.net>",
        "Warning: message 1kABCD-000123-Xy delayed 24 hours",
        "This message was created automatically by mail delivery software.\n"
        "A message that you sent has not yet been delivered to one or more of its\n"
        "recipients after more than 24 hours on the queue on mx.example.net.\n\n"
        "The address to which the message has not yet been delivered is:\n\n"
        "  marc.dupuis@example.fr\n    Delay reason: refused by remote host\n\n"
        "No action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\n"
        "remains undelivered. Eventually the mail delivery software will give up,\n"
        "and when that happens, the message will be returned to you.\n"),
    "exchange": _mail(
        "Microsoft Outlook <postmaster@contoso.example>", "Delivery delayed:Choose your mentors",
        "Delivery is delayed to these recipients or groups:\n\n"
        "chen.wei@contoso.example (chen.wei@contoso.example)\n\n"
        "Subject: Choose your mentors\n\nThis message hasn't been delivered yet. Delivery "
        "will continue to be attempted.\n\nThe server will keep trying to deliver this message "
        "for the next 1 days, 19 hours and 52 minutes. You'll be notified if the message "
        "can't be delivered by that time.\n"),
    "gmail": _mail(
        "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        "Delivery Status Notification (Delay)",
        "Delivery incomplete\n\nThere was a temporary problem delivering your message to "
        "jose@example.es. Gmail will retry for 46 more hours. You'll be notified if the "
        "delivery fails permanently.\n"),
}


@pytest.mark.parametrize("name", sorted(DELAYS))
def test_a_delay_is_a_temporary_bounce(name, ctx):
    reading = _read(DELAYS[name], ctx)

    assert (reading.kind, reading.bounce.status) == ("bounce", "temporary")
    assert not reading.needs_review  # a delay silences nobody: there is nothing to check


@pytest.mark.parametrize("name", sorted(DELAYS))
def test_no_rule_acts_on_a_delay(name, ctx):
    reading = _read(DELAYS[name], ctx)

    assert decide(reading, None, load_rules(BUILTIN_RULES)) == []
