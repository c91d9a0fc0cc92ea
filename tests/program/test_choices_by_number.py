"""The choices invitation numbers its mentors, and a reply that answers with those
numbers is read against the list that very mail carried, not today's roster."""

from __future__ import annotations

from datetime import datetime, timedelta

from mailflow.program import participants
from tests.program.year import ZONE

SENT = datetime(2027, 2, 8, 16, 30, tzinfo=ZONE)   # training_1 + 2 h: the invitation goes
MENTEE = "selected0@example.org"


def _invitation(run):
    run.ticks(SENT - timedelta(hours=1), SENT)
    [item] = [i for i in run.program.outbox.items.values()
              if i.meta.get("template") == "choices_invitation" and i.recipients == [MENTEE]]
    return item


def _reply(run, item, text: str, n: int = 1):
    body = run.program.outbox.message_bytes(item.id)
    reply_to = body.split(b"Reply-To:")[1].split(b"<")[1].split(b">")[0].decode()
    raw = (f"From: Selected 0 <{MENTEE}>\r\nTo: {reply_to}\r\n"
           f"Subject: Re: {item.subject}\r\nMessage-ID: <num{n}@example.com>\r\n"
           f"In-Reply-To: <{item.message_id}>\r\nReferences: <{item.message_id}>\r\n"
           "Date: Mon, 08 Feb 2027 18:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8"
           f"\r\n\r\n{text}\r\n").encode()
    program = run.program
    with program.store.transaction(), program.outbox.batch():
        return program.handler.handle({"key": f"num:{n}"}, raw, SENT + timedelta(hours=2))


def test_the_invitation_numbers_the_mentors_and_remembers_their_order(run):
    item = _invitation(run)
    text = run.program.outbox.message_bytes(item.id).decode("utf-8", "replace")
    assert "  1. Mentor 0" in text and "  4. Mentor 3" in text
    assert item.meta["numbered"] == [f"mentor{i}@example.org" for i in range(4)]


def test_choices_given_as_numbers_are_recorded_in_that_order(run):
    item = _invitation(run)
    outcome = _reply(run, item, "My choices: 3, 1 and 4\n\nThanks!")
    assert outcome.reading.choices == ["mentor2@example.org", "mentor0@example.org",
                                       "mentor3@example.org"]
    assert participants.find(run.program.store, MENTEE)["choices"] == [
        "mentor2@example.org", "mentor0@example.org", "mentor3@example.org"]


def test_numbers_follow_the_list_that_was_sent_even_after_the_roster_changed(run):
    item = _invitation(run)
    with run.program.store.transaction():  # the first mentor withdraws after it went out
        participants.set_fields(run.program.store, "mentor0@example.org", {"status": "withdrawn"},
                                "test", SENT.isoformat())
    outcome = _reply(run, item, "2\n3\n")
    assert outcome.reading.choices == ["mentor1@example.org", "mentor2@example.org"]
