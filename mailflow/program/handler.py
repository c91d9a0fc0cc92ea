"""Act on one recorded message: understand it, decide by the rules, apply the decisions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from mailflow.config.model import Config
from mailflow.outbound.mailer import Mailer, Recipient
from mailflow.parsing.decode import decode_message
from mailflow.parsing.expects import Expects
from mailflow.parsing.forms import missing_fields
from mailflow.parsing.understand import Context, Reading, understand
from mailflow.program import participants, trust
from mailflow.program.actions import Firing, run_action
from mailflow.program.coordination.mail import Coordination
from mailflow.program.coordination.services import Plan, Services
from mailflow.program.engine import Decision, decide
from mailflow.program.mailings import Mailings
from mailflow.program.pairing import Pairing
from mailflow.program.replies import record_reply
from mailflow.program.rules import Rule
from mailflow.store import Store

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What handling one message led to."""

    reading: Reading
    decisions: list[Decision]
    review: bool


def complete_with_earlier_answers(reading: Reading, person: dict, config: Config) -> None:
    """A reply that adds to an earlier application is judged on everything sent so far."""
    reading.role = reading.role or person.get("role")
    merged = {**person.get("fields", {}), **reading.fields}
    reading.missing = missing_fields(reading.role, merged, config.forms)


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
        self.coordination = Coordination(Services(config, store, mailer.outbox, mailer,
                                                  mailings, pairing, plan))

    def handle(self, entry: dict, raw: bytes, now: datetime) -> Outcome:
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
        if reading.kind == "command" and reading.proposal and reading.authenticated:
            self._answer_proposal(reading, now)
        if reading.kind == "command" and reading.command == "coordinator":
            self.coordination.handle(reading, entry, now)
        if reading.command == "confirm" and reading.pending and person is not None:
            self._ask_confirmation(reading, person, entry, now)
        if reading.concern and person is not None:
            self._forward_concern(reading, person, entry, now)
        if reading.kind == "feedback" and not reading.needs_review:
            self._report_complaint(reading, entry, now)
        review = reading.needs_review
        if review:
            self.store.table("review").insert({
                "inbound": entry["key"], "sender": reading.sender, "subject": reading.subject,
                "problems": reading.problems, "created": at, "resolved": False,
            })
        if reading.participant:
            participants.add_event(self.store, reading.participant, f"message:{reading.kind}",
                                   cause, at, {"subject": reading.subject})
        return Outcome(reading, decisions, review)

    def _ask_confirmation(self, reading: Reading, person: dict, entry: dict,
                          now: datetime) -> None:
        """Mail the registered address: a change asked for on From alone waits for CONFIRM."""
        if not self.mailings.within_budget(person["email"], reading, now):
            return
        language = self.config.writes_to(person.get("language"))
        context = self.mailings.contexts.build(person, language, now, "confirm_change")
        context["change"] = {"text": trust.change_text(reading.pending or "", language)}
        self.mailer.queue(
            rule="confirm-change", occasion=entry["key"], template="confirm_change",
            to=Recipient(person["email"], person.get("name") or "", language,
                         participant=person["email"]),
            context=context, kind="reply", now=now,
            meta=Expects("confirm", reading.pending).meta())

    def _forward_concern(self, reading: Reading, person: dict, entry: dict,
                         now: datetime) -> None:
        """A question or a call for help goes to the coordinators; the person is told so.

        When nothing else was read (kind 'concern') the clarification already says it.
        Both are within the person's answer budget, so nobody can flood the coordinators
        by writing questions in someone's name."""
        at, cause = now.isoformat(), f"message {entry['key']}"
        participants.add_event(self.store, person["email"], "concern", cause, at,
                               {"text": reading.concern, "subject": reading.subject})
        if not self.mailings.within_budget(person["email"], reading, now):
            return  # a flood (or a forger) in their name: kept in the timeline, mailed no more
        answered = reading.kind != "concern"
        for coordinator in self.config.coordinators:
            language = self.config.language
            context = self.mailings.contexts.build(person, language, now, "concern_notice",
                                                   reading=reading)
            self.mailer.queue(
                rule="concern", occasion=entry["key"], template="concern_notice",
                to=Recipient(coordinator.email, coordinator.name, language),
                context={**context, "answered": answered}, kind="notice", now=now)
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

    def _report_complaint(self, reading: Reading, entry: dict, now: datetime) -> None:
        """A feedback report tied to our mail: the coordinators are told (never its sender)."""
        complained = participants.find(self.store, reading.bounced_recipient or "") or {
            "email": reading.bounced_recipient or ""}
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

    def _answer_proposal(self, reading: Reading, now: datetime) -> None:
        """A verified coordinator approved or edited a matching proposal."""
        if self.pairing is None or reading.proposal is None:
            return
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

    def _apply(self, decision: Decision, reading: Reading, person: dict | None, entry: dict,
               cause: str, now: datetime) -> dict | None:
        """Carry out one action of a message rule (see ``mailflow.program.actions``)."""
        action = decision.action
        occasion = {
            "message": entry["key"],
            "thread": f"thread:{(reading.references or [reading.message_id or entry['key']])[0]}",
            "bounced": f"bounced:{reading.bounced_recipient}",
            "sender_day": f"day:{now.date().isoformat()}",
        }[action.once_per]
        firing = Firing(rule=decision.rule, cause=f"rule {decision.rule} on {cause}",
                        person=person, occasion=occasion, now=now, reading=reading)
        if action.type == "record":
            firing.cause = f"{cause} (rule {decision.rule})"
        return run_action(action, firing, self.mailings)
