"""Whether every text people read exists in every language of ``program.languages``.

``mailflow check`` fails on the first gap it lists: a template the rules send, a survey
title or question, an event title or location, a form label or hint, the guide. Each gap
names the file, the key (with its line when the loader has it) and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from mailflow.config.model import Config
from mailflow.config.translated import Translated
from mailflow.errors import ConfigError


def _texts(config: Config) -> Iterator[tuple[str, str]]:
    """(text, what it is) for every configured text people read."""
    for survey in config.surveys.values():
        yield survey.title, f"the title of survey {survey.key}"
        for question in survey.questions:
            yield question.text, f"question {question.number} of survey {survey.key}"
    for date in config.calendar.dates.values():
        yield date.title, f"the title of event {date.name}"
        yield date.location, f"the location of event {date.name}"
    for role, fields in config.forms.items():
        for field in fields:
            yield field.label, f"the label of {role} form field {field.key}"
            yield field.help, f"the hint of {role} form field {field.key}"


def missing_texts(config: Config) -> list[ConfigError]:
    """An error per configured text that lacks a program language: where, what, the fix."""
    found = []
    example = "{" + ", ".join(f"{lang}: ..." for lang in config.languages) + "}"
    for text, what in _texts(config):
        if not isinstance(text, Translated) or not text.missing(config.languages):
            continue
        absent = ", ".join(text.missing(config.languages))
        origin = text.origin
        where = (f"line {origin.line}, key '{origin.key}'" if origin and origin.line
                 else f"key '{origin.key}'" if origin else "")
        found.append(ConfigError(
            origin.file if origin else str(config.root / "config.yaml"), where,
            f"{what} has no {absent} text",
            f"write it in each language of program.languages, e.g. {example}, "
            f"or remove {absent} from program.languages"))
    return found


def missing_templates(config: Config, sent: dict[str, str],
                      has: Callable[[str, str], bool]) -> list[ConfigError]:
    """An error per template the program sends (name -> who sends it) that has no file
    in a program language; ``has(name, language)`` says whether that file exists."""
    own = config.root / "templates"
    found = []
    for name, where in sorted(sent.items()):
        for language in config.languages:
            if not has(name, language):
                found.append(ConfigError(
                    str(own / f"{name}.{language}.txt"), "",
                    f"template {name} has no {language} version ({where} sends it)",
                    f"write it: {name}.{config.language}.txt translated into {language}; "
                    f"or remove {language} from program.languages"))
    return found


def missing_guides(config: Config) -> list[ConfigError]:
    """An error per program language the guide is not written in (when there is a guide)."""
    root = Path(config.root)
    written = {p.name.split(".")[1] for p in root.glob("guide.*.md")}
    plain = (root / "guide.md").is_file()
    if not written and not plain:
        return []
    if plain and not written:
        written = {config.language}  # guide.md alone: written in the default language
    found = []
    for language in config.languages:
        if language not in written:
            file = root / f"guide.{language}.md"
            found.append(ConfigError(
                str(file), "", f"the guide has no {language} version (introductions attach "
                "it in each person's language)",
                f"translate the guide into {file.name}, or remove {language} from "
                "program.languages"))
    return found
