"""Optional mail can be refused by one word, and invitations land in calendars."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime

import icalendar

from mailflow.program import participants
from tests.program.year import ZONE, Run

TIP_DAY = datetime(2027, 3, 1, 9, 0, tzinfo=ZONE)


def queued(run: Run, rule: str, recipient: str) -> email.message.EmailMessage:
    [item] = [i for i in run.program.outbox.items.values()
              if i.meta["rule"] == rule and i.recipients == [recipient]]
    return email.message_from_bytes(run.program.outbox.message_bytes(item.id),
                                    policy=email.policy.default)


def test_a_tip_carries_list_unsubscribe_to_its_signed_reply_address(run):
    run.ticks(TIP_DAY, TIP_DAY)
    tip = queued(run, "monthly-tip", "mentee0@example.org")
    reply_to = tip["Reply-To"].addresses[0].addr_spec
    assert tip["List-Unsubscribe"] == f"<mailto:{reply_to}?subject=STOP>"
    assert "Reply STOP" in tip.get_body(("plain",)).get_content()


def test_a_survey_is_mandatory_and_has_no_unsubscribe(run):
    day = datetime(2027, 6, 1, 9, 0, tzinfo=ZONE)
    run.ticks(day, day)
    survey = queued(run, "midpoint-survey", "mentee0@example.org")
    assert survey["List-Unsubscribe"] is None


def reply_stop(run: Run, tip: email.message.EmailMessage) -> bytes:
    return (f"From: Mentee 0 <mentee0@example.org>\r\n"
            f"To: {tip['Reply-To'].addresses[0].addr_spec}\r\nSubject: STOP\r\n"
            f"Message-ID: <stop-1@example.org>\r\nIn-Reply-To: {tip['Message-ID']}\r\n"
            "Date: Mon, 01 Mar 2027 10:00:00 -0500\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nSTOP\r\n").encode()


def test_replying_stop_opts_out_and_is_confirmed(run):
    run.ticks(TIP_DAY, TIP_DAY)
    tip = queued(run, "monthly-tip", "mentee0@example.org")
    with run.program.store.transaction():
        outcome = run.program.handler.handle({"key": "test:1"}, reply_stop(run, tip),
                                             TIP_DAY)
    assert outcome.reading.kind == "command"
    assert participants.find(run.program.store, "mentee0@example.org")["opted_out"] is True
    assert queued(run, "confirm-unsubscribe", "mentee0@example.org")["Subject"]


def test_a_training_invitation_attaches_an_ics_event_in_the_program_zone(run):
    with run.program.store.transaction():
        participants.set_fields(run.program.store, "selected0@example.org",
                                {"status": "selected"}, "test", TIP_DAY.isoformat())
    day = datetime(2027, 1, 25, 14, 0, tzinfo=ZONE)
    run.ticks(day, day)
    invitation = queued(run, "training-invitation", "selected0@example.org")
    [ics] = [p for p in invitation.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(ics.get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2027, 2, 8, 14, 0, tzinfo=ZONE)
    assert str(event["attendee"]) == "mailto:selected0@example.org"
    assert calendar.walk("VTIMEZONE")


def test_a_survey_mail_carries_its_title_from_config_and_its_questions(run):
    day = datetime(2027, 6, 1, 9, 0, tzinfo=ZONE)
    run.ticks(day, day)
    survey = queued(run, "midpoint-survey", "mentee0@example.org")
    body = survey.get_body(("plain",)).get_content()
    assert "Mid-program survey" in survey["Subject"] + body
    assert "How many times have you met so far?" in body
