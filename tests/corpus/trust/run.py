"""Measure mailflow's coordinator-trust rule against the trust corpus, as a black box.

Builds a throw-away program directory, runs `python -m mailflow -C DIR parse FILE --json`
on every .eml here and compares sender, authenticated and needs_review with expected.yaml.
Usage: python tests/corpus/trust/run.py [-v] [--code CHECKOUT]   (exit 1 when any is wrong)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.yaml_files import load_yaml

CORPUS = Path(__file__).resolve().parent
REPO = CORPUS.parents[2]

CONFIG = """\
program:
  name: Northlake Mentorship Program
  address: mentorship@northlake.example.org
  language: en
  timezone: America/Montreal
coordinators:
  - {name: Claire Dubois, email: claire.dubois@northlake.example.org}
mailbox:
  authserv_id: mx.northlake.example.org
"""

MENTEES = (
    "name,email\nLéa Gagnon,lea.gagnon@gmail.example\nOmar Haddad,omar.haddad@outlook.example\n"
)
MENTORS = "name,email\nChen Wei,chen.wei@northlake.example.org\n"


@dataclass
class Result:
    """One message: what was expected, what mailflow said, and the differences."""

    name: str
    expected: dict
    said: dict | None
    wrong: list[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return not self.wrong


def _env(code: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _mailflow(code: Path, program: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "-C", str(program), *args],
        capture_output=True,
        text=True,
        env=_env(code),
        cwd=program,
        timeout=120,
    )


def build_program(code: Path, root: Path) -> Path:
    """A program directory on the embedded mailbox, with our authserv-id and three participants."""
    program = root / "program"
    program.mkdir()
    (program / "config.yaml").write_text(CONFIG, encoding="utf-8")
    for role, rows in (("mentees", MENTEES), ("mentors", MENTORS)):
        csv = root / f"{role}.csv"
        csv.write_text(rows, encoding="utf-8")
        done = _mailflow(code, program, "import", role, str(csv))
        if done.returncode != 0:
            raise SystemExit(f"trust corpus: could not import {role}: {done.stderr.strip()}")
    return program


def normalise_address(address: str | None) -> str | None:
    """Compare addresses case-insensitively, with an IDN domain in its ASCII form."""
    if not address:
        return None
    local, _, domain = address.strip().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}".lower()


def compare(name: str, expected: dict, said: dict) -> Result:
    result = Result(name, expected, said)
    want_sender = normalise_address(expected["sender"])
    got_sender = normalise_address(said.get("sender"))
    if want_sender != got_sender:
        result.wrong.append(f"sender {expected['sender']!r}, said {said.get('sender')!r}")
    if said.get("authenticated") is not expected["authenticated"]:
        want, got = expected["authenticated"], said.get("authenticated")
        result.wrong.append(f"authenticated {want}, said {got}")
    review = expected["review"]
    if review != "any" and said.get("needs_review") is not review:
        result.wrong.append(f"review {review}, said {said.get('needs_review')}")
    return result


def parse_one(code: Path, program: Path, name: str, expected: dict) -> Result:
    done = _mailflow(code, program, "parse", str(CORPUS / name), "--json")
    try:
        said = json.loads(done.stdout)
    except json.JSONDecodeError:
        error = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return Result(name, expected, None, [f"parse failed (exit {done.returncode}): {error[0]}"])
    return compare(name, expected, said)


def load_expected() -> dict[str, dict]:
    expected = load_yaml((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    on_disk = {p.name for p in CORPUS.glob("*.eml")}
    missing = sorted(on_disk ^ set(expected))
    if missing:
        raise SystemExit(f"trust corpus: expected.yaml and the .eml files differ on {missing}")
    return expected


def measure(code: Path = REPO) -> list[Result]:
    """Every message of the corpus, measured against a fresh program run by the mailflow in CODE."""
    expected = load_expected()
    with tempfile.TemporaryDirectory(prefix="mailflow-trust-") as tmp:
        program = build_program(code, Path(tmp))
        names = sorted(expected)
        said = parse_all(code, program, names)
        if said is not None:
            return [compare(n, expected[n], said[n]) if n in said else
                    Result(n, expected[n], None, ["parse gave no reading"]) for n in names]
        with ThreadPoolExecutor(max_workers=2) as pool:  # a mailflow that parses one at a time
            results = pool.map(lambda n: parse_one(code, program, n, expected[n]), names)
            return list(results)


def parse_all(code: Path, program: Path, names: list[str]) -> dict[str, dict] | None:
    """Every reading from one `mailflow parse FILE...` (JSON lines), or None if unsupported."""
    done = _mailflow(code, program, "parse", *(str(CORPUS / n) for n in names))
    said: dict[str, dict] = {}
    for line in done.stdout.splitlines():
        try:
            reading = json.loads(line)
        except json.JSONDecodeError:
            return None
        if isinstance(reading, dict) and "file" in reading:
            said[Path(reading["file"]).name] = reading
    return said if done.returncode == 0 and said else None


def summary(results: list[Result]) -> str:
    right = sum(r.right for r in results)
    return f"trust corpus: {len(results)} messages, {right} right, {len(results) - right} wrong"


def breakdown(results: list[Result]) -> str:
    """Which of the three judgements the wrong ones miss (trust first, then sender, then review)."""

    def count(prefix: str) -> int:
        return sum(any(w.startswith(prefix) for w in r.wrong) for r in results)

    review_only = sum(
        bool(r.wrong) and all(w.startswith("review") for w in r.wrong) for r in results
    )
    return (
        f"wrong on authenticated: {count('authenticated')}, on sender: {count('sender')}, "
        f"on review: {count('review')} (review only: {review_only}), "
        f"parse failed: {count('parse failed')}"
    )


def report(results: list[Result], verbose: bool) -> str:
    lines = []
    for r in results:
        if r.right:
            if verbose:
                lines.append(f"ok     {r.name}")
            continue
        lines.append(f"WRONG  {r.name}: " + "; ".join(r.wrong))
        lines.append(f"       why: {r.expected['why']}")
        if r.said and r.said.get("problems"):
            lines.append(f"       mailflow's problems: {r.said['problems']}")
    lines.append(breakdown(results))
    lines.append(summary(results))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the right ones")
    parser.add_argument(
        "--code",
        type=Path,
        default=REPO,
        help="the checkout whose mailflow is measured (default: the one holding this corpus)",
    )
    args = parser.parse_args(argv)
    results = measure(args.code.resolve())
    print(report(results, args.verbose))
    return 0 if all(r.right for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
