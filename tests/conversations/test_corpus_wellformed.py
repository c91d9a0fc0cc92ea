"""The conversation corpus is usable: every case is complete, its expectation well formed,
its reply parses as mail, and it quotes our mail exactly as the templates render it today."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from tests.conversations import render
from tests.yaml_files import load_yaml

CORPUS = sorted(p for p in (render.HERE / "cases").iterdir() if p.is_dir())
HOLDOUT = sorted(p for p in (render.HERE / "holdout").iterdir() if p.is_dir())
HOLDOUT2 = sorted(p for p in (render.HERE / "holdout2").iterdir() if p.is_dir())
HOLDOUT3 = sorted(p for p in (render.HERE / "holdout3").iterdir() if p.is_dir())
HOLDOUT4 = sorted(p for p in (render.HERE / "holdout4").iterdir() if p.is_dir())
HOLDOUT5 = sorted(p for p in (render.HERE / "holdout5").iterdir() if p.is_dir())
HOLDOUT6 = sorted(p for p in (render.HERE / "holdout6").iterdir() if p.is_dir())
HOLDOUT7 = sorted(p for p in (render.HERE / "holdout7").iterdir() if p.is_dir())
HOLDOUT8 = sorted(p for p in (render.HERE / "holdout8").iterdir() if p.is_dir())
HOLDOUT9 = sorted(p for p in (render.HERE / "holdout9").iterdir() if p.is_dir())
CASES = (CORPUS + HOLDOUT + HOLDOUT2 + HOLDOUT3 + HOLDOUT4 + HOLDOUT5 + HOLDOUT6 + HOLDOUT7
         + HOLDOUT8 + HOLDOUT9)
PLACEHOLDERS = {"{{OUR_MESSAGE_ID}}", "{{REPLY_TO}}", "{{OUR_DATE}}", "{{OUR_SUBJECT}}"}
SAMPLE = {
    "{{OUR_MESSAGE_ID}}": "<mf-abc123.0f0f0f0f0f0f@northlake.example.org>",
    "{{REPLY_TO}}": "mentorship+abcdefghijklmnopqrstuvwxyz012345@northlake.example.org",
    "{{OUR_DATE}}": "Mon, 08 Feb 2027 16:00:00 -0500",
    "{{OUR_SUBJECT}}": "Choose your mentor",
}
KINDS = {"choices", "meeting", "survey", "command", "application", "concern", "auto_reply",
         "unknown"}
REVIEW = {"required", "allowed", "forbidden"}
PEOPLE = render.load_people()
MENTORS = {m["name"] for m in PEOPLE["mentors"]}
NAMES = {p["name"] for p in PEOPLE["by_email"].values()}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def load(case: Path) -> dict:
    return load_yaml((case / "case.yaml").read_text(encoding="utf-8"))


def replies(case: Path) -> list[Path]:
    return [p for p in (case / "reply.eml", case / "reply2.eml") if p.exists()]


def test_the_corpus_holds_at_least_eighty_conversations():
    assert len(CORPUS) >= 80


def test_the_holdout_holds_forty_conversations_numbered_from_201():
    assert len(HOLDOUT) >= 40
    assert all(int(p.name.split("-")[0]) >= 201 for p in HOLDOUT)


def test_the_second_holdout_holds_thirty_five_conversations_numbered_301_to_335():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT2) == list(range(301, 336))


def test_the_third_holdout_holds_thirty_conversations_numbered_401_to_430():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT3) == list(range(401, 431))


def test_the_fourth_holdout_holds_thirty_five_conversations_numbered_501_to_535():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT4) == list(range(501, 536))


def test_the_fifth_holdout_holds_thirty_five_conversations_numbered_601_to_635():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT5) == list(range(601, 636))


def test_the_sixth_holdout_holds_thirty_five_conversations_numbered_701_to_735():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT6) == list(range(701, 736))


def test_the_seventh_holdout_holds_thirty_conversations_numbered_801_to_830():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT7) == list(range(801, 831))


def test_the_eighth_holdout_holds_thirty_five_conversations_numbered_901_to_935():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT8) == list(range(901, 936))


def test_the_ninth_holdout_holds_thirty_five_conversations_numbered_1001_to_1035():
    assert sorted(int(p.name.split("-")[0]) for p in HOLDOUT9) == list(range(1001, 1036))


def test_no_case_number_is_used_twice():
    numbers = [p.name.split("-")[0] for p in CASES]
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_says_what_we_sent_to_whom(case):
    data = load(case)
    ours = data["ours"]
    assert set(ours) <= {"template", "language", "to", "about", "survey", "event"}
    assert ours["language"] in ("en", "fr")
    assert ours["to"].lower() in PEOPLE["by_email"], f"{ours['to']} is not in program.yaml"
    if "about" in ours:
        assert ours["about"].lower() in PEOPLE["by_email"]
    assert isinstance(data["client"], str) and data["client"]
    assert isinstance(data["description"], str) and "\n" not in data["description"].strip()
    assert (case / "reply.eml").exists()


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_expectation_is_well_formed(case):
    expect = load(case)["expect"]
    assert expect["kind"] in KINDS
    assert expect["review"] in REVIEW
    assert set(expect) <= {"kind", "review", "no_change", "concern", "choices", "meetings",
                           "survey", "command", "application"}
    for name in expect.get("choices", []):
        assert name is None or name in MENTORS, f"{name!r} is not a mentor of program.yaml"
    for meeting in expect.get("meetings", []):
        assert set(meeting) == {"with", "met", "date"}
        assert meeting["with"] is None or meeting["with"] in NAMES
        assert isinstance(meeting["met"], bool)
        assert meeting["date"] is None or DATE.match(str(meeting["date"]))
    if "survey" in expect:
        assert expect["survey"]["key"] in ("midpoint", "final")
        assert all(isinstance(k, int) for k in expect["survey"]["answers"])
    if "command" in expect:
        assert expect["command"]["name"] in ("stop", "start", "pause", "resume")
        until = expect["command"]["until"]
        assert until is None or DATE.match(str(until))
    if expect.get("no_change") and expect["review"] != "required":
        # what a reply says may be written beside no_change only when it waits in review
        # (a second address, a mail to the wrong thread): read, shown, never applied
        assert not {"choices", "meetings", "survey", "command"} & {
            k for k, v in expect.items() if v}
    for flag in ("no_change", "concern"):
        assert isinstance(expect.get(flag, False), bool)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reply_uses_only_the_four_placeholders(case):
    for path in replies(case):
        found = set(re.findall(r"\{\{[^}]*\}\}", path.read_bytes().decode("latin-1")))
        assert found <= PLACEHOLDERS, f"{path.name}: unknown placeholders {found - PLACEHOLDERS}"


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reply_parses_as_mail_without_defects(case):
    for path in replies(case):
        raw = path.read_bytes()
        assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "lines end with CRLF"
        for placeholder, value in SAMPLE.items():
            raw = raw.replace(placeholder.encode(), value.encode())
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for header in ("From", "To", "Subject", "Date", "Message-ID"):
            assert message[header], f"{path.name}: no {header}"
        for part in message.walk():
            assert not part.defects, f"{path.name}: {part.get_content_type()}: {part.defects}"
            if part.get_content_maintype() == "text":
                assert isinstance(part.get_content(), str)  # the charset and encoding decode


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_ours_is_what_the_templates_render_today(case):
    expected = render.ours_text(render.render_case(case))
    assert (case / "ours.txt").read_text(encoding="utf-8") == expected, (
        f"re-run: python tests/conversations/render.py {case}")
