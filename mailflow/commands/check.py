"""``mailflow check``: validate everything a run would load, and optionally log in."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from mailflow.config import Config, load_config
from mailflow.errors import ConfigError, TemplateError
from mailflow.outbound.outbox import Outbox
from mailflow.outbound.templates import Templates
from mailflow.program.context import TemplateContext
from mailflow.program.coverage import missing_guides, missing_templates, missing_texts
from mailflow.program.digest import build_digest
from mailflow.program.rules import Rule
from mailflow.program.samples import render_problems, template_uses
from mailflow.program.scheduled import ScheduledRule, load_scheduled
from mailflow.runtime import load_definitions
from mailflow.store import Store


def check(root: Path, connect: bool = False) -> int:
    """Print what was checked; raise a MailflowError naming the first problem."""
    config = load_config(root)
    templates, rules, scheduled = load_definitions(config)
    print(f"config: {config.name} <{config.address}>, {len(config.coordinators)} coordinator(s)")
    print(f"templates: {len(templates.names())} from {', '.join(map(str, config.templates_dirs))}")
    print(f"rules: {len(rules)} on messages, {len(scheduled)} scheduled, from {config.rules_dir}")
    print(f"calendar: {len(config.calendar.dates)} named date(s), time zone {config.timezone}")
    if not rules:
        # Nothing would answer the mail: a run would quietly mark every message handled.
        raise ConfigError(str(config.rules_dir), "", "no rules on messages: mail to the "
                          "program would never be answered",
                          "add rules/*.yaml there (mailflow init NEW_DIR writes the example's), "
                          "or remove the empty folder to use the built-in rules")
    _render_all(config, templates, rules, scheduled)
    _languages(config, templates, rules, scheduled)
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


def _render_all(config: Config, templates: Templates, rules: list[Rule],
                scheduled: list[ScheduledRule]) -> None:
    """Every template the program sends, rendered against a sample: none may fail."""
    with tempfile.TemporaryDirectory(prefix="mailflow-check-") as tmp:
        store = Store(Path(tmp))
        try:
            contexts = TemplateContext(config, store, digest=lambda now: build_digest(
                store, Outbox(Path(tmp) / "outbox"), now, lambda start, end: []))
            problems, warnings = render_problems(config, templates, contexts, rules, scheduled)
        finally:
            store.close()
    for warning in warnings:
        print(f"  warning: {warning}")
    if problems:
        raise TemplateError("templates that cannot be sent:\n  " + "\n  ".join(problems))
    print("templates rendered: every template the rules send, in every language it has")


def _languages(config: Config, templates: Templates, rules: list[Rule],
               scheduled: list[ScheduledRule]) -> None:
    """Every text people read, in every program language: the first gap fails the check."""
    sent = {name: where for name, (where, _) in
            template_uses(rules, scheduled, templates).items()}
    gaps = [*missing_templates(config, sent, lambda name, language:
                               templates.language_for(name, language) == language),
            *missing_texts(config), *missing_guides(config)]
    for gap in gaps[1:]:
        print(f"  missing: {gap}")
    if gaps:
        raise gaps[0]
    print(f"languages: {', '.join(config.languages)}: every template, survey, event, form "
          "label and guide people read exists in each")


def _connect(config: Config) -> None:
    if config.mailbox.imap:
        print(connect_imap(config))
    if config.outbox.smtp:
        print(connect_smtp(config))


def connect_imap(config: Config) -> str:
    """Log in to the IMAP server and select the folder; raises MailboxError with the reason."""
    from mailflow.inbound.imap import ImapSource
    source = ImapSource(config.mailbox)
    source.connect()
    try:
        return f"IMAP login ok, folder {config.mailbox.folder} UIDVALIDITY {source.uidvalidity}"
    finally:
        source.close()


def connect_smtp(config: Config) -> str:
    """Connect (and log in) to the SMTP server; raises DeliveryError with the reason."""
    from mailflow.outbound.transport import SmtpTransport
    assert config.outbox.smtp is not None
    transport = SmtpTransport(config.outbox.smtp)

    async def probe() -> None:
        await transport.open()
        await transport.close()
    asyncio.run(probe())
    return "SMTP connection ok"
