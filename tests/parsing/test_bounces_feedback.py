"""Feedback reports (ARF, RFC 5965) are automatic mail of kind 'feedback', applied to the
person only when the attached original is our mail; and a failure while classifying
automatic mail means review and no answer, never "a person wrote this"."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mailflow.config.load import BUILTIN_RULES
from mailflow.parsing import automatic
from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import Context, understand
from mailflow.program.engine import decide
from mailflow.program.rules import load_rules
from mailflow.reply_tokens import make_token
from tests.parsing.context import reading_context

SECRET = b"program-secret"
LEA = "lea.gagnon@example.com"
ITEM_ID = "b" * 24
OURS = SimpleNamespace(id=ITEM_ID, message_id="tip-7.k2p9@northlake.example.org",
                       recipients=[LEA], meta={})


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    lea = {"email": LEA, "name": "Léa Gagnon", "role": "mentee", "status": "selected"}
    return reading_context(tmp_path, [lea], [OURS], secret=SECRET)


def arf(mail_from: str = "", message_id: str = "other-3@elsewhere.example",
        rcpt_to: str = "", sender: str = "Abuse Desk <fbl@complaints.mailbox.example>") -> bytes:
    """A feedback report as a mailbox provider's feedback loop writes it."""
    fields = "Feedback-Type: abuse\r\nUser-Agent: ProviderFBL/1.0\r\nVersion: 1\r\n"
    if mail_from:
        fields += f"Original-Mail-From: <{mail_from}>\r\n"
    if rcpt_to:
        fields += f"Original-Rcpt-To: <{rcpt_to}>\r\n"
    return (
        f"From: {sender}\r\nTo: mentorship@northlake.example.org\r\n"
        "Subject: FW: Monthly tip\r\nMessage-ID: <arf-1@complaints.mailbox.example>\r\n"
        "Date: Thu, 11 Feb 2027 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        "--F\r\nContent-Type: text/plain\r\n\r\nA user of ours marked this message as spam.\r\n"
        "Please stop sending them mail.\r\n\r\n"
        f"--F\r\nContent-Type: message/feedback-report\r\n\r\n{fields}"
        "Arrival-Date: Thu, 11 Feb 2027 08:40:00 +0000\r\nSource-IP: 192.0.2.25\r\n\r\n"
        "--F\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n"
        "From: Northlake Mentorship Program <mentorship@northlake.example.org>\r\n"
        f"To: {rcpt_to or 'redacted@mailbox.example'}\r\nSubject: Monthly tip\r\n"
        f"Message-ID: <{message_id}>\r\n\r\nThis month's tip: keep notes of your meetings.\r\n"
        "--F--\r\n").encode()


def test_a_feedback_report_is_automatic_mail_of_kind_feedback(ctx):
    reading = understand(decode_message(arf()), ctx)

    assert reading.kind == "feedback" and reading.bounce.status is None


def test_a_report_on_mail_from_our_signed_return_address_names_its_recipient(ctx):
    verp = f"mentorship+b-{make_token(SECRET, ITEM_ID, LEA)}@northlake.example.org"
    reading = understand(decode_message(arf(mail_from=verp)), ctx)

    assert (reading.kind, reading.bounce.recipient) == ("feedback", LEA)
    assert reading.answers_item == ITEM_ID and not reading.needs_review


def test_a_report_on_our_message_id_names_its_recipient(ctx):
    reading = understand(decode_message(arf(message_id=OURS.message_id)), ctx)

    assert (reading.bounce.recipient, reading.needs_review) == (LEA, False)


def test_a_report_naming_someone_only_by_address_goes_to_review(ctx):
    reading = understand(decode_message(arf(rcpt_to=LEA)), ctx)

    assert (reading.kind, reading.bounce.recipient) == ("feedback", LEA)
    assert reading.needs_review


def test_the_sender_of_a_feedback_report_is_never_answered(ctx):
    rules = load_rules(BUILTIN_RULES)
    for raw in (arf(), arf(rcpt_to=LEA), arf(message_id=OURS.message_id)):
        reading = understand(decode_message(raw), ctx)
        assert not [d for d in decide(reading, None, rules)
                    if d.action.type == "send" and d.action.to != "coordinators"]


def test_a_failure_while_classifying_automatic_mail_is_reviewed_and_never_answered(
        ctx, monkeypatch):
    def broken(_msg):
        raise ValueError("classifier bug")

    raw = (b"From: Ana Souza <ana.souza@example.net>\r\nTo: mentorship@northlake.example.org\r\n"
           b"Subject: Joining the program\r\nMessage-ID: <j1@example.net>\r\n\r\n"
           b"Hello, I would like to join the mentorship program as a mentee.\r\n")
    rules = load_rules(BUILTIN_RULES)
    assert decide(understand(decode_message(raw), ctx), None, rules)  # normally answered

    monkeypatch.setattr(automatic, "_is_bounce", broken)
    reading = understand(decode_message(raw), ctx)

    assert reading.needs_review and reading.no_answer
    assert decide(reading, None, rules) == []
