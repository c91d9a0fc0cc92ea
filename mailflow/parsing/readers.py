"""The readers of the chain: each claims a message (True) and fills the reading, or passes.

Their order is the business rule and is written once, in
``mailflow.parsing.understand.CHAIN``. A reader that is unsure says so with
``reading.doubt(...)``: the message then goes to review and nothing of it is applied.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from mailflow.parsing.approval import read_approval
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
from mailflow.parsing.choices import read_choices
from mailflow.parsing.command_prose import AskedCommand, read_asked_command
from mailflow.parsing.commands import (
    Command,
    read_command,
    read_coordinator_commands,
    read_yes_no,
)
from mailflow.parsing.examine import Context, Letter, bounded_text, is_own, split_sign_off
from mailflow.parsing.feedback import read_feedback
from mailflow.parsing.forms import read_form
from mailflow.parsing.leaving import asks_to_leave
from mailflow.parsing.meeting import read_meeting
from mailflow.parsing.names import mentioned
from mailflow.parsing.review_answer import read_review_answer
from mailflow.parsing.survey import read_survey
from mailflow.reply_tokens import MAC_LENGTH, token_from_address, verify_token
from mailflow.text import fold_accents

_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|aw|tr|fwd?|rv)\s?:\s?)+", re.IGNORECASE)
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|wg|rv|i)\s*:", re.IGNORECASE)
_HELP = re.compile(
    r"\b(please help|help me|need (some )?(help|advice)|(could|can|would) (you|someone|anyone) "
    r"help|(haven'?t|have not|never) (heard|had an? (answer|reply|response))|no (answer|reply|"
    r"response|news) from|not (responding|answering)|(change|switch) (my )?mentor|(another|a "
    r"different|a new) mentor|problem with (my )?(mentor|mentee)|besoin d'aide|m'aider|"
    r"aidez-moi|changer de mentor|autre mentor|pas de (reponse|nouvelles)|ne repond (pas|"
    r"jamais)|probleme avec|ayuda|cambiar de mentor|otro mentor|sin respuesta)\b")
_THANKS = re.compile(r"\b(thanks?|thank you|merci|gracias|danke|grazie|obrigad[oa])\b")
# A promise to answer later: "I will send my choices tomorrow", "je prends le temps de lire
# les profils ce soir", "te escribo mañana". Nothing to apply and nothing to answer.
_LATER = re.compile(r"\b(?:i(?:'ll|\s+will|\s+am\s+going\s+to)\s+(?:send|reply|get\s+back|answer"
                    r"|write|choose|pick|decide|look|read|think|come\s+back)|get\s+back\s+to\s+you"
                    r"|je\s+(?:vous\s+)?(?:enverrai|envoie|repondrai|reviens|reviendrai|prends\s+le"
                    r"\s+temps|vais\s+(?:lire|choisir|reflechir|envoyer|repondre))"
                    r"|(?:enviare|respondere|te\s+escribo|les\s+escribo|voy\s+a\s+(?:leer|elegir"
                    r"|enviar|pensar)))\b")
_COURTESY = re.compile(r"\b(thanks?|thank|you|merci|gracias|danke|grazie|obrigad[oa]|beaucoup|"
                       r"so|very|much|a|lot|many|mille|fois|muchas|hi|hello|bonjour|hola|dear|"
                       r"cheers|best|regards|cordialement|saludos)\b")
# Only at the head of the words about one mentee: "not met" must stay a negation.
_MET_SOMEONE = re.compile(r"^\W*(?:yes\W+)?(?:i\s+)?(?:have\s+|'ve\s+)?(?:already\s+)?met(?=\s)")
# "Camille and I had our first call": the pair, as "we" — only after the mentee's own name
# ("my colleague and I met" is not the mentee).
_PAIR_SUBJECT = r"\b(?:{names})\s+(and\s+i|et\s+moi|y\s+yo)\b"
_PAIR_WORD = {"and i": "we", "et moi": "nous", "y yo": "nosotros"}
# Words just before a mentee named after another that undo the verb both would share:
# "Met Noor on March 4 but not Ivan", "vu Noor, pas Ivan", "instead of Ivan", "no con Ivan".
_SET_APART = re.compile(r"\b(?:not|no|non|pas|ni|nor|never|jamais|nunca|without|sans|sin|except"
                        r"|sauf|excepto|instead\s+of|rather\s+than|plutot\s+que|en\s+lugar\s+de"
                        r"|unlike|but|mais|pero)\W*(?:\w+\W+){0,2}$")
# After a mentee's name that shares the first one's verb: "…, con Ivan no", "Emily pas encore".
_NOT_HIM = re.compile(r"\b(?:not|no|non|pas|ni|nor|never|jamais|nunca|todavia|aun|yet|encore)\b")
# After a mentee's name, words that say the rest is about someone else: "Noor's colleague".
_POSSESSIVE = r"(?:'s?\b|\s+(?:'s|s)\b)"
_SEEN_SOMEONE = re.compile(r"^\W*(?:oui\W+)?(?:j'ai\s+)?(?:deja\s+)?(?:vu|rencontre)(?=\s)")
_POLITE = re.compile(r"\b(how are you|hope you|comment allez|j'espere que|como estas|"
                     r"como esta)\b")
_CONFIRM = re.compile(r"^\W*(confirm|confirmer|confirme|yes|oui)\b")
VERIFIED = ("token", "domain")   # evidence a stranger cannot forge (a thread id can be seen)


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
    reading.bounce_status = status or text_status(msg) or PERMANENT
    temporary = reading.bounce_status == TEMPORARY
    reading.bounced_recipient = recipients[0] if recipients else None
    if item is not None:
        reading.answers_item = item.id
        reported, ours = reading.bounced_recipient, item.recipients[0].lower()
        reading.bounced_recipient = reported or ours
        if reported and reported != ours and not temporary:
            reading.doubt(f"the bounce names {reported}, but our mail went to {ours}; "
                          "not applied")
    elif reading.bounced_recipient is not None and not temporary:
        # Anyone can write a bounce naming anyone: one that neither came back to our
        # signed return address nor quotes our mail silences nobody; a person looks.
        reading.doubt("a bounce that cannot be tied to a mail of ours (no signed return "
                      "address, no quoted Message-ID); not applied")
    if reading.bounced_recipient is None and not temporary:
        reading.doubt("bounce whose recipient could not be identified")
    failed = reading.bounced_recipient or ""
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
        reading.bounced_recipient = item.recipients[0].lower()
    elif found.named:
        reading.bounced_recipient = found.named[0]
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
    reading.review_notice = int(expects.about or 0)
    reading.review_actions = [a.to_json() for a in read_review_answer(
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
        reading.coordinator_commands = [c.to_json() for c in found]
        meta = getattr(letter.item, "meta", None) or {}
        if reading.evidence == "token" and meta.get("coordinator_preview"):
            reading.preview = letter.item.id  # a CONFIRM binds to this preview, and only it
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


def expected(letter: Letter, ctx: Context) -> bool:
    """The thread decides: a reply to our mail is read for what that mail asked."""
    expects = letter.expects
    if letter.person is None or expects is None:
        return False
    if expects.kind == "choices":
        return _choices(letter, ctx, required=True)
    if expects.kind == "survey":
        return _survey(letter, ctx, expects.about)
    if expects.kind == "meeting":
        return _meeting(letter, ctx, required=True)
    if expects.kind == "form":
        return form(letter, ctx, required=True)
    return False


def form(letter: Letter, ctx: Context, required: bool = False) -> bool:
    """An application form: in the new text, or typed into our quoted form."""
    reading, reply, person = letter.reading, letter.reply, letter.person
    found = read_form(reply.new_text, reply.quoted, ctx.config.forms)
    completing = bool(found.fields) and (person.get("status") if person else None) == "applicant"
    if not (found.found or completing or required):  # an applicant may send one line alone
        return False
    reading.kind = "application"
    reading.role, reading.fields, reading.missing = found.role, found.fields, found.missing
    for line in found.unknown:
        reading.doubt(f"the form has a line mailflow does not know: {line[:60]!r}")
    if _forwarded(letter) and not read_form(reply.new_text, "", ctx.config.forms).found:
        reading.doubt("a forwarded application form: applications are taken only from "
                      "the applicant's own address")
    return True


def unexpected(letter: Letter, ctx: Context) -> bool:
    """A participant's mail that answers nothing of ours: its content decides."""
    if letter.person is None:
        return False
    if letter.person.get("role") == "mentee" and _choices(letter, ctx, required=False):
        return True
    return _meeting(letter, ctx, required=False)


def concern(letter: Letter, ctx: Context) -> bool:
    """A second opinion on every participant's message: a call for help or a question that
    no rule can answer goes to a person, whatever else the message said."""
    reading = letter.reading
    if letter.person is None or reading.kind in ("auto_reply", "bounce", "feedback") or (
            reading.own_mail):
        return False
    # Paragraphs joined, lines of a list kept apart: a sentence never spans list items.
    text = "\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)]))",
                                                          letter.reply.new_text))
    found = _HELP.search(fold_accents(text))
    sentence = _sentence_at(text, found.start()) if found else None
    if sentence is None:
        questions = [q for q in _questions(text) if not _POLITE.search(fold_accents(q))
                     and not (reading.kind == "command" and read_asked_command(q, None))]
        sentence = questions[0] if questions else None
    if sentence:
        reading.concern = sentence.strip()[:300]
    return False


def _only_thanks(text: str) -> bool:
    """A message that says thanks and nothing else ('Merci beaucoup !'), not 'Thanks, but...'."""
    folded = fold_accents(text)
    return bool(_THANKS.search(folded)) and not re.search(r"[a-z]{2,}",
                                                          _COURTESY.sub(" ", folded))


def nothing_found(letter: Letter, ctx: Context) -> bool:
    """A reply that answers nothing our mail asked is a concern when it asks something,
    else it needs a person."""
    reading = letter.reading
    if reading.found_nothing is None:
        return False
    text = fold_accents(reading.reply_text[:600]).replace("’", "'")
    thanks_for_news = (letter.item is not None and letter.expects is None
                       and bool(_THANKS.search(text)))
    if reading.concern is None and (_only_thanks(reading.reply_text) or _LATER.search(text)
                                    or thanks_for_news):
        # A thank-you alone, a promise to answer later, or thanks for mail that asked
        # nothing (a tip): nothing to apply, to ask or to answer (the reminders still go
        # if an answer we asked for never comes).
        reading.kind = "unknown"
        reading.choices, reading.meeting, reading.survey_answers = [], None, {}
        return False
    if reading.concern:
        reading.kind = "concern"
        reading.choices, reading.meeting, reading.survey_answers = [], None, {}
        reading.doubt(f"asks a coordinator: {reading.concern!r}")
    else:
        reading.doubt(reading.found_nothing)
    return False


def _questions(text: str) -> list[str]:
    """The sentences of ``text`` that end with a question mark (linear in the text)."""
    if "?" not in text:
        return []
    return [piece.strip() for piece in re.split(r"(?<=[.!?\n])", text)
            if piece.rstrip().endswith("?") and len(piece.strip()) > 3]


def _sentence_at(text: str, index: int) -> str:
    start = max(text.rfind(mark, 0, index) for mark in (". ", "! ", "? ", "\n")) + 1
    ends = [i for i in (text.find(mark, index) for mark in (".", "!", "?")) if i >= 0]
    return text[start:(min(ends) + 1) if ends else len(text)]


def leftover(letter: Letter, ctx: Context) -> bool:
    """What no reader claimed: empty, or a participant's mail for a person to read."""
    reading, msg = letter.reading, letter.msg
    if not reading.reply_text and not msg.subject.strip():
        reading.doubt("empty message")
    elif reading.participant is not None:
        reading.found_nothing = "a participant's message that mailflow does not understand"
    return True


def _choices(letter: Letter, ctx: Context, required: bool) -> bool:
    roster = ctx.mentors()
    found = read_choices(letter.reply.new_text, roster, _numbered(letter))
    if not (found.found or required):
        return False
    reading = letter.reading
    reading.kind = "choices"
    reading.choices = found.choices if not found.problems else []
    reading.problems.extend(found.problems)
    # The completeness net: every mentor the new text names must be in the reading.
    chosen = set(found.choices)
    named = set(mentioned(letter.reply.new_text, roster)) if found.choices else set()
    left_out = [e.name for e in roster if e.email not in chosen and e.name in named]
    if found.choices and left_out:
        reading.doubt(f"the reply also names {', '.join(left_out)}, which is not among the "
                      "choices read")
    if not found.problems and not found.choices:
        reading.found_nothing = "no mentor name found in the reply"
    reading.needs_review |= bool(found.problems)
    return True


def _numbered(letter: Letter) -> list[str] | None:
    """The mentors' addresses in the order our answered mail numbered them, if it did."""
    numbered = (getattr(letter.item, "meta", None) or {}).get("numbered")
    if isinstance(numbered, list) and all(isinstance(a, str) for a in numbered):
        return numbered
    return None


def _survey(letter: Letter, ctx: Context, key: str | None) -> bool:
    surveys = ctx.config.surveys
    survey = surveys.get(key or next(iter(surveys), ""))
    if survey is None:
        return False
    reading, msg = letter.reading, letter.msg
    # Answers above the quote, when they are complete; else the whole text, where answers
    # typed under the quoted questions are read in place. (A quote without '>' marks,
    # as Outlook and Yahoo send it, holds our questions and our example answers.)
    # The questions' words as we sent them: in the language of our mail.
    sent_in = (getattr(letter.item, "meta", None) or {}).get("language") or reading.language
    answers = read_survey(letter.reply.new_text, letter.reply.quoted, survey, sent_in)
    if not answers.found or answers.problems:
        name = letter.person.get("name") if letter.person else None
        whole, _ = split_sign_off(bounded_text(msg.text)[0], [name or "", msg.sender_name])
        in_place = read_survey(whole, "", survey, sent_in)
        if in_place.found:
            answers = in_place
    reading.kind = "survey"
    reading.survey = survey.key
    reading.survey_answers = answers.answers
    reading.problems.extend(answers.problems)
    if not answers.problems and not answers.answers:
        reading.found_nothing = "no answer to the survey's questions found"
    reading.needs_review |= bool(answers.problems)
    return True


def per_mentee(letter: Letter, ctx: Context, mentees: list[str]) -> list[dict[str, Any]] | None:
    """One meeting fact per mentee a mentor's report names, read from the words about
    that mentee alone; None when any part is unclear."""
    names: dict[str, list[str]] = {}
    for email in mentees:
        person = ctx.participant(email) or {"email": email}
        full = fold_accents(person.get("name") or "").strip()
        names[email] = [n for n in {full, full.split(" ")[0] if full else ""} if len(n) > 1]
    text = fold_accents(letter.reply.new_text)
    if any(re.search(rf"\b{re.escape(word)}{_POSSESSIVE}", text)
           for words in names.values() for word in words):
        return None  # "I met Noor's colleague": about someone else; a person reads it
    facts: dict[str, dict[str, Any]] = {}
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
        spots = sorted((m.start(), email) for email, words in names.items() for word in words
                       for m in re.finditer(rf"\b{re.escape(word)}\b", sentence))
        spots = [s for i, s in enumerate(spots) if i == 0 or s[1] != spots[i - 1][1]]
        lead = sentence[:spots[0][0]] if spots else ""  # "vu " of "vu Julien ... et Emily ..."
        previous: bool | None = None
        for index, (start, email) in enumerate(spots):
            end = spots[index + 1][0] if index + 1 < len(spots) else len(sentence)
            if index and lead.strip() and (_SET_APART.search(sentence[spots[index - 1][0]:start])
                                           or _NOT_HIM.search(sentence[start:end])):
                return None  # the shared verb may not hold for this one: a person reads it
            clause = sentence[0:end] if index == 0 else lead + sentence[start:end]
            # "Met Tomás on March 4": said of one mentee, as "we met" is of a pair.
            clause = _MET_SOMEONE.sub(" we met ", _SEEN_SOMEONE.sub(" nous nous sommes vus ",
                                                                   clause))
            pair = _PAIR_SUBJECT.format(names="|".join(map(re.escape, names[email])))
            clause = re.sub(pair, lambda m: _PAIR_WORD[m.group(1)], clause) if names[email] \
                else clause
            found = read_meeting(clause, letter.msg.date, None,
                                 day_first=letter.reading.language == "fr")
            met = found.met if found.met is not None else (previous if found.date else None)
            if met is None or found.problems or email in facts:
                return None
            facts[email] = {"with": email, "met": met,
                            "date": found.date.isoformat() if met and found.date else None}
            previous = met
    return list(facts.values()) or None


def _meeting(letter: Letter, ctx: Context, required: bool) -> bool:
    reading, msg = letter.reading, letter.msg
    found = read_meeting(letter.reply.new_text, msg.date, msg.calendar,
                         day_first=reading.language == "fr")
    if not (found.found or required):
        return False
    reading.kind = "meeting"
    reading.meeting = meeting_json(found.met, found.date, found.accepted, found.event_date)
    mentees = (letter.person.get("mentees") if letter.person else None) or []
    if letter.person and letter.person.get("role") == "mentor" and len(mentees) > 1:
        # One fact for a mentor of several would be about nobody in particular: a fact
        # for each mentee named, or a person decides. Read apart, "met Priya, not yet
        # Tomás" is no contradiction.
        facts = per_mentee(letter, ctx, mentees)
        if facts:
            reading.meeting, reading.meetings = None, facts
            return True
        reading.doubt(f"this mentor has {len(mentees)} mentees and the report does not "
                      "say clearly which one each part is about")
    reading.problems.extend(found.problems)
    if not found.problems and found.met is None and found.accepted is None:
        reading.found_nothing = "could not tell whether the meeting took place"
    reading.needs_review |= bool(found.problems)
    return True


def meeting_json(met: bool | None, when: date | None, accepted: bool | None,
                 event_date: date | None) -> dict[str, Any]:
    """The contract's meeting object: an accepted invitation is planned, not held."""
    if accepted is not None:
        return {"met": False, "date": event_date.isoformat() if accepted and event_date
                else None}
    return {"met": met, "date": when.isoformat() if met and when else None}


def _forwarded(letter: Letter) -> bool:
    """A forward, by its subject or an attached message."""
    msg = letter.msg
    return bool(_FORWARD_SUBJECT.match(msg.subject)) or any(
        a.content_type == "message/rfc822" for a in msg.attachments) or (
        "forwarded message" in msg.text.lower())
