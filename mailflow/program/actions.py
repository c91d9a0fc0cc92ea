"""Every action a rule can take, each with its validation and its execution side by side.

Message rules (``when:``) and scheduled rules (``at:``) share this registry; an
action says where it may be used. To add an action, write one ``ActionSpec``
subclass here, add it to ``REGISTRY``, and test it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from mailflow.config.translated import read_translated
from mailflow.config.yamlfile import YamlDoc
from mailflow.parsing.expects import Expects
from mailflow.parsing.reading import Reading
from mailflow.program import participants
from mailflow.program.lifecycle import TransitionError
from mailflow.store.records import Participant

if TYPE_CHECKING:
    from mailflow.program.mailings import Mailings

log = logging.getLogger(__name__)

MESSAGE, SCHEDULED = "message", "scheduled"
RECIPIENTS = ("sender", "coordinators")
ONCE_PER = ("message", "thread", "bounced", "sender_day")
SETTABLE_BY_MESSAGE = ("language", "notes", "status")


@dataclass(frozen=True)
class Action:
    """One thing a rule does, as validated from its file."""

    type: str
    template: str | None = None
    to: str = "sender"
    once_per: str = "message"
    expects: Expects | None = None
    values: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    attach_event: str | None = None


@dataclass
class Firing:
    """One action being carried out: for whom, on which occasion, and why."""

    rule: str                        # the idempotency name (rule, or rule#N for later actions)
    cause: str                       # what the timeline records as the cause
    person: Participant | None       # the participant concerned (None: the coordinators)
    occasion: str
    now: datetime
    reading: Reading | None = None   # set for message rules
    optional: bool = False           # opt-out applies; List-Unsubscribe


class ActionSpec:
    """How one kind of action is written in a rule file and what it does."""

    name: ClassVar[str]
    places: ClassVar[tuple[str, ...]] = (MESSAGE, SCHEDULED)
    keys: ClassVar[dict[str, tuple[str, ...]]] = {MESSAGE: (), SCHEDULED: ()}

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        raise NotImplementedError

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        """Carry out ``action``; returns the person as it now stands."""
        raise NotImplementedError


def _template(doc: YamlDoc, key: str, value: Any, templates: set[str] | None,
              sequence: bool = False) -> str:
    if not isinstance(value, str) or not value:
        raise doc.error(key, "expected a template name")
    if templates is not None:
        known = (any(t.startswith(value.rstrip("/") + "/") for t in templates) if sequence
                 else value in templates)
        if not known:
            raise doc.error(key, f"unknown template {value!r}",
                            f"create templates/{value}/ with NN-name.en.txt files" if sequence
                            else f"create templates/{value}.en.txt or fix the name")
    return value


def _expects(doc: YamlDoc, key: str, raw: dict[str, Any]) -> Expects | None:
    if raw.get("expects") is None:
        return None
    try:
        return Expects.for_rule(str(raw["expects"]))
    except ValueError as exc:
        raise doc.error(f"{key}.expects", str(exc)) from exc


class Send(ActionSpec):
    """Send a template: to the sender or the coordinators (message rules), or to the person."""

    name = "send"
    keys: ClassVar[dict[str, tuple[str, ...]]] = {
        MESSAGE: ("to", "once_per", "expects"), SCHEDULED: ("expects", "attach_event")}

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        to = raw.get("to", "sender")
        if to not in RECIPIENTS:
            raise doc.error(f"{key}.to", f"unknown recipient {to!r}",
                            f"use one of: {', '.join(sorted(RECIPIENTS))}")
        once_per = raw.get("once_per", "message")
        if once_per not in ONCE_PER:
            raise doc.error(f"{key}.once_per", f"unknown value {once_per!r}",
                            f"use one of: {', '.join(sorted(ONCE_PER))}")
        return Action(self.name, template=_template(doc, f"{key}.{self.name}", raw[self.name],
                                                    templates),
                      to=to, once_per=once_per, expects=_expects(doc, key, raw),
                      attach_event=raw.get("attach_event"))

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        if firing.reading is not None:
            mailings.reply(action, firing)
        else:
            mailings.send(action, action.template or "", firing)
        return firing.person


class SendNext(Send):
    """Send the next template of a sequence (``tips`` -> ``tips/01-...``), never one twice."""

    name = "send_next"
    places = (SCHEDULED,)
    keys: ClassVar[dict[str, tuple[str, ...]]] = {SCHEDULED: ("expects",)}

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        return Action(self.name, template=_template(doc, f"{key}.{self.name}", raw[self.name],
                                                    templates, sequence=True),
                      expects=_expects(doc, key, raw))

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        person = firing.person
        if person is None:
            return None
        sequence = action.template or ""
        template = mailings.next_in_sequence(sequence, person)
        if not template:
            return person
        sent = dict(person.get("sequences") or {})
        sent[sequence] = [*sent.get(sequence, []), template]
        participants.set_fields(mailings.store, person["email"], {"sequences": sent},
                                firing.cause, firing.now.isoformat())
        mailings.send(action, template, firing)
        return person


class Notify(Send):
    """Send a template to the coordinators about the person concerned."""

    name = "notify"
    keys: ClassVar[dict[str, tuple[str, ...]]] = {MESSAGE: (), SCHEDULED: ()}

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        return Action(self.name, template=_template(doc, f"{key}.{self.name}", raw[self.name],
                                                    templates), to="coordinators")

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        if firing.reading is not None:
            mailings.reply(action, firing)
        else:
            mailings.notify(action.template or "", firing)
        return firing.person


class Record(ActionSpec):
    """Record the message's application form on the sender."""

    name = "record"
    places = (MESSAGE,)

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        if raw[self.name] != "application":
            raise doc.error(f"{key}.record", f"cannot record {raw[self.name]!r}",
                            "use 'application'")
        return Action(self.name)

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        reading = firing.reading
        assert reading is not None
        person = participants.record_application(
            mailings.store, email=reading.sender or "", name=reading.sender_name,
            role=reading.application.role, fields=reading.application.fields,
            missing=reading.application.missing,
            language=reading.language, cause=firing.cause, at=firing.now.isoformat())
        reading.participant = person["email"]
        return person


class Set(ActionSpec):
    """Set fields of the person (a status goes through the lifecycle)."""

    name = "set"

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        value = raw[self.name]
        if not isinstance(value, dict) or not value:
            raise doc.error(f"{key}.set", "expected a mapping of fields to values")
        if place == MESSAGE:
            for name in value:
                if name not in SETTABLE_BY_MESSAGE:
                    raise doc.error(f"{key}.set.{name}",
                                    f"field {name!r} cannot be set by a rule",
                                    f"use one of: {', '.join(SETTABLE_BY_MESSAGE)}")
        return Action(self.name, values=dict(value))

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        person = firing.person
        if person is None:
            return None
        try:
            participants.set_fields(mailings.store, person["email"], action.values,
                                    firing.cause, firing.now.isoformat())
        except TransitionError as exc:
            if firing.reading is not None:
                raise
            log.warning("%s: %s", firing.cause, exc)
            return person
        return cast(Participant, {**person, **action.values})


class Stop(ActionSpec):
    """Stop the named scheduled rules for the person (a sequence, reminders)."""

    name = "stop"

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        value = raw[self.name]
        names = value if isinstance(value, list) else [value]
        if not names or not all(isinstance(n, str) for n in names):
            raise doc.error(f"{key}.stop", "expected the name(s) of the scheduled rule(s) to stop")
        return Action(self.name, values={"rules": list(names)})

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        if firing.person is not None:
            participants.stop_rules(mailings.store, firing.person, action.values["rules"],
                                    firing.cause, firing.now.isoformat())
        return firing.person


class Review(ActionSpec):
    """Send the message to review with a reason: nothing of it is applied by a person's rule."""

    name = "review"
    places = (MESSAGE,)

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        reason = raw[self.name]
        if isinstance(reason, dict) and reason and all(
                isinstance(k, str) and isinstance(v, str) and v.strip()
                for k, v in reason.items()):
            # Shown to the sender in a clarification: one text per language.
            first = next(iter(reason))
            return Action(self.name, reason=read_translated(
                doc, f"{key}.review", reason, tuple(reason), first))
        if not isinstance(reason, str):
            raise doc.error(f"{key}.review", "expected the reason as text",
                            "write the reason after 'review:', or one per language, e.g. "
                            "{en: ..., fr: ...}")
        return Action(self.name, reason=reason)

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        if firing.reading is not None:
            firing.reading.doubt(action.reason)
        return firing.person


class Note(ActionSpec):
    """Write a line in the person's timeline (``mailflow show``, SHOW by mail), changing
    nothing else: a rule marks what happened for the coordinators who look later."""

    name = "note"

    def parse(self, doc: YamlDoc, key: str, raw: dict[str, Any], templates: set[str] | None,
              place: str) -> Action:
        text = raw[self.name]
        if not isinstance(text, str) or not text.strip():
            raise doc.error(f"{key}.note", "expected the note as text",
                            "write the words after 'note:', e.g. note: asked for a call")
        return Action(self.name, values={"text": text.strip()})

    def run(self, action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
        if firing.person is not None:
            participants.add_event(mailings.store, firing.person["email"], "note", firing.cause,
                                   firing.now.isoformat(), {"text": action.values["text"]})
        return firing.person


REGISTRY: dict[str, ActionSpec] = {spec.name: spec for spec in (
    Send(), SendNext(), Notify(), Record(), Set(), Stop(), Review(), Note())}


def names(place: str) -> list[str]:
    """The actions a rule of this place (message or scheduled) may use."""
    return sorted(name for name, spec in REGISTRY.items() if place in spec.places)


def parse_action(doc: YamlDoc, key: str, raw: Any, templates: set[str] | None,
                 place: str) -> Action:
    """One action of a rule file, validated; errors name the file, the key and the fix."""
    allowed = names(place)
    kinds = [k for k in raw if k in allowed] if isinstance(raw, dict) else []
    if len(kinds) != 1:
        raise doc.error(key, f"an action needs exactly one of {', '.join(allowed)}",
                        "write it as a mapping such as '- send: TEMPLATE'")
    spec = REGISTRY[kinds[0]]
    extra = set(raw) - {spec.name, *spec.keys.get(place, ())}
    if extra:
        raise doc.error(f"{key}.{sorted(extra)[0]}",
                        f"unknown key in a '{spec.name}' action",
                        f"use: {', '.join((spec.name, *spec.keys.get(place, ())))}")
    return spec.parse(doc, key, raw, templates, place)


def run_action(action: Action, firing: Firing, mailings: Mailings) -> Participant | None:
    """Carry out one validated action; returns the person as it now stands."""
    return REGISTRY[action.type].run(action, firing, mailings)
