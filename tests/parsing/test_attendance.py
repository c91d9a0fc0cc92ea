"""A calendar's answer to our training invitation is attendance, never a meeting held."""

from __future__ import annotations

import base64
from pathlib import Path

from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import Context, understand
from tests.parsing.context import reading_context

LEA = {"email": "lea@example.com", "name": "Léa", "role": "mentee", "status": "selected"}


def _ctx(tmp_path: Path) -> Context:
    return reading_context(tmp_path, [LEA], extra="calendar:\n  dates:\n    training_1: "
                           "{at: 2027-02-08 14:00, duration: 2h}\n")


def _accepted(uid: str) -> bytes:
    ics = ("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
           "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lea@example.com\r\n"
           f"DTSTART:20270208T190000Z\r\nUID:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return ("From: Léa <lea@example.com>\r\nTo: mentorship@northlake.example.org\r\n"
            "Subject: Accepted: First training session\r\nMessage-ID: <cal-1@example.com>\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain\r\n\r\n\r\n"
            "--b\r\nContent-Type: text/calendar; method=REPLY\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(ics.encode()).decode() + "--b--\r\n").encode("utf-8")


def test_an_accepted_training_invitation_is_attendance(tmp_path):
    reading = understand(decode_message(_accepted("training_1@northlake.example.org")),
                         _ctx(tmp_path))

    assert reading.kind == "attendance" and reading.meeting.reported is None
    assert reading.attendance == {"event": "training_1", "answer": "accepted"}
    assert not reading.needs_review


def test_a_calendar_reply_to_an_event_that_is_not_ours_is_no_attendance(tmp_path):
    reading = understand(decode_message(_accepted("dinner@elsewhere.example")), _ctx(tmp_path))

    assert reading.kind != "attendance"
