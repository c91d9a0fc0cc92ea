"""What a scheduled firing sends: the template's context, sequences, invitations, notices."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mailflow.config.model import Config
from mailflow.outbound.invitations import event_invitation
from mailflow.outbound.mailer import Mailer, Recipient
from mailflow.outbound.outbox import Outbox
from mailflow.program import participants
from mailflow.program.calendar import format_date
from mailflow.program.lifecycle import TransitionError
from mailflow.program.participants import stop_rules
from mailflow.program.scheduled import ScheduledAction, ScheduledRule
from mailflow.store import Store

log = logging.getLogger("mailflow.scheduler")

UNSUBSCRIBE_HINT = {
    "en": "You receive these tips because you take part in the program. "
          "Reply STOP to receive no more of them.",
    "fr": "Vous recevez ces conseils parce que vous participez au programme. "
          "Répondez STOP pour ne plus les recevoir.",
}
PUBLIC_FIELDS = ("affiliation", "languages", "goals", "expertise")


class Mailings:
    """Queues the mail of scheduled rules through the Mailer, with a full template context."""

    def __init__(self, config: Config, store: Store, mailer: Mailer,
                 template_names: Callable[[], set[str]],
                 digest: Callable[[datetime], dict] | None = None) -> None:
        self.config = config
        self.store = store
        self.mailer = mailer
        self.template_names = template_names
        self.digest = digest

    @property
    def outbox(self) -> Outbox:
        return self.mailer.outbox

    def sequence(self, name: str) -> list[str]:
        """The templates of a sequence (``tips`` -> ``tips/01-...``), in order."""
        prefix = name.rstrip("/") + "/"
        return sorted(t for t in self.template_names() if t.startswith(prefix))

    def next_in_sequence(self, name: str, person: dict, already: int = 0) -> str | None:
        """The first template of the sequence this person has not had; never one twice."""
        sent = set((person.get("sequences") or {}).get(name, []))
        remaining = [t for t in self.sequence(name) if t not in sent]
        return remaining[already] if already < len(remaining) else None

    def planned_template(self, action: ScheduledAction, person: dict | None,
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

    def fire(self, rule: ScheduledRule, occasion: str, person: dict | None,
             now: datetime) -> None:
        """Carry out every action of ``rule`` for ``person`` (None: the coordinators)."""
        for index, action in enumerate(rule.actions):
            if action.type == "stop":
                if person is not None:
                    stop_rules(self.store, person, action.values["rules"], f"rule {rule.name}",
                               now.isoformat())
                continue
            if action.type == "set":
                if person is not None:
                    try:
                        participants.set_fields(self.store, person["email"], action.values,
                                                f"rule {rule.name}", now.isoformat())
                    except TransitionError as exc:
                        log.warning("rule %s: %s", rule.name, exc)
                continue
            template = action.template or ""
            if action.type == "send_next":
                if person is None:
                    continue
                template = self.next_in_sequence(template, person) or ""
                if not template:
                    continue
                sequences = dict(person.get("sequences") or {})
                sequences[action.template or ""] = [
                    *sequences.get(action.template or "", []), template]
                participants.set_fields(self.store, person["email"], {"sequences": sequences},
                                        f"rule {rule.name}", now.isoformat())
            rule_key = rule.name if index == 0 else f"{rule.name}#{index}"
            if action.type == "notify" or person is None:
                for coordinator in self.config.coordinators:
                    self.mailer.queue(
                        rule=rule_key, occasion=f"{occasion}:{(person or {}).get('email', '')}",
                        template=template, to=Recipient(coordinator.email, coordinator.name,
                                                        self.config.language),
                        context=self.context(person, self.config.language, action, now,
                                             template),
                        kind="notice", now=now)
                continue
            language = person.get("language") or self.config.language
            attachments = ()
            if action.attach_event:
                attachments = (event_invitation(
                    self.config.calendar.dates[action.attach_event], self.config.address,
                    self.config.name, person["email"], self.config.domain, now),)
            self.mailer.queue(
                rule=rule_key, occasion=occasion, template=template,
                to=Recipient(person["email"], person.get("name") or "", language,
                             participant=person["email"]),
                context=self.context(person, language, action, now, template,
                                     optional=rule.optional),
                kind="scheduled", now=now, attachments=attachments,
                meta=_meta(action, person),
                unsubscribe=rule.optional)

    def context(self, person: dict | None, language: str, action: ScheduledAction,
                now: datetime, template: str, optional: bool = False) -> dict[str, Any]:
        """Everything a scheduled template may use; nothing private of anyone else."""
        person = person or {}
        calendar = self.config.calendar
        context: dict[str, Any] = {
            "person": {"name": person.get("name") or "", "email": person.get("email") or "",
                       "role": person.get("role")},
            "dates": {name: format_date(d.when, language, with_time=d.when.time()
                                        != calendar.send_time)
                      for name, d in calendar.dates.items()},
            "unsubscribe_hint": UNSUBSCRIBE_HINT.get(language, "") if optional else "",
            "missing": list((person.get("application") or {}).get("missing") or []),
            "until": person.get("paused_until") or "",
        }
        if template.startswith("choices"):
            context["mentors"] = [self.public(p) for p in self.store.table("participants").all()
                                  if p.get("role") == "mentor"
                                  and p.get("status") not in ("withdrawn",)]
        if action.expects and action.expects.startswith("survey:"):
            survey = self.config.surveys[action.expects.split(":", 1)[1]]
            context["survey"] = {"title": survey.title or survey.key.replace("_", " ").capitalize(),
                                 "questions": [{"number": q.number, "text": q.text}
                                               for q in survey.questions]}
        if action.attach_event:
            event = calendar.dates[action.attach_event]
            context["event"] = {"title": event.title or event.name, "location": event.location,
                                "when": format_date(event.when, language, with_time=True)}
        mentor, mentee = self.pair_of(person)
        if mentor is not None:
            context["mentor"] = mentor
        if mentee is not None:
            context["mentee"] = mentee
        if template == "digest" and self.digest is not None:
            context["digest"] = self.digest(now)
        return context

    def public(self, person: dict) -> dict[str, str]:
        """What may be shown of a person to others: the form fields marked shareable."""
        fields = person.get("fields") or {}
        shareable = {f.key for form in self.config.forms.values() for f in form if f.shareable}
        shown = {key: "" for key in (*PUBLIC_FIELDS, *shareable)}
        shown.update({key: str(fields.get(key) or "") for key in shareable})
        return {**shown, "name": person.get("name") or "", "email": person.get("email") or ""}

    def pair_of(self, person: dict) -> tuple[dict | None, dict | None]:
        """The public records of a person's mentor and mentee (the latest proposed)."""
        if person.get("role") == "mentee" and person.get("mentor"):
            other = participants.find(self.store, person["mentor"])
            return (self.public(other) if other else None), self.public(person)
        if person.get("role") == "mentor" and person.get("mentees"):
            other = participants.find(self.store, person["mentees"][-1])
            return self.public(person), (self.public(other) if other else None)
        return None, None


def _meta(action: ScheduledAction, person: dict) -> dict | None:
    """What a reply to this mail will be; for a proposal, also whom it proposes."""
    if not action.expects:
        return None
    meta = {"expects": action.expects}
    if action.expects == "acceptance" and person.get("mentees"):
        meta["mentee"] = person["mentees"][-1]
    return meta
