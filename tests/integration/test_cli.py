"""The command line on the embedded default: what a coordinator types, what they see."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_MAIL = ROOT / "scripts" / "demo-mail"


def mailflow(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailflow", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def program(tmp_path) -> Path:
    directory = tmp_path / "program"
    assert mailflow("init", str(directory)).returncode == 0
    return directory


def test_init_creates_a_program_that_passes_check(program):
    result = mailflow("-C", str(program), "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_init_refuses_to_overwrite_a_program(program):
    result = mailflow("init", str(program))
    assert result.returncode == 2
    assert "exists already" in result.stderr


def test_run_once_answers_the_delivered_mail_as_eml_files(program):
    mailflow("-C", str(program), "deliver", str(DEMO_MAIL / "1-lea-asks.eml"))
    result = mailflow("-C", str(program), "run", "--once")
    assert result.returncode == 0, result.stderr
    [sent] = list((program / "sent-mail").glob("*.eml"))
    assert b"How to apply to Northlake Mentorship Program" in sent.read_bytes()


def test_dry_run_sends_nothing(program):
    mailflow("-C", str(program), "deliver", str(DEMO_MAIL / "1-lea-asks.eml"))
    assert mailflow("-C", str(program), "run", "--once", "--dry-run").returncode == 0
    assert not list((program / "sent-mail").glob("*.eml"))


def test_config_error_names_file_line_and_fix_without_traceback(program):
    config = program / "config.yaml"
    config.write_text(config.read_text().replace("language: en", "language: de"))
    result = mailflow("-C", str(program), "check")
    assert result.returncode == 2
    assert "config.yaml: line" in result.stderr and "program.language" in result.stderr
    assert "use one of: en, fr" in result.stderr
    assert "Traceback" not in result.stderr


def test_rule_naming_a_missing_template_fails_check(program):
    rules = program / "rules" / "applications.yaml"
    rules.write_text(rules.read_text().replace("send: application_form", "send: no_such"))
    result = mailflow("-C", str(program), "check")
    assert result.returncode == 2
    assert "applications.yaml" in result.stderr and "no_such" in result.stderr


def test_broken_template_fails_check_with_its_file(program):
    (program / "templates" / "application_form.en.txt").write_text(
        "Subject: Hello {{ program.name\n\nbody\n")
    result = mailflow("-C", str(program), "check")
    assert result.returncode == 2
    assert "application_form.en.txt" in result.stderr


def test_a_template_naming_an_undefined_variable_fails_check_with_its_file(program):
    (program / "templates" / "application_received.fr.txt").write_text(
        "Subject: Bienvenue\n\nRendez-vous le {{ dates.no_such_date }}.\n", encoding="utf-8")
    result = mailflow("-C", str(program), "check")
    assert result.returncode == 2
    assert "application_received.fr" in result.stderr and "no_such_date" in result.stderr


def test_import_mentors_then_export_as_csv(program, tmp_path):
    csv_file = tmp_path / "mentors.csv"
    csv_file.write_text("name,email,expertise\nSofia Rossi,sofia.rossi@example.org,NLP\n"
                        "José Martínez,jose.martinez@example.es,vision\n", encoding="utf-8")
    result = mailflow("-C", str(program), "import", "mentors", str(csv_file))
    assert result.returncode == 0, result.stderr
    exported = mailflow("-C", str(program), "export", "participants").stdout
    assert "José Martínez" in exported and "NLP" in exported


def test_importing_again_updates_names_and_keeps_earlier_fields(program, tmp_path):
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    first.write_text("name,email,expertise\nSofia Rossi,sofia.rossi@example.org,NLP\n"
                     "Chen Wei,chen.wei@example.org,vision\n", encoding="utf-8")
    again.write_text("name,email,affiliation\nSofia Rossi-Bianchi,sofia.rossi@example.org,"
                     "Polimi\n", encoding="utf-8")
    assert mailflow("-C", str(program), "import", "mentors", str(first)).returncode == 0
    assert mailflow("-C", str(program), "import", "mentors", str(again)).returncode == 0
    people = {p["email"]: p for p in json.loads(
        mailflow("-C", str(program), "export", "participants", "--format", "json").stdout)}
    assert people["sofia.rossi@example.org"]["name"] == "Sofia Rossi-Bianchi"
    assert people["sofia.rossi@example.org"]["fields"] == {"expertise": "NLP",
                                                           "affiliation": "Polimi"}
    assert people["chen.wei@example.org"]["name"] == "Chen Wei"


def test_link_attributes_a_second_address_and_show_finds_a_name_without_accents(program,
                                                                              tmp_path):
    people = tmp_path / "mentees.csv"
    people.write_text("name,email\nTomás Ortega,tomas@example.org\n", encoding="utf-8")
    assert mailflow("-C", str(program), "import", "mentees", str(people)).returncode == 0
    result = mailflow("-C", str(program), "link", "tomas", "t.ortega@lab.example.org")
    assert result.returncode == 0, result.stderr
    shown = mailflow("-C", str(program), "show", "TOMAS").stdout
    assert "aliases: ['t.ortega@lab.example.org']" in shown
    assert mailflow("-C", str(program), "link", "nobody", "x@example.org").returncode == 2


def test_a_roster_file_of_forty_thousand_rows_is_imported_whole(program, tmp_path):
    csv_file = tmp_path / "mentees.csv"
    csv_file.write_text("name,email,affiliation\n" + "".join(
        f"Person {n},person{n}@example.org,Institute of Soil Science {n % 97}\n"
        for n in range(40_000)), encoding="utf-8")
    assert csv_file.stat().st_size > 2_000_000  # over what a CSV attached to mail may be

    result = mailflow("-C", str(program), "import", "mentees", str(csv_file))

    assert result.returncode == 0, result.stderr
    assert "imported 40000 mentees" in result.stdout


def test_import_with_a_bad_row_names_the_line_and_imports_nothing(program, tmp_path):
    csv_file = tmp_path / "mentors.csv"
    csv_file.write_text("name,email\nSofia Rossi,sofia.rossi@example.org\nBad,not-an-address\n")
    result = mailflow("-C", str(program), "import", "mentors", str(csv_file))
    assert result.returncode == 2
    assert "line 3" in result.stderr
    exported = json.loads(mailflow("-C", str(program), "export", "participants",
                                   "--format", "json").stdout)
    assert exported == []


def test_parse_json_reports_the_contract_fields_and_changes_nothing(program):
    result = mailflow("-C", str(program), "parse", str(DEMO_MAIL / "3-lea-applies.eml"), "--json")
    assert result.returncode == 0, result.stderr
    reading = json.loads(result.stdout)
    for key in ("kind", "sender", "participant", "reply_text", "choices", "meeting",
                "bounced_recipient", "authenticated", "needs_review", "problems"):
        assert key in reading
    assert reading["kind"] == "application"
    assert reading["sender"] == "lea.gagnon@example.com"
    assert "On Mon, Nov 23" not in reading["reply_text"]
    assert not (program / "state" / "store.json").exists()


def test_parse_of_an_out_of_office_says_auto_reply(program):
    result = mailflow("-C", str(program), "parse", str(DEMO_MAIL / "4-out-of-office.eml"),
                      "--json")
    assert json.loads(result.stdout)["kind"] == "auto_reply"


def test_parse_of_a_folder_prints_one_json_object_per_message(program):
    result = mailflow("-C", str(program), "parse", str(DEMO_MAIL))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(r["file"]).name for r in lines] == sorted(p.name for p in DEMO_MAIL.glob("*.eml"))
    assert {r["kind"] for r in lines} >= {"application", "auto_reply"}


def test_parse_of_several_files_keeps_their_order(program):
    files = [DEMO_MAIL / "4-out-of-office.eml", DEMO_MAIL / "3-lea-applies.eml"]
    result = mailflow("-C", str(program), "parse", *map(str, files))
    assert [json.loads(line)["kind"] for line in result.stdout.splitlines()] == [
        "auto_reply", "application"]


def test_status_summarises_the_program(program):
    mailflow("-C", str(program), "deliver", str(DEMO_MAIL / "1-lea-asks.eml"),
             str(DEMO_MAIL / "3-lea-applies.eml"))
    mailflow("-C", str(program), "run", "--once")
    status = mailflow("-C", str(program), "status").stdout
    assert "mentee / applicant: 1" in status
    assert "mail out: sent 2" in status


def test_pairs_from_a_spreadsheet_are_mailed_for_approval_not_applied(program, tmp_path):
    (tmp_path / "mentors.csv").write_text("name,email\nChen Wei,chen@example.com\n")
    (tmp_path / "mentees.csv").write_text("name,email,status\nLéa,lea@example.com,selected\n",
                                          encoding="utf-8")
    mailflow("-C", str(program), "import", "mentors", str(tmp_path / "mentors.csv"))
    mailflow("-C", str(program), "import", "mentees", str(tmp_path / "mentees.csv"))
    (tmp_path / "pairs.csv").write_text("mentee_email,mentor_email\nlea@example.com,"
                                        "chen@example.com\n")
    result = mailflow("-C", str(program), "import", "pairs", str(tmp_path / "pairs.csv"))
    assert result.returncode == 0, result.stderr
    assert "mailed to the coordinators for approval" in result.stdout
    assert "lea@example.com" not in mailflow("-C", str(program), "export", "pairs").stdout


def test_pairs_naming_someone_unknown_are_refused_with_the_address(program, tmp_path):
    (tmp_path / "pairs.csv").write_text("mentee_email,mentor_email\nx@example.com,"
                                        "y@example.com\n")
    result = mailflow("-C", str(program), "import", "pairs", str(tmp_path / "pairs.csv"))
    assert result.returncode == 2
    assert "x@example.com is not a mentee" in result.stderr


def test_show_tells_a_persons_story_and_marks_private_answers(program):
    mailflow("-C", str(program), "deliver", str(DEMO_MAIL / "1-lea-asks.eml"),
             str(DEMO_MAIL / "3-lea-applies.eml"))
    mailflow("-C", str(program), "run", "--once")
    shown = mailflow("-C", str(program), "show", "Léa").stdout
    assert "lea.gagnon@example.com" in shown and "status: applicant" in shown
    assert "self_identification: yes (private: never shared)" in shown
    assert "applied" in shown


def test_review_lists_what_could_not_be_understood_with_the_reason(program, tmp_path):
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"From: x@example.org\r\nTo: mentorship@northlake.example.org\r\n"
                      b"Subject: \r\nMessage-ID: <e@example.org>\r\n\r\n")
    mailflow("-C", str(program), "deliver", str(empty))
    mailflow("-C", str(program), "run", "--once")
    listed = mailflow("-C", str(program), "review").stdout
    assert "x@example.org" in listed and "empty" in listed
