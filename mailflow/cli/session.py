"""What the commands share: the program they act on, whether the daemon lends it, the time."""

from __future__ import annotations

import argparse
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailflow.runtime import Program

# Commands that write: while `mailflow run` holds the store they are handed to it.
SPOOLED = frozenset({"import", "select", "withdraw", "link", "approve", "match", "propose",
                     "outbox", "pause", "resume"})
hosted: Program | None = None  # the daemon's program, while it runs a spooled command


def open_program(args: argparse.Namespace, read_only: bool = False) -> Program:
    """The program of ``-C DIR``, or the daemon's own while it runs the command."""
    if hosted is not None:
        return _borrowed(hosted)
    from mailflow.runtime import open_program as open_directory
    return open_directory(Path(args.C), read_only=read_only)


def _borrowed(program: Program) -> Program:
    """The daemon's program, which a command run for the CLI must not close."""
    from mailflow.runtime import Program

    class Borrowed(Program):
        def close(self) -> None:
            return None

    return Borrowed(**{f.name: getattr(program, f.name) for f in fields(Program)})


def now() -> datetime:
    return datetime.now(UTC)
