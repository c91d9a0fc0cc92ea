"""Acting as a participant with a forged From: what may change a record, and what must not."""

from __future__ import annotations

import base64
import email
import email.policy
from datetime import datetime

from mailflow.program import participants
from tests.program.year import ZONE, Run

TIP_DAY = datetime(2027, 3, 1, 9, 0, tzinfo=ZONE)
LATER = datetime(2027, 3, 1, 11, 0, tzinfo=ZONE)


def mail(sender: str, body: str, *, subject: str = "Hello", to: str =
         "mentorship@northlake.example.org", extra: str = "", n: int = 1) -> bytes:
    return (f"From: Someone <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <forged-{n}@attacker.example>\r\n{extra}"
            "Date: Mon, 01 Mar 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


def handle(run: Run, raw: bytes, key: str = "attack:1", now: datetime = LATER):
    with run.program.store.transaction():
        return run.program.handler.handle({"key": key}, raw, now)


def person(run: Run, address: str) -> dict:
    return participants.find(run.program.store, address)


def queued(run: Run, rule: str, recipient: str) -> email.message.EmailMessage:
    [item] = [i for i in run.program.outbox.items.values()
              if i.meta["rule"] == rule and i.recipients == [recipient]]
    return email.message_from_bytes(run.program.outbox.message_bytes(item.id),
                                    policy=email.policy.default)


def calendar_reply(sender: str) -> bytes:
    ics = ("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
           f"ATTENDEE;PARTSTAT=DECLINED:mailto:{sender}\r\n"
           "UID:training_1@northlake.example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return (f"From: Mentee 0 <{sender}>\r\nTo: mentorship@northlake.example.org\r\n"
            "Subject: Declined: First training session\r\nMessage-ID: <cal-1@attacker.example>\r\n"
            "Date: Mon, 01 Mar 2027 10:00:00 -0500\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain\r\n\r\nDeclined\r\n"
            "--b\r\nContent-Type: text/calendar; method=REPLY\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(ics.encode()).decode() + "--b--\r\n").encode()


def test_a_forged_calendar_reply_does_not_change_someones_attendance(run):
    outcome = handle(run, calendar_reply("mentee0@example.org"))

    assert outcome.review or not person(run, "mentee0@example.org").get("attendance")


def test_a_forged_form_does_not_rewrite_an_applicants_answers(run):
    outcome = handle(run, mail("applicant0@example.org",
                               "Full name: Mallory Impostor\nGoals: nothing at all",
                               subject="My application"))

    fields = person(run, "applicant0@example.org").get("fields") or {}
    assert outcome.review or fields.get("name") != "Mallory Impostor"


def test_a_forged_stop_waits_for_the_participants_confirmation(run):
    outcome = handle(run, mail("mentee0@example.org", "STOP", subject="STOP"))

    assert outcome.reading.command == "confirm"
    assert not person(run, "mentee0@example.org").get("opted_out")
    assert queued(run, "confirm-change", "mentee0@example.org")["Subject"]


def test_forged_choices_on_the_from_header_alone_go_to_review(run):
    outcome = handle(run, mail("selected0@example.org", "Mentor 1, Mentor 2 and Mentor 3"))

    assert outcome.review
    assert not person(run, "selected0@example.org").get("choices")


def test_a_reply_token_issued_to_someone_else_ties_nothing(run):
    run.ticks(TIP_DAY, TIP_DAY)
    tip = queued(run, "monthly-tip", "mentee1@example.org")
    stolen = tip["Reply-To"].addresses[0].addr_spec
    outcome = handle(run, mail("mentee0@example.org", "STOP", subject="STOP", to=stolen))

    assert outcome.reading.evidence not in ("token", "thread")
    assert not person(run, "mentee0@example.org").get("opted_out")


def test_a_thread_reply_to_someone_elses_mail_ties_nothing(run):
    run.ticks(TIP_DAY, TIP_DAY)
    tip = queued(run, "monthly-tip", "mentee1@example.org")
    outcome = handle(run, mail("mentee0@example.org", "STOP", subject="STOP",
                               extra=f"In-Reply-To: {tip['Message-ID']}\r\n"))

    assert outcome.reading.evidence == "from"
    assert not person(run, "mentee0@example.org").get("opted_out")


def test_confirm_in_reply_to_a_guessed_message_id_applies_nothing(run):
    handle(run, mail("mentee0@example.org", "STOP", subject="STOP"))
    asked = queued(run, "confirm-change", "mentee0@example.org")
    real = asked["Message-ID"].strip("<>")
    guessed = real.rsplit(".", 1)[0] + ".000000000000@" + real.rsplit("@", 1)[1]
    outcome = handle(run, mail("mentee0@example.org", "CONFIRM", subject="Re: confirm",
                               extra=f"In-Reply-To: <{guessed}>\r\n", n=2), key="attack:2")

    assert outcome.reading.command != "stop"
    assert not person(run, "mentee0@example.org").get("opted_out")


def bounce(to: str, reported: str, quoted_id: str = "<guess-1@northlake.example.org>") -> bytes:
    return (f"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: {to}\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            "Message-ID: <bounce-1@mx.example.org>\r\nAuto-Submitted: auto-replied\r\n"
            "Date: Mon, 01 Mar 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
            "--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            "--r\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.org\r\n"
            f"\r\nFinal-Recipient: rfc822; {reported}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"From: mentorship@northlake.example.org\r\nTo: {reported}\r\n"
            f"Message-ID: {quoted_id}\r\n--r--\r\n").encode()


def test_a_bounce_with_a_guessed_message_id_silences_nobody(run):
    outcome = handle(run, bounce("mentorship@northlake.example.org", "mentee0@example.org"))

    assert outcome.review
    assert not person(run, "mentee0@example.org").get("bounced")


def test_a_bounce_to_someone_elses_signed_return_address_silences_nobody(run):
    run.ticks(TIP_DAY, TIP_DAY)
    [item] = [i for i in run.program.outbox.items.values()
              if i.meta["rule"] == "monthly-tip" and i.recipients == ["mentee1@example.org"]]
    outcome = handle(run, bounce(item.envelope_from, "mentee0@example.org"))

    assert outcome.review
    assert not person(run, "mentee0@example.org").get("bounced")
