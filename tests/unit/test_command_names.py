"""The commands a reading concludes are declared once (parsing.commands.COMMANDS): the
rules accept exactly those, and every reader concludes only declared commands."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

from mailflow.parsing import command_prose, commands, readers
from mailflow.parsing.commands import COMMANDS, COORDINATION_COMMANDS
from mailflow.program.rules import CONDITIONS


def test_the_rules_accept_exactly_the_declared_commands():
    assert CONDITIONS["command"] == set(COMMANDS)
    assert not set(COMMANDS) & set(COORDINATION_COMMANDS)


def _concluded(module) -> set[str]:
    """The string constants a module assigns to ``….command`` (alone or in a tuple)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = (zip(target.elts, node.value.elts, strict=True)
                     if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                     else [(target, node.value)])
            for name, value in pairs:
                if isinstance(name, ast.Attribute) and name.attr == "command":
                    found |= {c.value for c in ast.walk(value)
                              if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return found


def test_every_command_a_reader_concludes_is_declared():
    concluded = set()
    for info in pkgutil.iter_modules(readers.__path__):
        concluded |= _concluded(importlib.import_module(f"{readers.__name__}.{info.name}"))
    assert {"review", "approve", "edit", "coordinator", "confirm", "leave", "accept",
            "decline"} <= concluded  # the scan sees the assignments
    assert concluded <= set(COMMANDS) | set(COORDINATION_COMMANDS)


def test_the_command_words_read_only_declared_commands():
    assert set(commands._WORDS.values()) <= set(COMMANDS)
    assert set(command_prose._ALONE_NAME.values()) <= set(COMMANDS)
