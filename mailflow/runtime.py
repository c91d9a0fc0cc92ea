"""Open a program directory: configuration, store, outbox, templates and rules, together."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from mailflow.builtin import is_builtin
from mailflow.config import Config, load_config
from mailflow.errors import ConfigError, TemplateError
from mailflow.inbound.ledger import Ledger
from mailflow.outbound.mailer import Mailer
from mailflow.outbound.outbox import Outbox
from mailflow.outbound.template_code import template_cache
from mailflow.outbound.templates import Templates
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.understand import Context
from mailflow.program import participants
from mailflow.program.context import TemplateContext
from mailflow.program.digest import build_digest, survey_titles
from mailflow.program.handler import Handler
from mailflow.program.mailings import Mailings
from mailflow.program.pairing import Pairing
from mailflow.program.rules import Rule, load_rules
from mailflow.program.scheduled import ScheduledRule, load_scheduled
from mailflow.program.scheduler import Scheduler
from mailflow.store import Store
from mailflow.store.storage import private_dir


def program_secret(config: Config, create: bool) -> bytes:
    """The reply-token key: from the configured variable or file, else ``state/secret``."""
    if config.secret is not None:
        value = config.secret.resolve()
        if not value:
            raise ConfigError(str(config.root / "config.yaml"), "key 'program.secret_env'",
                              f"the secret is not set ({config.secret.describe()})",
                              "set it, or remove the key to use a generated state/secret")
        return value.encode()
    path = config.state_dir / "secret"
    if not path.exists():
        if not create:
            return b"read-only-without-secret"
        private_dir(config.state_dir)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def load_definitions(config: Config) -> tuple[Templates, list[Rule], list[ScheduledRule]]:
    """Templates and rules, validated against each other; raises with file and line."""
    templates = Templates(config.templates_dirs, config.language, cache=template_cache())
    problems = templates.check()
    if problems:
        raise TemplateError("\n".join(problems))
    names = templates.names()
    rules = load_rules(config.rules_dir, names)
    scheduled = load_scheduled(config.rules_dir, names, config.calendar,
                               strict=not is_builtin(config.rules_dir, "rules"))
    return templates, rules, scheduled


@dataclass
class Program:
    """Everything a command needs about one program."""

    config: Config
    store: Store
    outbox: Outbox
    templates: Templates
    rules: list[Rule]
    ledger: Ledger
    mailer: Mailer
    handler: Handler
    scheduler: Scheduler
    secret: bytes

    @property
    def pairing(self) -> Pairing:
        """Matching proposals, approvals and introductions."""
        assert self.handler.pairing is not None
        return self.handler.pairing

    def close(self) -> None:
        """Flush and release the store and the outbox."""
        self.outbox.close()
        self.store.close()


def open_program(root: Path, read_only: bool = False) -> Program:
    """Load and validate the program at ``root``; take the writer lock unless read-only."""
    config = load_config(root)
    templates, rules, scheduled = load_definitions(config)
    secret = program_secret(config, create=not read_only)
    store = Store(config.state_dir, read_only=read_only)
    try:
        outbox = Outbox(config.state_dir / "outbox", read_only=read_only)
    except BaseException:
        store.close()
        raise
    mailer = Mailer(config, templates, outbox, secret)
    context = Context(
        config=config, secret=secret,
        participant=lambda email: participants.find(store, email),
        named_one=lambda name: participants.only_one_named(store, name),
        outbox_by_id=outbox.items.get,
        outbox_by_message_id=lambda mid: outbox.items.get(outbox.by_message_id.get(mid, "")),
        mentors=lambda: [RosterEntry(p["email"], p.get("name") or p["email"])
                         for p in participants.mentors(store)],
    )
    names = templates.names()
    contexts = TemplateContext(
        config, store, digest=lambda now: build_digest(store, outbox, now, scheduler.plan,
                                                       config.calendar.zone,
                                                       survey_titles(config)))
    mailings = Mailings(config, store, mailer, lambda: names, contexts)
    scheduler = Scheduler(store, mailings, scheduled)
    pairing = Pairing(config, store, mailer, mailings)
    handler = Handler(config, store, mailer, rules, context, mailings, pairing,
                      plan=scheduler.plan)
    return Program(config, store, outbox, templates, rules, Ledger(store), mailer, handler,
                   scheduler, secret)
