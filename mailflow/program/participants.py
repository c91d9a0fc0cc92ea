"""Participants in the store: one record per address, every change kept as an event."""

from __future__ import annotations

from typing import Any

from tinydb import Query

from mailflow.store import Store

_P = Query()


def find(store: Store, email: str) -> dict | None:
    """The participant with this address, or None."""
    return store.table("participants").get(_P.email == email.lower())


def add_event(store: Store, email: str, type_: str, cause: str, at: str,
              detail: dict[str, Any] | None = None) -> None:
    """Append to a person's timeline: what changed and why (a message, a rule, a coordinator)."""
    store.table("events").insert({"participant": email.lower(), "type": type_, "cause": cause,
                                  "at": at, "detail": detail or {}})


def record_application(store: Store, *, email: str, name: str, role: str | None,
                       fields: dict[str, str], missing: list[str], language: str | None,
                       cause: str, at: str) -> dict:
    """Create or update the applicant: a later reply updates, never duplicates."""
    table = store.table("participants")
    existing = find(store, email)
    complete = role is not None and not missing
    if existing is None:
        record = {
            "email": email.lower(), "name": fields.get("name") or name, "role": role,
            "status": "applicant", "language": language, "fields": dict(fields),
            "application": {"complete": complete, "missing": list(missing)},
            "created": at, "updated": at,
        }
        table.insert(record)
        add_event(store, email, "applied", cause, at, {"complete": complete})
        return record
    merged = {**existing.get("fields", {}), **fields}
    update = {
        "fields": merged, "name": merged.get("name") or existing.get("name") or name,
        "role": role or existing.get("role"), "updated": at,
        "application": {"complete": complete, "missing": list(missing)},
    }
    if language and not existing.get("language"):
        update["language"] = language
    table.update(update, _P.email == email.lower())
    add_event(store, email, "application_updated", cause, at,
              {"complete": complete, "fields": sorted(fields)})
    return {**existing, **update}


def set_fields(store: Store, email: str, values: dict[str, Any], cause: str, at: str) -> None:
    """Set fields of a participant (status, language...), recording the change."""
    store.table("participants").update({**values, "updated": at}, _P.email == email.lower())
    add_event(store, email, "set", cause, at, values)
