"""IMPORT, SELECT and MATCH by mail: a preview first, CONFIRM carries out exactly it, once."""

from __future__ import annotations

import base64
from datetime import timedelta
from email.utils import format_datetime

import pytest

from mailflow.commands.roster import import_csv
from mailflow.program import participants
from mailflow.program.coordination import review
from tests.integration.presets import at, mails_to, preset_program, reply, start, step, verified
from tests.integration.test_mail_commands import (
    COORDINATOR,
    DOMAIN,
    NOT_VERIFIED,
    PROGRAM,
    command,
    receipts,
    send,
    text_of,
)

SOFIA, CHEN = "sofia.rossi@example.org", "chen.wei@example.com"
LEA, OMAR, JULIE = "lea@example.com", "omar@example.com", "julie@example.com"
MENTORS = ("name,email,expertise,capacity\r\n"
           "Sofia Rossi,sofia.rossi@example.org,natural language processing,2\r\n"
           "Chen Wei,chen.wei@example.com,computer vision,2\r\n")


@pytest.fixture
def cohort(tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / "cohort", "cohort", dovecot, smtp_server, monkeypatch)
    (tmp_path / "mentees.csv").write_text(
        "name,email,language\nLéa Gagnon,lea@example.com,fr\nOmar Haddad,omar@example.com,en\n"
        "Julie Martin,julie@example.com,en\n", encoding="utf-8")
    import_csv(program, "mentee", tmp_path / "mentees.csv")
    daemon, clock = start(program, at(2027, 1, 20, 10))
    yield program, daemon, clock
    daemon.source.close()
    program.close()


def with_csv(body: str, msg_id: str, when, csv_text: str, name: str = "mentors.csv",
             trust: str | None = None, in_reply_to=None) -> bytes:
    """A coordinator's mail with a spreadsheet's CSV attached, as Thunderbird writes it."""
    head = ((verified(DOMAIN) if trust is None else trust)
            + f"From: Claire Dubois <{COORDINATOR}>\r\n")
    if in_reply_to is None:
        head += f"To: {PROGRAM}\r\nSubject: Mentors\r\n"
    else:
        head += (f"To: {in_reply_to['Reply-To'].addresses[0].addr_spec}\r\n"
                 f"Subject: Re: {in_reply_to['Subject']}\r\n"
                 f"In-Reply-To: {in_reply_to['Message-ID']}\r\n")
    data = base64.encodebytes(csv_text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    return (head + f"Message-ID: <{msg_id}@{DOMAIN}>\r\nDate: {format_datetime(when)}\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="------------0Xk2c9"\r\n\r\n'
            "This is a multi-part message in MIME format.\r\n--------------0Xk2c9\r\n"
            "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            + body.replace("\n", "\r\n") + "\r\n\r\nClaire\r\n\r\n--------------0Xk2c9\r\n"
            f'Content-Type: text/csv; charset=UTF-8; name="{name}"\r\n'
            f'Content-Disposition: attachment; filename="{name}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n" + data
            + "\r\n--------------0Xk2c9--\r\n").encode("utf-8")


def confirm(dovecot, daemon, clock, preview, msg_id: str) -> None:
    dovecot.append(reply(f"Claire Dubois <{COORDINATOR}>", preview, "CONFIRM", msg_id,
                         extra=verified(DOMAIN), when=clock.now))
    step(daemon, clock)


def test_import_previews_who_would_be_added_and_imports_nothing_yet(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, with_csv("IMPORT mentors", "imp-1", clock.now, MENTORS))
    [preview] = receipts(smtp_server)
    body = text_of(preview)
    assert "PREVIEW" in body and "would be added (2)" in body
    assert f"Sofia Rossi <{SOFIA}>" in body and f"Chen Wei <{CHEN}>" in body
    assert "CONFIRM" in preview["Subject"]
    assert participants.find(program.store, SOFIA) is None


def test_import_confirmed_imports_the_previewed_file_and_reports_it(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, with_csv("IMPORT mentors", "imp-2", clock.now, MENTORS))
    [preview] = receipts(smtp_server)
    confirm(dovecot, daemon, clock, preview, "imp-2-ok")
    sofia = participants.find(program.store, SOFIA)
    assert (sofia["role"], sofia["status"]) == ("mentor", "selected")
    assert sofia["fields"]["expertise"] == "natural language processing"
    report = text_of(receipts(smtp_server)[-1])
    assert "2 mentors imported from mentors.csv" in report and "added (2)" in report


def test_import_confirmed_with_another_file_attached_imports_the_previewed_one(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, with_csv("IMPORT mentors", "imp-3", clock.now, MENTORS))
    [preview] = receipts(smtp_server)
    send(dovecot, daemon, clock, with_csv(
        "CONFIRM", "imp-3-ok", clock.now, "name,email\nMallory,mallory@example.net\n",
        in_reply_to=preview))
    assert participants.find(program.store, SOFIA) is not None
    assert participants.find(program.store, "mallory@example.net") is None


def test_import_confirmed_twice_imports_once(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, with_csv("IMPORT mentors", "imp-4", clock.now, MENTORS))
    [preview] = receipts(smtp_server)
    confirm(dovecot, daemon, clock, preview, "imp-4-a")
    confirm(dovecot, daemon, clock, preview, "imp-4-b")
    imported = [e for e in program.store.table("events").all()
                if e["participant"] == SOFIA and e["type"] == "imported"]
    assert len(imported) == 1
    assert "already confirmed" in text_of(receipts(smtp_server)[-1])


def test_import_confirmed_after_seven_days_does_nothing(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, with_csv("IMPORT mentors", "imp-5", clock.now, MENTORS))
    [preview] = receipts(smtp_server)
    clock.now = clock.now + timedelta(days=7, hours=1)
    confirm(dovecot, daemon, clock, preview, "imp-5-late")
    assert participants.find(program.store, SOFIA) is None
    assert "more than 7 days" in text_of(receipts(smtp_server)[-1])


def test_import_of_a_file_with_an_error_imports_nothing_and_names_the_error(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    bad = MENTORS + "Ana Bell,ana.bell(at)example.org,robotics,1\r\n"
    send(dovecot, daemon, clock, with_csv("IMPORT mentors", "imp-6", clock.now, bad))
    [answer] = receipts(smtp_server)
    body = text_of(answer)
    assert "NOT DONE" in body and "nothing imported" in body
    assert "mentors.csv: line 4, column email: bad address 'ana.bell(at)example.org'" in body
    assert "fix:" in body and "CONFIRM" not in answer["Subject"]
    assert participants.find(program.store, SOFIA) is None


def test_import_without_a_csv_attached_says_so(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("IMPORT mentors", "imp-7", clock.now))
    body = text_of(receipts(smtp_server)[0])
    assert "NOT DONE" in body and "attach exactly one CSV file (found 0)" in body


def test_importer_in_french_is_answered_in_french(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, with_csv("IMPORTER mentors", "imp-8", clock.now, MENTORS))
    body = text_of(receipts(smtp_server)[0])
    assert "APERÇU" in body and "seraient ajouté(e)s (2)" in body


def test_a_forged_import_does_nothing_and_waits_for_review(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, with_csv("IMPORT mentors", "imp-9", clock.now, MENTORS,
                                          trust=NOT_VERIFIED))
    assert participants.find(program.store, SOFIA) is None
    assert receipts(smtp_server) == []
    assert len(review.items(program.store)) == 1


@pytest.mark.parametrize("line", ["SELECT", "SELECT spring 0", "IMPORT everyone",
                                  "MATCH everyone"])
def test_a_malformed_bulk_command_is_answered_with_the_help(line, cohort, dovecot,
                                                            smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command(line, "bad-1", clock.now))
    body = text_of(receipts(smtp_server)[0])
    assert "NOT DONE" in body and "SELECT seed places [reserved]" in body
    assert "IMPORT mentors|mentees" in body and "MATCH [group]" in body


def test_select_previews_who_is_selected_and_waitlisted_and_tells_nobody_yet(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("SELECT spring-2027 2", "sel-1", clock.now))
    [preview] = receipts(smtp_server)
    body = text_of(preview)
    assert "selected (mail: selection_selected) (2)" in body
    assert "waitlisted (mail: selection_waitlisted, with their position) (1)" in body
    assert all(address in body for address in (LEA, OMAR, JULIE))
    assert {participants.find(program.store, a)["status"] for a in (LEA, OMAR, JULIE)} == {
        "applicant"}
    assert all(mails_to(smtp_server, a) == [] for a in (LEA, OMAR, JULIE))


def test_select_confirmed_runs_the_previewed_draw_and_mails_everyone_once(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("SELECT spring-2027 2", "sel-2", clock.now))
    [preview] = receipts(smtp_server)
    body = text_of(preview)
    confirm(dovecot, daemon, clock, preview, "sel-2-a")
    confirm(dovecot, daemon, clock, preview, "sel-2-b")
    states = {a: participants.find(program.store, a)["status"] for a in (LEA, OMAR, JULIE)}
    assert sorted(states.values()) == ["selected", "selected", "waitlisted"]
    [waiting] = [a for a, s in states.items() if s == "waitlisted"]
    assert f"1. {participants.find(program.store, waiting)['name']} <{waiting}>" in body
    assert [len(mails_to(smtp_server, a)) for a in (LEA, OMAR, JULIE)] == [1, 1, 1]
    assert mails_to(smtp_server, waiting)[0]["Subject"].endswith(
        (": waiting list", ": liste d'attente"))
    assert len(program.store.table("draws").all()) == 1


def test_select_confirmed_after_the_applicants_changed_does_nothing(
        cohort, dovecot, smtp_server, tmp_path):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("SELECT spring-2027 2", "sel-3", clock.now))
    [preview] = receipts(smtp_server)
    (tmp_path / "late.csv").write_text("name,email\nNoah Smith,noah@example.com\n")
    import_csv(program, "mentee", tmp_path / "late.csv")
    confirm(dovecot, daemon, clock, preview, "sel-3-ok")
    assert participants.find(program.store, LEA)["status"] == "applicant"
    assert "the applicants changed since the preview" in text_of(receipts(smtp_server)[-1])


def test_a_forged_select_does_nothing(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("SELECT spring-2027 2", "sel-4", clock.now,
                                         trust=NOT_VERIFIED))
    assert participants.find(program.store, LEA)["status"] == "applicant"
    assert receipts(smtp_server) == [] and program.store.table(
        "command_previews").all() == []


def _matched_cohort(program, daemon, clock, dovecot, smtp_server, tmp_path) -> None:
    """Mentors imported, everyone selected: ready for MATCH."""
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    send(dovecot, daemon, clock, command("SELECT spring-2027 3", "m-sel", clock.now))
    confirm(dovecot, daemon, clock, receipts(smtp_server)[-1], "m-sel-ok")
    assert participants.find(program.store, LEA)["status"] == "selected"


def _proposal_mail(smtp_server):
    return [m for m in mails_to(smtp_server, COORDINATOR)
            if not m["Subject"].startswith("Re:")][-1]


def _approve(dovecot, daemon, clock, proposal_mail, msg_id: str, body: str = "APPROVE") -> None:
    dovecot.append(reply(f"Claire Dubois <{COORDINATOR}>", proposal_mail, body, msg_id,
                         extra=verified(DOMAIN), when=clock.now))
    step(daemon, clock)


def test_match_mails_the_proposal_and_its_approval_previews_the_introductions(
        cohort, dovecot, smtp_server, tmp_path):
    program, daemon, clock = cohort
    _matched_cohort(program, daemon, clock, dovecot, smtp_server, tmp_path)
    send(dovecot, daemon, clock, command("MATCH", "match-1", clock.now))
    assert "mailed to the coordinators: 3 pairs" in text_of(receipts(smtp_server)[-1])
    proposal_mail = _proposal_mail(smtp_server)
    assert any(p.get_filename().endswith(".csv") for p in proposal_mail.iter_attachments())
    _approve(dovecot, daemon, clock, proposal_mail, "match-1-approve")
    preview = receipts(smtp_server)[-1]
    body = text_of(preview)
    assert "PREVIEW" in body and "introductions (3)" in body
    assert f"Léa Gagnon <{LEA}> and" in body and "each gets introduction" in body
    assert participants.find(program.store, LEA)["status"] == "selected"
    assert mails_to(smtp_server, SOFIA) == []  # no introduction before CONFIRM


def test_match_approval_confirmed_introduces_every_pair_once(
        cohort, dovecot, smtp_server, tmp_path):
    program, daemon, clock = cohort
    _matched_cohort(program, daemon, clock, dovecot, smtp_server, tmp_path)
    send(dovecot, daemon, clock, command("MATCH", "match-2", clock.now))
    _approve(dovecot, daemon, clock, _proposal_mail(smtp_server), "match-2-approve")
    preview = receipts(smtp_server)[-1]
    confirm(dovecot, daemon, clock, preview, "match-2-a")
    confirm(dovecot, daemon, clock, preview, "match-2-b")
    for mentee in (LEA, OMAR, JULIE):
        assert participants.find(program.store, mentee)["status"] == "introduced"
        mentor = participants.find(program.store,
                                   participants.find(program.store, mentee)["mentor"])
        intros = [m for m in mails_to(smtp_server, mentee) if mentor["name"] in m["Subject"]]
        assert len(intros) == 1
    assert "pairs made" in text_of(receipts(smtp_server)[-2])
    assert "already confirmed" in text_of(receipts(smtp_server)[-1])


def test_apparier_in_french_is_answered_in_french(cohort, dovecot, smtp_server, tmp_path):
    program, daemon, clock = cohort
    _matched_cohort(program, daemon, clock, dovecot, smtp_server, tmp_path)
    send(dovecot, daemon, clock, command("APPARIER", "match-3", clock.now))
    assert "proposition" in text_of(receipts(smtp_server)[-1])


def test_a_forged_match_proposes_nothing(cohort, dovecot, smtp_server, tmp_path):
    program, daemon, clock = cohort
    _matched_cohort(program, daemon, clock, dovecot, smtp_server, tmp_path)
    send(dovecot, daemon, clock, command("MATCH", "match-4", clock.now, trust=NOT_VERIFIED))
    assert program.store.table("proposals").all() == []
    assert not any("MATCH" in text_of(m) for m in receipts(smtp_server))
