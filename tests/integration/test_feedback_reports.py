"""Feedback reports and delay warnings on the real servers: a complaint ends optional mail
and tells the coordinators, a delay is only recorded; neither is ever answered."""

from __future__ import annotations

from tests.integration.program import store_data, wait_until
from tests.integration.test_replies import COORDINATOR, MENTEE, THREAD, daemon, person

__all__ = ["daemon"]  # the fixture, shared with the replies tests


def feedback_report(msg_id: str) -> bytes:
    """An ARF report (RFC 5965) as a mailbox provider's feedback loop sends it: the
    original's headers attached, its recipient redacted, our return path kept."""
    return (
        "From: Feedback Loop <fbl@feedback.mailbox.example>\r\n"
        "To: mentorship@northlake.example.org\r\n"
        "Subject: Abuse report\r\n"
        f"Message-ID: <{msg_id}@feedback.mailbox.example>\r\n"
        "Date: Wed, 10 Feb 2027 08:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\r\n\r\n"
        "--arf\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is an email abuse report for an email message received from IP\r\n"
        "192.0.2.25 on Wed, 10 Feb 2027 07:55:00 +0000.\r\n\r\n"
        "--arf\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: MailboxFBL/2.1\r\nVersion: 1\r\n"
        f"Original-Mail-From: <{THREAD['verp']}>\r\n"
        "Arrival-Date: Wed, 10 Feb 2027 07:55:00 +0000\r\n"
        "Source-IP: 192.0.2.25\r\nReported-Domain: northlake.example.org\r\n\r\n"
        "--arf\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: Northlake Mentorship Program <mentorship@northlake.example.org>\r\n"
        "To: redacted@mailbox.example\r\nSubject: Choose your mentors\r\n"
        f"Message-ID: <{THREAD['message_id']}>\r\n\r\n"
        "--arf--\r\n").encode()


def delay_warning(msg_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        f"To: {THREAD['verp']}\r\n"
        "Subject: Delayed Mail (still being retried)\r\n"
        f"Message-ID: <{msg_id}@mx.example.com>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"d\"\r\n\r\n"
        "--d\r\nContent-Type: text/plain\r\n\r\n"
        "####################################################################\r\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
        "####################################################################\r\n\r\n"
        f"<{MENTEE}>: connect to mx.example.com[192.0.2.9]:25: Connection timed out\r\n"
        "--d\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {MENTEE}\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
        "Will-Retry-Until: Mon, 15 Feb 2027 10:00:00 +0000\r\n"
        "--d--\r\n").encode()


def test_a_feedback_report_stops_optional_mail_and_tells_the_coordinators(
        daemon, dovecot, smtp_server):
    dovecot.append(feedback_report("fbl1"))
    [notice] = smtp_server.wait_for(1, timeout=20)
    assert notice.rcpt_tos == [COORDINATOR]
    assert MENTEE in notice.text()
    lea = person(daemon.program_dir, MENTEE)
    assert lea["opted_out"] is True and not lea.get("bounced")
    wait_until(lambda: any(e["state"] == "processed" for e in
                           store_data(daemon.program_dir).get("inbound", {}).values()), 20,
               "the report handled", daemon.log_text)
    assert all(m.rcpt_tos == [COORDINATOR] for m in smtp_server.messages)  # nobody answered


def test_a_delay_warning_is_recorded_and_neither_marks_nor_notifies(
        daemon, dovecot, smtp_server):
    dovecot.append(delay_warning("d1"))
    wait_until(lambda: any(e["state"] == "processed" for e in
                           store_data(daemon.program_dir).get("inbound", {}).values()), 20,
               "the delay warning handled", daemon.log_text)
    data = store_data(daemon.program_dir)
    assert [e["state"] for e in data["inbound"].values()] == ["processed"]  # not for review
    assert any(e["type"] == "delivery_delayed" and e["participant"] == MENTEE
               for e in data["events"].values())
    assert not person(daemon.program_dir, MENTEE).get("bounced")
    assert len(smtp_server.messages) == 0
