"""Feedback reports (ARF, RFC 5965): a mailbox provider tells us someone marked our mail
as spam or abuse, with the original message or its headers attached.

Only the facts are read here; ``mailflow.parsing.readers.machine.feedback`` ties them to
our mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailflow.parsing.bounces import clean_address
from mailflow.parsing.decode import DecodedMessage

FEEDBACK_PART = "message/feedback-report"
_ORIGINAL_PARTS = frozenset({"message/rfc822", "text/rfc822-headers", "message/global-headers",
                             "message/global"})
_ANGLE = re.compile(r"<([^<>\s]+)>")


@dataclass
class Feedback:
    """What a feedback report says about the complaint and the message complained of."""

    feedback_type: str = "abuse"
    return_paths: list[str] = field(default_factory=list)   # the original's envelope sender
    reply_addresses: list[str] = field(default_factory=list)  # the original's Reply-To
    message_ids: list[str] = field(default_factory=list)    # the original's Message-ID
    named: list[str] = field(default_factory=list)          # who the report says complained


def is_feedback(msg: DecodedMessage) -> bool:
    """A feedback report: ``multipart/report; report-type=feedback-report``, or a
    message/feedback-report part wherever it is."""
    if msg.is_report and (msg.report_type or "") == "feedback-report":
        return True
    return any(part.content_type == FEEDBACK_PART for part in msg.report_parts)


def _addresses(values: list[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        for piece in _ANGLE.findall(value) or re.split(r"[\s,;]+", value):
            address = clean_address(piece)
            if address:
                found.append(address)
    return list(dict.fromkeys(found))


def read_feedback(msg: DecodedMessage) -> Feedback:
    """The report's fields and the attached original's headers (never its body)."""
    report = [p for p in msg.report_parts if p.content_type == FEEDBACK_PART]
    originals = [p for p in msg.report_parts if p.content_type in _ORIGINAL_PARTS]

    def report_values(name: str) -> list[str]:
        return [v for p in report for v in p.values(name)]

    def original_values(name: str) -> list[str]:
        return [v for p in originals for v in p.values(name)]

    kinds = [v.strip().lower() for v in report_values("Feedback-Type") if v.strip()]
    message_ids = [i for v in original_values("Message-ID") for i in _ANGLE.findall(v)]
    return Feedback(
        feedback_type=kinds[0][:40] if kinds else "abuse",
        return_paths=_addresses(report_values("Original-Mail-From")
                                + original_values("Return-Path")),
        reply_addresses=_addresses(original_values("Reply-To")),
        message_ids=list(dict.fromkeys(message_ids)),
        named=_addresses(report_values("Original-Rcpt-To") + report_values("Removal-Recipient")
                         + original_values("To")),
    )
