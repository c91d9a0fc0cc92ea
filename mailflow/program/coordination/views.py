"""What a coordinator reads: the status, the review list, one person, the plan, the CSVs.

Shared by ``mailflow status|review|show|plan|export`` and the same commands by mail.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from mailflow.csv_cells import SafeWriter
from mailflow.program.calendar import local_time
from mailflow.program.coordination import review
from mailflow.program.coordination.services import Services
from mailflow.store.records import Participant

EXPORT_COLUMNS = ("email", "name", "role", "status", "language")
PRIVATE = ("self_identification",)


def status_text(services: Services) -> str:
    """Participants by role and status, mail in and out by state, what waits for review."""
    store = services.store
    people = store.table("participants").all()
    inbound = Counter(e.get("state") for e in store.table("inbound").all())
    outbox = services.outbox.counts()
    waiting = [r for r in store.table("review").all() if not r.get("resolved")]
    by_role = Counter((p.get("role") or "unknown", p.get("status") or "?") for p in people)
    lines = [f"{services.config.name} <{services.config.address}>",
             f"participants: {len(people)}"]
    lines += [f"  {role} / {status}: {n}" for (role, status), n in sorted(by_role.items())]
    lines.append("mail in: " + (", ".join(f"{k} {v}" for k, v in sorted(inbound.items()))
                                or "none"))
    lines.append("mail out: " + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items()))
                                 or "none"))
    if outbox.get("unknown"):
        lines.append(f"  {outbox['unknown']} mail(s) of unknown fate: check with the recipient "
                     "before sending again")
    lines.append(f"waiting for review: {len(waiting)}")
    return "\n".join(lines)


def review_text(services: Services, now: datetime, include_resolved: bool = False) -> str:
    """The open review items, oldest first, with their age; resolved ones too (who, how)
    with ``include_resolved``."""
    listed = review.items(services.store, include_resolved)
    zone = services.config.calendar.zone  # times as the coordinators live them
    if not listed:
        return "nothing waits for review"
    lines = []
    for item in listed:
        state = (f"resolved {local_time(item.resolved_at, zone)} by {item.resolved_by}: "
                 f"{item.resolution}" if item.resolved
                 else f"open, waiting {review.age(item.created, now)}")
        notice = f" notice {item.notice} #{item.number}" if item.notice else ""
        lines.append(f"{local_time(item.created, zone)}  {item.sender or '?'}  "
                     f"{item.subject or ''}  "
                     f"[{item.inbound or item.kind}]{notice}  ({state})")
        lines += [f"    - {problem}" for problem in item.problems]
        if item.proposed and not item.resolved:
            lines.append(f"    mailflow would: {item.proposed}")
    return "\n".join(lines)


def show_text(services: Services, person: Participant, private: bool = False) -> str:
    """The record (private answers marked as such, shown with ``private``) and the
    timeline, oldest first."""
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
    lines.append(f"timeline: (times in {services.config.timezone})")
    zone = services.config.calendar.zone
    events = sorted((e for e in services.store.table("events").all()
                     if e.get("participant") == person["email"]), key=lambda e: e.get("at", ""))
    for event in events:
        detail = event.get("detail") or {}
        what = (f"{detail.get('from')} -> {detail.get('to')}" if event.get("type") == "status"
                else ", ".join(f"{k}={v}" for k, v in detail.items()
                               if k not in PRIVATE and k != "surveys"))
        lines.append(f"  {local_time(event.get('at', ''), zone)}  {event.get('type')}: {what}  "
                     f"[{event.get('cause')}]")
    return "\n".join(lines)


def plan_lines(rows: Sequence[Any], zone: tzinfo, start: str, end: str,
               assume_replies: bool) -> str:
    """The plan as aligned lines, then a count per template."""
    if not rows:
        return f"nothing planned from {start} to {end}"
    lines = [f"{'when':16}  {'template':28}  {'to':36}  rule (why)"]
    for row in rows:
        lines.append(f"{row.when.astimezone(zone):%Y-%m-%d %H:%M}  {row.template:28}  "
                     f"{row.to:36}  {row.rule} ({row.why})")
    counts = Counter(row.template.split("/")[0] for row in rows)
    lines.append("")
    lines.append(f"{len(rows)} mail(s): " + ", ".join(f"{t} {n}" for t, n in
                                                     sorted(counts.items())))
    if not assume_replies:
        lines.append("(assuming nobody answers; --assume-replies drops the reminders)")
    return "\n".join(lines)


def export_participants(services: Services, fmt: str = "csv") -> str:
    """Every participant as CSV (fields flattened, cells safe for spreadsheets) or JSON."""
    people = [dict(p) for p in services.store.table("participants").all()]
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


def export_pairs(services: Services) -> str:
    """Every pair (mentee with a mentor) as CSV, for the coordinators' spreadsheet."""
    people = {p["email"]: p for p in services.store.table("participants").all()}
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["mentee", "mentee_email", "mentor", "mentor_email", "status"])
    for person in people.values():
        mentor = people.get(person.get("mentor") or "")
        if person.get("role") == "mentee" and mentor is not None:
            writer.writerow([person.get("name") or "", person["email"],
                             mentor.get("name") or "", mentor["email"], person.get("status")])
    return out.getvalue()
