"""What one of our mails asked for, so the reply to it is read by the right reader.

Written by the program when it queues a mail (``OutboxItem.meta["expects"]``) and
read back here when a reply arrives: the thread, not the reply's words, decides
which reader runs. The stored form is a short string such as ``survey:midpoint``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

ExpectKind = Literal["choices", "meeting", "survey", "acceptance", "approval", "form",
                     "confirm", "review"]
KINDS: tuple[ExpectKind, ...] = ("choices", "meeting", "survey", "acceptance", "approval",
                                 "form", "confirm", "review")
RULE_KINDS = ("choices", "meeting", "form", "acceptance")  # and survey:KEY


@dataclass(frozen=True)
class Expects:
    """An expected answer and what it is about (a survey key, a proposal, a mentee)."""

    kind: ExpectKind
    about: str | None = None

    def encode(self) -> str:
        """The stored form: ``kind`` or ``kind:about``."""
        return f"{self.kind}:{self.about}" if self.about else self.kind

    @classmethod
    def decode(cls, value: object) -> Expects | None:
        """The expectation a stored string names, or None for anything else."""
        if not isinstance(value, str) or not value:
            return None
        kind, _, about = value.partition(":")
        for known in KINDS:
            if kind == known:
                return cls(known, about or None)
        return None

    @classmethod
    def of_item(cls, item: Any) -> Expects | None:
        """What an outbox item asked for (its ``meta``), or None."""
        meta = getattr(item, "meta", None)
        if not isinstance(meta, Mapping):
            return None
        expects = cls.decode(meta.get("expects"))
        if expects is not None and expects.kind == "acceptance" and expects.about is None:
            mentee = meta.get("mentee")  # items queued before the mentee was in the string
            return cls("acceptance", mentee if isinstance(mentee, str) else None)
        return expects

    @classmethod
    def for_rule(cls, value: str) -> Expects:
        """The expectation a rule file names (``choices``, ``meeting``, ``form``, ``survey:KEY``).

        Raises ValueError with the accepted forms when ``value`` is none of them.
        """
        expects = cls.decode(value)
        if expects is None or not (expects.kind in RULE_KINDS
                                   or (expects.kind == "survey" and expects.about)):
            raise ValueError(f"unknown value {value!r}; use choices, meeting, form, acceptance or "
                             "survey:KEY")
        return expects

    def meta(self) -> dict[str, str]:
        """The outbox ``meta`` entry that records this expectation."""
        return {"expects": self.encode()}
