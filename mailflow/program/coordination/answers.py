"""A verified coordinator's reply to a review notice, carried out item by item.

Each decision (``mailflow.parsing.review_answer``) resolves one item of the notice with
who and how; an item already resolved is never acted on again. One receipt goes back in
the thread, keyed by the reply's Message-ID, so a re-delivered reply does nothing twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailflow.errors import MailflowError
from mailflow.outbound.mailer import Recipient
from mailflow.parsing.reading import MeetingReport, Reading
from mailflow.parsing.review_answer import ReviewAction
from mailflow.program import participants
from mailflow.program.coordination import changes, review
from mailflow.program.coordination.people import resolve
from mailflow.program.coordination.review import Notice, ReviewItem
from mailflow.program.coordination.services import Request, Services
from mailflow.store.records import LedgerEntry

log = logging.getLogger(__name__)
_RE = re.compile(r"^(?:\s*(?:re|aw|tr|fwd?|réf|ref)\s*:\s*)+", re.IGNORECASE)

RECEIPT_RULE = "review-receipt"
ANSWER_RULE = "review-answer"
ANSWER_TEMPLATE = "review_answer"

# Handles the item's message again as if it had been read with certainty, after the
# adjustment (the coordinator's reading of it); returns what was done, or raises.
Reapply = Callable[[ReviewItem, Callable[[Reading], None] | None, Request], str]


@dataclass(frozen=True)
class Done:
    """What one decision did (or why not)."""

    line: str
    ok: bool
    text: str


def _language(actions: list[ReviewAction], reading: Reading, default: str) -> str:
    for action in actions:
        if action.language in ("en", "fr"):
            return str(action.language)
    return reading.language if reading.language in ("en", "fr") else default


class ReviewAnswers:
    """Carries out the decisions of a reply to a notice and answers it once."""

    def __init__(self, services: Services, reapply: Reapply) -> None:
        self.services = services
        self.reapply = reapply

    def handle(self, reading: Reading, entry: LedgerEntry, now: datetime) -> None:
        """Carry out ``reading``'s decisions (a verified coordinator's) and queue the receipt."""
        services, sender = self.services, (reading.sender or "").lower()
        occasion = reading.message_id or entry["key"]
        if services.outbox.has(services.mailer.key(RECEIPT_RULE, sender, occasion)):
            log.info("answer %s to a review notice was handled before", occasion)
            return
        actions = [ReviewAction.from_json(a) for a in reading.review.actions]
        language = _language(actions, reading, services.config.language)
        request = Request(now, language, by=sender,
                          cause=f"coordinator {sender} by a review answer (message "
                                f"{entry['key']})")
        listed = review.notice(services.store, reading.review.notice or 0)
        reports: list[Done] = []
        if listed is None:
            reports.append(Done("", False, request.say("this notice is unknown",
                                                       "cet avis est inconnu")))
        elif not actions:
            reports.append(Done("", False, request.say(
                "no decision found: write APPLY, CHOICES, MEETING, LINK or IGNORE with the "
                "item's number, or your answer under the quoted item",
                "aucune décision trouvée : écrivez APPLIQUER, CHOIX, RENCONTRE, LIER ou "
                "IGNORER avec le numéro de l'élément, ou votre réponse sous l'élément cité")))
        else:
            for action in actions:
                reports.append(self._one(action, listed, reading, request))
        services.mailer.queue(
            rule=RECEIPT_RULE, occasion=occasion, template="command_receipt",
            to=Recipient(sender, reading.sender_name, language),
            context={"receipt": {
                "subject": reading.subject, "preview": False,
                "reports": [{"line": r.line.splitlines()[0] if r.line else "", "ok": r.ok,
                             "text": r.text} for r in reports],
                "help": "", "expires": ""}},
            kind="reply", in_reply_to=reading.message_id, references=tuple(reading.references),
            now=now)

    def _one(self, action: ReviewAction, listed: Notice, reading: Reading,
             request: Request) -> Done:
        """Carry out one decision on one item of ``listed``."""
        item_id = listed.item_id(action.number)
        if item_id is None:
            return Done(action.line, False, request.say(
                f"notice {listed.number} lists {len(listed.items)} item(s): give the item's "
                "number", f"l'avis {listed.number} compte {len(listed.items)} élément(s) : "
                "donnez le numéro de l'élément"))
        item = review.get(self.services.store, item_id)
        if item is None:
            return Done(action.line, False, request.say("this item no longer exists",
                                                        "cet élément n'existe plus"))
        label = f"#{action.number or 1} ({item.who})"
        if item.resolved and not (item.resolution == review.EXPIRED and item.problems):
            return Done(action.line, False, request.say(
                f"{label} was already resolved by {item.resolved_by} ({item.resolution}): "
                "nothing done again", f"{label} a déjà été traité par {item.resolved_by} "
                f"({item.resolution}) : rien n'est refait"))
        if action.problem:
            return Done(action.line, False, f"{label}: {action.problem}")
        try:
            text, how = self._carry_out(action, item, reading, request)
        except MailflowError as exc:
            return Done(action.line, False, f"{label}: {exc}")
        review.resolve(self.services.store, item.id, request.by, how,
                       request.now.isoformat())
        return Done(action.line, True, f"{label}: {text}")

    def _carry_out(self, action: ReviewAction, item: ReviewItem, reading: Reading,
                   request: Request) -> tuple[str, str]:
        """(what was done, how the item is resolved); raises MailflowError when it cannot."""
        say = request.say
        if action.verb == "ignore":
            return say("ignored", "ignoré"), "ignored"
        if action.verb == "answer":
            self._forward(item, action.text, request)
            return say(f"your answer was sent to {item.sender}",
                       f"votre réponse a été envoyée à {item.sender}"), "answered"
        if action.verb == "link":
            return self._link(item, request), "linked"
        if item.kind == "concern" and action.verb == "apply":
            raise MailflowError(say("a question has nothing to apply: write your answer "
                                    "under the item", "une question n'a rien à appliquer : "
                                    "écrivez votre réponse sous l'élément"))
        if item.kind == "withdrawal" and action.verb == "apply":
            changes.withdraw(self.services, item.participant or "", request.now, request.cause)
            return say(f"{item.participant} is withdrawn", f"{item.participant} est retiré·e"), \
                "applied"
        if action.verb == "apply":
            return self.reapply(item, None, request), "applied"
        if action.verb == "choices":
            chosen = [self._mentor(name, request) for name in action.choices]

            def as_choices(read: Reading) -> None:
                read.kind, read.choices = "choices", chosen
            done = self.reapply(item, as_choices, request)
            return done, "choices: " + ", ".join(chosen)
        met, when = bool(action.met), action.date

        def as_meeting(read: Reading) -> None:
            read.kind, read.meeting = "meeting", MeetingReport({"met": met, "date": when})
        done = self.reapply(item, as_meeting, request)
        return done, f"meeting: {'yes' if met else 'no'}{' ' + when if when else ''}"

    def _mentor(self, name: str, request: Request) -> str:
        named = resolve(self.services.store, name)
        if named.person is None:
            raise MailflowError(named.problem(request.language))
        return str(named.person["email"])

    def _link(self, item: ReviewItem, request: Request) -> str:
        person = participants.find(self.services.store, item.probably or "")
        if person is None or not item.sender:
            raise MailflowError(request.say(
                "no probable participant for this sender: use LINK person address",
                "aucun participant probable pour cet expéditeur : utilisez LIER personne "
                "adresse"))
        changes.link(self.services, person, item.sender, request.cause,
                     request.now.isoformat())
        return request.say(f"mail from {item.sender} is now {person['email']}'s",
                           f"le courrier de {item.sender} est désormais attribué à "
                           f"{person['email']}")

    def _forward(self, item: ReviewItem, text: str, request: Request) -> None:
        """The coordinator's words to the item's sender, in the thread of their mail."""
        if not item.sender:
            raise MailflowError(request.say("this message has no sender to answer",
                                            "ce message n'a pas d'expéditeur à qui répondre"))
        services = self.services
        found = participants.find(services.store, item.participant or item.sender)
        person: Mapping[str, Any] = found if found is not None else {}
        language = services.config.writes_to(person.get("language") or item.language)
        references = tuple(r for r in (*item.references, item.message_id) if r)
        services.mailer.queue(
            rule=ANSWER_RULE, occasion=f"item:{item.id}", template=ANSWER_TEMPLATE,
            to=Recipient(item.sender, person.get("name") or "", language,
                         participant=person.get("email")),
            context={"answer": {"text": text, "subject": _RE.sub("", item.subject or "")}},
            kind="reply", in_reply_to=item.message_id, references=references,
            now=request.now)
