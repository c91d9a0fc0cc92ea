"""Read the reading corpus (tests/corpus/readings) and judge mailflow against expected.yaml.

Each message is classed as:

* ``correct``: every expected field matches; or the message had to be reviewed and
  mailflow did flag it for review (a person looks at it anyway);
* ``flagged``: mailflow asks for review where a careful human would not have needed to,
  and applies nothing wrong meanwhile (costs a coordinator's minute, never a wrong action);
* ``wrong``: anything else: a wrong kind, participant, choice, date or bounced address
  acted upon without review, a dubious message not flagged, or quote stripping that keeps
  the quoted original / drops what the person wrote.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mailflow.parsing.decode import decode_message
from mailflow.parsing.names import RosterEntry
from mailflow.parsing.understand import Context, Reading, understand
from mailflow.runtime import open_program
from tests.yaml_files import load_yaml

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "readings"
PROGRAM = CORPUS / "program"
FIELDS = ("kind", "participant", "choices", "meeting", "bounced_recipient", "authenticated",
          "needs_review", "answers_item", "survey_answers")


def expected() -> dict[str, dict[str, Any]]:
    """The expectations, by file name."""
    return load_yaml((CORPUS / "expected.yaml").read_text(encoding="utf-8"))


def names() -> list[str]:
    return sorted(expected())


@contextmanager
def corpus_context() -> Iterator[Context]:
    """The program's Context with the roster and outbox of the corpus (program copied to tmp)."""
    roster = {p["email"].lower(): p for p in json.loads(
        (PROGRAM / "roster.json").read_text(encoding="utf-8"))["participants"]}
    items = {i["id"]: SimpleNamespace(**i) for i in json.loads(
        (PROGRAM / "outbox.json").read_text(encoding="utf-8"))}
    by_mid = {i.message_id: i for i in items.values()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "program"
        shutil.copytree(PROGRAM, root)
        program = open_program(root, read_only=True)
        try:
            mentors = [RosterEntry(p["email"], p["name"]) for p in roster.values()
                       if p.get("role") == "mentor"]
            yield Context(config=program.config, secret=program.secret,
                          participant=lambda email: roster.get((email or "").lower()),
                          outbox_by_id=items.get, outbox_by_message_id=by_mid.get,
                          mentors=lambda: mentors)
        finally:
            program.close()


def read(name: str, ctx: Context) -> Reading:
    return understand(decode_message((CORPUS / name).read_bytes()), ctx)


def _got(reading: Reading, name: str) -> Any:
    if name == "meeting":
        meeting = reading.meeting.reported
        if not meeting:
            return None
        date = meeting.get("date")
        return {"met": meeting.get("met"), "date": str(date)[:10] if date else None}
    if name == "survey_answers":
        answers = reading.survey.answers
        return {str(k): v for k, v in answers.items()} if answers else None
    return reading.to_json()[name]  # the fields by their names in the parse --json contract


def _same_answer(written: str, read: Any) -> bool:
    """An answer as the person wrote it against the value mailflow read from it."""
    if isinstance(read, bool):
        first = written.strip().lower().split(",")[0].split()[0] if written.strip() else ""
        return (first in ("yes", "oui", "y", "sure")) == read and first in (
            "yes", "oui", "y", "sure", "no", "non", "n")
    return str(read).strip() == written.strip()


@dataclass
class Verdict:
    name: str
    outcome: str  # correct | flagged | wrong
    expected_kind: str
    got_kind: str
    diffs: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def judge(name: str, want: dict[str, Any], reading: Reading) -> Verdict:
    """Compare one reading with its expectation (see the module docstring)."""
    diffs: dict[str, tuple[Any, Any]] = {}
    for key in FIELDS:
        if key not in want:
            continue
        exp, got = want[key], _got(reading, key)
        if key == "choices":
            exp = exp or []
            if want.get("needs_review") and reading.needs_review:
                continue  # nothing is applied before review
        if key == "survey_answers" and exp and got:
            same = exp.keys() == got.keys() and all(
                _same_answer(exp[k], got[k]) for k in exp)
            if not same:
                diffs[key] = (exp, got)
            continue
        if exp != got:
            diffs[key] = (exp, got)
    if want["kind"] not in ("auto_reply", "bounce"):
        text = reading.reply_text
        missing = [s for s in want.get("reply_text_contains", []) if s not in text]
        kept = [s for s in want.get("reply_text_excludes", []) if s in text]
        if missing or kept:
            diffs["reply_text"] = ({"contains": missing, "excludes": kept}, text[:200])
    verdict = Verdict(name, "correct", want["kind"], reading.kind, diffs, list(reading.problems))
    if not diffs:
        return verdict
    if want.get("needs_review") and reading.needs_review and "participant" not in diffs:
        return verdict  # a person reviews it anyway
    if reading.needs_review and not want.get("needs_review") and "participant" not in diffs:
        verdict.outcome = "flagged"
        return verdict
    verdict.outcome = "wrong"
    return verdict


def run_all() -> tuple[list[Verdict], float]:
    """Judge every corpus message; also the seconds spent decoding and understanding."""
    want = expected()
    raws = {n: (CORPUS / n).read_bytes() for n in sorted(want)}
    verdicts, elapsed = [], 0.0
    with corpus_context() as ctx:
        for name, raw in raws.items():
            start = time.perf_counter()
            reading = understand(decode_message(raw), ctx)
            elapsed += time.perf_counter() - start
            verdicts.append(judge(name, want[name], reading))
    return verdicts, elapsed
