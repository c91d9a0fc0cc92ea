"""Participants in the store: one record per address, every change kept as an event."""

from __future__ import annotations

from typing import Any, cast

from tinydb.table import Document

from mailflow.program import lifecycle
from mailflow.store import Store
from mailflow.store.indexes import fold_name
from mailflow.store.records import Application, Participant


def find(store: Store, email: str) -> Participant | None:
    """The participant with this address (registered, or linked by a coordinator), or None.

    From the store's address index: a table scan per lookup would grow with the roster.
    """
    return cast("Participant | None", document(store, email))


def document(store: Store, email: str) -> Document | None:
    """The participant's TinyDB document: ``find``, with the doc_id a table update needs."""
    address = email.lower()
    table = store.table("participants")
    ids = store.lookup("participants", "address", address)
    if len(ids) <= 1:
        return table.get(doc_id=ids[0]) if ids else None
    found = table.get(doc_ids=ids)
    # Registered beats linked; then the latest, should two records ever claim one address.
    return next((d for d in found if d["email"] == address), found[-1] if found else None)


def insert(store: Store, record: Participant) -> int:
    """Add a new participant (``record['email']`` lower case); returns its document id."""
    doc_id: int = store.table("participants").insert(record)
    return doc_id


def insert_many(store: Store, records: list[Participant]) -> None:
    """Add many new participants in one table write (an import): linear, not quadratic."""
    store.table("participants").insert_multiple(records)


def add_events(store: Store, events: list[tuple[str, str, str, str]]) -> None:
    """Append many (email, type, cause, at) events to timelines in one table write."""
    store.table("events").insert_multiple(
        {"participant": email.lower(), "type": type_, "cause": cause, "at": at, "detail": {}}
        for email, type_, cause, at in events)


def add_event(store: Store, email: str, type_: str, cause: str, at: str,
              detail: dict[str, Any] | None = None) -> None:
    """Append to a person's timeline: what changed and why (a message, a rule, a coordinator)."""
    store.table("events").insert({"participant": email.lower(), "type": type_, "cause": cause,
                                  "at": at, "detail": detail or {}})


def record_application(store: Store, *, email: str, name: str, role: str | None,
                       fields: dict[str, str], missing: list[str], language: str | None,
                       cause: str, at: str) -> Participant:
    """Create or update the applicant: a later reply updates, never duplicates."""
    table = store.table("participants")
    existing = document(store, email)
    complete = role is not None and not missing
    application: Application = {"complete": complete, "missing": list(missing)}
    if existing is None:
        record: Participant = {
            "email": email.lower(), "name": fields.get("name") or name, "role": role,
            "status": "applicant", "language": language, "fields": dict(fields),
            "application": application,
            "created": at, "updated": at,
            # Whatever came by mail was written by someone we do not know yet: a mentor
            # offering themselves waits for a coordinator (mailflow approve), and links in
            # their fields never reach other people's mail.
            "source": "mail",
        }
        if role == "mentor":
            record["approved"] = False
        insert(store, record)
        add_event(store, email, "applied", cause, at, {"complete": complete})
        return record
    merged = {**existing.get("fields", {}), **fields}
    update: dict[str, Any] = {
        "fields": merged, "name": merged.get("name") or existing.get("name") or name,
        "role": role or existing.get("role"), "updated": at, "application": application,
    }
    if language and not existing.get("language"):
        update["language"] = language
    table.update(update, doc_ids=[existing.doc_id])
    add_event(store, email, "application_updated", cause, at,
              {"complete": complete, "fields": sorted(fields)})
    return cast(Participant, {**existing, **update})


def set_fields(store: Store, email: str, values: dict[str, Any], cause: str, at: str) -> None:
    """Set fields of a participant, recording the change; a status goes through the lifecycle."""
    if "status" in values:
        values = dict(values)
        move(store, email, values.pop("status"), cause, at)
        if not values:
            return
    person = document(store, email)
    if person is None:
        return
    store.table("participants").update({**values, "updated": at}, doc_ids=[person.doc_id])
    add_event(store, email, "set", cause, at, values)


def move(store: Store, email: str, new: str, cause: str, at: str) -> Participant:
    """Change a participant's state, recording why; raises TransitionError if not allowed."""
    person = document(store, email)
    if person is None:
        raise lifecycle.TransitionError(f"no participant with the address {email}")
    current = person.get("status")
    lifecycle.check(email, current, new)
    if new == current:
        return cast(Participant, dict(person))
    values: dict[str, str] = {"status": new}
    if new in lifecycle.DATED:
        values[new] = at
    store.table("participants").update({**values, "updated": at}, doc_ids=[person.doc_id])
    add_event(store, email, "status", cause, at, {"from": current, "to": new})
    return cast(Participant, {**person, **values})


def link(store: Store, person: Participant, address: str, cause: str, at: str) -> None:
    """Attribute mail from ``address`` to ``person`` too (a second address of theirs).

    Mail to them still goes to the registered address; an address that is another
    participant's is refused.
    """
    address = address.strip().lower()
    other = find(store, address)
    if other is not None and other["email"] != person["email"]:
        raise lifecycle.TransitionError(f"{address} is already {other['email']}'s address")
    aliases = sorted({*(person.get("aliases") or []), address} - {person["email"]})
    set_fields(store, person["email"], {"aliases": aliases}, cause, at)


def only_one_named(store: Store, name: str) -> Participant | None:
    """The participant named ``name`` (case and accents aside) when only one person has
    that name, else None. Reads at most two records however many share a common name:
    this is asked of every unknown sender, and a large roster has many Maria Garcías."""
    if not name.strip():
        return None
    table = store.table("participants")
    found: Document | None = None
    for doc_id in store.lookup("participants", "name", fold_name(name)):
        doc = table.get(doc_id=doc_id)
        if doc is None:
            continue
        if found is None:
            found = doc
        elif doc["email"] != found["email"]:
            return None
    return cast(Participant, dict(found)) if found is not None else None


def mentors(store: Store) -> list[Participant]:
    """Every mentor, from the role index: the roster a reply's choices are read against,
    without a scan of every participant for each reply."""
    found = store.table("participants").get(doc_ids=store.lookup("participants", "role",
                                                                 "mentor")) or []
    return [cast(Participant, p) for p in found]


def named(store: Store, name: str) -> list[Participant]:
    """Participants whose name is ``name`` (case and accents aside), from the name index."""
    if not name.strip():
        return []
    ids = store.lookup("participants", "name", fold_name(name))
    found = store.table("participants").get(doc_ids=ids) or []
    return [cast(Participant, dict(p)) for p in found]


def forget_names(store: Store) -> None:
    """Kept for callers that changed many names: the store's name index is already right."""


def stop_rules(store: Store, person: Participant, rules: list[str], cause: str, at: str) -> None:
    """From now on, the named scheduled rules send nothing more to this person."""
    stopped = sorted({*(person.get("stopped") or []), *rules})
    set_fields(store, person["email"], {"stopped": stopped}, cause, at)


def everyone(store: Store) -> list[Participant]:
    """Every participant record, as copies a caller may change."""
    return [cast(Participant, dict(p)) for p in store.table("participants").all()]


def status_of(store: Store, email: str) -> str | None:
    """The participant's lifecycle state, or None when nobody has this address."""
    person = find(store, email)
    return person.get("status") if person is not None else None
