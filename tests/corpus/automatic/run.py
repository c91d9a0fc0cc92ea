"""Measure how mailflow reads automatic mail (bounces, auto-replies, feedback reports)
and people's mail that only looks automatic, as a black box, against expected.yaml.

Creates a throw-away program (`mailflow init DIR --preset cohort`, its address set to
program@mentoring.example.org, the sender of "our" mail in the corpus), runs
`mailflow -C DIR parse messages/` once (one JSON object per line) and prints:

- automatic mail never answered (%)
- person mail not taken for automatic (%)
- bounces naming the right recipient (%)
- temporary vs permanent right (%)

then a line per miss. It is a report: the exit status is always 0.
Usage: python tests/corpus/automatic/run.py [--code CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.yaml_files import load_yaml

CORPUS = Path(__file__).resolve().parent
MESSAGES = CORPUS / "messages"
REPO = CORPUS.parents[2]
PROGRAM_ADDRESS = "program@mentoring.example.org"
AUTOMATIC_KINDS = frozenset({"bounce", "auto_reply", "feedback"})


def _env(code: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _mailflow(code: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailflow", *args],
        capture_output=True,
        text=True,
        env=_env(code),
        cwd=cwd,
        timeout=600,
    )


def build_program(code: Path, root: Path) -> Path:
    """A cohort program whose own address is the one our corpus mail was sent from."""
    program = root / "program"
    done = _mailflow(code, "init", str(program), "--preset", "cohort", cwd=root)
    if done.returncode != 0:
        raise RuntimeError(f"mailflow init failed: {done.stderr.strip() or done.stdout.strip()}")
    config = program / "config.yaml"
    text = config.read_text(encoding="utf-8")
    # Only the program's own address line (the first `address:` under `program:`).
    text = re.sub(
        r"^(program:\n(?:[ \t].*\n|\s*\n)*?[ \t]+address:[ \t]*)\S+",
        lambda m: m.group(1) + PROGRAM_ADDRESS,
        text,
        count=1,
        flags=re.MULTILINE,
    )
    config.write_text(text, encoding="utf-8")
    return program


def parse_all(code: Path, program: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """Run `mailflow parse` once over the folder; the records by file name, and stderr."""
    done = _mailflow(code, "-C", str(program), "parse", str(MESSAGES), cwd=program)
    said: dict[str, dict[str, Any]] = {}
    for line in done.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and record.get("file"):
            said[Path(record["file"]).name] = record
    return said, done.stderr


def load_expected() -> dict[str, dict[str, Any]]:
    data = load_yaml((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    return {str(name): dict(value) for name, value in data.items()}


def never_answered(record: dict[str, Any] | None) -> bool:
    """The contract: automatic kinds, or a no_answer / needs_review that says so."""
    if record is None:
        return False
    return bool(
        record.get("kind") in AUTOMATIC_KINDS
        or record.get("no_answer")
        or record.get("needs_review")
    )


@dataclass
class Score:
    label: str
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += ok

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 100.0

    def line(self) -> str:
        return f"{self.label}: {self.percent:.1f} % ({self.right}/{self.total})"


@dataclass
class Report:
    automatic: Score = field(default_factory=lambda: Score("automatic mail never answered"))
    person: Score = field(default_factory=lambda: Score("person mail not taken for automatic"))
    recipient: Score = field(default_factory=lambda: Score("bounces naming the right recipient"))
    status: Score = field(default_factory=lambda: Score("temporary vs permanent right"))
    feedback: Score = field(
        default_factory=lambda: Score("feedback reports naming the complainant")
    )
    kind: Score = field(
        default_factory=lambda: Score("automatic mail of the expected kind (information)")
    )
    misses: list[str] = field(default_factory=list)
    persons_taken: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        scores = [
            self.automatic,
            self.person,
            self.recipient,
            self.status,
            self.feedback,
            self.kind,
        ]
        return [s.line() for s in scores]


def _short(record: dict[str, Any] | None) -> str:
    if record is None:
        return "no output for this file"
    return (
        f"kind={record.get('kind')} needs_review={record.get('needs_review')} "
        f"bounced_recipient={record.get('bounced_recipient')} "
        f"bounce_status={record.get('bounce_status')}"
    )


def evaluate(expected: dict[str, dict[str, Any]], said: dict[str, dict[str, Any]]) -> Report:
    report = Report()
    for name in sorted(expected):
        want = expected[name]
        got = said.get(name)
        wrong: list[str] = []
        if want["automatic"]:
            ok = never_answered(got)
            report.automatic.add(ok)
            if not ok:
                wrong.append("automatic mail that may be answered")
                report.answered.append(name)
            kind = want.get("kind")
            if kind:
                kind_ok = got is not None and got.get("kind") == kind
                report.kind.add(kind_ok)
                if not kind_ok and ok:
                    wrong.append(f"kind {got.get('kind') if got else None}, expected {kind}")
            recipient = (got or {}).get("bounced_recipient")
            recipient = recipient.lower() if isinstance(recipient, str) else recipient
            if kind == "bounce":
                rec_ok = recipient == want.get("recipient")
                report.recipient.add(rec_ok)
                if not rec_ok:
                    wrong.append(f"recipient {recipient}, expected {want.get('recipient')}")
                status_ok = (got or {}).get("bounce_status") == want.get("status")
                report.status.add(status_ok)
                if not status_ok:
                    wrong.append(
                        f"status {(got or {}).get('bounce_status')}, expected {want.get('status')}"
                    )
            elif kind == "feedback" and want.get("recipient"):
                rec_ok = recipient == want["recipient"]
                report.feedback.add(rec_ok)
                if not rec_ok:
                    wrong.append(f"complainant {recipient}, expected {want['recipient']}")
        else:
            ok = got is not None and got.get("kind") not in AUTOMATIC_KINDS
            report.person.add(ok)
            if not ok:
                wrong.append("a person's mail taken for automatic")
                report.persons_taken.append(name)
        if wrong:
            report.misses.append(f"{name}: {'; '.join(wrong)} [{_short(got)}]")
    return report


def measure(code: Path = REPO) -> tuple[Report, str]:
    """Build a program, parse the corpus once, compare; the report and mailflow's stderr."""
    with tempfile.TemporaryDirectory(prefix="mailflow-automatic-") as tmp:
        program = build_program(code, Path(tmp))
        said, stderr = parse_all(code, program)
    return evaluate(load_expected(), said), stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=REPO, help="the mailflow checkout to run")
    args = parser.parse_args(argv)
    try:
        report, stderr = measure(args.code.resolve())
    except Exception as exc:  # a report: say what went wrong, exit 0
        print(f"could not run mailflow: {exc}")
        return 0
    expected = load_expected()
    print(
        f"corpus: {len(expected)} messages "
        f"({sum(1 for v in expected.values() if v['automatic'])} automatic, "
        f"{sum(1 for v in expected.values() if not v['automatic'])} written by people)"
    )
    for line in report.lines():
        print(line)
    if report.misses:
        print(f"\n{len(report.misses)} message(s) with a miss:")
        for miss in report.misses:
            print(f"  {miss}")
    if stderr.strip():
        print("\nmailflow said on stderr:")
        for line in stderr.strip().splitlines()[:20]:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
