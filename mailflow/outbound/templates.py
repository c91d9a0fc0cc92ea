"""Mail templates: Jinja2, sandboxed and strict, one file per template and language.

``templates/NAME.LANG.txt`` starts with a ``Subject:`` line, a blank line, then the
text body; ``templates/NAME.LANG.html`` is an optional HTML body. A program's own
``templates/`` folder overrides the built-in one file by file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from mailflow.errors import TemplateError
from mailflow.outbound.template_code import TemplateCode


@dataclass(frozen=True)
class Rendered:
    """A rendered mail: a one-line subject, a text body and maybe an HTML body."""

    subject: str
    text: str
    html: str | None
    language: str


def one_line(value: str) -> str:
    """Collapse all whitespace, CR and LF included, so a value can never break a header."""
    return " ".join(str(value).split())


class Templates:
    """Finds and renders templates, choosing the language with a fallback to the default."""

    def __init__(self, dirs: tuple[Path, ...] | list[Path], default_language: str,
                 cache: Path | None = None) -> None:
        self.dirs = tuple(dirs)
        self.code = TemplateCode(cache)  # compiled code, also kept in ``cache`` if given
        self.default_language = default_language
        loader = FileSystemLoader([str(d) for d in self.dirs])
        self.text_env = SandboxedEnvironment(loader=loader, undefined=StrictUndefined,
                                             autoescape=False, keep_trailing_newline=True)
        self.html_env = SandboxedEnvironment(loader=loader, undefined=StrictUndefined,
                                             autoescape=True, keep_trailing_newline=True)
        self.text_env.filters["one_line"] = one_line
        self.html_env.filters["one_line"] = one_line
        self._cache: dict[str, tuple[Template | None, Template]] = {}

    def _find(self, filename: str) -> Path | None:
        for directory in self.dirs:
            if (directory / filename).is_file():
                return directory / filename
        return None

    def language_for(self, name: str, language: str | None) -> str | None:
        """The language actually used for ``name``: the wanted one, else the default."""
        for lang in (language, self.default_language, "en"):
            if lang and self._find(f"{name}.{lang}.txt"):
                return lang
        return None

    def exists(self, name: str) -> bool:
        """Whether a text version of ``name`` exists in any language."""
        return self.language_for(name, None) is not None or any(
            any(d.glob(f"{name}.*.txt")) for d in self.dirs)

    def _template(self, source: str, html: bool) -> Template:
        """``source`` as a template of the text or HTML environment (compiled once a process)."""
        env = self.html_env if html else self.text_env
        code = self.code.get(html, source, env.compile)
        return env.template_class.from_code(env, code, env.make_globals(None))

    def _compiled(self, path: Path, html: bool) -> tuple[Any, Any]:
        key = f"{html}:{path}"
        if key not in self._cache:
            source = path.read_text(encoding="utf-8")
            try:
                if html:
                    self._cache[key] = (None, self._template(source, html=True))
                else:
                    first, _, body = source.partition("\n")
                    if not first.lower().startswith("subject:"):
                        raise TemplateError(f"{path}: line 1: must be 'Subject: ...', "
                                            "followed by a blank line and the body")
                    subject_source = first.split(":", 1)[1].strip()
                    stripped = body.lstrip("\n")
                    lines_before_body = 1 + len(body) - len(stripped)
                    try:
                        subject_t = self._template(subject_source, html=False)
                    except JinjaError as exc:
                        exc.lineno = 1  # type: ignore[attr-defined]  # syntax errors have it
                        raise
                    try:
                        body_t = self._template(stripped, html=False)
                    except JinjaError as exc:
                        exc.lineno = (  # type: ignore[attr-defined]  # syntax errors have it
                            (getattr(exc, "lineno", None) or 1) + lines_before_body)
                        raise
                    self._cache[key] = (subject_t, body_t)
            except JinjaError as exc:
                line = getattr(exc, "lineno", None)
                where = f"line {line}: " if line else ""
                raise TemplateError(f"{path}: {where}{exc}") from exc
        return self._cache[key]

    def render(self, name: str, language: str | None, context: dict[str, Any]) -> Rendered:
        """Render ``name`` in ``language`` (or the fallback); errors name the file and line."""
        lang = self.language_for(name, language)
        if lang is None:
            raise TemplateError(f"template '{name}' not found: expected {name}.en.txt in "
                                + " or ".join(str(d) for d in self.dirs))
        text_path = self._find(f"{name}.{lang}.txt")
        assert text_path is not None
        # The HTML part comes from beside the text that won: an override of the text
        # must not be paired with the built-in HTML of another wording.
        beside = text_path.with_suffix(".html")
        html_path = beside if beside.is_file() else None
        subject_t, body_t = self._compiled(text_path, html=False)
        try:
            subject = one_line(subject_t.render(context))
            text = body_t.render(context)
            html = self._compiled(html_path, html=True)[1].render(context) if html_path else None
        except JinjaError as exc:
            raise TemplateError(f"{text_path.stem}: cannot render: {exc}") from exc
        return Rendered(subject=subject, text=text, html=html, language=lang)

    def names(self) -> set[str]:
        """Every template name available."""
        found = set()
        for directory in self.dirs:
            for path in directory.rglob("*.txt"):
                rel = path.relative_to(directory).as_posix()
                found.add(rel.rsplit(".", 2)[0])
        return found

    def check(self) -> list[str]:
        """Compile every template in use; return the problems found (file and line).

        A built-in file the program's own folder overrides is never used: not compiled."""
        problems = []
        seen: set[str] = set()
        for directory in self.dirs:
            for path in sorted(directory.rglob("*.txt")) + sorted(directory.rglob("*.html")):
                name = path.relative_to(directory).as_posix()
                if name in seen:
                    continue
                seen.add(name)
                try:
                    self._compiled(path, html=path.suffix == ".html")
                except TemplateError as exc:
                    problems.append(str(exc))
        if not problems:
            self.code.prune()
        return problems
