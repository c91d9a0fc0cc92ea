"""A reading context for parser specifications: the Northlake program, people and our mail."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mailflow.config import load_config
from mailflow.config.model import Config
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.understand import Context
from mailflow.text import fold_accents

CONFIG = ("program: {name: Northlake Mentorship Program, "
          "address: mentorship@northlake.example.org}\n"
          "coordinators: [{name: Claire Dubois, email: claire.dubois@northlake.example.org}]\n")


def northlake(directory: Path, extra: str = "") -> Config:
    """The Northlake program's configuration, written to ``directory`` (plus ``extra`` YAML)."""
    (directory / "config.yaml").write_text(CONFIG + extra, encoding="utf-8")
    return load_config(directory)


def reading_context(directory: Path, people: Iterable[dict], items: Iterable[Any] = (),
                    secret: bytes = b"k", extra: str = "") -> Context:
    """A Context over these participants and outbox items; mentors among them are the roster."""
    roster = {p["email"].lower(): p for p in people}
    by_id = {i.id: i for i in items}
    return Context(config=northlake(directory, extra), secret=secret,
                   participant=lambda a: roster.get((a or "").lower()),
                   outbox_by_id=by_id.get,
                   outbox_by_message_id={i.message_id: i for i in by_id.values()}.get,
                   mentors=lambda: [RosterEntry(p["email"], p["name"]) for p in roster.values()
                                    if p.get("role") == "mentor"],
                   named_one=lambda name: _only_one(
                       [p for p in roster.values()
                        if fold_accents(p.get("name", "")) == fold_accents(name)]))


def _only_one(people: list[dict]) -> dict | None:
    return people[0] if len({p["email"] for p in people}) == 1 else None
