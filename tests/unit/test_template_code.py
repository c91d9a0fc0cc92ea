"""Compiled template code: kept on disk for the next process, never needed to render."""

from __future__ import annotations

import os

import pytest

from mailflow.outbound import template_code
from mailflow.outbound.templates import Templates


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    """Each test starts as a new process would: nothing compiled in memory."""
    monkeypatch.setattr(template_code, "_MEMORY", {})


def compiled_by(templates: Templates) -> list[str]:
    """Record the sources ``templates`` compiles itself from now on."""
    sources: list[str] = []
    for env in (templates.text_env, templates.html_env):
        original = env.compile

        def counting(source, *args, _original=original, **kwargs):
            sources.append(source)
            return _original(source, *args, **kwargs)
        env.compile = counting
    return sources


def program(tmp_path, body="Hello {{ name }}.\n"):
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "welcome.en.txt").write_text(f"Subject: Hi {{{{ name }}}}\n\n{body}")
    return folder


def test_code_compiled_by_one_process_is_read_by_the_next(tmp_path):
    folder, cache = program(tmp_path), tmp_path / "cache"
    Templates([folder], "en", cache=cache).render("welcome", "en", {"name": "Léa"})
    template_code._MEMORY.clear()  # a new process

    templates = Templates([folder], "en", cache=cache)
    compiled = compiled_by(templates)
    rendered = templates.render("welcome", "en", {"name": "Léa"})

    assert compiled == []
    assert (rendered.subject, rendered.text) == ("Hi Léa", "Hello Léa.\n")


def test_an_edited_template_is_compiled_again(tmp_path):
    cache = tmp_path / "cache"
    Templates([program(tmp_path)], "en", cache=cache).render("welcome", "en", {"name": "A"})
    template_code._MEMORY.clear()
    folder = program(tmp_path, body="Bonjour {{ name }}.\n")

    rendered = Templates([folder], "en", cache=cache).render("welcome", "en", {"name": "A"})

    assert rendered.text == "Bonjour A.\n"


def test_a_damaged_cache_file_is_compiled_again(tmp_path):
    folder, cache = program(tmp_path), tmp_path / "cache"
    Templates([folder], "en", cache=cache).render("welcome", "en", {"name": "A"})
    for path in cache.iterdir():
        path.write_bytes(b"\xe3 not marshal data")
    template_code._MEMORY.clear()

    templates = Templates([folder], "en", cache=cache)
    compiled = compiled_by(templates)

    assert templates.render("welcome", "en", {"name": "A"}).text == "Hello A.\n"
    assert compiled


def test_an_unwritable_cache_folder_only_costs_a_compilation(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")

    rendered = Templates([program(tmp_path)], "en", cache=blocked / "templates").render(
        "welcome", "en", {"name": "A"})

    assert rendered.text == "Hello A.\n"


def test_cached_files_are_private(tmp_path):
    cache = tmp_path / "cache"
    Templates([program(tmp_path)], "en", cache=cache).check()

    assert {oct(p.stat().st_mode & 0o777) for p in cache.iterdir()} == {"0o600"}


def test_past_the_limit_the_older_files_no_program_asked_for_go(tmp_path, monkeypatch):
    monkeypatch.setattr(template_code, "FILES_LIMIT", 4)
    cache = tmp_path / "cache"
    cache.mkdir()
    for age in range(6):
        old = cache / f"old{age}{template_code.SUFFIX}"
        old.write_bytes(b"")
        os.utime(old, (1000 + age, 1000 + age))
    templates = Templates([program(tmp_path)], "en", cache=cache)

    assert templates.check() == []
    left = sorted(p.name for p in cache.iterdir())
    assert len(left) == 8 - 4  # 6 old and 2 in use (subject, body): the 4 oldest went
    assert all(name not in left for name in ("old0.code", "old1.code", "old2.code",
                                             "old3.code"))
