"""``mailflow init DIR``: a working example program to start from."""

from __future__ import annotations

import shutil
from pathlib import Path

from mailflow.config.load import BUILTIN_ROOT, BUILTIN_RULES, BUILTIN_TEMPLATES, CONFIG_NAME
from mailflow.errors import MailflowError


def init_program(target: Path) -> None:
    """Copy the example config, rules and templates into ``target`` (which must not hold one)."""
    if (target / CONFIG_NAME).exists():
        raise MailflowError(f"{target / CONFIG_NAME} exists already; choose an empty directory")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BUILTIN_ROOT / CONFIG_NAME, target / CONFIG_NAME)
    shutil.copytree(BUILTIN_RULES, target / "rules", dirs_exist_ok=True)
    shutil.copytree(BUILTIN_TEMPLATES, target / "templates", dirs_exist_ok=True)
