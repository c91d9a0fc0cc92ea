"""The validated shape of a program's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mailflow.config.dates import CalendarConfig
from mailflow.config.secrets import SecretRef

SECURITY_MODES = ("ssl", "starttls", "none")
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Person:
    """A named address: a coordinator, say."""

    name: str
    email: str


@dataclass(frozen=True)
class ServerConfig:
    """How to reach one mail server (IMAP or SMTP)."""

    host: str
    port: int
    security: str
    username: str | None = None
    password: SecretRef | None = None
    ca_file: Path | None = None
    verify: bool = True
    timeout: float = 30.0


@dataclass(frozen=True)
class MailboxConfig:
    """Where mail arrives: an IMAP server, or (embedded default) a local Maildir."""

    imap: ServerConfig | None
    maildir: Path
    folder: str = "INBOX"
    processed_folder: str | None = None
    idle_renew_seconds: int = 540
    authserv_id: str | None = None


@dataclass(frozen=True)
class OutboxConfig:
    """Where mail goes: an SMTP server, or (embedded default) .eml files in a folder."""

    smtp: ServerConfig | None
    directory: Path
    rate_per_minute: int = 120
    max_attempts: int = 8
    retry_base_seconds: float = 30.0
    give_up_hours: float = 72.0


@dataclass(frozen=True)
class FormField:
    """One field of an application form."""

    key: str
    label: str
    labels: tuple[str, ...]
    required: bool = False
    shareable: bool = False
    help: str = ""


@dataclass(frozen=True)
class Question:
    """One survey question; a scale question accepts whole numbers from ``low`` to ``high``."""

    number: int
    kind: Literal["scale", "yesno", "text"]
    text: str
    required: bool = True
    low: int = 1
    high: int = 5


@dataclass(frozen=True)
class Survey:
    """A survey: its key (for the rules) and its questions."""

    key: str
    questions: list[Question]
    title: str = ""


@dataclass(frozen=True)
class Config:
    """A whole program: identity, people, servers, forms and where its files live."""

    root: Path
    name: str
    address: str
    language: str
    timezone: str
    coordinators: tuple[Person, ...]
    mailbox: MailboxConfig
    outbox: OutboxConfig
    forms: dict[str, tuple[FormField, ...]]
    surveys: dict[str, Survey]
    calendar: CalendarConfig
    rules_dir: Path
    templates_dirs: tuple[Path, ...]
    state_dir: Path
    secret: SecretRef | None = None
    extra: dict = field(default_factory=dict)

    @property
    def domain(self) -> str:
        """The domain of the program's address, used for Message-IDs."""
        return self.address.rsplit("@", 1)[1]

    @property
    def local_part(self) -> str:
        """The local part of the program's address, to which +tokens are added."""
        return self.address.rsplit("@", 1)[0]

    def is_coordinator_address(self, address: str) -> bool:
        """Whether ``address`` is one of the configured coordinators (not proof of authority)."""
        return address.lower() in {p.email.lower() for p in self.coordinators}
