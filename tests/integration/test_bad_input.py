"""Bad input is recorded, set aside for review, and the daemon goes on."""

from __future__ import annotations

import base64
import os

import pytest

from tests.integration.program import (
    store_data,
    stranger_mail,
    wait_until,
)

BROKEN_MIME = (
    b"From: Broken Client <broken@example.com>\r\n"
    b"To: mentorship@northlake.example.org\r\n"
    b"Subject: =?utf-8?B?not base64 at all!!?=\r\n"
    b"Message-ID: <broken-mime@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    b"--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
    b"--inner\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n@@@not-base64@@@\r\n"
)
UNKNOWN_CHARSET = (
    b"From: Old Client <oldclient@example.com>\r\n"
    b"To: mentorship@northlake.example.org\r\n"
    b"Subject: Candidature\r\n"
    b"Message-ID: <charset@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    b"Je voudrais participer au programme, merci \xe9\xe8\xff\xfe\r\n"
)
EMPTY_BODY = (
    b"From: Silent Person <silent@example.com>\r\n"
    b"To: mentorship@northlake.example.org\r\n"
    b"Subject: \r\n"
    b"Message-ID: <empty@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
)


def huge_attachment() -> bytes:
    payload = base64.encodebytes(os.urandom(20 * 1024 * 1024))
    return (
        b"From: Big Sender <big@example.com>\r\n"
        b"To: mentorship@northlake.example.org\r\n"
        b"Subject: My CV\r\n"
        b"Message-ID: <huge@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Hello, I would like to apply; my CV is attached.\r\n"
        b"--b1\r\nContent-Type: application/pdf; name=\"cv.pdf\"\r\n"
        b"Content-Disposition: attachment; filename=\"cv.pdf\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + payload + b"--b1--\r\n"
    )


def entry_for(program_dir, message_id):
    for entry in store_data(program_dir).get("inbound", {}).values():
        if entry["message_id"] == message_id:
            return entry
    return None


@pytest.mark.parametrize("raw, message_id", [
    (BROKEN_MIME, "broken-mime@example.com"),
    (UNKNOWN_CHARSET, "charset@example.com"),
    (EMPTY_BODY, "empty@example.com"),
], ids=["broken-mime", "unknown-charset", "empty-body"])
def test_bad_message_is_recorded_for_review_and_the_daemon_goes_on(
        daemon, dovecot, smtp_server, raw, message_id):
    dovecot.append(raw)
    dovecot.append(stranger_mail(1))
    wait_until(lambda: any(m.rcpt_tos == ["person1@example.com"] for m in smtp_server.messages),
               20, "the answer to the good message after the bad one", daemon.log_text)
    entry = entry_for(daemon.program_dir, message_id)
    assert entry is not None and entry["state"] == "review", entry
    assert entry["problems"]
    assert daemon.alive()
    assert "Traceback" not in daemon.log_text()


def test_bad_message_is_flagged_in_the_mailbox(daemon, dovecot, smtp_server):
    uid = dovecot.append(EMPTY_BODY)
    dovecot.append(stranger_mail(1))
    smtp_server.wait_for(1, timeout=20)
    wait_until(lambda: b"\\Flagged" in dovecot.flags().get(uid, ()), 10, "the review flag")


def test_20_mb_attachment_is_recorded_and_answered(daemon, dovecot, smtp_server):
    dovecot.append(huge_attachment())
    [answer] = smtp_server.wait_for(1, timeout=60)
    assert answer.rcpt_tos == ["big@example.com"]
    entry = entry_for(daemon.program_dir, "huge@example.com")
    assert entry["size"] > 20_000_000
    assert daemon.alive()
