"""YAML for the tests' own data (cases, expectations), through libyaml when PyYAML has it:
the pure-Python parser took a tenth of each conversation corpus's time."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The data of a YAML document, as ``yaml.safe_load`` reads it."""
    return yaml.load(text, Loader=_LOADER)
