"""Texts people read, written once per language: ``{en: "...", fr: "..."}`` or plain text.

A :class:`Translated` is a ``str`` (its text in the program's default language), so code
that only compares or shows the default text keeps working; ``in_language`` picks the
text for one reader, and ``where`` remembers the file, key and line it was written at so
``mailflow check`` can point at a missing translation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mailflow.config.yamlfile import YamlDoc

# The languages mailflow writes in (built-in templates, dates, reasons); a program's
# program.languages are some of them.
LANGUAGES = ("en", "fr")
TRANSLATED_FIX = ("write the text, or one text per language of program.languages, "
                  "e.g. {en: Goals, fr: Objectifs}")


@dataclass(frozen=True)
class Origin:
    """Where a text was written: the file, the key and its line (when the loader knows it)."""

    file: str
    key: str
    line: int | None = None

    def __str__(self) -> str:
        return (f"{self.file}: line {self.line}, key '{self.key}'" if self.line
                else f"{self.file}: key '{self.key}'")


class Translated(str):
    """A text in the default language that also knows its other languages."""

    texts: dict[str, str]
    origin: Origin | None

    def __new__(cls, text: str = "", texts: Mapping[str, str] | None = None,
                origin: Origin | None = None) -> Translated:
        made = super().__new__(cls, text)
        made.texts = dict(texts) if texts is not None else {}
        made.origin = origin
        return made

    @classmethod
    def of(cls, texts: Mapping[str, str], default: str,
           origin: Origin | None = None) -> Translated:
        """The texts by language; the default language's text (or the first) is the str."""
        first = texts.get(default) or next(iter(texts.values()), "")
        return cls(first, texts, origin)

    def in_language(self, language: str) -> str:
        """The text for a reader of ``language``; the default text when it has none."""
        return self.texts.get(language) or str(self)

    def missing(self, languages: Iterable[str]) -> list[str]:
        """The languages of ``languages`` this text is not written in (none when empty)."""
        if not str(self):
            return []
        return [lang for lang in languages if not self.texts.get(lang)]


def in_language(text: str, language: str) -> str:
    """``text`` for a reader of ``language``, whether it is translated or plain."""
    return text.in_language(language) if isinstance(text, Translated) else str(text)


def read_translated(doc: YamlDoc, key: str, value: Any, languages: tuple[str, ...],
                    default: str, fix: str = TRANSLATED_FIX) -> Translated:
    """A plain string (written in ``default``) or a mapping of languages to texts. A text
    in a language mailflow has but the program does not write in is kept, unused."""
    line = doc.lines.get(key)
    origin = Origin(str(doc.path), key, line)
    if isinstance(value, str):
        return Translated.of({default: value}, default, origin)
    if not isinstance(value, dict) or not value:
        raise doc.error(key, f"expected text or a mapping of languages to texts, got {value!r}",
                        fix)
    texts: dict[str, str] = {}
    for language, text in value.items():
        if language not in languages and language not in LANGUAGES:
            raise doc.error(f"{key}.{language}", f"{language!r} is not a language mailflow "
                            "writes in", f"use one of {', '.join(LANGUAGES)} (the program's: "
                            f"{', '.join(languages)}, from program.languages)")
        if not isinstance(text, str) or not text.strip():
            raise doc.error(f"{key}.{language}", f"expected text, got {text!r}",
                            f"write the text in {language} after '{language}:'")
        texts[str(language)] = text
    return Translated.of(texts, default, origin)
