"""Act on one recorded message: understand it, decide by the rules, apply the decisions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from mailflow.config.model import Config
from mailflow.errors import MailflowError
from mailflow.inbound.ledger import Ledger
from mailflow.outbound.mailer import Mailer, Recipient
from mailflow.parsing.decode import decode_message
from mailflow.parsing.expects import Expects
from mailflow.parsing.forms import missing_fields
from mailflow.parsing.understand import Context, Reading, understand
from mailflow.program import participants, trust
from mailflow.program.actions import Firing, run_action
from mailflow.program.coordination import review
from mailflow.program.coordination.answers import ReviewAnswers
from mailflow.program.coordination.mail import Coordination
from mailflow.program.coordination.review import ReviewItem
from mailflow.program.coordination.services import Plan, Request, Services
from mailflow.program.engine import Decision, decide
from mailflow.program.mailings import Mailings
from mailflow.program.pairing import Outcome as PairingOutcome
from mailflow.program.pairing import Pairing
from mailflow.program.privacy import Privacy
from mailflow.program.replies import record_reply
from mailflow.program.rules import Rule
from mailflow.store import Store
from mailflow.store.records import LedgerEntry, Participant

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What handling one message led to."""

    reading: Reading
    decisions: list[Decision]
    review: bool


def complete_with_earlier_answers(reading: Reading, person: Participant, config: Config) -> None:
    """A reply that adds to an earlier application is judged on everything sent so far."""
    form = reading.application
    form.role = form.role or person.get("role")
    merged = {**person.get("fields", {}), **form.fields}
    form.missing = missing_fields(form.role, merged, config.forms)


class Handler:
    """Applies the program's rules to messages; every change names its cause."""

    def __init__(self, config: Config, store: Store, mailer: Mailer, rules: list[Rule],
                 context: Context, mailings: Mailings, pairing: Pairing | None = None,
                 plan: Plan | None = None) -> None:
        self.config = config
        self.store = store
        self.mailer = mailer
        self.rules = rules
        self.context = context
        self.mailings = mailings
        self.pairing = pairing
        self.privacy = Privacy(store, mailer, mailings, context.secret,
                               [(c.email, c.name) for c in config.coordinators], config.writes_to)
        self.coordination = Coordination(Services(config, store, mailer.outbox, mailer,
                                                  mailings, pairing, plan))
        self.review_answers = ReviewAnswers(self.coordination.services, self.reapply)

    def handle(self, entry: LedgerEntry, raw: bytes, now: datetime) -> Outcome:
        """Handle the ledger entry ``entry`` whose bytes are ``raw``."""
        reading = understand(decode_message(raw), self.context)
        person = participants.find(self.store, reading.participant) if reading.participant \
            else None
        if reading.kind == "application" and person is not None:
            complete_with_earlier_answers(reading, person, self.config)
        trust.check(reading, person)
        decisions = decide(reading, person, self.rules)
        cause = f"message {entry['key']}"
        at = now.isoformat()
        for decision in decisions:
            person = self._apply(decision, reading, person, entry, cause, now)
        record_reply(self.store, reading, person, cause, now)
        if (reading.kind == "command" and reading.command in ("my_data", "erase")
                and person is not None and not reading.needs_review):
            self._privacy(reading, person, entry, now)
        if reading.kind == "command" and reading.proposal and reading.authenticated:
            self._answer_proposal(reading, entry, now)
        if reading.kind == "command" and reading.command == "coordinator":
            self.coordination.handle(reading, entry, now)
        if reading.kind == "command" and reading.command == "review" and reading.authenticated:
            self.review_answers.handle(reading, entry, now)
        if reading.command == "confirm" and reading.pending and person is not None:
            self._ask_confirmation(reading, person, entry, now)
        if reading.concern and person is not None:
            self._forward_concern(reading, person, entry, now)
        if (reading.kind == "command" and reading.command == "leave" and person is not None
                and not reading.needs_review):
            self._request_withdrawal(reading, person, entry, now)
        if reading.kind == "feedback" and not reading.needs_review:
            self._report_complaint(reading, entry, now)
        if reading.needs_review:
            self._open_item(reading, person, entry, "review", now)
        if reading.participant:
            participants.add_event(self.store, reading.participant, f"message:{reading.kind}",
                                   cause, at, {"subject": reading.subject})
        return Outcome(reading, decisions, reading.needs_review)

    def _open_item(self, reading: Reading, person: Participant | None, entry: LedgerEntry,
                   kind: str, now: datetime, reasons: list[str] | None = None) -> None:
        """Put the message before the coordinators: in the next batched notice."""
        problems = [*reading.problems, *(reasons or [])]
        if reading.concern:
            problems.append(review.CONCERN + reading.concern)
        review.open_item(self.store, ReviewItem(
            created=now.isoformat(), kind=kind, inbound=entry["key"], sender=reading.sender,
            subject=reading.subject, problems=problems, text=reading.reply_text,
            proposed=review.proposal_text(reading, person, self.rules),
            participant=reading.participant, probably=reading.probably,
            language=reading.language, message_id=reading.message_id,
            references=list(reading.references)))

    def reapply(self, item: ReviewItem, adjust: Callable[[Reading], None] | None,
                request: Request) -> str:
        """Handle the item's message again as read with certainty (after ``adjust``, the
        coordinator's reading of it): its rules and its record, caused by the coordinator."""
        entry = next((cast(LedgerEntry, dict(e)) for e in self.store.table("inbound").all()
                      if e.get("key") == item.inbound), None)
        if entry is None or not entry.get("spool"):
            raise MailflowError(request.say("the message is no longer kept",
                                            "le message n'est plus conservé"))
        reading = understand(decode_message(Ledger(self.store).raw(entry)), self.context)
        reading.needs_review, reading.no_answer, reading.problems = False, False, []
        if adjust is not None:
            adjust(reading)
        person = participants.find(self.store, reading.participant or "")
        if person is None:
            raise MailflowError(request.say(
                "the sender is not a participant (LINK first)",
                "l'expéditeur n'est pas un participant (LIER d'abord)"))
        cause = f"{request.cause}, review of message {entry['key']}"
        decisions = decide(reading, person, self.rules)
        done = sorted({d.rule for d in decisions})
        for decision in decisions:
            person = self._apply(decision, reading, person, entry, cause, request.now)
        record_reply(self.store, reading, person, cause, request.now)
        return request.say("done" + (f" (rules: {', '.join(done)})" if done else ""),
                           "fait" + (f" (règles : {', '.join(done)})" if done else ""))

    def _privacy(self, reading: Reading, person: Participant, entry: LedgerEntry,
                 now: datetime) -> None:
        """MY DATA: a copy to the registered address. DELETE MY DATA, confirmed: erasure;
        then this message's own record keeps nothing of the person either."""
        if reading.command == "my_data":
            if self.mailings.within_budget(person["email"], reading, now):
                self.privacy.send_copy(person, entry["key"], now)
            return
        self.privacy.erase(person, entry["key"], now)
        reading.sender = reading.participant = None
        reading.subject, reading.reply_text = "", ""

    def _ask_confirmation(self, reading: Reading, person: Participant, entry: LedgerEntry,
                          now: datetime) -> None:
        """Mail the registered address: a change asked for on From alone waits for CONFIRM."""
        if not self.mailings.within_budget(person["email"], reading, now):
            return
        language = self.config.writes_to(person.get("language"))
        context = self.mailings.contexts.build(person, language, now, "confirm_change")
        context["change"] = {"text": trust.change_text(reading.pending or "", language)}
        template = "confirm_erasure" if reading.pending == "erase" else "confirm_change"
        self.mailer.queue(
            rule="confirm-change", occasion=entry["key"], template=template,
            to=Recipient(person["email"], person.get("name") or "", language,
                         participant=person["email"]),
            context=context, kind="reply", now=now,
            meta=Expects("confirm", reading.pending).meta())

    def _forward_concern(self, reading: Reading, person: Participant, entry: LedgerEntry,
                         now: datetime) -> None:
        """A question or a call for help waits for the coordinators' next notice (a review
        item); the person is told so at once.

        When nothing else was read (kind 'concern') the clarification already says it.
        Both are within the person's answer budget, so nobody can flood the coordinators
        by writing questions in someone's name."""
        at, cause = now.isoformat(), f"message {entry['key']}"
        participants.add_event(self.store, person["email"], "concern", cause, at,
                               {"text": reading.concern, "subject": reading.subject})
        if not self.mailings.within_budget(person["email"], reading, now):
            return  # a flood (or a forger) in their name: kept in the timeline, mailed no more
        answered = reading.kind != "concern"
        if not reading.needs_review:  # else the message's review item holds the concern
            self._open_item(reading, person, entry, "concern", now)
        if answered:
            language = self.config.writes_to(person.get("language"))
            self.mailer.queue(
                rule="concern-received", occasion=entry["key"], template="concern_received",
                to=Recipient(person["email"], person.get("name") or "", language,
                             participant=person["email"]),
                context=self.mailings.contexts.build(person, language, now,
                                                     "concern_received", reading=reading),
                kind="reply", in_reply_to=reading.message_id,
                references=tuple(reading.references), now=now)

    def _request_withdrawal(self, reading: Reading, person: Participant, entry: LedgerEntry,
                            now: datetime) -> None:
        """Someone writes that they leave: the coordinators confirm it (APPLY to the review
        item, or ``mailflow withdraw``); the rules thank the writer for telling us."""
        participants.add_event(self.store, person["email"], "asks_to_leave",
                               f"message {entry['key']}", now.isoformat(),
                               {"subject": reading.subject})
        self._open_item(reading, person, entry, "withdrawal", now, [
            f"{review.LEAVING}APPLY withdraws {person['email']} "
            f"(or: mailflow withdraw {person['email']})"])

    def _report_complaint(self, reading: Reading, entry: LedgerEntry, now: datetime) -> None:
        """A feedback report tied to our mail: the coordinators are told (never its sender)."""
        complained = participants.find(self.store, reading.bounce.recipient or "") or {
            "email": reading.bounce.recipient or ""}
        language = self.config.language
        for coordinator in self.config.coordinators:
            context = self.mailings.contexts.build(complained, language, now,
                                                   "feedback_notice", reading=reading)
            context["person"] = {"name": complained.get("name") or "",
                                 "email": complained["email"], "role": complained.get("role")}
            self.mailer.queue(
                rule="feedback", occasion=entry["key"], template="feedback_notice",
                to=Recipient(coordinator.email, coordinator.name, language),
                context=context, kind="notice", now=now)

    def _answer_proposal(self, reading: Reading, entry: LedgerEntry, now: datetime) -> None:
        """A verified coordinator approved or edited a matching proposal. The APPROVE of a
        proposal made by MATCH by mail answers with a preview, and waits for CONFIRM."""
        if self.pairing is None or reading.proposal is None:
            return
        if reading.command == "approve" and self.coordination.approval_waits(reading.proposal):
            outcome = PairingOutcome(problems=self.coordination.preview_approval(
                reading, entry, now))
        else:
            outcome = self.pairing.answer(reading.proposal, reading.command == "approve",
                                          reading.edits, reading.sender or "", now)
        if outcome.applied:
            self.mailer.queue(
                rule="proposal-approved", occasion=f"{reading.message_id}",
                template="match_approved",
                to=Recipient(reading.sender or "", reading.sender_name, self.config.language),
                context={"proposal": {"id": reading.proposal}}, kind="reply",
                in_reply_to=reading.message_id, references=tuple(reading.references), now=now)
        if outcome.problems:
            reading.problems.extend(outcome.problems)
            coordinator = reading.sender or ""
            self.mailer.queue(
                rule="proposal-problems", occasion=f"{reading.message_id}",
                template="match_problems",
                to=Recipient(coordinator, reading.sender_name, self.config.language),
                context={"problems": outcome.problems, "proposal": {"id": reading.proposal}},
                kind="reply", in_reply_to=reading.message_id,
                references=tuple(reading.references), now=now,
                meta=Expects("approval", reading.proposal).meta())

    def _apply(self, decision: Decision, reading: Reading, person: Participant | None,
               entry: LedgerEntry, cause: str, now: datetime) -> Participant | None:
        """Carry out one action of a message rule (see ``mailflow.program.actions``)."""
        action = decision.action
        occasion = {
            "message": entry["key"],
            "thread": f"thread:{(reading.references or [reading.message_id or entry['key']])[0]}",
            "bounced": f"bounced:{reading.bounce.recipient}",
            "sender_day": f"day:{now.date().isoformat()}",
        }[action.once_per]
        firing = Firing(rule=decision.rule, cause=f"rule {decision.rule} on {cause}",
                        person=person, occasion=occasion, now=now, reading=reading)
        if action.type == "record":
            firing.cause = f"{cause} (rule {decision.rule})"
        return run_action(action, firing, self.mailings)
