"""`status --check` pieces that need no server: the heartbeat's clock, its absence, the
health: keys of config.yaml."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailflow.commands.status import health_problems
from mailflow.config import Config
from mailflow.config.load import load_config
from mailflow.daemon import Daemon
from mailflow.errors import ConfigError
from mailflow.runtime import open_program
from tests.unit.conftest import MINIMAL_CONFIG, write_config

SIMULATED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_the_daemon_writes_its_heartbeat_with_its_injected_clock(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    try:
        Daemon(program, clock=lambda: SIMULATED).run(once=True)
    finally:
        program.close()

    beat = json.loads((tmp_path / "state" / "heartbeat").read_text())
    assert datetime.fromisoformat(beat["time"]) == SIMULATED


def test_a_heartbeat_within_the_limit_is_no_problem(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path)
    try:
        Daemon(program, clock=lambda: SIMULATED).run(once=True)
        assert health_problems(program, SIMULATED + timedelta(minutes=9)) == []
    finally:
        program.close()


def test_a_daemon_that_never_ran_is_reported(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG)
    program = open_program(tmp_path, read_only=True)
    try:
        [line] = health_problems(program, SIMULATED)
    finally:
        program.close()
    assert line.startswith("daemon: never seen"), line


def test_health_thresholds_have_defaults(tmp_path):
    health = load_config_of(tmp_path, MINIMAL_CONFIG).health
    assert (health.review_days, health.daemon_silent_minutes, health.disk_free_percent) == (
        3.0, 10.0, 5.0)


def test_health_thresholds_are_read_from_config_yaml(tmp_path):
    health = load_config_of(tmp_path, MINIMAL_CONFIG + "health: {review_days: 7, "
                            "disk_free_percent: 12.5, daemon_silent_minutes: 30}\n").health
    assert (health.review_days, health.daemon_silent_minutes, health.disk_free_percent) == (
        7.0, 30.0, 12.5)


def test_an_out_of_range_threshold_names_the_file_the_key_and_the_fix(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config_of(tmp_path, MINIMAL_CONFIG + "health: {disk_free_percent: 150}\n")
    assert raised.value.where.endswith("key 'health.disk_free_percent'")
    assert raised.value.file.endswith("config.yaml")
    assert "from 0 to 100" in raised.value.fix


def load_config_of(root: Path, text: str) -> Config:
    write_config(root, text)
    return load_config(root)
