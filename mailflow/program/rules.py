"""Rules as data: ``rules/*.yaml`` say which mail goes out when a message of a kind arrives.

A rule::

    - name: acknowledge-application
      when: {message: application, application: complete}
      do:
        - record: application
        - send: application_received      # to the sender unless 'to:' says otherwise

Triggers (``when``): ``message`` (a kind), ``review`` (true: the message needs a person;
rules without it never see such messages), ``sender`` (stranger | participant |
coordinator), ``application`` (complete | incomplete), ``role``, ``status``.
Actions (``do``): ``send`` a template (``to``: sender | coordinators; ``once_per``:
message | thread | bounced; ``expects``: what the reply will be), ``record`` the
application, ``set`` participant fields, ``review`` with a reason, ``stop`` scheduled
rules for the sender (``stop: [monthly-tip]``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailflow.config.yamlfile import YamlDoc, load_yaml
from mailflow.errors import ConfigError
from mailflow.parsing.understand import KINDS

CONDITIONS = {
    "message": set(KINDS),
    "review": {"true", "false"},
    "sender": {"stranger", "participant", "coordinator"},
    "application": {"complete", "incomplete"},
    "role": {"mentee", "mentor"},
    "command": {"stop", "start", "pause", "resume", "approve", "edit", "accept", "decline"},
    "status": None,  # any string
}
ACTIONS = {"send", "record", "set", "review", "stop"}
RECIPIENTS = {"sender", "coordinators"}
ONCE_PER = {"message", "thread", "bounced", "sender_day"}
SETTABLE = {"status", "language", "notes"}


@dataclass(frozen=True)
class Action:
    """One thing a rule does."""

    type: str
    template: str | None = None
    to: str = "sender"
    once_per: str = "message"
    expects: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class Rule:
    """A named trigger with its actions, and where it was written."""

    name: str
    when: dict[str, str]
    actions: tuple[Action, ...]
    source: str


def _action(doc: YamlDoc, key: str, raw: Any, templates: set[str] | None) -> Action:
    if not isinstance(raw, dict):
        raise doc.error(key, "an action is a mapping such as '- send: TEMPLATE'")
    kinds = [k for k in raw if k in ACTIONS]
    if len(kinds) != 1:
        raise doc.error(key, f"an action needs exactly one of {', '.join(sorted(ACTIONS))}")
    kind = kinds[0]
    extra = set(raw) - {kind, "to", "once_per", "expects"}
    if extra:
        raise doc.error(key, f"unknown key(s) {', '.join(sorted(extra))} in a '{kind}' action")
    value = raw[kind]
    if kind == "send":
        to = raw.get("to", "sender")
        if to not in RECIPIENTS:
            raise doc.error(f"{key}.to", f"unknown recipient {to!r}",
                            f"use one of: {', '.join(sorted(RECIPIENTS))}")
        if not isinstance(value, str):
            raise doc.error(f"{key}.send", "expected a template name")
        if templates is not None and value not in templates:
            raise doc.error(f"{key}.send", f"unknown template {value!r}",
                            f"create templates/{value}.en.txt or fix the name")
        once_per = raw.get("once_per", "message")
        if once_per not in ONCE_PER:
            raise doc.error(f"{key}.once_per", f"unknown value {once_per!r}",
                            f"use one of: {', '.join(sorted(ONCE_PER))}")
        expects = raw.get("expects")
        if expects is not None and not (expects in ("choices", "meeting")
                                        or str(expects).startswith("survey:")):
            raise doc.error(f"{key}.expects", f"unknown value {expects!r}",
                            "use choices, meeting or survey:KEY")
        return Action("send", template=value, to=to, once_per=once_per, expects=expects)
    if kind == "record":
        if value != "application":
            raise doc.error(f"{key}.record", f"cannot record {value!r}", "use 'application'")
        return Action("record")
    if kind == "stop":
        names = value if isinstance(value, list) else [value]
        if not names or not all(isinstance(n, str) for n in names):
            raise doc.error(f"{key}.stop", "expected the name(s) of the scheduled rule(s) to stop")
        return Action("stop", values={"rules": list(names)})
    if kind == "set":
        if not isinstance(value, dict) or not value:
            raise doc.error(f"{key}.set", "expected a mapping of fields to values")
        for name in value:
            if name not in SETTABLE:
                raise doc.error(f"{key}.set.{name}", f"field {name!r} cannot be set by a rule",
                                f"use one of: {', '.join(sorted(SETTABLE))}")
        return Action("set", values=dict(value))
    if not isinstance(value, str):
        raise doc.error(f"{key}.review", "expected the reason as text")
    return Action("review", reason=value)


def _rule(doc: YamlDoc, key: str, raw: Any, templates: set[str] | None) -> Rule:
    if not isinstance(raw, dict):
        raise doc.error(key, "a rule is a mapping with name, when and do")
    unknown = set(raw) - {"name", "when", "do", "description"}
    if unknown:
        raise doc.error(f"{key}.{sorted(unknown)[0]}", "unknown key in a rule",
                        "use name, description, when and do")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise doc.error(key, "a rule needs a 'name'")
    when = raw.get("when")
    if not isinstance(when, dict) or not ({"message", "review"} & set(when)):
        raise doc.error(f"{key}.when", "a rule needs 'when:' with 'message: KIND' or "
                        "'review: true'", f"kinds: {', '.join(KINDS)}")
    for cond, value in when.items():
        if cond not in CONDITIONS:
            raise doc.error(f"{key}.when.{cond}", f"unknown condition {cond!r}",
                            f"use one of: {', '.join(sorted(CONDITIONS))}")
        allowed = CONDITIONS[cond]
        if isinstance(value, bool):
            value = str(value).lower()
            when[cond] = value
        if allowed is not None and value not in allowed:
            raise doc.error(f"{key}.when.{cond}", f"unknown value {value!r}",
                            f"use one of: {', '.join(sorted(allowed))}")
    actions = raw.get("do")
    if not isinstance(actions, list) or not actions:
        raise doc.error(f"{key}.do", "a rule needs a list of actions under 'do:'")
    return Rule(name=name, when={k: str(v) for k, v in when.items()},
                actions=tuple(_action(doc, f"{key}.do[{i}]", a, templates)
                              for i, a in enumerate(actions)),
                source=f"{doc.path}:{doc.lines.get(key, '?')}")


def rule_entries(directory: Path) -> Iterator[tuple[YamlDoc, str, Any]]:
    """(document, key, raw rule) for every rule in ``directory/*.yaml``, in file order."""
    for path in sorted(directory.glob("*.yaml")):
        doc = load_yaml(path)
        data = doc.data or {}
        if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
            raise ConfigError(str(path), "", "expected 'rules:' followed by a list of rules")
        for index, raw in enumerate(data.get("rules") or []):
            yield doc, f"rules[{index}]", raw


def check_unique(names: dict[str, str], name: str, source: str, doc: YamlDoc, key: str) -> None:
    """Refuse a rule name used twice, naming where the other one is."""
    if name in names:
        raise doc.error(f"{key}.name", f"rule name {name!r} is used twice",
                        f"the other one is at {names[name]}")
    names[name] = source


def load_rules(directory: Path, templates: set[str] | None = None) -> list[Rule]:
    """Every message rule in ``directory/*.yaml``, validated (template names too, when given)."""
    rules: list[Rule] = []
    names: dict[str, str] = {}
    for doc, key, raw in rule_entries(directory):
        if isinstance(raw, dict) and "at" in raw:
            continue  # a scheduled rule: see mailflow.program.scheduled
        rule = _rule(doc, key, raw, templates)
        check_unique(names, rule.name, rule.source, doc, key)
        rules.append(rule)
    return rules
