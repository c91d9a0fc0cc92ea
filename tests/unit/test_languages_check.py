"""program.languages: texts people read are written per language, and check finds the gaps.

Each gap fails ``mailflow check`` with the file, the key (and its line where the loader
knows it) and the fix; a single-language program keeps its plain strings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.commands.check import check
from mailflow.config.load import load_config
from mailflow.errors import ConfigError
from tests.unit.conftest import MINIMAL_CONFIG, write_config

SURVEY = """\
surveys:
  midpoint:
    title: {en: Mid-program survey, fr: Questionnaire de mi-parcours}
    questions:
      - {kind: scale, text: {en: "How satisfied are you (1 to 5)?", fr: "Satisfait (1 à 5) ?"}}
      - {kind: text, text: {en: "How many times have you met?"}}
"""
EVENT = """\
calendar:
  dates:
    info_session:
      at: 2027-02-08 14:00
      title: "First training session"
"""


def check_error(root: Path, capsys: pytest.CaptureFixture[str]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        check(root)
    capsys.readouterr()
    return info.value


def test_check_fails_on_a_survey_question_without_french_naming_file_line_and_key(
        tmp_path, capsys):
    config = write_config(tmp_path, MINIMAL_CONFIG + SURVEY)
    error = check_error(tmp_path, capsys)
    assert error.file == str(config)
    assert error.where == "line 11, key 'surveys.midpoint.questions[1].text'"
    assert "question 2 of survey midpoint has no fr text" in error.problem
    assert "fr: ..." in error.fix and "program.languages" in error.fix


def test_check_fails_on_an_event_title_written_in_one_language_only(tmp_path, capsys):
    config = write_config(tmp_path, MINIMAL_CONFIG + EVENT)
    error = check_error(tmp_path, capsys)
    assert (error.file, error.where) == (str(config),
                                         "line 10, key 'calendar.dates.info_session.title'")
    assert "the title of event info_session has no fr text" in error.problem


def test_check_fails_on_a_template_the_rules_send_without_its_french_file(tmp_path, capsys):
    write_config(tmp_path, MINIMAL_CONFIG)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "thanks.en.txt").write_text(
        "Subject: Thanks\n\nThank you, {{ person.name }}.\n", encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "replies.yaml").write_text(
        "rules:\n  - name: thank\n    when: {message: survey}\n    do:\n"
        "      - send: thanks\n", encoding="utf-8")
    error = check_error(tmp_path, capsys)
    assert error.file == str(tmp_path.resolve() / "templates" / "thanks.fr.txt")
    assert "template thanks has no fr version" in error.problem
    assert "rule thank" in error.problem
    assert "thanks.en.txt translated into fr" in error.fix


def test_check_fails_on_a_guide_without_its_french_version(tmp_path, capsys):
    write_config(tmp_path, MINIMAL_CONFIG)
    (tmp_path / "guide.en.md").write_text("# Guide\n", encoding="utf-8")
    error = check_error(tmp_path, capsys)
    assert error.file == str(tmp_path.resolve() / "guide.fr.md")
    assert "the guide has no fr version" in error.problem
    assert "guide.fr.md" in error.fix and "program.languages" in error.fix


def test_check_passes_when_every_text_exists_in_each_language(tmp_path, capsys):
    write_config(tmp_path, MINIMAL_CONFIG)
    for language in ("en", "fr"):
        (tmp_path / f"guide.{language}.md").write_text("# Guide\n", encoding="utf-8")
    assert check(tmp_path) == 0
    assert "languages: en, fr" in capsys.readouterr().out


def test_a_single_language_program_with_plain_strings_loads_and_checks(tmp_path, capsys):
    text = MINIMAL_CONFIG.replace("  address: mentorship@northlake.example.org\n",
                                  "  address: mentorship@northlake.example.org\n"
                                  "  languages: [en]\n")
    plain_survey = ("surveys:\n  midpoint:\n    title: Mid-program survey\n    questions:\n"
                    "      - {kind: text, text: \"How many times have you met?\"}\n")
    write_config(tmp_path, text + EVENT + plain_survey)
    (tmp_path / "guide.md").write_text("# Guide\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.languages == ("en",)
    assert config.calendar.dates["info_session"].title == "First training session"
    assert config.surveys["midpoint"].questions[0].text == "How many times have you met?"
    assert check(tmp_path) == 0


def test_a_translated_text_in_a_language_mailflow_does_not_write_is_refused(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG + EVENT.replace(
        '"First training session"', '{en: First training, de: Erste Schulung}'))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.where == "line 10, key 'calendar.dates.info_session.title.de'"
    assert "'de' is not a language mailflow writes in" in info.value.problem
    assert "use one of en, fr" in info.value.fix


def test_an_event_title_that_is_neither_text_nor_translations_names_its_key(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG + EVENT.replace('"First training session"',
                                                          "[First, training]"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.where == "line 10, key 'calendar.dates.info_session.title'"
    assert "e.g. {en: First training, fr: Première formation}" in info.value.fix


def test_a_default_language_outside_program_languages_is_refused(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG.replace(
        "  address: mentorship@northlake.example.org\n",
        "  address: mentorship@northlake.example.org\n  language: fr\n  languages: [en]\n"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.where == "line 4, key 'program.language'"
    assert "add fr to program.languages" in info.value.fix


def test_an_unknown_program_language_is_refused_with_the_choices(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG.replace(
        "  address: mentorship@northlake.example.org\n",
        "  address: mentorship@northlake.example.org\n  languages: [en, xx]\n"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.where == "line 4, key 'program.languages'"
    assert "'xx' is not allowed" in info.value.problem
    assert "a list of some of: en, fr" in info.value.fix


def test_a_form_label_in_either_language_is_read_back_from_a_reply(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    goals = next(f for f in load_config(tmp_path).forms["mentee"] if f.key == "goals")
    assert {"Goals", "Objectifs"} <= set(goals.labels)
