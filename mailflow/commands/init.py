"""``mailflow init DIR [--preset NAME]``: a working program to start from.

The base is the example program (config.yaml, rules/, templates/: see mailflow.builtin).
A preset in ``mailflow/presets/NAME/`` may bring its own config.yaml and rules/ (which
replace the example's), templates (added to, or overriding, the example's) and its guide,
one file per language (guide.en.md, guide.fr.md), attached to introductions in each
person's language. The program is built in a hidden sibling folder and moved into place
at the end, so a failure leaves nothing behind and a retry starts clean.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from mailflow.builtin import builtin
from mailflow.config.load import CONFIG_NAME
from mailflow.errors import MailflowError


def __getattr__(name: str) -> Path:
    """``PRESETS``: the folder of the shipped presets, found on first use."""
    if name == "PRESETS":
        return builtin("presets")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def presets() -> list[str]:
    """The names of the presets shipped with mailflow."""
    return sorted(p.name for p in builtin("presets").iterdir() if p.is_dir())


def init_program(target: Path, preset: str = "cohort") -> None:
    """Create ``target`` from the example program and ``preset``; it must not hold one."""
    if (target / CONFIG_NAME).exists():
        raise MailflowError(f"{target / CONFIG_NAME} exists already; choose an empty directory")
    if target.exists() and not target.is_dir():
        raise MailflowError(f"{target} is a file; choose a new or empty directory")
    source = builtin("presets") / preset
    if not source.is_dir():
        raise MailflowError(f"unknown preset {preset!r}; presets: {', '.join(presets())}")
    target = target.absolute()
    made = _make_parents(target.parent)
    try:
        build = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
        try:
            _fill(build, source)
            _move_into_place(build, target)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    except BaseException:
        for folder in reversed(made):
            _remove_if_empty(folder)
        raise


def _fill(build: Path, source: Path) -> None:
    """Write the program of ``source`` (a preset folder) into the empty folder ``build``."""
    config = source / CONFIG_NAME
    shutil.copy(config if config.is_file() else builtin(CONFIG_NAME), build / CONFIG_NAME)
    rules = source / "rules"
    shutil.copytree(rules if rules.is_dir() else builtin("rules"), build / "rules")
    shutil.copytree(builtin("templates"), build / "templates")
    if (source / "templates").is_dir():
        for text in (source / "templates").rglob("*.txt"):
            # A preset's own text replaces the example's HTML version of it as well.
            html = build / "templates" / text.relative_to(source / "templates")
            html.with_suffix(".html").unlink(missing_ok=True)
        shutil.copytree(source / "templates", build / "templates", dirs_exist_ok=True)
    for guide in (*source.glob("guide.md"), *source.glob("guide.*.md")):
        shutil.copy(guide, build / guide.name)  # guide.en.md, guide.fr.md: one per language
    os.chmod(build, 0o777 & ~_umask())  # mkdtemp makes it 0700; a program folder is not


def _move_into_place(build: Path, target: Path) -> None:
    """Rename ``build`` to ``target``; into an existing folder, entry by entry, config last."""
    if not target.exists():
        build.rename(target)
        return
    entries = sorted(build.iterdir(), key=lambda p: p.name == CONFIG_NAME)
    taken = [e.name for e in entries if (target / e.name).exists()]
    if taken:
        raise MailflowError(f"{target} already has {', '.join(taken)}; "
                            "choose an empty directory or move them away")
    moved: list[Path] = []
    try:
        for entry in entries:
            entry.rename(target / entry.name)
            moved.append(entry)
    except BaseException:
        for entry in moved:
            (target / entry.name).rename(entry)
        raise


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; the ones created, outermost first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: someone else put something there
        folder.rmdir()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
