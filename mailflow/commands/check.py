"""``mailflow check``: validate everything a run would load, and optionally log in."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mailflow.config import Config, load_config
from mailflow.program.scheduled import load_scheduled
from mailflow.runtime import load_definitions


def check(root: Path, connect: bool = False) -> int:
    """Print what was checked; raise a MailflowError naming the first problem."""
    config = load_config(root)
    templates, rules, scheduled = load_definitions(config)
    print(f"config: {config.name} <{config.address}>, {len(config.coordinators)} coordinator(s)")
    print(f"templates: {len(templates.names())} from {', '.join(map(str, config.templates_dirs))}")
    print(f"rules: {len(rules)} on messages, {len(scheduled)} scheduled, from {config.rules_dir}")
    print(f"calendar: {len(config.calendar.dates)} named date(s), time zone {config.timezone}")
    inactive: list[str] = []
    load_scheduled(config.rules_dir, None, config.calendar, strict=False, inactive=inactive)
    for name in inactive:
        print(f"  inactive: {name}; add the date under calendar.dates in config.yaml")
    print("mailbox: " + (f"IMAP {config.mailbox.imap.host}:{config.mailbox.imap.port}"
                         if config.mailbox.imap else f"local Maildir {config.mailbox.maildir}"))
    print("outbox: " + (f"SMTP {config.outbox.smtp.host}:{config.outbox.smtp.port}"
                        if config.outbox.smtp else f"folder {config.outbox.directory}"))
    if connect:
        _connect(config)
    print("ok")
    return 0


def _connect(config: Config) -> None:
    from mailflow.inbound.imap import ImapSource
    from mailflow.outbound.transport import SmtpTransport
    if config.mailbox.imap:
        source = ImapSource(config.mailbox)
        source.connect()
        print(f"IMAP login ok, folder {config.mailbox.folder} UIDVALIDITY {source.uidvalidity}")
        source.close()
    if config.outbox.smtp:
        transport = SmtpTransport(config.outbox.smtp)

        async def probe() -> None:
            await transport.open()
            await transport.close()
        asyncio.run(probe())
        print("SMTP connection ok")
