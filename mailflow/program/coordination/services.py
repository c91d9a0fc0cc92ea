"""What a coordinator command may use of the program, whichever way it was asked for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailflow.config.model import Config
from mailflow.outbound.mailer import Mailer
from mailflow.outbound.outbox import Outbox
from mailflow.program.mailings import Mailings
from mailflow.program.pairing import Pairing
from mailflow.store import Store

Plan = Callable[[datetime, datetime], list[Any]]


@dataclass
class Services:
    """The program's parts a command works on (the CLI builds it from ``Program``, the
    handler from its own)."""

    config: Config
    store: Store
    outbox: Outbox
    mailer: Mailer
    mailings: Mailings
    pairing: Pairing | None = None
    plan: Plan | None = None


@dataclass(frozen=True)
class Request:
    """Who asks, when, in which language, how the change is recorded (its cause), and the
    files that came with the request."""

    now: datetime
    language: str = "en"
    by: str = "coordinator"
    cause: str = "coordinator"
    files: tuple[tuple[str, bytes], ...] = ()  # the CSV files attached to the mail

    def say(self, en: str, fr: str) -> str:
        """The text in the requester's language."""
        return fr if self.language == "fr" else en
