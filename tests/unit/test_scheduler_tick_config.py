"""scheduler.tick_seconds: how often the running daemon asks the rules what is due."""

from __future__ import annotations

import pytest

from mailflow.config.load import load_config
from mailflow.errors import ConfigError
from tests.unit.conftest import MINIMAL_CONFIG, write_config


def test_the_daemon_asks_the_rules_every_minute_unless_the_config_says_otherwise(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_config(tmp_path / "a", MINIMAL_CONFIG)
    write_config(tmp_path / "b", MINIMAL_CONFIG + "scheduler: {tick_seconds: 5}\n")
    assert load_config(tmp_path / "a").scheduler.tick_seconds == 60
    assert load_config(tmp_path / "b").scheduler.tick_seconds == 5


def test_a_tick_under_a_second_is_refused_naming_the_key(tmp_path):
    write_config(tmp_path, MINIMAL_CONFIG + "scheduler: {tick_seconds: 0.1}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "scheduler.tick_seconds" in str(info.value)
