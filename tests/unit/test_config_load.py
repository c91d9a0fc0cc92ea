"""load_config: the contract config loads, defaults are embedded, and every error points home."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.load import load_config
from mailflow.config.model import MailboxConfig, OutboxConfig
from mailflow.config.secrets import SecretRef
from mailflow.errors import ConfigError
from tests.unit.conftest import MINIMAL_CONFIG, write_config

CONTRACT_CONFIG = """\
program:
  name: Northlake Mentorship Program
  address: mentorship@northlake.example.org
coordinators:
  - {name: Claire Dubois, email: claire.dubois@northlake.example.org}
mailbox:
  imap:
    host: imap.northlake.example.org
    username: mentorship
    password_env: MAILFLOW_IMAP_PASSWORD
  authserv_id: mx.northlake.example.org
outbox:
  smtp:
    host: 127.0.0.1
    port: 2525
    security: none
"""


def config_error(root: Path, text: str) -> ConfigError:
    write_config(root, text)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    return info.value


def test_contract_config_loads_identity_coordinator_and_servers(tmp_path):
    write_config(tmp_path, CONTRACT_CONFIG)

    config = load_config(tmp_path)

    assert config.name == "Northlake Mentorship Program"
    assert config.address == "mentorship@northlake.example.org"
    assert config.domain == "northlake.example.org"
    assert [c.email for c in config.coordinators] == ["claire.dubois@northlake.example.org"]
    assert config.mailbox.imap is not None
    assert config.mailbox.imap.password == SecretRef(env="MAILFLOW_IMAP_PASSWORD")
    assert config.mailbox.imap.port == 993 and config.mailbox.imap.security == "ssl"
    assert config.mailbox.authserv_id == "mx.northlake.example.org"
    assert config.outbox.smtp is not None
    assert (config.outbox.smtp.host, config.outbox.smtp.port) == ("127.0.0.1", 2525)
    assert config.outbox.smtp.security == "none"
    assert config.outbox.smtp.password is None


def test_config_without_mailbox_or_outbox_uses_the_embedded_maildir_and_folder(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)

    config = load_config(tmp_path)

    assert config.mailbox.imap is None
    assert config.mailbox.maildir == (tmp_path / "mail").resolve()
    assert config.outbox.smtp is None
    assert config.outbox.directory == (tmp_path / "sent-mail").resolve()


def test_defaults_for_language_timezone_and_sending_limits(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)

    config = load_config(tmp_path)

    assert (config.language, config.timezone) == ("en", "UTC")
    assert config.outbox.rate_per_minute == 120
    assert config.outbox.max_attempts == 8


def test_unknown_key_is_refused_with_file_line_and_the_allowed_keys(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + "mailbxo:\n  folder: INBOX\n")

    assert error.file == str((tmp_path / "config.yaml").resolve())
    assert error.where == "line 6, key 'mailbxo'"
    assert error.problem == "unknown key"
    assert "mailbox" in error.fix


def test_unknown_nested_key_names_its_full_path(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG.replace("    security: none",
                                                            "    securty: none"))

    assert "key 'outbox.smtp.securty'" in error.where
    assert "line 16" in error.where


def test_missing_program_address_is_reported_with_the_fix(tmp_path):
    text = MINIMAL_CONFIG.replace("  address: mentorship@northlake.example.org\n", "")

    error = config_error(tmp_path, text)

    assert "program.address" in error.where
    assert error.problem == "missing"
    assert "address:" in error.fix
    assert "config.yaml" in str(error)


def test_invalid_program_address_is_refused_at_its_line(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG.replace(
        "mentorship@northlake.example.org", "mentorship-at-northlake"))

    assert error.where == "line 3, key 'program.address'"
    assert "not a valid address" in error.problem


def test_invalid_coordinator_address_is_refused_at_its_line(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG.replace(
        "claire.dubois@northlake.example.org", "claire dubois"))

    assert error.where == "line 5, key 'coordinators[0].email'"


def test_unknown_security_mode_is_refused_with_the_valid_modes(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG.replace("security: none", "security: tls"))

    assert error.where == "line 16, key 'outbox.smtp.security'"
    assert "'tls'" in error.problem
    assert "ssl, starttls, none" in error.fix


def test_secret_written_in_yaml_is_refused_with_the_key_and_fix(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG.replace(
        "    password_env: MAILFLOW_IMAP_PASSWORD", "    password: hunter2"))

    assert error.where == "line 10, key 'mailbox.imap.password'"
    assert "never written in the YAML" in error.problem
    assert "password_env" in error.fix and "password_file" in error.fix
    assert "hunter2" not in str(error)


def test_port_that_is_not_a_number_is_refused_at_its_line(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG.replace("port: 2525", "port: twenty-five"))

    assert error.where == "line 15, key 'outbox.smtp.port'"
    assert "expected int" in error.problem


def test_port_out_of_range_is_refused(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG.replace("port: 2525", "port: 70000"))

    assert "outbox.smtp.port" in error.where
    assert "out of range" in error.problem


def test_imap_username_without_password_is_refused(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG.replace(
        "    password_env: MAILFLOW_IMAP_PASSWORD\n", ""))

    assert "mailbox.imap.username" in error.where
    assert "needs a password" in error.problem


def test_unknown_time_zone_is_refused_with_an_example_of_a_valid_one(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG.replace(
        "  address:", "  timezone: Mars/Olympus_Mons\n  address:"))

    assert error.where == "line 3, key 'program.timezone'"
    assert "Mars/Olympus_Mons" in error.problem
    assert "Europe/Paris" in error.fix


def test_yaml_syntax_error_gives_its_line(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + "outbox:\n  smtp: {host: [unclosed\n")

    assert error.file.endswith("config.yaml")
    assert error.where.startswith("line 7") or error.where.startswith("line 8")
    assert "not valid YAML" in error.problem


def test_missing_config_file_says_how_to_create_one(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)

    assert info.value.problem == "file not found"
    assert "mailflow init" in info.value.fix


def test_default_forms_are_used_when_forms_is_absent(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)

    forms = load_config(tmp_path).forms

    assert set(forms) == {"mentee", "mentor"}
    mentee = {f.key: f for f in forms["mentee"]}
    assert mentee["name"].label == "Full name"
    assert "Nom" in mentee["name"].labels
    assert mentee["goals"].required
    assert not mentee["self_identification"].shareable
    assert "expertise" in {f.key for f in forms["mentor"]}


def test_forms_given_in_config_replace_the_defaults(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG + (
        "forms:\n"
        "  mentee:\n"
        "    - {key: name, label: Name, required: true}\n"
        "  mentor:\n"
        "    - {key: name, label: Name, required: true}\n"
        "    - {key: field, label: Field}\n"))

    forms = load_config(tmp_path).forms

    assert [f.key for f in forms["mentor"]] == ["name", "field"]
    assert forms["mentee"][0].labels == ("Name",)


@pytest.mark.parametrize(("key", "value"), [
    ("max_attempts", "-1"),
    ("max_attempts", "0"),
    ("give_up_hours", "-2"),
    ("give_up_hours", "0"),
    ("retry_base_seconds", "0"),
    ("rate_per_minute", "0"),
])
def test_zero_or_negative_outbox_count_or_duration_is_refused_with_the_fix(tmp_path, key, value):
    error = config_error(tmp_path, MINIMAL_CONFIG + f"outbox:\n  {key}: {value}\n")

    assert error.where == f"line 7, key 'outbox.{key}'"
    assert "out of range" in error.problem
    assert key in error.fix and ("at least 1" in error.fix or "greater than 0" in error.fix)


def test_server_timeout_of_zero_is_refused(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG + "    timeout: 0\n")

    assert error.where == "line 17, key 'outbox.smtp.timeout'"
    assert "greater than 0" in error.fix


def test_duplicate_top_level_key_is_refused_with_both_lines(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + "outbox:\n  max_attempts: 3\n"
                                                    "outbox:\n  max_attempts: 5\n")

    assert error.file.endswith("config.yaml")
    assert error.where == "line 8, key 'outbox'"
    assert "lines 6 and 8" in error.problem
    assert "keep one" in error.fix


def test_duplicate_nested_key_is_refused_with_both_lines(tmp_path):
    error = config_error(tmp_path, CONTRACT_CONFIG + "    port: 25\n")

    assert error.where == "line 17, key 'outbox.smtp.port'"
    assert "lines 15 and 17" in error.problem


def test_calendar_date_that_does_not_exist_names_the_file_key_and_fix(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + (
        "calendar:\n"
        "  dates:\n"
        "    training_1:\n"
        "      at: 2027-02-30\n"))

    assert error.file == str((tmp_path / "config.yaml").resolve())
    assert error.where == "line 9, key 'calendar.dates.training_1.at'"
    assert "2027-02-30" in error.problem
    assert "YYYY-MM-DD" in error.fix


def test_calendar_date_and_time_that_does_not_exist_names_its_key(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + (
        "calendar:\n"
        "  dates:\n"
        "    applications_close: 2026-13-01 17:00\n"))

    assert error.where == "line 8, key 'calendar.dates.applications_close'"
    assert error.fix


def test_quoted_calendar_date_that_is_not_a_date_names_the_at_key_and_fix(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + (
        "calendar:\n"
        "  dates:\n"
        "    training_1: {at: 'next tuesday'}\n"))

    assert error.where == "line 8, key 'calendar.dates.training_1.at'"
    assert "YYYY-MM-DD" in error.fix


def test_calendar_event_of_zero_duration_is_refused(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + (
        "calendar:\n"
        "  dates:\n"
        "    training_1: {at: 2027-02-08 14:00, duration: 0m}\n"))

    assert error.where == "line 8, key 'calendar.dates.training_1.duration'"
    assert "90m" in error.fix


def test_scale_question_whose_high_is_not_above_low_is_refused(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + (
        "surveys:\n"
        "  midpoint:\n"
        "    questions:\n"
        "      - {kind: scale, text: 'How useful?', low: 5, high: 1}\n"))

    assert error.where == "line 9, key 'surveys.midpoint.questions[0].high'"
    assert "greater than low" in error.fix


def test_defaults_left_out_of_the_file_are_the_dataclass_defaults(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)

    config = load_config(tmp_path)

    assert config.outbox == OutboxConfig(directory=(tmp_path / "sent-mail").resolve())
    assert config.mailbox == MailboxConfig(maildir=(tmp_path / "mail").resolve())


def test_a_missing_calendar_key_is_placed_at_the_line_of_its_event(tmp_path):
    error = config_error(tmp_path, MINIMAL_CONFIG + "calendar:\n  dates:\n"
                         "    training_1: {duration: 2h}\n")

    assert error.where == "line 8, key 'calendar.dates.training_1.at'"
    assert "at: 2027-02-08" in error.fix
