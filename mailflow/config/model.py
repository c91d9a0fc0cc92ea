"""The validated shape of a program's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from mailflow.config.dates import CalendarConfig
from mailflow.config.schema import RetentionConfig, ReviewConfig, SchedulerConfig, setting
from mailflow.config.secrets import SecretRef
from mailflow.config.translated import LANGUAGES as LANGUAGES
from mailflow.config.translated import Translated

SECURITY_MODES = ("ssl", "starttls", "none")
SURVEY_KINDS = ("scale", "yesno", "text")
FORM_KINDS = ("text", "yesno", "number")


@dataclass(frozen=True)
class Person:
    """A named address: a coordinator, say."""

    name: str
    email: str


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    """How to reach one mail server (IMAP or SMTP)."""

    host: str = setting(str, "the server's host name")
    port: int = setting(int, "the server's TCP port (default: by protocol and security)",
                        minimum=1, maximum=65535)
    security: str = setting(str, "how the connection is protected", "ssl",
                            choices=SECURITY_MODES)
    username: str | None = setting(str, "the login name", None)
    password: SecretRef | None = None
    ca_file: Path | None = setting(Path, "a CA bundle to trust for this server", None)
    verify: bool = setting(bool, "whether to check the server's certificate", True)
    timeout: float = setting(float, "seconds to wait for the server", 30.0, above=0)


@dataclass(frozen=True, kw_only=True)
class MailboxConfig:
    """Where mail arrives: an IMAP server, or (embedded default) a local Maildir."""

    imap: ServerConfig | None = None
    maildir: Path = setting(Path, "the local Maildir read when there is no imap:", Path("mail"))
    folder: str = setting(str, "the IMAP folder where program mail arrives", "INBOX")
    processed_folder: str | None = setting(str, "the IMAP folder handled mail is moved to", None)
    idle_renew_seconds: int = setting(int, "how often IMAP IDLE is renewed; servers drop it "
                                      "after about 10 minutes", 540, minimum=10, maximum=600)
    authserv_id: str | None = setting(str, "the authserv-id of your own mail server's "
                                      "Authentication-Results header", None)
    since: date | None = setting(date, "on the first run (or with a new state/), take in IMAP "
                                "mail that arrived on or after this day, YYYY-MM-DD; by "
                                "default only from the day of that run", None)


@dataclass(frozen=True, kw_only=True)
class OutboxConfig:
    """Where mail goes: an SMTP server, or (embedded default) .eml files in a folder."""

    smtp: ServerConfig | None = None
    directory: Path = setting(Path, "the folder .eml files go to when there is no smtp:",
                              Path("sent-mail"))
    rate_per_minute: int = setting(int, "the most mails sent in one minute", 120, minimum=1)
    max_attempts: int = setting(int, "how many times a mail is tried before it is given up",
                                8, minimum=1)
    retry_base_seconds: float = setting(float, "the wait before the first retry (it doubles "
                                        "after each failure)", 30.0, above=0)
    give_up_hours: float = setting(float, "how old a mail that still fails may get before "
                                   "it is given up", 72.0, above=0)
    answers_per_day: int = setting(int, "the most automatic answers one address gets in a "
                                   "day (a loop or a forged sender ends there)", 3, minimum=1)
    answers_per_week: int = setting(int, "the most automatic answers one address gets in "
                                    "seven days", 10, minimum=1)
    unsubscribe_url: str = setting(str, "the https address of your one-click unsubscribe "
                                   "endpoint (RFC 8058; see mailflow.unsubscribe_endpoint); "
                                   "empty: the mailto form alone", "")


@dataclass(frozen=True, kw_only=True)
class HealthConfig:
    """When ``mailflow status --check`` calls something a problem, for cron or monitoring."""

    review_days: float = setting(float, "how many days a message may wait for review before "
                                 "status --check reports it", 3.0, above=0)
    daemon_silent_minutes: float = setting(float, "how long the daemon may go without writing "
                                           "state/heartbeat before status --check reports it",
                                           10.0, above=0)
    disk_free_percent: float = setting(float, "the free space, in percent of the disk holding "
                                       "state/, under which status --check reports it",
                                       5.0, minimum=0, maximum=100)


@dataclass(frozen=True)
class FormField:
    """One field of an application form."""

    key: str = setting(str, "the field's name in the rules and templates")
    label: str = setting(Translated, "the label applicants write before their answer")
    labels: tuple[str, ...] = ()
    required: bool = setting(bool, "whether an application without it is incomplete", False)
    shareable: bool = setting(bool, "whether it may be shown to the other person of a pair",
                              False)
    help: str = setting(Translated, "a hint shown under the field in the form", "")
    kind: Literal["text", "yesno", "number"] = setting(
        str, "what the answer is: text as written; yesno, recorded as yes or no from any "
        "language's words ('Oui', 'Nope'); number, recorded in digits ('two' is 2)", "text",
        choices=FORM_KINDS)


@dataclass(frozen=True)
class Question:
    """One survey question; a scale question accepts whole numbers from ``low`` to ``high``."""

    number: int = setting(int, "the number people write before their answer", minimum=1)
    kind: Literal["scale", "yesno", "text"] = setting(str, "the kind of answer expected",
                                                      choices=SURVEY_KINDS)
    text: str = setting(Translated, "the question as people read it")
    required: bool = setting(bool, "whether the survey is incomplete without it", True)
    low: int = setting(int, "the lowest value of a scale question", 1)
    high: int = setting(int, "the highest value of a scale question", 5)


@dataclass(frozen=True)
class Survey:
    """A survey: its key (for the rules) and its questions."""

    key: str
    questions: list[Question]
    title: str = setting(Translated, "the survey's title", "")


@dataclass(frozen=True, kw_only=True)
class Config:
    """A whole program: identity, people, servers, forms and where its files live."""

    root: Path
    name: str = setting(str, "the program's name, as it signs its mail")
    address: str = setting(str, "the program's mailbox address, where replies come back")
    language: str = setting(str, "the language of the program's mail", "en", choices=LANGUAGES)
    languages: tuple[str, ...] = setting(
        tuple, "the languages the program writes to people in: every text people read "
        "(templates, surveys, event titles, form labels, the guide) exists in each",
        ("en", "fr"), choices=LANGUAGES)
    timezone: str = setting(str, "the IANA time zone of the program's dates, such as "
                            "Europe/Paris", "UTC")
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
    health: HealthConfig = HealthConfig()
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)

    @property
    def domain(self) -> str:
        """The domain of the program's address, used for Message-IDs."""
        return self.address.rsplit("@", 1)[1]

    @property
    def local_part(self) -> str:
        """The local part of the program's address, to which +tokens are added."""
        return self.address.rsplit("@", 1)[0]

    def writes_to(self, language: str | None) -> str:
        """The language of mail to a reader of ``language``: theirs when the program writes
        in it (program.languages), else the program's default."""
        return language if language in self.languages else self.language

    def is_coordinator_address(self, address: str) -> bool:
        """Whether ``address`` is one of the configured coordinators (not proof of authority)."""
        return address.lower() in {p.email.lower() for p in self.coordinators}
