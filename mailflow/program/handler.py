"""Act on one recorded message: understand it, decide by the rules, apply the decisions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from mailflow.config.model import Config
from mailflow.outbound.mailer import Mailer, Recipient
from mailflow.parsing.decode import decode_message
from mailflow.parsing.forms import missing_fields
from mailflow.parsing.understand import Context, Reading, understand
from mailflow.program import participants
from mailflow.program.engine import Decision, decide
from mailflow.program.pairing import Pairing
from mailflow.program.replies import record_reply
from mailflow.program.rules import Rule
from mailflow.store import Store

log = logging.getLogger("mailflow.program")


@dataclass
class Outcome:
    """What handling one message led to."""

    reading: Reading
    decisions: list[Decision]
    review: bool


def form_context(config: Config) -> dict:
    """The application forms as templates see them."""
    return {role: [{"key": f.key, "label": f.label, "required": f.required, "help": f.help}
                   for f in fields] for role, fields in config.forms.items()}


def complete_with_earlier_answers(reading: Reading, person: dict, config: Config) -> None:
    """A reply that adds to an earlier application is judged on everything sent so far."""
    reading.role = reading.role or person.get("role")
    merged = {**person.get("fields", {}), **reading.fields}
    reading.missing = missing_fields(reading.role, merged, config.forms)


class Handler:
    """Applies the program's rules to messages; every change names its cause."""

    def __init__(self, config: Config, store: Store, mailer: Mailer, rules: list[Rule],
                 context: Context, pairing: Pairing | None = None) -> None:
        self.config = config
        self.store = store
        self.mailer = mailer
        self.rules = rules
        self.context = context
        self.pairing = pairing

    def handle(self, entry: dict, raw: bytes, now: datetime) -> Outcome:
        """Handle the ledger entry ``entry`` whose bytes are ``raw``."""
        reading = understand(decode_message(raw), self.context)
        person = participants.find(self.store, reading.participant) if reading.participant \
            else None
        if reading.kind == "application" and person is not None:
            complete_with_earlier_answers(reading, person, self.config)
        decisions = decide(reading, person, self.rules)
        cause = f"message {entry['key']}"
        at = now.isoformat()
        for decision in decisions:
            person = self._apply(decision, reading, person, entry, cause, now)
        record_reply(self.store, reading, person, cause, now)
        if reading.kind == "command" and reading.proposal and reading.authenticated:
            self._answer_proposal(reading, now)
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
                meta={"expects": f"approval:{reading.proposal}"})

    def _apply(self, decision: Decision, reading: Reading, person: dict | None, entry: dict,
               cause: str, now: datetime) -> dict | None:
        at = now.isoformat()
        action = decision.action
        sender = reading.sender or ""
        if action.type == "record":
            person = participants.record_application(
                self.store, email=sender, name=reading.sender_name, role=reading.role,
                fields=reading.fields, missing=reading.missing, language=reading.language,
                cause=f"{cause} (rule {decision.rule})", at=at)
            reading.participant = person["email"]
        elif action.type == "set" and person is not None:
            participants.set_fields(self.store, sender, action.values,
                                    f"rule {decision.rule} on {cause}", at)
            person = {**person, **action.values}
        elif action.type == "stop" and person is not None:
            participants.stop_rules(self.store, person, action.values["rules"],
                                    f"rule {decision.rule} on {cause}", at)
        elif action.type == "review":
            reading.problems.append(action.reason)
            reading.needs_review = True
        elif action.type == "send":
            self._send(decision, reading, person, entry, now)
        return person

    def _send(self, decision: Decision, reading: Reading, person: dict | None,
              entry: dict, now: datetime) -> None:
        action = decision.action
        context = {
            "person": {"name": (person or {}).get("name") or reading.sender_name or "",
                       "email": reading.sender, "role": (person or {}).get("role") or reading.role},
            "missing": reading.missing,
            "forms": form_context(self.config),
            "subject": reading.subject,
        }
        if action.to == "coordinators":
            targets = [Recipient(c.email, c.name, self.config.language)
                       for c in self.config.coordinators]
            kind = "notice"
        else:
            targets = [Recipient(reading.sender or "", context["person"]["name"],
                                 (person or {}).get("language") or reading.language,
                                 participant=reading.participant)]
            kind = "reply"
        occasion = {
            "message": entry["key"],
            "thread": f"thread:{(reading.references or [reading.message_id or entry['key']])[0]}",
            "bounced": f"bounced:{reading.bounced_recipient}",
            "sender_day": f"day:{now.date().isoformat()}",
        }[action.once_per]
        if person is not None and self.pairing is not None:
            mentor, mentee = self.pairing.mailings.pair_of(dict(person))
            context.update({k: v for k, v in (("mentor", mentor), ("mentee", mentee)) if v})
        context["problems"] = reading.problems
        context["bounced"] = reading.bounced_recipient
        context["until"] = reading.until or ""
        context["choices"] = [
            (participants.find(self.store, email) or {}).get("name") or email
            for email in reading.choices]
        for target in targets:
            item = self.mailer.queue(
                rule=decision.rule, occasion=occasion, template=action.template or "",
                to=target, context=context, kind=kind,
                in_reply_to=reading.message_id if kind == "reply" else None,
                references=tuple(reading.references),
                meta={"expects": action.expects} if action.expects else None, now=now)
            if item is not None:
                log.info("queued %s to %s (rule %s)", action.template, target.email,
                         decision.rule)
