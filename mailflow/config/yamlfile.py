"""Read YAML while remembering the line of every key, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mailflow.errors import ConfigError


@dataclass
class YamlDoc:
    """A parsed YAML file with the line (1-based) of each key path such as ``outbox.smtp.port``."""

    path: Path
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def where(self, key: str) -> str:
        """``key`` with its line number when known, for error messages."""
        line = self.lines.get(key)
        return f"line {line}, key '{key}'" if line else f"key '{key}'"

    def error(self, key: str, problem: str, fix: str = "") -> ConfigError:
        """A ConfigError naming this file, the key's line and the fix."""
        return ConfigError(str(self.path), self.where(key), problem, fix)


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            lines[key] = key_node.start_mark.line + 1
            _walk(value_node, key, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}[{index}]"
            lines[key] = item.start_mark.line + 1
            _walk(item, key, lines)


def load_yaml(path: Path) -> YamlDoc:
    """Parse ``path``; a syntax error becomes a ConfigError with its line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "", "file not found", "create it (mailflow init DIR)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read file: {exc}", "save it as UTF-8") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            str(path), where, f"not valid YAML: {exc.problem}",
            "check indentation and quoting near that line",
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "", f"not valid YAML: {exc}") from exc
    lines: dict[str, int] = {}
    if node is not None:
        _walk(node, "", lines)
    return YamlDoc(path, data, lines)
