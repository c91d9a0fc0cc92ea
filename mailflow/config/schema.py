"""One declaration per config key: its type, default, help and bounds, attached to its field.

The configuration dataclasses declare each key with :func:`setting`; the field's default is the
key's default, and the loader reads the type, help and bounds back with :func:`settings_of`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailflow.config.translated import Translated

_SETTING = "mailflow.setting"


@dataclass(frozen=True)
class Setting:
    """What one key accepts: ``kind`` (``Path`` means a path relative to the program folder)."""

    name: str
    kind: type
    help: str
    default: Any = dataclasses.MISSING
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # an exclusive lower bound, for durations that must be > 0
    choices: tuple[str, ...] = ()

    @property
    def has_default(self) -> bool:
        """Whether the key may be left out (its default then applies)."""
        return self.default is not dataclasses.MISSING

    def expected(self) -> str:
        """The accepted values in words, e.g. 'a whole number of at least 1'."""
        if self.choices and self.kind is tuple:
            return "a list of some of: " + ", ".join(self.choices)
        if self.choices:
            return "one of: " + ", ".join(self.choices)
        words = {int: "a whole number", float: "a number", bool: "true or false",
                 str: "text", Path: "a path", tuple: "a list",
                 Translated: "text, or one text per language such as {en: ..., fr: ...}",
                 }.get(self.kind, self.kind.__name__)
        if self.minimum is not None and self.maximum is not None:
            return f"{words} from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"{words} of at least {self.minimum:g}"
        if self.above is not None:
            return f"{words} greater than {self.above:g}"
        return words

    def fix(self) -> str:
        """The fix shown with an error about this key: what it is and what it accepts."""
        shown = (f"[{', '.join(map(str, self.default))}]" if isinstance(self.default, tuple)
                 else self.default)
        default = f" (default {shown})" if self.has_default and self.default else ""
        return f"{self.name}: {self.help}; use {self.expected()}{default}"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` (already of ``kind``) is refused, or None when it is acceptable."""
        if self.choices and isinstance(value, list | tuple):
            wrong = [item for item in value if item not in self.choices]
            return f"{wrong[0]!r} is not allowed" if wrong else None
        if self.choices and value not in self.choices:
            return f"{value!r} is not allowed"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if ((self.minimum is not None and value < self.minimum)
                or (self.maximum is not None and value > self.maximum)
                or (self.above is not None and value <= self.above)):
            return f"{value:g} is out of range"
        return None


def setting(kind: type, help: str, default: Any = dataclasses.MISSING, *,
            minimum: float | None = None, maximum: float | None = None,
            above: float | None = None, choices: tuple[str, ...] = ()) -> Any:
    """A dataclass field for one config key (typed ``Any`` so it can stand for any default)."""
    meta = {_SETTING: Setting("", kind, help, default, minimum, maximum, above, choices)}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def settings_of(cls: type) -> dict[str, Setting]:
    """The declared keys of a configuration dataclass, by name, in field order."""
    found: dict[str, Setting] = {}
    for item in dataclasses.fields(cls):
        declared = item.metadata.get(_SETTING)
        if declared is not None:
            found[item.name] = dataclasses.replace(declared, name=item.name)
    return found


@dataclass(frozen=True, kw_only=True)
class RetentionConfig:
    """How long state/ keeps handled mail (``retention:`` in config.yaml); never what waits."""

    raw_mail_days: int = setting(
        int, "how many days the raw bytes of handled mail are kept in state/messages (mail "
        "not yet handled or waiting for review is always kept)", 400, minimum=30)
    ledger_days: int = setting(
        int, "after how many days the ledger row of a handled message is reduced to what "
        "recognises it again (its Message-ID and state) and finds its raw bytes while they "
        "are kept (raw_mail_days)", 90, minimum=30)
    sent_mail_days: int = setting(
        int, "after how many days a mail sent (or cancelled) is kept, in the outbox journal, "
        "as the id of its idempotency key alone: never queued again, but a reply to it is no "
        "longer told apart by its thread, nor a late bounce by its Message-ID", 60, minimum=7)
    history_days: int = setting(
        int, "after how many days a person's timeline events are summarised (one row per "
        "month, counted by type) and a scheduled firing is removed (the scheduler looks 45 days "
        "back, and the outbox keeps the id of every key it sent)",
        90, minimum=60)
    raw_mail_after_end_days: int | None = setting(
        int, "how many days after the program's end (the calendar date program_end) the raw "
        "bytes of all handled mail are removed from state/messages, whatever their age (mail "
        "not yet handled or waiting for review is still kept); unset: raw_mail_days alone "
        "applies", None, minimum=0)


@dataclass(frozen=True, kw_only=True)
class ReviewConfig:
    """How the coordinators hear of what waits for them (``review:`` in config.yaml)."""

    notice_minutes: float = setting(
        float, "the least time, in minutes, between two notices to the coordinators of what "
        "waits for review (each notice lists the items new since the previous one)", 60.0,
        minimum=1)
    close_unanswered_days: int = setting(
        int, "after how many days an item nobody answered is closed as expired (the digest "
        "counts them, a late answer to its notice still acts on it, and `mailflow review "
        "--all` lists it); 0: items wait for ever", 60, minimum=0)


@dataclass(frozen=True, kw_only=True)
class SchedulerConfig:
    """How often the running daemon asks the rules what is due (``scheduler:``)."""

    tick_seconds: float = setting(
        float, "how often, in seconds, the daemon asks the scheduled rules what is due "
        "(scheduled mail, the review notice); what fires is decided by the rules' dates, "
        "this only bounds how late it may be noticed", 60.0, minimum=1)
