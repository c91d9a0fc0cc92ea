"""A mentor who offers themselves by mail waits for a coordinator; their links reach nobody."""

from __future__ import annotations

from datetime import datetime

import pytest

from mailflow.commands.selection import approve_mentor, select
from mailflow.program import participants
from mailflow.runtime import open_program
from tests.program.year import START, new_program

PHISHING = "Visit http://evil.example/login to claim your stipend"


@pytest.fixture
def program(tmp_path):
    program = open_program(new_program(tmp_path / "p"))
    with program.store.transaction():
        participants.record_application(
            program.store, email="mallory@evil.example", name="Mallory", role="mentor",
            fields={"name": "Mallory", "expertise": PHISHING, "affiliation": "www.evil.example"},
            missing=[], language="en", cause="message 1", at=START.isoformat())
        participants.insert(program.store, {
            "email": "chen.wei@example.org", "name": "Chen Wei", "role": "mentor",
            "status": "applicant", "application": {"complete": True, "missing": []},
            "fields": {"expertise": "See https://chen.example.org for my papers"}})
    yield program
    program.close()


def _status(program, email: str) -> str:
    return (participants.find(program.store, email) or {})["status"]


def test_a_mentor_who_applied_by_mail_is_not_selected_without_a_coordinator(program):
    select(program, places=0, reserved=0, seed="s", now=datetime.now(START.tzinfo))

    assert _status(program, "mallory@evil.example") == "applicant"
    assert _status(program, "chen.wei@example.org") == "selected"


def test_an_approved_mentor_is_selected(program):
    approve_mentor(program, "mallory@evil.example", START)
    select(program, places=0, reserved=0, seed="s", now=START)

    assert _status(program, "mallory@evil.example") == "selected"


def test_the_mentor_list_of_an_invitation_leaves_out_unapproved_mentors(program):
    context = program.scheduler.mailings.contexts.build({}, "en", START, "choices_invitation")

    assert [m["email"] for m in context["mentors"]] == ["chen.wei@example.org"]


def test_links_written_by_mail_never_reach_other_people(program):
    contexts = program.scheduler.mailings.contexts
    shown = contexts.public_of("mallory@evil.example")

    assert "evil.example" not in " ".join(v for k, v in shown.items() if k != "email")
    assert "[link removed]" in shown["expertise"]
    assert contexts.public_of("chen.wei@example.org")["expertise"].endswith("for my papers")


def test_an_unknown_address_has_an_empty_public_record(program):
    shown = program.scheduler.mailings.contexts.public_of("nobody@example.org")

    assert shown and set(shown.values()) == {""}
