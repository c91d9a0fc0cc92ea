"""Shared helpers for the unit tests: a minimal program folder and the default forms."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mailflow.config.load import load_config
from mailflow.config.model import FormField

MINIMAL_CONFIG = """\
program:
  name: Northlake Mentorship Program
  address: mentorship@northlake.example.org
coordinators:
  - {name: Claire Dubois, email: claire.dubois@northlake.example.org}
"""


def write_config(root: Path, text: str) -> Path:
    """Write ``text`` (dedented) as ``root/config.yaml`` and return its path."""
    path = root / "config.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def default_forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[FormField, ...]]:
    """The built-in application forms, as load_config gives them for a config without forms."""
    root = tmp_path_factory.mktemp("program")
    write_config(root, MINIMAL_CONFIG)
    return load_config(root).forms
