"""Machine-made mail (our own come back, bounces, feedback reports, auto-replies, calendar
answers) and mail with no sender: recognised first, so that no machine is ever answered."""

from __future__ import annotations

import re
from typing import Any

from mailflow.parsing.automatic import (
    automatic_kind,
    bounced_message_ids,
    by_subject_only,
    dsn_recipients,
    lone_address,
    machine_for_sure,
    text_recipients,
    verp_id,
)
from mailflow.parsing.bounces import PERMANENT, TEMPORARY, dsn_status, flufl_scan, text_status
from mailflow.parsing.examine import Context, Letter, is_own
from mailflow.parsing.feedback import read_feedback
from mailflow.parsing.readers import Step
from mailflow.reply_tokens import MAC_LENGTH, token_from_address, verify_token


def no_sender(letter: Letter, ctx: Context) -> bool:
    """Nobody to attribute it to, nobody to answer."""
    if letter.msg.sender:
        return False
    letter.reading.doubt("no sender address")
    letter.reading.no_answer = True  # nobody to answer: never mail an empty address
    return True

def own_mail(letter: Letter, ctx: Context) -> bool:
    """Our own mail come back (a copy, a loop): never answered."""
    config, sender = ctx.config, letter.msg.sender or ""
    letter.automatic = automatic_kind(
        letter.msg, {config.address, sender} if is_own(sender, config) else {config.address})
    if letter.automatic != "own":
        return False
    reading = letter.reading
    reading.kind, reading.own_mail = "auto_reply", True
    reading.problems.append("sent by this program itself; never answered")
    return True

def bounce(letter: Letter, ctx: Context) -> bool:
    """A failed or delayed delivery: a failure is applied only when tied to our mail.

    The failed recipient is read by us where we know the format (a DSN's fields, our
    signed return address), else by flufl.bounce, else by our text patterns. A delay
    (temporary) is only recorded: it silences nobody, so it needs no tie and no review.
    """
    if letter.automatic != "bounce":
        return False
    msg, reading, config = letter.msg, letter.reading, ctx.config
    reading.kind = "bounce"
    item, verp = None, verp_id(msg, config.local_part)
    if verp:
        item = signed_item(verp, ctx)
        if item is None:
            reading.problems.append("the bounce came back to a return address we did not "
                                    "sign")
    signed = item is not None
    if item is None:  # no return address of ours: does it quote one of our mails?
        item = next((i for i in map(ctx.outbox_by_message_id, bounced_message_ids(msg))
                     if i is not None), None)
    recipients, status = dsn_recipients(msg), dsn_status(msg)
    if not recipients and not signed:
        scanned = flufl_scan(msg)
        if scanned.problem:
            reading.doubt(scanned.problem)
        recipients = scanned.permanent or scanned.temporary
        if status is None and scanned.temporary and not scanned.permanent:
            status = TEMPORARY
        recipients = recipients or text_recipients(msg.text)
        if not recipients:  # any language: the one address the bounce's own words name
            recipients = [a for a in [lone_address(msg, config.domain)] if a]
    reading.bounce.status = status or text_status(msg) or PERMANENT
    temporary = reading.bounce.status == TEMPORARY
    reading.bounce.recipient = recipients[0] if recipients else None
    if item is not None:
        reading.answers_item = item.id
        reported, ours = reading.bounce.recipient, item.recipients[0].lower()
        reading.bounce.recipient = reported or ours
        if reported and reported != ours and not temporary:
            reading.doubt(f"the bounce names {reported}, but our mail went to {ours}; "
                          "not applied")
    elif reading.bounce.recipient is not None and not temporary:
        # Anyone can write a bounce naming anyone: one that neither came back to our
        # signed return address nor quotes our mail silences nobody; a person looks.
        reading.doubt("a bounce that cannot be tied to a mail of ours (no signed return "
                      "address, no quoted Message-ID); not applied")
    if reading.bounce.recipient is None and not temporary:
        reading.doubt("bounce whose recipient could not be identified")
    failed = reading.bounce.recipient or ""
    if not temporary and (config.is_coordinator_address(failed) or is_own(failed, config)):
        # A coordinator or the program silenced by a bounce would stop the program's own
        # oversight; a Message-ID quoted in a forged bounce is enough to tie it. A person looks.
        reading.doubt(f"the bounce names {failed}, an address of the program or of a "
                      "coordinator, as failed; never applied without a person")
    return True

def feedback(letter: Letter, ctx: Context) -> bool:
    """A feedback report (ARF): someone marked our mail as spam. Tied to our mail by the
    attached original (our signed return or reply address, our Message-ID), it is applied
    to the person we sent it to; a report naming someone only by address is reviewed."""
    if letter.automatic != "feedback":
        return False
    reading, local = letter.reading, ctx.config.local_part
    reading.kind = "feedback"
    found = read_feedback(letter.msg)
    reading.problems.append(f"feedback report ({found.feedback_type}): the recipient marked "
                            "our mail as unwanted")
    tokens = [t for t in (*(_verp_token(a, local) for a in found.return_paths),
                          *(token_from_address(a, local) for a in found.reply_addresses))
              if t]
    item = next((i for i in (signed_item(t, ctx) for t in tokens) if i is not None), None)
    if item is None:
        item = next((i for i in map(ctx.outbox_by_message_id, found.message_ids)
                     if i is not None), None)
    if item is not None:
        reading.answers_item = item.id
        reading.bounce.recipient = item.recipients[0].lower()
    elif found.named:
        reading.bounce.recipient = found.named[0]
        reading.doubt("a feedback report that cannot be tied to a mail of ours (no signed "
                      "address, no Message-ID of ours in the original); not applied")
    else:
        reading.doubt("feedback report whose recipient could not be identified")
    return True

def _verp_token(address: str, local: str) -> str | None:
    user = address.lower().split("@", 1)[0]
    prefix = local.lower() + "+b-"
    return user[len(prefix):] if user.startswith(prefix) else None

def signed_item(verp: str, ctx: Context) -> Any:
    """The outbox item of a signed return address ``LOCAL+b-TOKEN@``, or None when forged."""
    item = ctx.outbox_by_id(verp[:-MAC_LENGTH]) if len(verp) > MAC_LENGTH else None
    if item is None or verify_token(ctx.secret, verp, item.recipients[0]) != item.id:
        return None
    return item

def auto_reply(letter: Letter, ctx: Context) -> bool:
    """An out-of-office or other automatic answer: recorded, never answered."""
    if letter.automatic != "auto_reply":
        return False
    letter.reading.kind = "auto_reply"
    if by_subject_only(letter.msg):  # "Out of office" in a person's subject: a person looks
        letter.reading.doubt("only its subject says it is an automatic reply")
    elif not machine_for_sure(letter.msg):  # "Automatic reply:", "please do not reply to…"
        letter.reading.doubt("only one sign says it is an automatic reply (its subject or its "
                             "words, no header or sender of a machine); a person may have "
                             "written it")
    return True

def attendance(letter: Letter, ctx: Context) -> bool:
    """A calendar's answer (iTIP REPLY) to one of our event invitations (training,
    check-in): who comes, never a meeting held."""
    calendar = letter.msg.calendar or ""
    unfolded = re.sub(r"\r?\n[ \t]", "", calendar)
    if letter.person is None or not re.search(r"^METHOD:\s*REPLY\s*$", unfolded, re.M | re.I):
        return False
    uid = re.search(r"^UID:\s*(\S+?)@(\S+?)\s*$", unfolded, re.M | re.I)
    if uid is None or uid.group(2).lower() != ctx.config.domain.lower() or (
            uid.group(1) not in ctx.config.calendar.dates):
        return False
    partstat = re.search(r"PARTSTAT=([A-Z-]+)", unfolded, re.I)
    reading = letter.reading
    reading.kind = "attendance"
    reading.attendance = {"event": uid.group(1),
                          "answer": (partstat.group(1) if partstat else "NEEDS-ACTION").lower()}
    return True


STEPS = (
    Step(10, "own mail", own_mail, ("auto_reply",)),
    Step(20, "bounce", bounce, ("bounce",)),
    Step(30, "feedback report", feedback, ("feedback",)),
    Step(40, "no sender", no_sender, ("unknown",)),
    # 50: who and which thread (mailflow.parsing.understand)
    Step(60, "auto-reply", auto_reply, ("auto_reply",)),
    Step(70, "answer to our event invitation", attendance, ("attendance",)),
)
