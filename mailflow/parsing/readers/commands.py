"""Commands in any thread (a coordinator's, a participant's STOP or PAUSE, a mentor's YES
or NO): read before content, so that a command is never taken for an answer."""

from __future__ import annotations

import re

from mailflow.parsing.approval import read_approval
from mailflow.parsing.command_prose import AskedCommand, read_asked_command
from mailflow.parsing.commands import (
    Command,
    read_command,
    read_coordinator_commands,
    read_yes_no,
)
from mailflow.parsing.examine import Context, Letter
from mailflow.parsing.leaving import asks_to_leave
from mailflow.parsing.readers import Step
from mailflow.parsing.reading import VERIFIED
from mailflow.parsing.review_answer import read_review_answer
from mailflow.text import fold_accents

_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|aw|tr|fwd?|rv)\s?:\s?)+", re.IGNORECASE)

_CONFIRM = re.compile(r"^\W*(confirm|confirmer|confirme|yes|oui)\b")


def review_answer(letter: Letter, ctx: Context) -> bool:
    """A coordinator answers a review notice: decisions on its numbered items.

    From a coordinator's address without proof it is read too, so that it goes to review
    and nothing of it is done."""
    reading, expects = letter.reading, letter.expects
    if not (letter.is_coordinator and expects and expects.kind == "review"
            and (expects.about or "").isdigit()):
        return False
    meta = getattr(letter.item, "meta", None) or {}
    reading.kind, reading.command = "command", "review"
    reading.review.notice = int(expects.about or 0)
    reading.review.actions = [a.to_json() for a in read_review_answer(
        letter.msg.text, letter.reply.new_text, meta.get("review_items") == 1,
        (letter.msg.sender_name, *(c.name for c in ctx.config.coordinators
                                   if c.email.lower() == (letter.msg.sender or "").lower())))]
    if not reading.authenticated:
        reading.no_answer = True
        reading.doubt("an answer to a review notice from mail that is not verified: nothing "
                      "was done")
    return True

def approval(letter: Letter, ctx: Context) -> bool:
    """A verified coordinator answers a matching proposal: APPROVE and/or edited pairs."""
    reading, expects = letter.reading, letter.expects
    if not (reading.authenticated and expects and expects.kind == "approval"):
        return False
    answer = read_approval(letter.reply.new_text)
    if not answer.found:
        return False  # then it is a coordinator's ordinary mail
    reading.kind = "command"
    reading.command = "approve" if answer.approve else "edit"
    reading.edits = answer.edits
    reading.proposal = expects.about
    return True

def coordinator(letter: Letter, ctx: Context) -> bool:
    """A coordinator's mail: commands when it is written to the program alone, else kept
    in the timeline of every participant it concerns.

    Commands from a coordinator's address without proof (no DMARC/DKIM pass from our
    server) are read too, so that they go to review and nothing of them is done.
    """
    reading, msg = letter.reading, letter.msg
    if not (reading.authenticated or letter.is_coordinator):
        return False
    concerns = sorted({a for a in [*msg.to, *msg.cc] if a != msg.sender and ctx.participant(a)})
    found = [] if concerns else read_coordinator_commands(
        letter.reply.new_text, msg.subject, loose=letter.item is None)
    if found:
        reading.kind, reading.command = "command", "coordinator"
        reading.coordinator.commands = [c.to_json() for c in found]
        meta = getattr(letter.item, "meta", None) or {}
        if reading.evidence == "token" and meta.get("coordinator_preview"):
            reading.coordinator.preview = letter.item.id  # a CONFIRM binds to it, and only it
        if not reading.authenticated:
            reading.no_answer = True  # the coordinators are told; the From is not answered
            reading.doubt("a coordinator command from mail that is not verified: nothing "
                          "was done")
        return True
    if not reading.authenticated:
        return False
    reading.kind = "coordinator_cc"
    reading.concerns = concerns
    return True

def confirmation(letter: Letter, ctx: Context) -> bool:
    """CONFIRM in reply to our request for confirmation: the change asked for is made."""
    expects = letter.expects
    if letter.person is None or expects is None or expects.kind != "confirm":
        return False
    if not (letter.reading.evidence in VERIFIED and _CONFIRM.search(
            fold_accents(letter.reply.new_text or letter.msg.subject))):
        return False  # anything else is read as usual (and a person sees it)
    name, _, until = (expects.about or "").partition(":")
    reading = letter.reading
    reading.kind, reading.command, reading.until = "command", name, until or None
    return True

def command(letter: Letter, ctx: Context) -> bool:
    """STOP, START, PAUSE until a date, RESUME, MY DATA, DELETE MY DATA: in any thread.

    From an address we cannot tie to the participant (From alone, forgeable), the
    change waits for a confirmation mailed to the registered address; an erasure always
    does. A copy of one's data needs none: it only ever goes to the registered address.
    """
    if letter.person is None:
        return False
    reading = letter.reading
    found: Command | AskedCommand | None = read_command(letter.reply.new_text,
                                                       letter.msg.subject)
    if found is None:  # asked in words: "please pause my emails until 1 July"
        found = read_asked_command(letter.reply.new_text or _SUBJECT_PREFIX.sub(
            "", letter.msg.subject), letter.msg.date.date() if letter.msg.date else None)
        if found is None:
            return False
        if found.doubt:
            reading.doubt(found.doubt)
    reading.kind, reading.command = "command", found.name
    reading.until = found.until.isoformat() if found.until else None
    if found.name == "my_data":
        return True  # the copy goes to the registered address only: nothing to confirm
    if found.name == "erase" or reading.evidence not in VERIFIED:  # erasure: always asked
        reading.pending = found.name + (f":{reading.until}" if reading.until else "")
        reading.command, reading.until = "confirm", None
    return True

def leaving(letter: Letter, ctx: Context) -> bool:
    """A participant writes that they leave the program: a request for the coordinators to
    confirm (command 'leave'), in any thread; nothing of the record changes on it."""
    if letter.person is None:
        return False
    sentence = asks_to_leave(letter.reply.new_text)
    if sentence is None:
        return False
    reading = letter.reading
    reading.kind, reading.command = "command", "leave"
    return True

def acceptance(letter: Letter, ctx: Context) -> bool:
    """A mentor's YES or NO to the mentee we proposed; unsure means review."""
    if letter.person is None or letter.expects is None or letter.expects.kind != "acceptance":
        return False
    reading = letter.reading
    answer = read_yes_no(letter.reply.new_text)
    reading.kind = "command"
    if answer is None:
        reading.doubt("could not tell whether this is a YES or a NO")
    reading.command = {True: "accept", False: "decline", None: None}[answer]
    reading.proposal = letter.expects.about
    return True


STEPS = (
    Step(80, "answer to a review notice", review_answer, ("command",)),
    Step(90, "coordinator's approval", approval, ("command",)),
    Step(100, "coordinator's mail", coordinator, ("command", "coordinator_cc")),
    Step(110, "confirmation", confirmation, ("command",)),
    Step(120, "command", command, ("command",)),
    Step(130, "request to leave the program", leaving, ("command",)),
    Step(140, "mentor's YES or NO", acceptance, ("command",)),
)
