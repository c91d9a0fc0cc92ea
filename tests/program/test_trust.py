"""A participant's record changes only on evidence a stranger cannot forge."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mailflow.program import participants
from mailflow.program.coordination import review
from mailflow.reply_tokens import make_token, reply_address
from mailflow.runtime import Program, open_program
from tests.program.year import ZONE, new_program

LEA = "lea.gagnon@example.com"
NOW = datetime(2027, 3, 2, 10, 0, tzinfo=ZONE)


@pytest.fixture
def program(tmp_path):
    program = open_program(new_program(tmp_path / "p"))
    with program.store.transaction():
        participants.insert(program.store, {
            "email": LEA, "name": "Léa Gagnon", "role": "mentee", "status": "introduced",
            "language": "en", "fields": {"name": "Léa Gagnon", "goals": "a research career"}})
    yield program
    program.close()


def _handle(program: Program, raw: str, key: str) -> None:
    with program.store.transaction(), program.outbox.batch():
        program.handler.handle({"key": key}, raw.encode("utf-8"), NOW)


def _mail(body: str, to: str = "mentorship@northlake.example.org", extra: str = "") -> str:
    return (f"From: Léa Gagnon <{LEA}>\r\nTo: {to}\r\nSubject: Hello\r\n"
            f"Message-ID: <{abs(hash(body + to))}@mail.example.com>\r\n{extra}"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)


def _person(program: Program) -> dict:
    return participants.find(program.store, LEA) or {}


def _sent_to_lea(program: Program, template: str) -> list:
    return [i for i in program.outbox.items.values()
            if i.recipients == [LEA] and i.meta.get("template") == template]


def test_a_stop_with_a_forged_from_waits_for_a_confirmation_to_the_registered_address(program):
    _handle(program, _mail("STOP\r\n"), "m1")

    assert not _person(program).get("opted_out")
    [confirmation] = _sent_to_lea(program, "confirm_change")
    assert confirmation.meta["expects"] == "confirm:stop"


def test_confirm_from_the_registered_address_applies_the_change(program):
    _handle(program, _mail("PAUSE until 2027-07-01\r\n"), "m1")
    [confirmation] = _sent_to_lea(program, "confirm_change")
    token = make_token(program.secret, confirmation.id, LEA)
    address = reply_address("mentorship", "northlake.example.org", token)
    _handle(program, _mail("CONFIRM\r\n", to=address,
                           extra=f"In-Reply-To: <{confirmation.message_id}>\r\n"), "m2")

    assert _person(program).get("paused_until") == "2027-07-01"


def test_confirm_without_the_confirmation_mail_changes_nothing(program):
    _handle(program, _mail("PAUSE until 2099-12-31\r\n"), "m1")
    _handle(program, _mail("CONFIRM\r\n"), "m2")

    assert not _person(program).get("paused_until")


def test_a_form_that_changes_the_role_goes_to_review(program):
    _handle(program, _mail("Role: mentor\r\nFull name: Léa Gagnon\r\nAffiliation: Lab\r\n"
                           "Expertise: vision\r\n"), "m1")

    person = _person(program)
    assert person["role"] == "mentee" and person["fields"]["goals"] == "a research career"
    assert program.store.table("review").all()


def test_a_message_without_a_sender_is_never_answered(program):
    _handle(program, "To: mentorship@northlake.example.org\r\nSubject: hi\r\n"
                     "Content-Type: text/plain\r\n\r\nhello\r\n", "m1")

    assert not [i for i in program.outbox.items.values() if i.kind == "reply"]


def test_questions_written_in_someone_s_name_cannot_flood_the_coordinators(program):
    # Was: at most 3 concern_notice mails (one per concern within the answer budget). Now
    # every message waits for the batched notice: one mail, each message listed once.
    for i in range(8):
        _handle(program, _mail(f"Could someone call me about my mentor? ({i})\r\n"), f"q{i}")
    program.scheduler.tick(NOW)
    program.scheduler.tick(NOW + timedelta(hours=2))

    mails = [i for i in program.outbox.items.values()
             if i.meta.get("template") in ("concern_notice", "review_notice", "answer_budget")]
    assert [n for n in mails if n.meta["template"] == "concern_notice"] == []
    assert len([n for n in mails if n.meta["template"] == "review_notice"]) == 1
    [notice] = review.notices(program.store)
    listed = [review.get(program.store, i) for i in notice.items]
    assert sorted(i.inbound for i in listed if i) == [f"q{i}" for i in range(8)]
    assert len([n for n in mails if n.meta["template"] == "answer_budget"]) == 1
