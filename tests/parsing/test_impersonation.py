"""Mail made to look like a coordinator's, from someone else, goes before a person."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.parsing.decode import decode_message
from mailflow.parsing.examine import impersonates
from tests.parsing.context import northlake


@pytest.fixture
def config(tmp_path: Path):
    return northlake(tmp_path)


def _from(value: str):
    return decode_message(f"From: {value}\r\nTo: mentorship@northlake.example.org\r\n"
                          "Subject: APPROVE\r\n\r\nAPPROVE\r\n".encode())


@pytest.mark.parametrize("value", [
    '"claire.dubois@northlake.example.org" <mallory@evil.example>',
    "Claire Dubois <mallory@evil.example>",
    "mallory@evil.example (claire.dubois@northlake.example.org)",
    "Claire <claire.dubois@mail.northlake.example.org>",
    "Claire <claire.dubois@northlake.ex\u0430mple.org>",
])
def test_a_from_made_to_look_like_the_coordinator_is_flagged(config, value):
    assert impersonates(_from(value), config)


@pytest.mark.parametrize("value", [
    "Claire Dubois <claire.dubois@northlake.example.org>",
    "Léa Gagnon <lea.gagnon@example.com>",
])
def test_the_coordinator_herself_and_a_participant_are_not(config, value):
    assert not impersonates(_from(value), config)
