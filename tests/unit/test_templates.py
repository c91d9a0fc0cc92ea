"""Templates: a subject line, strict and sandboxed rendering, language fallback, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.errors import TemplateError
from mailflow.outbound.templates import Templates, one_line


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def templates(directory: Path, default_language: str = "en") -> Templates:
    return Templates([directory], default_language)


def test_render_gives_subject_text_and_language(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Welcome {{ name }}\n\nHello {{ name }}.\n")

    rendered = templates(tmp_path).render("welcome", "en", {"name": "Léa"})

    assert rendered.subject == "Welcome Léa"
    assert rendered.text == "Hello Léa.\n"
    assert rendered.html is None
    assert rendered.language == "en"


def test_template_without_a_subject_line_is_refused(tmp_path):
    write(tmp_path, "welcome.en.txt", "Hello {{ name }}.\n")

    with pytest.raises(TemplateError, match=r"welcome\.en\.txt: line 1: must be 'Subject: \.\.\.'"):
        templates(tmp_path).render("welcome", "en", {"name": "Léa"})


def test_value_with_cr_lf_never_puts_a_newline_in_the_subject(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Welcome {{ name }}\n\nHello.\n")

    rendered = templates(tmp_path).render(
        "welcome", "en", {"name": "Léa\r\nBcc: victim@example.org\rX\n"})

    assert "\r" not in rendered.subject and "\n" not in rendered.subject
    assert rendered.subject == "Welcome Léa Bcc: victim@example.org X"


def test_one_line_collapses_all_whitespace():
    assert one_line("  a\r\n\tb\n\nc  ") == "a b c"


def test_undefined_variable_raises_a_template_error_naming_the_template(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Hi\n\nHello {{ person.name }}.\n")

    with pytest.raises(TemplateError, match=r"welcome") as info:
        templates(tmp_path).render("welcome", "en", {})

    assert "person" in str(info.value)


def test_html_body_autoescapes_values_while_the_text_body_does_not(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Hi\n\nHello {{ name }}\n")
    write(tmp_path, "welcome.en.html", "<p>Hello {{ name }}</p>\n")

    rendered = templates(tmp_path).render("welcome", "en", {"name": "<script>x()</script>"})

    assert rendered.html == "<p>Hello &lt;script&gt;x()&lt;/script&gt;</p>\n"
    assert rendered.text == "Hello <script>x()</script>\n"


def test_wanted_language_is_used_when_it_exists(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Welcome\n\nHello\n")
    write(tmp_path, "welcome.fr.txt", "Subject: Bienvenue\n\nBonjour\n")

    rendered = templates(tmp_path).render("welcome", "fr", {})

    assert (rendered.subject, rendered.language) == ("Bienvenue", "fr")


def test_missing_language_falls_back_to_the_program_default(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Welcome\n\nHello\n")
    write(tmp_path, "welcome.fr.txt", "Subject: Bienvenue\n\nBonjour\n")

    rendered = templates(tmp_path, default_language="fr").render("welcome", "de", {})

    assert rendered.language == "fr"


def test_missing_language_and_default_fall_back_to_english(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Welcome\n\nHello\n")

    rendered = templates(tmp_path, default_language="fr").render("welcome", "fr", {})

    assert rendered.language == "en"


def test_unknown_template_names_the_file_expected(tmp_path):
    with pytest.raises(TemplateError, match=r"template 'nothing' not found.*nothing\.en\.txt"):
        templates(tmp_path).render("nothing", "en", {})


def test_program_templates_override_the_built_in_ones_file_by_file(tmp_path):
    own, builtin = tmp_path / "own", tmp_path / "builtin"
    own.mkdir()
    builtin.mkdir()
    write(own, "welcome.en.txt", "Subject: Ours\n\nours\n")
    write(builtin, "welcome.en.txt", "Subject: Built-in\n\nbuilt-in\n")
    write(builtin, "bye.en.txt", "Subject: Bye\n\nbye\n")

    found = Templates([own, builtin], "en")

    assert found.render("welcome", "en", {}).subject == "Ours"
    assert found.render("bye", "en", {}).subject == "Bye"
    assert found.names() == {"welcome", "bye"}


def test_check_of_a_broken_html_template_names_file_and_line(tmp_path):
    path = write(tmp_path, "welcome.en.html", "<p>\nHello\n{{ name }\n</p>\n")

    problems = templates(tmp_path).check()

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: line 3:")


def test_check_of_a_broken_subject_names_file_and_line_one(tmp_path):
    path = write(tmp_path, "welcome.en.txt", "Subject: Hi {{ name\n\nHello\n")

    problems = templates(tmp_path).check()

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: line 1:")


def test_check_of_a_broken_text_body_names_the_line_in_the_file(tmp_path):
    path = write(tmp_path, "welcome.en.txt", "Subject: Hi\n\nHello\n{{ name }\nBye\n")

    problems = templates(tmp_path).check()

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: line 4:")


def test_check_of_good_templates_finds_no_problem(tmp_path):
    write(tmp_path, "welcome.en.txt", "Subject: Hi\n\nHello {{ name }}\n")
    write(tmp_path, "welcome.en.html", "<p>Hello {{ name }}</p>\n")

    assert templates(tmp_path).check() == []


def test_built_in_templates_all_compile():
    from mailflow.config.load import BUILTIN_TEMPLATES

    assert Templates([BUILTIN_TEMPLATES], "en").check() == []


@pytest.mark.parametrize("expression", [
    "''.__class__",
    "''.__class__.__mro__[1].__subclasses__()",
    "name.__init__.__globals__",
])
def test_sandbox_refuses_access_to_internal_attributes(tmp_path, expression):
    write(tmp_path, "evil.en.txt", "Subject: Hi\n\n{{ " + expression + " }}\n")

    with pytest.raises(TemplateError):
        templates(tmp_path).render("evil", "en", {"name": "Léa"})


def test_the_same_source_as_text_and_as_html_is_escaped_only_in_the_html(tmp_path):
    write(tmp_path, "note.en.txt", "Subject: Note\n\n<p>{{ name }}</p>\n")
    write(tmp_path, "note.en.html", "<p>{{ name }}</p>\n")

    rendered = templates(tmp_path).render("note", "en", {"name": "Tom & Jerry"})

    assert rendered.text == "<p>Tom & Jerry</p>\n"
    assert rendered.html == "<p>Tom &amp; Jerry</p>\n"


def test_check_skips_a_built_in_template_the_program_overrides(tmp_path):
    program, builtin = tmp_path / "program", tmp_path / "builtin"
    program.mkdir()
    builtin.mkdir()
    write(builtin, "welcome.en.txt", "Subject: Hi\n\n{% if %}\n")
    write(program, "welcome.en.txt", "Subject: Hi\n\nHello.\n")

    assert Templates([program, builtin], "en").check() == []
