"""``mailflow show PERSON``: one person's record and whole story, for a coordinator."""

from __future__ import annotations

from datetime import datetime

from mailflow.errors import MailflowError
from mailflow.program import participants
from mailflow.runtime import Program
from mailflow.text import fold_accents

PRIVATE = ("self_identification",)


def person_named(program: Program, who: str) -> dict:
    """The participant ``who`` names (an address, or an unambiguous part of a name)."""
    store = program.store
    person = participants.find(store, who)
    if person is not None:
        return person
    wanted = fold_accents(who)
    found = [p for p in store.table("participants").all()
             if wanted in fold_accents(p.get("name") or "")]
    if len(found) != 1:
        names = ", ".join(f"{p.get('name')} <{p['email']}>" for p in found[:5])
        raise MailflowError(f"{who!r} matches {len(found)} participants"
                            + (f": {names}" if names else ""))
    return found[0]


def link(program: Program, who: str, address: str, now: datetime) -> dict:
    """Attribute mail from ``address`` to the participant ``who`` names, from now on."""
    person = person_named(program, who)
    with program.store.transaction():
        participants.link(program.store, person, address, "coordinator (mailflow link)",
                          now.isoformat())
    return person


def show_text(program: Program, who: str, private: bool = False) -> str:
    """The record (private answers marked as such, shown with ``private``) and the
    timeline, oldest first."""
    store = program.store
    person = person_named(program, who)
    lines = [f"{person.get('name') or ''} <{person['email']}>",
             f"  role: {person.get('role')}, status: {person.get('status')}, "
             f"language: {person.get('language') or '-'}"]
    for key in ("aliases", "mentor", "mentees", "choices", "last_meeting", "away_until",
                "paused_until", "opted_out", "bounced"):
        if person.get(key):
            lines.append(f"  {key}: {person[key]}")
    for key, value in sorted((person.get("fields") or {}).items()):
        mark = " (private: never shared)" if key in PRIVATE else ""
        lines.append(f"  {key}: {value}{mark}")
    if person.get("surveys"):
        lines.append(f"  surveys answered (private): {', '.join(sorted(person['surveys']))}")
        if private:
            for survey, answers in sorted(person["surveys"].items()):
                for number, answer in sorted(answers.items(), key=lambda a: int(a[0])):
                    lines.append(f"    {survey} q{number}: {answer}")
    lines.append("timeline:")
    events = sorted((e for e in store.table("events").all()
                     if e.get("participant") == person["email"]), key=lambda e: e.get("at", ""))
    for event in events:
        detail = event.get("detail") or {}
        what = (f"{detail.get('from')} -> {detail.get('to')}" if event.get("type") == "status"
                else ", ".join(f"{k}={v}" for k, v in detail.items()
                               if k not in PRIVATE and k != "surveys"))
        lines.append(f"  {event.get('at', '')[:16]}  {event.get('type')}: {what}  "
                     f"[{event.get('cause')}]")
    return "\n".join(lines)
