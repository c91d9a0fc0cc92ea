"""``mailflow init DIR [--preset NAME]``: a working program to start from.

The base is the example program (config.yaml, rules/, templates/ at the top of the
source tree). A preset in ``mailflow/presets/NAME/`` may bring its own config.yaml
and rules/ (which replace the example's), templates (added to, or overriding, the
example's) and guide.md (attached to introductions).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mailflow.config.load import BUILTIN_ROOT, BUILTIN_RULES, BUILTIN_TEMPLATES, CONFIG_NAME
from mailflow.errors import MailflowError

PRESETS = Path(__file__).resolve().parent.parent / "presets"


def presets() -> list[str]:
    """The names of the presets shipped with mailflow."""
    return sorted(p.name for p in PRESETS.iterdir() if p.is_dir()) if PRESETS.is_dir() else []


def init_program(target: Path, preset: str = "cohort") -> None:
    """Create ``target`` from the example program and ``preset``; it must not hold one."""
    if (target / CONFIG_NAME).exists():
        raise MailflowError(f"{target / CONFIG_NAME} exists already; choose an empty directory")
    source = PRESETS / preset
    if not source.is_dir():
        raise MailflowError(f"unknown preset {preset!r}; presets: {', '.join(presets())}")
    target.mkdir(parents=True, exist_ok=True)
    config = source / CONFIG_NAME
    shutil.copy(config if config.is_file() else BUILTIN_ROOT / CONFIG_NAME, target / CONFIG_NAME)
    rules = source / "rules"
    shutil.copytree(rules if rules.is_dir() else BUILTIN_RULES, target / "rules")
    shutil.copytree(BUILTIN_TEMPLATES, target / "templates")
    if (source / "templates").is_dir():
        for text in (source / "templates").rglob("*.txt"):
            # A preset's own text replaces the example's HTML version of it as well.
            html = target / "templates" / text.relative_to(source / "templates")
            html.with_suffix(".html").unlink(missing_ok=True)
        shutil.copytree(source / "templates", target / "templates", dirs_exist_ok=True)
    if (source / "guide.md").is_file():
        shutil.copy(source / "guide.md", target / "guide.md")
