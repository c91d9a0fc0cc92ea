"""Typed expectations: what our mail asked for survives the outbox journal unchanged."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mailflow.parsing.expects import Expects


@pytest.mark.parametrize("expects", [Expects("choices"), Expects("survey", "midpoint"),
                                     Expects("approval", "p-7"),
                                     Expects("acceptance", "lea@example.com")])
def test_an_expectation_round_trips_through_its_stored_form(expects):
    assert Expects.decode(expects.encode()) == expects


def test_an_unknown_stored_value_is_no_expectation():
    assert Expects.decode("grocery-list") is None
    assert Expects.decode(None) is None


def test_an_acceptance_queued_before_typed_expectations_names_its_mentee():
    item = SimpleNamespace(meta={"expects": "acceptance", "mentee": "lea@example.com"})

    assert Expects.of_item(item) == Expects("acceptance", "lea@example.com")


def test_a_rule_may_not_ask_for_an_approval_or_a_survey_without_its_key():
    for value in ("approval:x", "survey", "choice"):
        with pytest.raises(ValueError, match="survey:KEY"):
            Expects.for_rule(value)
