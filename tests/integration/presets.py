"""Run a preset program in-process on the real test servers, its clock in the test's hands."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

from mailflow.commands.init import init_program
from mailflow.daemon import Daemon
from mailflow.runtime import Program, open_program
from tests.integration.program import PASSWORD_ENV
from tests.program.year import ZONE


class Clock:
    """The daemon's 'now', moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def preset_program(root: Path, preset: str, dovecot, smtp, monkeypatch) -> Program:
    """``mailflow init --preset`` pointed at the test servers, with a verified mail server."""
    init_program(root, preset)
    config = root / "config.yaml"
    config.write_text(config.read_text() + f"""
mailbox:
  imap: {{host: {dovecot.host}, port: {dovecot.port}, username: {dovecot.user},
         password_env: {PASSWORD_ENV}, security: none}}
  authserv_id: mx.test.example
outbox:
  smtp: {{host: {smtp.host}, port: {smtp.port}, security: none}}
  rate_per_minute: 100000
""")
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    return open_program(root)


def start(program: Program, when: datetime) -> tuple[Daemon, Clock]:
    clock = Clock(when)
    daemon = Daemon(program, clock=clock)
    daemon.source.connect()
    return daemon, clock


def step(daemon: Daemon, clock: Clock, when: datetime | None = None) -> None:
    """One round of the daemon at ``when``: mail in, scheduled rules, mail out."""
    if when is not None:
        clock.now = when
    daemon.ingest()
    daemon.tick()
    daemon.send()


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


def mails_to(smtp, address: str) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(m.data, policy=email.policy.default)
            for m in smtp.messages if m.rcpt_tos == [address]]


def reply(sender: str, to_message, body: str, msg_id: str, extra: str = "",
          when: datetime | None = None) -> bytes:
    """A plain reply to one of our mails, to its signed Reply-To address, written ``when``."""
    date = format_datetime(when or at(2027, 3, 1, 10))
    return (f"From: {sender}\r\nTo: {to_message['Reply-To'].addresses[0].addr_spec}\r\n"
            f"Subject: Re: {to_message['Subject']}\r\nMessage-ID: <{msg_id}@example.org>\r\n"
            f"In-Reply-To: {to_message['Message-ID']}\r\n{extra}"
            f"Date: {date}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + body.replace("\n", "\r\n")).encode("utf-8")


def verified(domain: str) -> str:
    """The Authentication-Results our (test) receiving server adds above its Received line."""
    return (f"Authentication-Results: mx.test.example; dkim=pass header.d={domain}; "
            f"dmarc=pass header.from={domain}\r\n"
            f"Received: from out.{domain} by mx.test.example (Postfix) with ESMTPS id 1\r\n")
