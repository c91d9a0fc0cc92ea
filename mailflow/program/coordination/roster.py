"""Import mentors or mentees from a CSV file, all or nothing: shared by ``mailflow import``
and IMPORT by mail, so both accept and refuse exactly the same files.

``read_roster`` only reads (every row error named by file, line, column and fix);
``roster_plan`` says who would be added or changed; ``apply_roster`` writes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any

from email_validator import EmailNotValidError, validate_email

from mailflow.errors import MailflowError
from mailflow.program import participants
from mailflow.program.lifecycle import STATES
from mailflow.store import Store
from mailflow.store.records import Participant

MAX_ROSTER_BYTES = 2_000_000  # a CSV attached to mail: a bounded share of one message
# A coordinator's own file: about 300,000 rows. An import holds about 4 KB a row at its
# peak (50,000 rows: 240 MB), so a larger file is better split than let exhaust memory.
MAX_FILE_ROSTER_BYTES = 16_000_000


@dataclass(frozen=True)
class RowError:
    """One thing wrong in the file, where it is, and how to fix it."""

    source: str
    line: int
    column: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return (f"{self.source}: line {self.line}, column {self.column}: {self.problem} "
                f"(fix: {self.fix})")


@dataclass
class Roster:
    """A read file: its rows (email, cells) in order, and every error found in it."""

    source: str
    rows: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def check(self) -> None:
        """Raise, naming every error, when the file cannot be imported as a whole."""
        if self.errors:
            raise MailflowError("nothing imported:\n" + "\n".join(map(str, self.errors)))


def digest(data: bytes) -> str:
    """The hash that binds a preview to the very file it showed."""
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, source: str, limit: int = MAX_ROSTER_BYTES) -> str:
    """The file's text (UTF-8, with or without a byte-order mark), or an error naming it."""
    if len(data) > limit:
        raise MailflowError(f"{source}: the file is larger than {limit:,} bytes; fix: split "
                            "it in parts and import each")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MailflowError(f"{source}: not UTF-8 text ({exc}); fix: save it as "
                            "'CSV UTF-8' from the spreadsheet") from None


def _address(raw: str) -> str:
    checked = validate_email(raw, check_deliverability=False)
    if checked.ascii_email is None:
        raise EmailNotValidError("the part before @ is not ASCII; mail to it needs "
                                 "SMTPUTF8, which mailflow does not use")
    return checked.ascii_email.lower()


def _cell_too_long(source: str, line: int) -> RowError:
    """csv's one error with its default dialect: a cell over its field limit, past which the
    file cannot be read on."""
    return RowError(source, line, "?", f"a cell is longer than {csv.field_size_limit():,} "
                    "characters", "shorter cells; is it the right file?")


def read_roster(text: str, source: str) -> Roster:
    """Read ``text`` (a header row with at least name,email), naming every bad row."""
    roster = Roster(source)
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        roster.errors.append(_cell_too_long(source, 1))
        return roster
    missing = {"name", "email"} - set(header)
    if missing:
        roster.errors.append(RowError(
            source, 1, ", ".join(sorted(missing)), "the header lacks this column",
            "a first row naming the columns, with at least name,email"))
        return roster
    seen: set[str] = set()
    line = 1
    while True:
        line += 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error:
            roster.errors.append(_cell_too_long(source, line))
            break
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            email = _address(row["email"])
        except EmailNotValidError as exc:
            roster.errors.append(RowError(source, line, "email", f"bad address "
                                          f"{row['email']!r}: {exc}", "a whole address, "
                                          "such as lea@example.org"))
            continue
        if not row["name"]:
            roster.errors.append(RowError(source, line, "name", "the name is empty",
                                          "the person's name"))
        elif row.get("status") and row["status"] not in STATES:
            roster.errors.append(RowError(source, line, "status",
                                          f"unknown status {row['status']!r}",
                                          f"one of: {', '.join(STATES)}, or empty"))
        elif email in seen:
            roster.errors.append(RowError(source, line, "email", f"{email} appears twice "
                                          "in the file", "keep one row per person"))
        seen.add(email)
        roster.rows.append((email, row))
    return roster


def roster_plan(store: Store, roster: Roster) -> tuple[list[str], list[str]]:
    """Who the import would add and who it would change ('Name <email>'), changing nothing."""
    added: list[str] = []
    changed: list[str] = []
    for email, row in roster.rows:
        label = f"{row['name']} <{email}>"
        (changed if participants.find(store, email) else added).append(label)
    return added, changed


def apply_roster(store: Store, roster: Roster, role: str, at: str) -> int:
    """Import ``roster`` as ``role`` (mentor or mentee) in one transaction; the row count."""
    roster.check()
    with store.transaction():
        table = store.table("participants")
        new: list[Participant] = []
        changes: dict[str, dict[str, Any]] = {}
        ids: list[int] = []
        for email, row in roster.rows:
            extra = {k: v for k, v in row.items()
                     if k not in ("name", "email", "language", "status") and v}
            existing = participants.document(store, email)
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
            participants.forget_names(store)
        participants.insert_many(store, new)
        cause = f"import {os.path.basename(roster.source)}"
        participants.add_events(store, [(email, "imported", cause, at)
                                        for email, _row in roster.rows])
    return len(roster.rows)


def csv_files(raw: bytes) -> tuple[tuple[str, bytes], ...]:
    """The CSV files attached to a mail (name, bytes), as a spreadsheet or a mail client
    labels them: text/csv, or a name ending in .csv."""
    message = message_from_bytes(raw, policy=policy.default)
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename() or ""
        kind = part.get_content_type()
        if kind == "text/csv" or name.lower().endswith(".csv"):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                found.append((name or "attachment.csv", data))
    return tuple(found)
