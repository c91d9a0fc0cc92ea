"""``mailflow parse FILE.eml...``: what mailflow understands of messages; changes nothing.

Several files or a folder (a mailbox export) give one JSON object per line, with the
same keys and the file's path, so a whole corpus is read in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mailflow.errors import MailflowError
from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import understand
from mailflow.runtime import open_program


def message_files(paths: list[Path]) -> list[Path]:
    """The files named, and the files of the folders named (sorted), in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and not p.name.startswith(".")))
        else:
            found.append(path)
    return found


def parse_files(root: Path, paths: list[Path]) -> Iterator[dict[str, Any]]:
    """The reading of each message file, with its path under 'file'; the program opened once."""
    program = open_program(root, read_only=True)
    try:
        for path in message_files(paths):
            try:
                raw = path.read_bytes()
            except OSError as exc:
                yield {"file": str(path), "error": f"cannot read: {exc.strerror}"}
                continue
            reading = understand(decode_message(raw), program.handler.context).to_json()
            yield {"file": str(path), **reading}
    finally:
        program.close()


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
