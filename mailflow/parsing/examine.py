"""Before any reader: who wrote, which of our mails this answers, and with what authority.

A ``Letter`` is the message with those facts; the readers of the chain
(``mailflow.parsing.readers``) look at it and fill the ``Reading``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mailflow.config.model import Config
from mailflow.parsing.authority import authenticated_domain_pass, trusted_results
from mailflow.parsing.decode import DecodedMessage
from mailflow.parsing.expects import Expects
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.quotes import Reply, split_reply
from mailflow.parsing.reading import Reading, guess_language
from mailflow.reply_tokens import token_from_address, verify_token
from mailflow.store.records import Participant
from mailflow.text import fold_accents

_CHARSET_PROBLEM = re.compile(r"undecodable charset '([^']*)', decoded as")
_BLANKS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_LEAD = re.compile(r"^(?P<lead>[ \t\u00a0]*)(?P<mark>(?:\d{1,3}[.)]|[-*\u2022])?)"
                   r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+", re.MULTILINE)
MAX_READ_CHARS = 10_000   # of a reply's new text: far more than any answer we ask for
MAX_LINE_CHARS = 1_000
MAX_RAW_CHARS = 20 * MAX_READ_CHARS  # before blanks are made one: what no reply needs


@dataclass
class Context:
    """What understanding needs to know besides the message itself."""

    config: Config
    secret: bytes
    participant: Callable[[str], Participant | None]
    outbox_by_id: Callable[[str], Any]
    outbox_by_message_id: Callable[[str], Any]
    mentors: Callable[[], list[RosterEntry]] = list
    # The participant of that name when only one has it (else None).
    named_one: Callable[[str], Participant | None] = lambda _name: None


@dataclass
class Letter:
    """A decoded message and what is known of it before its content is read."""

    msg: DecodedMessage
    reading: Reading
    automatic: str | None = None          # own | bounce | auto_reply | None (a person)
    person: Participant | None = None     # the sender's participant record
    is_coordinator: bool = False          # a configured coordinator address (not proof)
    item: Any = None                      # the outbox item this answers
    expects: Expects | None = None        # what that mail asked for
    reply: Reply = field(default_factory=lambda: Reply("", "", ""))


def is_own(address: str, config: Config) -> bool:
    """The program's address or one of its +sub-addresses."""
    local, _, domain = address.partition("@")
    return domain == config.domain and local.split("+", 1)[0] == config.local_part


def serious(problem: str) -> bool:
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


def answered_item(msg: DecodedMessage, ctx: Context) -> tuple[Any, str | None, str]:
    """The outbox item this message answers, a problem when a token does not verify, and
    how it is tied: 'token', 'thread' or '' (not tied)."""
    local = ctx.config.local_part
    for address in [*msg.to, *msg.cc, *msg.header_all("Delivered-To"),
                    *msg.header_all("X-Original-To")]:
        token = token_from_address(address.strip().strip("<>"), local)
        if token is None:
            continue
        item_id = verify_token(ctx.secret, token, msg.sender or "")
        person = ctx.participant(msg.sender or "")
        if item_id is None and person is not None:  # a second address linked to them
            item_id = verify_token(ctx.secret, token, person["email"])
        if item_id is None:
            return (None, "the reply address was issued to someone else; not attributed by "
                    "token", "")
        item = ctx.outbox_by_id(item_id)
        return item, None, "token" if item is not None else ""
    person = ctx.participant(msg.sender or "")
    addresses = {msg.sender, person["email"] if person else None}
    for ref in [*msg.in_reply_to, *reversed(msg.references)]:
        item = ctx.outbox_by_message_id(ref)
        if item is not None and addresses & set(item.recipients):
            return item, None, "thread"
    return None, None, ""


def bounded_text(text: str) -> tuple[str, bool]:
    """``text`` as the readers may see it: runs of blanks made one (a tab, if any), lines
    and the whole cut to what a person writes (a reply is no novel); True when something was cut.

    The readers' patterns are linear on text of this shape; the cut keeps any that is
    not from costing more than a moment (a regular expression is one C call, which the
    per-message time budget cannot interrupt)."""
    # Blanks are made one by a Python call per run: only on what could still be read.
    raw_cut = len(text) > MAX_RAW_CHARS
    text = text[:MAX_RAW_CHARS]
    # A tab between words stays one: it keeps a table's cells apart ("1. Usefulness<TAB>5");
    # after a list's number or bullet, or at a line's start, it is only an indent.
    text = _LEAD.sub(lambda m: (" " if m["lead"] else "") + m["mark"] + " ", text)
    text = _BLANKS.sub(lambda blank: "\t" if "\t" in blank[0] else " ", text)
    lines, cut = [], raw_cut or len(text) > MAX_READ_CHARS
    for line in text[:MAX_READ_CHARS].split("\n"):
        cut |= len(line) > MAX_LINE_CHARS
        lines.append(line[:MAX_LINE_CHARS])
    return "\n".join(lines), cut


def readable(reply: Reply, reading: Reading) -> Reply:
    """The reply's new text bounded for reading; what was cut goes before a person."""
    text, cut = bounded_text(reply.new_text)
    if cut:
        reading.doubt(f"the reply is longer than mailflow reads ({MAX_READ_CHARS} characters, "
                      f"{MAX_LINE_CHARS} a line): a person reads it")
    return Reply(text, reply.quoted, reply.signature)


def _without_sign_off(reply: Reply, names: list[str]) -> Reply:
    """The reply with a last line that is only the writer's name (or first name) moved to
    the signature: 'No, thank you!\nHannah' answers 'No, thank you!'."""
    text, sign_off = split_sign_off(reply.new_text, names)
    if not sign_off:
        return reply
    return Reply(text, reply.quoted, (sign_off + "\n" + reply.signature).strip())


def split_sign_off(text: str, names: list[str]) -> tuple[str, str]:
    """(the text, its last line) when that line is only the writer's name, else (text, '')."""
    lines = text.rstrip().splitlines()
    if len(lines) < 2:
        return text, ""
    last = fold_accents(lines[-1]).strip(" -,.!")
    signs = {fold_accents(n).strip() for n in names if n}
    signs |= {s.split()[0] for s in signs if s.split()}
    if not last or last not in signs:
        return text, ""
    return "\n".join(lines[:-1]).rstrip(), lines[-1]


# Letters of other scripts drawn like Latin ones: an address written with them is made to
# be taken for another.
_HOMOGLYPHS = str.maketrans("аеорсхуіјѕԁɡһӏԛԝοαερτυνкмнвт", "aeopcxyijsdghlqwoaeptuvkmhbt")


def impersonates(msg: DecodedMessage, config: Config) -> bool:
    """Whether the From header names a coordinator (in the display name, a comment, a quoted
    local part) or an address drawn to look like one, without being that coordinator."""
    raw_from = fold_accents(" ".join(v for n, v in msg.raw_headers if n.lower() == "from"))
    sender = (msg.sender or "").lower()
    if config.is_coordinator_address(sender):
        return False
    for coordinator in config.coordinators:
        email = coordinator.email.lower()
        local, _, domain = email.partition("@")
        if email in raw_from or fold_accents(coordinator.name) in fold_accents(msg.sender_name):
            return True
        if sender and sender != email and (
                sender.translate(_HOMOGLYPHS) == email
                or (sender.startswith(local + "@") and sender.endswith("." + domain))):
            return True
    return False


def _probably(letter: Letter, ctx: Context) -> None:
    """An unknown address that a thread of ours or a participant's name points to: not
    a stranger, and not them either until a coordinator links the address."""
    msg, reading = letter.msg, letter.reading
    candidates: list[Participant] = []
    for ref in [*msg.in_reply_to, *reversed(msg.references)]:
        item = ctx.outbox_by_message_id(ref)
        owner = ctx.participant(item.recipients[0]) if item and item.recipients else None
        if owner is not None:
            candidates = [owner]
            break
    if not candidates and msg.sender_name:
        one = ctx.named_one(msg.sender_name)
        candidates = [one] if one is not None else []
    if len({c["email"] for c in candidates}) == 1:
        reading.probably = candidates[0]["email"]
        reading.language = candidates[0].get("language") or reading.language
        reading.doubt(f"probably {candidates[0]}, writing from {msg.sender}, an address that "
                      "is not registered for them (mailflow link adds it)")


def first_look(msg: DecodedMessage) -> Letter:
    """The letter with what the headers alone say; serious decoding problems mean review."""
    reading = Reading(kind="unknown", sender=msg.sender, sender_name=msg.sender_name,
                      subject=msg.subject, message_id=msg.message_id,
                      references=[*msg.references, *msg.in_reply_to],
                      problems=list(msg.problems))
    # An empty body changes nothing of what was written (an unsubscribe click sends
    # just a subject); the readers judge it. A broken structure or charset may have.
    if any(serious(p) and p != "empty body" for p in msg.problems):
        reading.needs_review = True
    return Letter(msg, reading)


def attribute(letter: Letter, ctx: Context) -> None:
    """Fill in who wrote (participant, coordinator authority) and which mail this answers."""
    msg, reading, config = letter.msg, letter.reading, ctx.config
    item, token_problem, tie = answered_item(msg, ctx)
    if token_problem:
        reading.doubt(token_problem)
    if item is not None:
        reading.answers_item = item.id
        letter.item = item
        letter.expects = Expects.of_item(item)
        reading.expects = letter.expects.encode() if letter.expects else None
    letter.person = ctx.participant(msg.sender or "")
    reading.participant = letter.person["email"] if letter.person else None
    if letter.person is None:
        _probably(letter, ctx)
    letter.is_coordinator = config.is_coordinator_address(msg.sender or "")
    domain_pass = authenticated_domain_pass(
        trusted_results(msg.raw_headers, config.mailbox.authserv_id),
        config.mailbox.authserv_id, msg.sender or "")
    reading.authenticated = letter.is_coordinator and domain_pass
    reading.evidence = tie or ("domain" if domain_pass else "from")
    if not letter.is_coordinator and impersonates(msg, config):
        reading.doubt("written to look like a coordinator (their name or address in the "
                      "From header, or an address made to look like theirs), but from "
                      f"{msg.sender or 'no address'}: a person looks")
    if letter.is_coordinator and not reading.authenticated:
        reading.doubt("claims to be a coordinator but is not authenticated "
                      "(no DMARC/DKIM pass from the trusted server)")
    letter.reply = _without_sign_off(readable(split_reply(msg.text), reading), [
        (letter.person.get("name") if letter.person else None) or "", msg.sender_name])
    reading.reply_text = letter.reply.new_text.strip()
    # A reply too short to tell (a form sent back bare) is in the language of our mail.
    written = (getattr(item, "meta", None) or {}).get("language")
    known = letter.person.get("language") if letter.person else None
    reading.language = known or reading.language or guess_language(
        reading.reply_text + " " + msg.subject,
        written if isinstance(written, str) and written else config.language)
