"""Read YAML while remembering the line of every key, so errors can point at it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mailflow.errors import ConfigError

_LAST_PART = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")  # '.port' of 'outbox.smtp.port', '[2]'


@dataclass
class YamlDoc:
    """A parsed YAML file with the line (1-based) of each key path such as ``outbox.smtp.port``."""

    path: Path
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def where(self, key: str) -> str:
        """``key`` with its line number when known, for error messages; a key that is not
        in the file is placed at the line of the nearest mapping above it, where it goes."""
        line, above = self.lines.get(key), key
        while line is None and _LAST_PART.search(above):
            above = _LAST_PART.sub("", above)
            line = self.lines.get(above)
        return f"line {line}, key '{key}'" if line else f"key '{key}'"

    def error(self, key: str, problem: str, fix: str = "") -> ConfigError:
        """A ConfigError naming this file, the key's line and the fix."""
        return ConfigError(str(self.path), self.where(key), problem, fix)


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int],
          values: dict[tuple[int, int], str]) -> list[tuple[str, int, int]]:
    """Record each key's line and where its value starts; return the keys given twice."""
    twice: list[tuple[str, int, int]] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in lines and key_node.value != "<<":
                twice.append((key, lines[key], line))
            lines.setdefault(key, line)
            values[(value_node.start_mark.line, value_node.start_mark.column)] = key
            twice += _walk(value_node, key, lines, values)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}[{index}]"
            lines[key] = item.start_mark.line + 1
            values[(item.start_mark.line, item.start_mark.column)] = key
            twice += _walk(item, key, lines, values)
    return twice


# libyaml's parser when PyYAML has it (ten times faster; the same nodes and marks): a
# program's config, rules and forms are read at every start and every `mailflow` command.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> YamlDoc:
    """Parse ``path``; a syntax error becomes a ConfigError with its line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "", "file not found", "create it (mailflow init DIR)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read file: {exc}", "save it as UTF-8") from exc
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            str(path), where, f"not valid YAML: {exc.problem}",
            "check indentation and quoting near that line",
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "", f"not valid YAML: {exc}",
                          "check the file's indentation and quoting") from exc
    lines: dict[str, int] = {}
    values: dict[tuple[int, int], str] = {}
    twice = _walk(node, "", lines, values) if node is not None else []
    doc = YamlDoc(path, None, lines)
    if twice:
        key, first, again = twice[0]
        raise ConfigError(str(path), f"line {again}, key '{key}'",
                          f"'{key}' is given twice (lines {first} and {again})",
                          "keep one of them: YAML would silently use the last")
    doc.data = _construct(doc, node, values)
    return doc


def _construct(doc: YamlDoc, node: yaml.Node | None, values: dict[tuple[int, int], str]) -> Any:
    """Python values from the composed document; a value YAML cannot build names its key."""
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except (ValueError, OverflowError, yaml.constructor.ConstructorError) as exc:
        bad = _failing_scalar(loader, node)
        key = values.get((bad.start_mark.line, bad.start_mark.column), "") if bad else ""
        line = bad.start_mark.line + 1 if bad else 0
        shown = f"{bad.value!r} " if bad else ""
        where = doc.where(key) if key else (f"line {line}" if line else "")
        if bad is not None and bad.tag == "tag:yaml.org,2002:timestamp":
            raise ConfigError(str(doc.path), where, f"{shown}is not a calendar date ({exc})",
                              "write a date that exists, as YYYY-MM-DD (e.g. 2027-02-26)"
                              ) from exc
        raise ConfigError(str(doc.path), where, f"{shown}cannot be read ({exc})",
                          "quote the value, or correct it") from exc
    finally:
        loader.dispose()


def _failing_scalar(loader: yaml.SafeLoader, node: yaml.Node) -> yaml.ScalarNode | None:
    """The first scalar below ``node`` that YAML cannot turn into a value."""
    if isinstance(node, yaml.ScalarNode):
        try:
            loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError):
            return node
        return None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            children += [key_node, value_node]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        found = _failing_scalar(loader, child)
        if found is not None:
            return found
    return None
