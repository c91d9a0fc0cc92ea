"""The exceptions mailflow raises on purpose; each says what went wrong and how to fix it."""

from __future__ import annotations


class MailflowError(Exception):
    """Base class of every error mailflow raises deliberately."""


class ConfigError(MailflowError):
    """The program's configuration (config.yaml, rules, templates) is invalid."""

    def __init__(self, file: str, where: str, problem: str, fix: str = "") -> None:
        self.file = file
        self.where = where
        self.problem = problem
        self.fix = fix
        text = f"{file}: {where}: {problem}" if where else f"{file}: {problem}"
        if fix:
            text += f"\n  fix: {fix}"
        super().__init__(text)


class StoreError(MailflowError):
    """The program store cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another mailflow process already holds the program store."""


class TemplateError(MailflowError):
    """A template is missing or fails to render."""


class DeliveryError(MailflowError):
    """Handing a message to the mail server failed."""


class MailboxError(MailflowError):
    """The program mailbox cannot be reached or read."""
