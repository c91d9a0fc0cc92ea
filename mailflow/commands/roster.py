"""Import and export participants as CSV, because coordinators live in spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from mailflow.commands import services
from mailflow.errors import MailflowError
from mailflow.program.coordination import views
from mailflow.program.coordination.roster import (
    MAX_FILE_ROSTER_BYTES,
    apply_roster,
    decode,
    read_roster,
)
from mailflow.runtime import Program

EXPORT_COLUMNS = views.EXPORT_COLUMNS


def import_csv(program: Program, role: str, path: Path) -> int:
    """Import ``path`` (header row, ``name,email`` required) all or nothing; returns the count."""
    try:
        with path.open("rb") as file:  # no more than the cap and a byte: /dev/zero ends too
            data = file.read(MAX_FILE_ROSTER_BYTES + 1)
    except OSError as exc:
        raise MailflowError(f"cannot read {path}: {exc}") from exc
    roster = read_roster(decode(data, str(path), MAX_FILE_ROSTER_BYTES), str(path))
    return apply_roster(program.store, roster, role, datetime.now(UTC).isoformat())


def export_participants(program: Program, fmt: str) -> str:
    """Every participant as CSV (fields flattened) or JSON."""
    return views.export_participants(services(program), fmt)


def export_pairs(program: Program) -> str:
    """Every pair (mentee with a mentor) as CSV, for the coordinators' spreadsheet."""
    return views.export_pairs(services(program))


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """``mentee_email,mentor_email`` rows (header row required); bad rows named by line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MailflowError(f"cannot read {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = {h.strip().lower() for h in (reader.fieldnames or [])}
    if not {"mentee_email", "mentor_email"} <= header:
        raise MailflowError(f"{path}: line 1: the header needs mentee_email,mentor_email "
                            "(mailflow export pairs writes such a file)")
    pairs, errors = [], []
    for line, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            pairs.append(tuple(validate_email(row[k], check_deliverability=False)
                               .normalized.lower() for k in ("mentee_email", "mentor_email")))
        except EmailNotValidError as exc:
            errors.append(f"{path}: line {line}: {exc}")
    if errors:
        raise MailflowError("nothing imported:\n" + "\n".join(errors))
    return pairs  # type: ignore[return-value]
