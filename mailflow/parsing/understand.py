"""What a message means: its kind, who wrote it, what it says, and what is unsure.

``understand`` is pure given its context (the configuration, the roster and the
outbox lookups), so ``mailflow parse`` shows exactly what the daemon would conclude.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from mailflow.config.model import Config
from mailflow.parsing.approval import read_approval
from mailflow.parsing.authority import authenticated_domain_pass, trusted_results
from mailflow.parsing.automatic import (
    automatic_kind,
    bounced_message_ids,
    bounced_recipients,
    verp_id,
)
from mailflow.parsing.choices import RosterEntry
from mailflow.parsing.commands import read_command, read_yes_no
from mailflow.parsing.decode import DecodedMessage
from mailflow.parsing.forms import read_form
from mailflow.parsing.quotes import split_reply
from mailflow.parsing.replies import expected_reply, read_content
from mailflow.reply_tokens import token_from_address, verify_token

_CHARSET_PROBLEM = re.compile(r"undecodable charset '([^']*)', decoded as")
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|wg|rv|i)\s*:", re.IGNORECASE)
KINDS = ("application", "choices", "meeting", "survey", "coordinator_cc", "command",
         "auto_reply", "bounce", "unknown")
_FRENCH = re.compile(r"\b(bonjour|merci|je|vous|nous|suis|pour|avec|mentorat|mentoré|"
                     r"candidature|cordialement|madame|monsieur|à|être|très)\b", re.IGNORECASE)
_ENGLISH = re.compile(r"\b(hello|hi|thanks|thank|i|you|we|am|for|with|mentorship|"
                      r"application|regards|dear|the|would|like)\b", re.IGNORECASE)


@dataclass
class Context:
    """What understanding needs to know besides the message itself."""

    config: Config
    secret: bytes
    participant: Callable[[str], dict | None]
    outbox_by_id: Callable[[str], Any]
    outbox_by_message_id: Callable[[str], Any]
    mentors: Callable[[], list[RosterEntry]] = list


@dataclass
class Reading:
    """The outcome of reading one message (the ``mailflow parse --json`` contract, and more)."""

    kind: str
    sender: str | None
    participant: str | None = None
    reply_text: str = ""
    choices: list[str] = field(default_factory=list)
    meeting: dict | None = None
    bounced_recipient: str | None = None
    authenticated: bool = False
    needs_review: bool = False
    problems: list[str] = field(default_factory=list)
    sender_name: str = ""
    subject: str = ""
    message_id: str | None = None
    references: list[str] = field(default_factory=list)
    answers_item: str | None = None
    survey: str | None = None
    survey_answers: dict[int, Any] = field(default_factory=dict)
    concerns: list[str] = field(default_factory=list)
    command: str | None = None
    until: str | None = None
    edits: list[tuple[str, str]] = field(default_factory=list)
    proposal: str | None = None
    language: str | None = None
    role: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    own_mail: bool = False

    @property
    def stranger(self) -> bool:
        """Neither a participant nor a verified coordinator."""
        return self.participant is None and not self.authenticated

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``mailflow parse --json`` prints."""
        data = asdict(self)
        data["application"] = ({"role": self.role, "fields": self.fields, "missing": self.missing}
                               if self.kind == "application" else None)
        if self.kind != "survey":
            data.pop("survey_answers")
        for name in ("role", "fields", "missing", "references", "own_mail"):
            data.pop(name)
        return data


def guess_language(text: str, default: str) -> str:
    """'fr' when the text is clearly French, 'en' when clearly English, else ``default``."""
    french, english = len(_FRENCH.findall(text)), len(_ENGLISH.findall(text))
    if french >= 2 and french > english:
        return "fr"
    if english >= 2 and english > french:
        return "en"
    return default


def _answered_item(msg: DecodedMessage, ctx: Context) -> tuple[Any, str | None]:
    """The outbox item this message answers, and a problem when a token does not verify."""
    local = ctx.config.local_part
    for address in [*msg.to, *msg.cc, *msg.header_all("Delivered-To"),
                    *msg.header_all("X-Original-To")]:
        token = token_from_address(address.strip().strip("<>"), local)
        if token is None:
            continue
        item_id = verify_token(ctx.secret, token, msg.sender or "")
        if item_id is None:
            return None, "the reply address was issued to someone else; not attributed by token"
        return ctx.outbox_by_id(item_id), None
    for ref in [*msg.in_reply_to, *reversed(msg.references)]:
        item = ctx.outbox_by_message_id(ref)
        if item is not None and msg.sender in item.recipients:
            return item, None
    return None, None


def _serious(problem: str) -> bool:
    """Whether a decoding problem may have changed what the person wrote.

    A known charset that did not fit (utf-8 text labelled latin-1 and the like) is
    decoded right by the fallbacks; an unknown charset name or a broken structure is not.
    """
    match = _CHARSET_PROBLEM.match(problem)
    if match is None:
        return True
    label = match.group(1)
    if label == "none":
        return False
    try:
        codecs.lookup(label)
    except LookupError:
        return True
    return False


def _forwarded(msg: DecodedMessage) -> bool:
    """A forward, by its subject or an attached message."""
    return bool(_FORWARD_SUBJECT.match(msg.subject)) or any(
        a.content_type == "message/rfc822" for a in msg.attachments) or (
        "forwarded message" in msg.text.lower())


def _is_own(address: str, config: Config) -> bool:
    """The program's address or one of its +sub-addresses."""
    local, _, domain = address.partition("@")
    return domain == config.domain and local.split("+", 1)[0] == config.local_part


def understand(msg: DecodedMessage, ctx: Context) -> Reading:
    """Read ``msg``: never raises for a decoded message, flags whatever is unsure."""
    config = ctx.config
    reading = Reading(kind="unknown", sender=msg.sender, sender_name=msg.sender_name,
                      subject=msg.subject, message_id=msg.message_id,
                      references=[*msg.references, *msg.in_reply_to],
                      problems=list(msg.problems))
    if any(_serious(p) and not (p == "empty body" and msg.calendar) for p in msg.problems):
        reading.needs_review = True
    if not msg.sender:
        reading.problems.append("no sender address")
        reading.needs_review = True
        return reading
    automatic = automatic_kind(msg, {config.address, msg.sender} if _is_own(msg.sender, config)
                               else {config.address})
    if automatic == "own":
        reading.kind, reading.own_mail = "auto_reply", True
        reading.problems.append("sent by this program itself; never answered")
        return reading
    if automatic == "bounce":
        reading.kind = "bounce"
        recipients = bounced_recipients(msg)
        reading.bounced_recipient = recipients[0] if recipients else None
        item_id = verp_id(msg, config.local_part)
        item = ctx.outbox_by_id(item_id) if item_id else None
        if item is None:  # no return address of ours: does it quote one of our mails?
            item = next((i for i in map(ctx.outbox_by_message_id, bounced_message_ids(msg))
                         if i is not None), None)
        if item is not None:
            reading.answers_item = item.id
            reported, ours = reading.bounced_recipient, item.recipients[0]
            reading.bounced_recipient = reported or ours
            if reported and reported.lower() != ours.lower():
                reading.problems.append(f"the bounce names {reported}, but our mail went to "
                                        f"{ours}; not applied")
                reading.needs_review = True
        elif reading.bounced_recipient is not None and not ctx.participant(
                reading.bounced_recipient):
            # Untied bounces of participants' addresses are taken (mail sent by hand
            # from the program's mailbox bounces there too); the coordinators hear of
            # each, and a participant who writes again is no longer marked.
            reading.problems.append("a bounce for an address that is not a participant's, "
                                    "and no mail of ours can be tied to it; not applied")
            reading.needs_review = True
        if reading.bounced_recipient is None:
            reading.problems.append("bounce whose recipient could not be identified")
            reading.needs_review = True
        return reading

    item, token_problem = _answered_item(msg, ctx)
    if token_problem:
        reading.problems.append(token_problem)
        reading.needs_review = True
    if item is not None:
        reading.answers_item = item.id
    person = ctx.participant(msg.sender)
    reading.participant = person["email"] if person else None
    is_coordinator = config.is_coordinator_address(msg.sender)
    reading.authenticated = is_coordinator and authenticated_domain_pass(
        trusted_results(msg.raw_headers, config.mailbox.authserv_id),
        config.mailbox.authserv_id, msg.sender)
    if is_coordinator and not reading.authenticated:
        reading.problems.append("claims to be a coordinator but is not authenticated "
                                "(no DMARC/DKIM pass from the trusted server)")
        reading.needs_review = True

    if automatic == "auto_reply":
        reading.kind = "auto_reply"
        return reading

    reply = split_reply(msg.text)
    reading.reply_text = reply.new_text.strip()
    reading.language = (person or {}).get("language") or guess_language(
        reading.reply_text + " " + msg.subject, config.language)
    expects = expected_reply(item)
    if reading.authenticated and expects and expects.startswith("approval:"):
        approval = read_approval(reply.new_text)
        if approval.found:
            reading.kind = "command"
            reading.command = "approve" if approval.approve else "edit"
            reading.edits = approval.edits
            reading.proposal = expects.split(":", 1)[1]
            return reading
    if reading.authenticated:
        reading.kind = "coordinator_cc"
        reading.concerns = sorted({a for a in [*msg.to, *msg.cc]
                                   if a != msg.sender and ctx.participant(a)})
        return reading
    if reading.participant and expects == "acceptance":
        answer = read_yes_no(reply.new_text)
        reading.kind = "command"
        if answer is None:
            reading.problems.append("could not tell whether this is a YES or a NO")
            reading.needs_review = True
        reading.command = {True: "accept", False: "decline", None: None}[answer]
        reading.proposal = (getattr(item, "meta", None) or {}).get("mentee")
        return reading
    command = read_command(reply.new_text, msg.subject) if reading.participant else None
    if command is not None:
        reading.kind, reading.command = "command", command.name
        reading.until = command.until.isoformat() if command.until else None
        return reading
    form = read_form(reply.new_text, reply.quoted, config.forms)
    completing = bool(form.fields) and (person or {}).get("status") == "applicant"
    if form.found or completing:  # an applicant may send the missing line alone
        reading.kind = "application"
        reading.role, reading.fields, reading.missing = form.role, form.fields, form.missing
        if _forwarded(msg) and not read_form(reply.new_text, "", config.forms).found:
            reading.problems.append("a forwarded application form: applications are taken "
                                    "only from the applicant's own address")
            reading.needs_review = True
        return reading
    if reading.participant is not None and read_content(
            reading, reply, msg, config, person, expected_reply(item), ctx.mentors()):
        return reading
    if not reading.reply_text and not msg.subject.strip():
        reading.problems.append("empty message")
        reading.needs_review = True
    elif reading.participant is not None:
        reading.problems.append("a participant's message that mailflow does not understand")
        reading.needs_review = True
    return reading
