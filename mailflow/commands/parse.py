"""``mailflow parse FILE.eml``: what mailflow understands of one message; changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mailflow.errors import MailflowError
from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import understand
from mailflow.runtime import open_program


def parse_file(root: Path, path: Path) -> dict[str, Any]:
    """The reading of ``path`` as a JSON-ready dict, against the program's roster."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MailflowError(f"cannot read {path}: {exc.strerror}") from exc
    program = open_program(root, read_only=True)
    try:
        return understand(decode_message(raw), program.handler.context).to_json()
    finally:
        program.close()
