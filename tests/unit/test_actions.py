"""The action registry: one place per action, and each rule kind gets only its own actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.yamlfile import load_yaml
from mailflow.errors import ConfigError
from mailflow.program.actions import MESSAGE, REGISTRY, SCHEDULED, names, parse_action


def _doc(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_text("rules: []\n", encoding="utf-8")
    return load_yaml(path)


def test_every_action_says_where_it_may_be_used():
    assert all(spec.places and set(spec.places) <= {MESSAGE, SCHEDULED}
               for spec in REGISTRY.values())


def test_message_rules_and_scheduled_rules_share_send_set_and_stop():
    assert {"send", "set", "stop"} <= set(names(MESSAGE)) & set(names(SCHEDULED))


@pytest.mark.parametrize(("raw", "place"), [({"record": "application"}, SCHEDULED),
                                            ({"send_next": "tips"}, MESSAGE),
                                            ({"review": "why"}, SCHEDULED)])
def test_an_action_used_where_it_has_no_meaning_is_refused_naming_the_allowed(
        tmp_path, raw, place):
    with pytest.raises(ConfigError) as error:
        parse_action(_doc(tmp_path), "rules[0].do[0]", raw, None, place)

    assert "exactly one of" in error.value.problem
    assert ", ".join(names(place)) in error.value.problem


def test_a_scheduled_send_may_not_pick_its_recipient(tmp_path):
    with pytest.raises(ConfigError) as error:
        parse_action(_doc(tmp_path), "rules[0].do[0]", {"send": "x", "to": "sender"}, None,
                     SCHEDULED)

    assert error.value.where.endswith("rules[0].do[0].to'") or "do[0].to" in error.value.where


def test_expects_in_a_rule_is_typed(tmp_path):
    action = parse_action(_doc(tmp_path), "k", {"send": "x", "expects": "survey:final"}, None,
                          SCHEDULED)

    assert (action.expects.kind, action.expects.about) == ("survey", "final")
