"""Record what a reply says in the participant's record: choices, meetings, surveys, absences.

Only what was understood without doubt is recorded; a reading that needs review
changes nothing here (the review list keeps it). Survey answers are private: they
are stored with the person and never put into mail to anyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mailflow.parsing.reading import VERIFIED, Reading
from mailflow.program import participants
from mailflow.store import Store
from mailflow.store.records import Participant

AWAY_DAYS = 7
COMMAND_VALUES: dict[str, Callable[[Reading], dict[str, Any]]] = {
    "stop": lambda r: {"opted_out": True}, "start": lambda r: {"opted_out": False},
    "pause": lambda r: {"paused_until": r.until}, "resume": lambda r: {"paused_until": None},
}


def record_reply(store: Store, reading: Reading, person: Participant | None, cause: str,
                 now: datetime) -> None:
    """Apply an understood reply of ``person`` (or a bounce) to the store."""
    at = now.isoformat()
    if reading.kind in ("bounce", "feedback"):
        record_automatic(store, reading, cause, at)
        return
    if reading.kind == "coordinator_cc" and not reading.needs_review:
        record_coordinator_mail(store, reading, cause, at)
        return
    if person is not None and person.get("bounced") and reading.kind != "auto_reply":
        # They wrote from this address, whatever they said: it works again.
        participants.set_fields(store, person["email"], {"bounced": False}, cause, at)
    if person is None or reading.needs_review:
        return
    email = person["email"]
    if reading.kind == "choices" and reading.choices:
        participants.set_fields(store, email, {"choices": list(reading.choices)}, cause, at)
    elif reading.kind == "meeting" and reading.meeting.per_mentee:
        # A mentor's report on several mentees: a fact for each one named.
        facts = [{**fact, "reported": at} for fact in reading.meeting.per_mentee]
        values: dict[str, Any] = {"meetings": [*person.get("meetings", []), *facts]}
        held = sorted(f["date"] for f in facts if f["met"] and f["date"])
        if any(f["met"] for f in facts):
            values["last_meeting"] = held[-1] if held else at[:10]
        participants.set_fields(store, email, values, cause, at)
    elif reading.kind == "meeting" and reading.meeting.reported is not None:
        meetings = [*person.get("meetings", []), {**reading.meeting.reported, "reported": at}]
        values = {"meetings": meetings}
        if reading.meeting.reported.get("met"):
            values["last_meeting"] = reading.meeting.reported.get("date") or at[:10]
        participants.set_fields(store, email, values, cause, at)
    elif reading.kind == "survey" and reading.survey.key:
        surveys = {**person.get("surveys", {}),
                   reading.survey.key: {str(k): v for k, v in reading.survey.answers.items()}}
        participants.set_fields(store, email, {"surveys": surveys}, cause, at)
    elif reading.kind == "command" and reading.command in ("accept", "decline"):
        answer_proposal(store, person, reading.command == "accept", cause, at,
                        reading.proposal)
    elif reading.kind == "command" and reading.command in COMMAND_VALUES:
        values = COMMAND_VALUES[reading.command or ""](reading)
        participants.set_fields(store, email, values, cause, at)
    elif reading.kind == "attendance" and reading.attendance and reading.evidence in VERIFIED:
        # Who comes to a training or a check-in: kept per event, never a meeting.
        answers = {**(person.get("attendance") or {}),
                   reading.attendance["event"]: reading.attendance["answer"]}
        participants.set_fields(store, email, {"attendance": answers}, cause, at)
    elif reading.kind == "auto_reply" and not reading.own_mail:
        # An out-of-office postpones this person's reminders; it never counts as an answer.
        until = (now + timedelta(days=AWAY_DAYS)).date().isoformat()
        participants.set_fields(store, email, {"away_until": until}, cause, at)


def record_automatic(store: Store, reading: Reading, cause: str, at: str) -> None:
    """A bounce or a feedback report, on the person it concerns: a permanent failure marks
    the address, a delay is only kept in the timeline, a complaint ends optional mail."""
    concerned = (participants.find(store, reading.bounce.recipient)
                 if reading.bounce.recipient and not reading.needs_review else None)
    if concerned is None:
        return
    email = concerned["email"]
    if reading.kind == "feedback":
        participants.add_event(store, email, "complaint", cause, at,
                               {"subject": reading.subject, "from": reading.sender})
        participants.set_fields(store, email, {"opted_out": True}, cause, at)
    elif reading.bounce.status == "temporary":
        participants.add_event(store, email, "delivery_delayed", cause, at,
                               {"subject": reading.subject})
    else:
        participants.set_fields(store, email, {"bounced": True}, cause, at)


def answer_proposal(store: Store, mentor: Participant, accepted: bool, cause: str, at: str,
                    proposed: str | None = None) -> None:
    """A mentor's YES introduces the proposed pair; a NO frees both for another proposal.

    An answer to an older proposal (another mentee than the one now proposed) changes
    nothing: the mentor has not seen the current proposal.
    """
    mentees = list(mentor.get("mentees") or [])
    if mentor.get("status") != "matched" or not mentees:
        return
    mentee = mentees[-1]
    if proposed and proposed != mentee:
        participants.add_event(store, mentor["email"], "stale_answer", cause, at,
                               {"about": proposed, "current": mentee})
        return
    if accepted:
        for email in (mentor["email"], mentee):
            participants.move(store, email, "introduced", cause, at)
        return
    for email in (mentor["email"], mentee):
        participants.move(store, email, "selected", cause, at)
    participants.set_fields(store, mentor["email"],
                            {"mentees": mentees[:-1], "proposed": None}, cause, at)
    participants.set_fields(store, mentee, {"mentor": None}, cause, at)


def record_coordinator_mail(store: Store, reading: Reading, cause: str, at: str) -> None:
    """A verified coordinator's mail goes into the timeline of everyone it concerns.

    A coordinator who introduces a matched pair themselves (one mentee and their
    mentor in To/Cc) marks the pair as introduced, as mailflow's own introduction would.
    """
    people = [p for p in (participants.find(store, a) for a in reading.concerns) if p]
    for person in people:
        participants.add_event(store, person["email"], "coordinator_mail", cause, at,
                               {"subject": reading.subject, "from": reading.sender})
    mentees = [p for p in people if p.get("role") == "mentee"]
    mentors = {p["email"] for p in people if p.get("role") == "mentor"}
    if len(mentees) == 1 and len(mentors) == 1 and mentees[0].get("mentor") in mentors:
        for email in (mentees[0]["email"], *mentors):
            if participants.status_of(store, email) == "matched":
                participants.move(store, email, "introduced", f"{cause} (introduced by a "
                               "coordinator)", at)
