"""Queue the mail of rules: answers to messages, scheduled mail, notices to coordinators.

The actions of ``mailflow.program.actions`` call these; the idempotency key of each
mail is (rule, recipient, occasion), so a rule fires once per person and occasion.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mailflow.config.model import Config
from mailflow.outbound.compose import Attachment
from mailflow.outbound.invitations import event_invitation
from mailflow.outbound.mailer import Mailer, Recipient
from mailflow.outbound.outbox import Outbox
from mailflow.parsing.reading import Reading
from mailflow.program.actions import Action, Firing, run_action
from mailflow.program.context import TemplateContext, safe_echo
from mailflow.program.scheduled import ScheduledRule
from mailflow.store import Store
from mailflow.store.records import Participant

log = logging.getLogger(__name__)
DAY = 86400.0


class Mailings:
    """Queues the mail of rules through the Mailer, with contexts from one builder."""

    def __init__(self, config: Config, store: Store, mailer: Mailer,
                 template_names: Callable[[], set[str]], contexts: TemplateContext) -> None:
        self.config = config
        self.store = store
        self.mailer = mailer
        self.template_names = template_names
        self.contexts = contexts

    @property
    def outbox(self) -> Outbox:
        return self.mailer.outbox

    def sequence(self, name: str) -> list[str]:
        """The templates of a sequence (``tips`` -> ``tips/01-...``), in order."""
        prefix = name.rstrip("/") + "/"
        return sorted(t for t in self.template_names() if t.startswith(prefix))

    def next_in_sequence(self, name: str, person: Participant, already: int = 0) -> str | None:
        """The first template of the sequence this person has not had; never one twice."""
        sent = set((person.get("sequences") or {}).get(name, []))
        remaining = [t for t in self.sequence(name) if t not in sent]
        return remaining[already] if already < len(remaining) else None

    def planned_template(self, action: Action, person: Participant | None,
                         counters: dict[tuple[str, str], int]) -> str | None:
        """What ``action`` would send to ``person`` (for plans), advancing sequences."""
        if action.type in ("set", "stop"):
            return None
        if action.type != "send_next":
            return action.template
        if person is None:
            return None
        key = (action.template or "", person["email"])
        template = self.next_in_sequence(action.template or "", person, counters.get(key, 0))
        counters[key] = counters.get(key, 0) + 1
        return template

    def fire(self, rule: ScheduledRule, occasion: str, person: Participant | None,
             now: datetime) -> None:
        """Carry out every action of ``rule`` for ``person`` (None: the coordinators)."""
        for index, action in enumerate(rule.actions):
            firing = Firing(rule=rule.name if index == 0 else f"{rule.name}#{index}",
                            cause=f"rule {rule.name}", person=person, occasion=occasion,
                            now=now, optional=rule.optional)
            person = run_action(action, firing, self)

    def send(self, action: Action, template: str, firing: Firing) -> None:
        """A scheduled mail to the person concerned, or to the coordinators when none."""
        person = firing.person
        if person is None:
            self.notify(template, firing)
            return
        language = self.config.writes_to(person.get("language"))
        attachments: tuple[Attachment, ...] = ()
        if action.attach_event:
            attachments = (event_invitation(
                self.config.calendar.dates[action.attach_event], self.config.address,
                self.config.name, person["email"], self.config.domain, firing.now,
                language),)
        context = self.contexts.build(person, language, firing.now, template,
                                      expects=action.expects, event=action.attach_event,
                                      optional=firing.optional)
        self.mailer.queue(
            rule=firing.rule, occasion=firing.occasion, template=template,
            to=Recipient(person["email"], person.get("name") or "", language,
                         participant=person["email"]),
            context=context, kind="scheduled", now=firing.now, attachments=attachments,
            meta=_meta(action, person, context), unsubscribe=firing.optional)

    def notify(self, template: str, firing: Firing) -> None:
        """A notice to every coordinator about the person concerned (or about everyone)."""
        person = firing.person
        language = self.config.language
        for coordinator in self.config.coordinators:
            self.mailer.queue(
                rule=firing.rule,
                occasion=f"{firing.occasion}:{person.get('email', '') if person else ''}",
                template=template,
                to=Recipient(coordinator.email, coordinator.name, language),
                context=self.contexts.build(person, language, firing.now, template),
                kind="notice", now=firing.now)

    def reply(self, action: Action, firing: Firing) -> None:
        """The answer of a message rule: to the sender, or a notice to the coordinators."""
        reading, person = firing.reading, firing.person
        assert reading is not None
        if action.to == "coordinators":
            targets = [Recipient(c.email, c.name, self.config.language)
                       for c in self.config.coordinators]
            kind = "notice"
        else:
            if not (reading.authenticated or self.within_budget(reading.sender or "", reading,
                                                                 firing.now)):
                return
            # A stranger's display name is theirs to choose: echoed only in a safe form.
            name = (person.get("name") if person else None) or safe_echo(reading.sender_name)
            targets = [Recipient(reading.sender or "", name, self.config.writes_to(
                (person.get("language") if person else None) or reading.language),
                participant=reading.participant)]
            kind = "reply"
        for target in targets:
            language = target.language or self.config.language
            item = self.mailer.queue(
                rule=firing.rule, occasion=firing.occasion, template=action.template or "",
                to=target, kind=kind,
                context=self.contexts.build(person, language, firing.now,
                                            action.template or "", reading=reading),
                in_reply_to=reading.message_id if kind == "reply" else None,
                references=tuple(reading.references),
                meta=action.expects.meta() if action.expects else None, now=firing.now)
            if item is not None:
                log.info("queued %s to %s (rule %s)", action.template, target.email,
                         firing.rule)


    def within_budget(self, address: str, reading: Reading | None, now: datetime) -> bool:
        """Whether one more automatic answer may go to ``address``.

        A budget per address (``outbox.answers_per_day``, ``answers_per_week``) ends any
        loop with an autoresponder and any use of the program as a reflector towards a
        forged sender; the coordinators are told once a day per address.
        """
        limits, clock = self.config.outbox, self.outbox.clock()
        day = self.outbox.answers_since(address, clock - DAY)
        week = self.outbox.answers_since(address, clock - 7 * DAY)
        if day < limits.answers_per_day and week < limits.answers_per_week:
            return True
        log.warning("not answering %s: %d automatic answers today, %d this week", address,
                    day, week)
        if reading is not None:
            reading.problems.append(
                f"not answered: {address} already had {day} automatic answers today and "
                f"{week} this week (the limit stops mail loops and forged senders)")
        for coordinator in self.config.coordinators:
            self.mailer.queue(
                rule="answer-budget", occasion=f"{address.lower()}:{now.date().isoformat()}",
                template="answer_budget",
                to=Recipient(coordinator.email, coordinator.name, self.config.language),
                context={"address": address, "day": day, "week": week,
                         "limits": {"day": limits.answers_per_day,
                                    "week": limits.answers_per_week}},
                kind="notice", now=now)
        return False


def _meta(action: Action, person: Participant, context: dict[str, Any]) -> dict[str, Any] | None:
    """What a reply to this mail will be; for a proposal, also whom it proposes; for a
    numbered list of mentors, their addresses in that order (the reply may give numbers)."""
    expects = action.expects
    if expects is None:
        return None
    if expects.kind == "acceptance" and person.get("mentees"):
        return {**expects.meta(), "mentee": person["mentees"][-1]}
    if expects.kind == "choices" and context.get("mentors"):
        return {**expects.meta(), "numbered": [m["email"] for m in context["mentors"]]}
    return expects.meta()
