"""'I have to withdraw' is a request for the coordinators, not a reply to clarify: the
writer is thanked in their language, the coordinators get an item to confirm, and the
record changes only when they do."""

from __future__ import annotations

import email
from datetime import datetime
from email import policy

from mailflow.program import participants
from tests.program.year import ZONE, Run

FRENCH_MENTEE = "mentee1@example.org"
NOW = datetime(2027, 4, 6, 10, 0, tzinfo=ZONE)


def write(run: Run, address: str, text: str) -> None:
    """``address`` writes to the program, out of any thread, as a mail client sends it."""
    raw = (f"From: Mentee <{address}>\r\nTo: {run.program.config.address}\r\n"
           f"Subject: Retrait\r\nMessage-ID: <leaving-{address}>\r\n"
           "Date: Tue, 06 Apr 2027 10:00:00 -0400\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           f"{text}\r\n").encode()
    run.program.outbox.clock = lambda: NOW.timestamp()
    with run.program.store.transaction(), run.program.outbox.batch():
        run.program.handler.handle({"key": f"test:{address}"}, raw, NOW)


def templates_to(run: Run, address: str) -> list[str]:
    return [i.meta.get("template", "") for i in run.program.outbox.items.values()
            if i.recipients == [address]]


LEAVING = ("Bonjour,\r\nJe suis désolée, je dois me retirer du programme : j'ai accepté un "
           "poste à l'étranger et je n'aurai pas le temps.\r\nMentee 1")


def test_a_participant_who_must_leave_is_thanked_in_their_language_not_asked_to_rewrite(run):
    write(run, FRENCH_MENTEE, LEAVING)
    assert templates_to(run, FRENCH_MENTEE) == ["leaving_received"]
    [item] = [i for i in run.program.outbox.items.values() if i.recipients == [FRENCH_MENTEE]]
    message = email.message_from_bytes(run.program.outbox.message_bytes(item.id),
                                       policy=policy.default)
    assert message["Subject"] == "Re: Retrait"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "transmis à une coordinatrice ou un coordinateur, qui\nconfirmera votre retrait" in text


def test_the_coordinators_get_the_withdrawal_to_confirm_and_nothing_changes_before(run):
    write(run, FRENCH_MENTEE, LEAVING)
    [item] = run.program.store.table("review").all()
    assert item["kind"] == "withdrawal" and item["participant"] == FRENCH_MENTEE
    assert any(f"mailflow withdraw {FRENCH_MENTEE}" in p for p in item["problems"])
    assert participants.find(run.program.store, FRENCH_MENTEE)["status"] == "introduced"
