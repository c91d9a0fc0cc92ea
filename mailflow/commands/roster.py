"""Import and export participants as CSV, because coordinators live in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from mailflow.csv_cells import SafeWriter
from mailflow.errors import MailflowError
from mailflow.program import participants
from mailflow.program.lifecycle import STATES
from mailflow.runtime import Program

EXPORT_COLUMNS = ("email", "name", "role", "status", "language")


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
    people = [dict(p) for p in program.store.table("participants").all()]
    if fmt == "json":
        return json.dumps(people, ensure_ascii=False, indent=2) + "\n"
    # A form field named like a column (the name) is that column, not a second one.
    field_names = sorted({k for p in people for k in p.get("fields", {})} - set(EXPORT_COLUMNS))
    # Survey answers, one column per question: the coordinators' view of them.
    answers = sorted({(survey, int(number)) for p in people
                      for survey, given in (p.get("surveys") or {}).items()
                      for number in given})
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow([*EXPORT_COLUMNS, *field_names,
                     *(f"{survey} q{number}" for survey, number in answers)])
    for person in people:
        surveys = person.get("surveys") or {}
        writer.writerow([person.get(c) or "" for c in EXPORT_COLUMNS]
                        + [person.get("fields", {}).get(f, "") for f in field_names]
                        + [(surveys.get(survey) or {}).get(str(number), "")
                           for survey, number in answers])
    return out.getvalue()


def export_pairs(program: Program) -> str:
    """Every pair (mentee with a mentor) as CSV, for the coordinators' spreadsheet."""
    people = {p["email"]: p for p in program.store.table("participants").all()}
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["mentee", "mentee_email", "mentor", "mentor_email", "status"])
    for person in people.values():
        mentor = people.get(person.get("mentor") or "")
        if person.get("role") == "mentee" and mentor is not None:
            writer.writerow([person.get("name") or "", person["email"],
                             mentor.get("name") or "", mentor["email"], person.get("status")])
    return out.getvalue()


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
