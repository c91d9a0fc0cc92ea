"""Four conversations of the corpus end to end on real servers, rated by the corpus judge.

Replies arrive in a private Dovecot over LMTP (which adds Return-Path, Delivered-To and
Received as a real delivery does), the daemon reads them over IMAP and sends over SMTP.
The daemon runs in-process: the calendar needs its clock set to the dates of the
program, and the ``mailflow run`` command has no way to take one.
"""

from __future__ import annotations

import email.utils
import shutil
import smtplib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conversations.harness import load_cases, run_case
from tests.conversations.judge import judge
from tests.integration.program import PASSWORD_ENV
from tests.servers.dovecot import DovecotServer
from tests.servers.fixtures import _require_dovecot
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.servers

PROGRAM = "mentorship@northlake.example.org"
CASES = {
    "001": "a Gmail top-posted choices reply",
    "010": "an Outlook HTML-only choices reply",
    "051": "a French meeting report (Zimbra)",
    "061": "STOP in answer to a monthly tip (Outlook)",
}


@pytest.fixture
def lmtp_dovecot() -> Iterator[DovecotServer]:
    """A fresh Dovecot whose mailbox is the program's address, with LMTP for delivery."""
    _require_dovecot()
    base = Path(tempfile.mkdtemp(prefix="mf-dovecot-", dir="/tmp"))
    base.chmod(0o711)
    server = DovecotServer(base / "dovecot", user=PROGRAM, lmtp=True)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def servers_config(imap: DovecotServer, smtp: SmtpServer) -> str:
    return (f"mailbox:\n  imap: {{host: {imap.host}, port: {imap.port}, username: {imap.user},\n"
            f"         password_env: {PASSWORD_ENV}, security: none, timeout: 10}}\n"
            "  authserv_id: mx.northlake.example.org\n"
            f"outbox:\n  smtp: {{host: {smtp.host}, port: {smtp.port}, security: none, "
            "timeout: 5}\n  rate_per_minute: 100000\n")


def lmtp_delivery(server: DovecotServer):  # type: ignore[no-untyped-def]
    """Deliver a raw message over LMTP to the address its To header names."""
    def put(raw: bytes) -> None:
        message = email.message_from_bytes(raw)
        sender = email.utils.parseaddr(str(message["From"]))[1]
        recipient = email.utils.parseaddr(str(message["To"]))[1]
        assert server.lmtp_port is not None
        with smtplib.LMTP(server.host, server.lmtp_port) as lmtp:
            lmtp.sendmail(sender, [recipient], raw)
    return put


@pytest.mark.parametrize("prefix", sorted(CASES), ids=lambda p: f"{p}-{CASES[p]}")
def test_conversation_is_read_right_through_real_servers(prefix, lmtp_dovecot, smtp_server,
                                                         tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, lmtp_dovecot.password)
    [case] = load_cases([prefix])
    obs = run_case(case, tmp_path / "program", servers_config(lmtp_dovecot, smtp_server),
                   deliver_to=lmtp_delivery(lmtp_dovecot))
    verdict = judge(obs)
    assert verdict.verdict == "correct", f"{verdict.got}: {verdict.reason}"
    assert len(obs.handled) == len(case.replies), "every reply came in over IMAP"
    delivered = {(tuple(m.rcpt_tos), m.subject) for m in smtp_server.messages}
    for answer in obs.answers:
        assert (answer.to, answer.subject) in delivered, f"{answer.template} not sent by SMTP"
