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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailflow.config.yamlfile import YamlDoc, load_yaml
from mailflow.errors import ConfigError
from mailflow.parsing.commands import COMMANDS
from mailflow.parsing.understand import KINDS
from mailflow.program.actions import MESSAGE, Action, parse_action

CONDITIONS = {
    "message": set(KINDS),
    "review": {"true", "false"},
    "sender": {"stranger", "participant", "coordinator"},
    "application": {"complete", "incomplete"},
    "role": {"mentee", "mentor"},
    "command": set(COMMANDS),
    "status": None,  # any string
}


@dataclass(frozen=True)
class Rule:
    """A named trigger with its actions, and where it was written."""

    name: str
    when: dict[str, str]
    actions: tuple[Action, ...]
    source: str


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
                        "'review: true'", f"kinds: {', '.join(sorted(KINDS))}")
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
                actions=tuple(parse_action(doc, f"{key}.do[{i}]", a, templates, MESSAGE)
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
