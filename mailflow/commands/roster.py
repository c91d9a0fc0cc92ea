"""Import and export participants as CSV, because coordinators live in spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from mailflow.commands import services
from mailflow.errors import MailflowError
from mailflow.program import participants
from mailflow.program.coordination import views
from mailflow.program.lifecycle import STATES
from mailflow.runtime import Program

EXPORT_COLUMNS = views.EXPORT_COLUMNS


def import_csv(program: Program, role: str, path: Path) -> int:
    """Import ``path`` (header row, ``name,email`` required) all or nothing; returns the count."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MailflowError(f"cannot read {path}: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = {"name", "email"} - set(header)
    if missing:
        raise MailflowError(f"{path}: line 1: the header lacks {', '.join(sorted(missing))} "
                            "(a header row with at least name,email is required)")
    rows, errors, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            checked = validate_email(row["email"], check_deliverability=False)
            if checked.ascii_email is None:
                raise EmailNotValidError("the part before @ is not ASCII; mail to it needs "
                                         "SMTPUTF8, which mailflow does not use")
            email = checked.ascii_email.lower()
        except EmailNotValidError as exc:
            errors.append(f"{path}: line {line}: bad address {row['email']!r}: {exc}")
            continue
        if not row["name"]:
            errors.append(f"{path}: line {line}: the name is empty")
        elif row.get("status") and row["status"] not in STATES:
            errors.append(f"{path}: line {line}: unknown status {row['status']!r} "
                          f"(use one of: {', '.join(STATES)})")
        elif email in seen:
            errors.append(f"{path}: line {line}: {email} appears twice in the file")
        seen.add(email)
        rows.append((email, row))
    if errors:
        raise MailflowError("nothing imported:\n" + "\n".join(errors))
    at = datetime.now(UTC).isoformat()
    with program.store.transaction():
        table = program.store.table("participants")
        new: list[dict] = []
        changes: dict[str, dict] = {}
        ids: list[int] = []
        for email, row in rows:
            extra = {k: v for k, v in row.items()
                     if k not in ("name", "email", "language", "status") and v}
            existing = participants.find(program.store, email)
            if existing:
                ids.append(existing.doc_id)
                changes[email] = {
                    "name": row["name"], "role": role,
                    "fields": {**existing.get("fields", {}), **extra}, "updated": at}
            else:
                new.append({
                    "email": email, "name": row["name"], "role": role,
                    "status": row.get("status") or ("selected" if role == "mentor"
                                                     else "applicant"),
                    "language": row.get("language") or None, "fields": extra,
                    "created": at, "updated": at})
        # One write per table, not one per row: an import is linear in its rows.
        if changes:
            table.update(lambda doc: doc.update(changes[doc["email"]]), doc_ids=ids)
            participants.forget_names(program.store)
        participants.insert_many(program.store, new)
        participants.add_events(program.store, [(email, "imported", f"import {path.name}", at)
                                                for email, _row in rows])
    return len(rows)


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
