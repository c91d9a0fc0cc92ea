"""Checks that the real-server test harness (tests/servers) works."""

from __future__ import annotations

import asyncio
import email
import os
import ssl
from email.message import EmailMessage

import aiosmtplib
import pytest
from imapclient import IMAPClient

from tests.servers.dovecot import DovecotServer
from tests.servers.mx import (  # mx_world, mx_dovecot: fixtures
    AUTHSERV_ID,
    MxWorld,
    mx_dovecot,  # noqa: F401
    mx_world,  # noqa: F401
    wait_for_delivery,
)
from tests.servers.smtp import SmtpServer


def raw_message(subject: str, body: str = "Hello.\r\n") -> bytes:
    return (
        f"From: Ann <ann@example.org>\r\nTo: program@example.org\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '-')}@example.org>\r\n"
        f"\r\n{body}"
    ).encode()


def email_message(subject: str = "Welcome", to: str = "bob@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "program@example.org"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("Grüße, Bob!\n")
    return msg


def send(server: SmtpServer, msg: EmailMessage, **kwargs: object) -> object:
    return asyncio.run(
        aiosmtplib.send(msg, hostname=server.host, port=server.port, **kwargs)  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------- Dovecot


def test_append_then_list_uids(dovecot: DovecotServer) -> None:
    assert dovecot.uids() == []
    first = dovecot.append(raw_message("one"))
    second = dovecot.append(raw_message("two"))
    assert (first, second) == (1, 2)
    assert dovecot.uids() == [1, 2]
    mails = dovecot.fetch_all("INBOX")
    assert b"Subject: two" in mails[2]

    dovecot.create_folder("Processed")
    assert dovecot.folders() == ["INBOX", "Processed"]
    dovecot.append(raw_message("three"), folder="Processed")
    assert dovecot.uids("Processed") == [1]


def test_idle_notification_arrives_on_append(dovecot: DovecotServer) -> None:
    imap = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    try:
        imap.login(dovecot.user, dovecot.password)
        assert imap.has_capability("IDLE")
        assert imap.has_capability("MOVE")
        imap.select_folder("INBOX")
        imap.idle()
        dovecot.append(raw_message("wake up"))
        responses = imap.idle_check(timeout=10)
        imap.idle_done()
    finally:
        imap.logout()
    assert (1, b"EXISTS") in responses


def test_move_between_folders(dovecot: DovecotServer) -> None:
    dovecot.append(raw_message("move me"))
    dovecot.create_folder("Processed")
    with dovecot.client() as imap:
        imap.select_folder("INBOX")
        imap.move([1], "Processed")
    assert dovecot.uids("INBOX") == []
    assert dovecot.uids("Processed") == [1]


def test_restart_keeps_mail_and_port(dovecot: DovecotServer) -> None:
    dovecot.append(raw_message("keep me"))
    dovecot.create_folder("Processed")
    port = dovecot.port
    before = dovecot.fetch_all()
    dovecot.restart()
    assert dovecot.port == port
    assert dovecot.fetch_all() == before
    assert "Processed" in dovecot.folders()


def test_stop_leaves_no_processes(dovecot: DovecotServer) -> None:
    assert dovecot._proc is not None
    pgid = dovecot._proc.pid
    dovecot.stop()
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)
    with pytest.raises(OSError):
        IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=2)
    dovecot.start()  # and it comes back
    assert dovecot.uids() == []


def test_tls_listener(dovecot_tls: DovecotServer) -> None:
    assert dovecot_tls.tls_port is not None and dovecot_tls.ca_file is not None
    imap = dovecot_tls.tls_client()
    try:
        imap.login(dovecot_tls.user, dovecot_tls.password)
        assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        imap.logout()
    ctx = ssl.create_default_context()  # system CAs only: the self-signed cert is refused
    with pytest.raises(ssl.SSLError):
        IMAPClient(dovecot_tls.host, port=dovecot_tls.tls_port, ssl_context=ctx, timeout=5)


# ----------------------------------------------------------------- SMTP


def test_smtp_captures_message(smtp_server: SmtpServer) -> None:
    send(smtp_server, email_message("Welcome"))
    [captured] = smtp_server.wait_for(1, timeout=5)
    assert captured.mail_from == "program@example.org"
    assert captured.rcpt_tos == ["bob@example.org"]
    assert captured.message["Subject"] == "Welcome"
    assert captured.text() == "Grüße, Bob!\n"
    assert isinstance(captured.data, bytes)


def test_smtp_temporary_failure_then_success(smtp_server: SmtpServer) -> None:
    smtp_server.fail_next(1, code=451)
    with pytest.raises(aiosmtplib.SMTPDataError) as excinfo:
        send(smtp_server, email_message("first try"))
    assert excinfo.value.code == 451
    assert len(smtp_server.messages) == 0
    send(smtp_server, email_message("second try"))
    assert [m.subject for m in smtp_server.wait_for(1)] == ["second try"]
    assert smtp_server.data_attempts == 2
    assert [(r.stage, r.code) for r in smtp_server.rejections] == [("DATA", 451)]


def test_smtp_permanent_failure_for_recipient(smtp_server: SmtpServer) -> None:
    smtp_server.fail_recipient("gone@example.org", 550)
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as excinfo:
        send(smtp_server, email_message(to="gone@example.org"))
    assert excinfo.value.recipients[0].code == 550
    send(smtp_server, email_message(to="bob@example.org"))
    assert smtp_server.wait_for(1)[0].rcpt_tos == ["bob@example.org"]


def test_smtp_outage_stop_start(smtp_server: SmtpServer) -> None:
    port = smtp_server.port
    smtp_server.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        send(smtp_server, email_message("during outage"), timeout=5)
    smtp_server.start()
    assert smtp_server.port == port
    send(smtp_server, email_message("after outage"))
    assert [m.subject for m in smtp_server.wait_for(1)] == ["after outage"]


def test_smtp_hang_after_data(smtp_server: SmtpServer) -> None:
    smtp_server.hang_next()
    with pytest.raises(aiosmtplib.SMTPTimeoutError):
        send(smtp_server, email_message("hung"), timeout=1)
    assert len(smtp_server.messages) == 0
    [hung] = smtp_server.rejections
    assert hung.code == 0 and b"Subject: hung" in (hung.data or b"")
    send(smtp_server, email_message("next"), timeout=5)
    assert [m.subject for m in smtp_server.wait_for(1)] == ["next"]


# ----------------------------------------------------------------- MX


@pytest.mark.servers
def test_mx_delivers_over_lmtp_with_its_dkim_and_dmarc_results(
    mx_world: MxWorld, mx_dovecot: DovecotServer  # noqa: F811
) -> None:
    raw = raw_message("signed", "Signed by the coordinator's domain.\r\n").replace(
        b"ann@example.org", b"claire.dubois@northlake.example.org")
    mx_world.mx.submit(mx_world.coordinator.sign(raw), sender=mx_world.coordinator,
                       mail_from="claire.dubois@northlake.example.org",
                       rcpt="mentorship@northlake.example.org")
    [delivered] = wait_for_delivery(mx_dovecot, 1, mx_world.mx).values()
    results = email.message_from_bytes(delivered).get_all("Authentication-Results")
    assert any("dkim=pass" in r and "header.d=northlake.example.org" in r for r in results)
    assert any("dmarc=pass" in r and "header.from=northlake.example.org" in r for r in results)
    assert all(r.startswith(AUTHSERV_ID + ";") for r in results)
    assert mx_world.dns.asked("mail2026._domainkey.northlake.example.org")
