"""A verified coordinator runs the program by mail: commands answered in the thread, once."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from email.utils import format_datetime

import pytest

from mailflow.commands.roster import import_csv
from mailflow.commands.selection import select
from mailflow.program import participants
from mailflow.program.coordination import review
from tests.integration.presets import at, mails_to, preset_program, reply, start, step, verified

COORDINATOR = "claire.dubois@northlake.example.org"
DOMAIN = "northlake.example.org"
PROGRAM = "mentorship@northlake.example.org"
LEA, OMAR, JULIE = "lea@example.com", "omar@example.com", "julie@example.com"
# Our server's verdict on mail that claims the coordinator's domain without its signature.
NOT_VERIFIED = (f"Authentication-Results: mx.test.example; dkim=none; "
                f"dmarc=fail header.from={DOMAIN}\r\n"
                "Received: from laptop.example (unknown [198.51.100.7]) by mx.test.example "
                "(Postfix) with ESMTP id 9Q\r\n")


@pytest.fixture
def cohort(tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / "cohort", "cohort", dovecot, smtp_server, monkeypatch)
    (tmp_path / "mentees.csv").write_text(
        "name,email,language\nLéa Gagnon,lea@example.com,fr\nOmar Haddad,omar@example.com,en\n"
        "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",julie@example.com,en\n",
        encoding="utf-8")
    import_csv(program, "mentee", tmp_path / "mentees.csv")
    daemon, clock = start(program, at(2027, 1, 20, 10))
    yield program, daemon, clock
    daemon.source.close()
    program.close()


def command(body: str, msg_id: str, when, subject: str = "Commands",
            trust: str | None = None) -> bytes:
    """A coordinator's own mail to the program, as their client writes it, below our MX."""
    return ((verified(DOMAIN) if trust is None else trust)
            + f"From: Claire Dubois <{COORDINATOR}>\r\nTo: {PROGRAM}\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{msg_id}@{DOMAIN}>\r\n"
            f"Date: {format_datetime(when)}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + body.replace("\n", "\r\n") + "\r\n\r\nClaire\r\n").encode("utf-8")


def receipts(smtp_server) -> list:
    return [m for m in mails_to(smtp_server, COORDINATOR) if m["Subject"].startswith("Re:")]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def send(dovecot, daemon, clock, raw: bytes) -> None:
    dovecot.append(raw)
    step(daemon, clock)


def test_help_is_answered_in_the_thread_with_every_command(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("HELP", "help-1", clock.now))
    [answer] = receipts(smtp_server)
    assert answer["In-Reply-To"] == f"<help-1@{DOMAIN}>"
    body = text_of(answer)
    for usage in ("STATUS", "SHOW person", "EXPORT participants|pairs", "WITHDRAW person",
                  "PAUSE person", "PROPOSE mentee -> mentor"):
        assert usage in body


def test_aide_is_answered_in_french(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("aide", "aide-1", clock.now))
    [answer] = receipts(smtp_server)
    assert "RETIRER personne" in text_of(answer) and "Bonjour" in text_of(answer)


def test_status_reports_the_participants(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("Status", "status-1", clock.now))
    [answer] = receipts(smtp_server)
    assert "participants: 3" in text_of(answer)
    assert "mentee / applicant: 3" in text_of(answer)


def test_show_finds_a_person_by_a_name_written_without_accents(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("SHOW lea gagnon", "show-1", clock.now))
    [answer] = receipts(smtp_server)
    assert f"Léa Gagnon <{LEA}>" in text_of(answer) and "timeline:" in text_of(answer)


def test_show_of_an_ambiguous_name_lists_the_candidates(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("SHOW a", "show-2", clock.now))
    body = text_of(receipts(smtp_server)[0])
    assert "NOT DONE" in body and LEA in body and OMAR in body


def test_export_attaches_a_csv_whose_cells_a_spreadsheet_will_not_run(
        cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("EXPORT participants", "export-1", clock.now))
    [answer] = receipts(smtp_server)
    [attachment] = list(answer.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
    assert {r["email"] for r in rows} == {LEA, OMAR, JULIE}
    [julie] = [r for r in rows if r["email"] == JULIE]
    assert julie["name"].startswith("'=")


def test_pause_then_resume_change_the_named_persons_mail(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("PAUSE Omar until 2027-05-01", "pause-1", clock.now))
    assert participants.find(program.store, OMAR)["paused_until"] == "2027-05-01"
    send(dovecot, daemon, clock, command("RESUME omar@example.com", "resume-1", clock.now))
    assert participants.find(program.store, OMAR)["paused_until"] is None
    assert [("done" in text_of(m)) for m in receipts(smtp_server)] == [True, True]


def test_several_commands_in_one_mail_run_in_order_each_reported(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("PAUSE Omar\nSHOW Omar\nFROBNICATE", "many-1",
                                         clock.now))
    [answer] = receipts(smtp_server)
    body = text_of(answer)
    assert body.index("> PAUSE Omar") < body.index("> SHOW Omar") < body.index("> FROBNICATE")
    assert "paused_until: 9999-12-31" in body  # SHOW ran after PAUSE
    assert "unknown command" in body and "WITHDRAW person" in body  # and the help


def test_a_redelivered_command_runs_and_answers_once(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    raw = command("PAUSE Omar until 2027-05-01", "again-1", clock.now)
    send(dovecot, daemon, clock, raw)
    send(dovecot, daemon, clock, command("RESUME Omar", "again-2", clock.now))
    send(dovecot, daemon, clock, raw)
    assert participants.find(program.store, OMAR)["paused_until"] is None
    assert len(receipts(smtp_server)) == 2


def test_withdraw_previews_then_acts_on_confirm_and_only_once(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    draw = select(program, places=2, reserved=0, seed="mail-commands", now=clock.now)
    step(daemon, clock)
    leaving, [waiting] = draw.selected[0], draw.waitlist
    send(dovecot, daemon, clock, command(f"WITHDRAW {leaving}", "withdraw-1", clock.now))
    [preview] = receipts(smtp_server)
    assert "PREVIEW" in text_of(preview) and waiting in text_of(preview)
    assert participants.find(program.store, leaving)["status"] == "selected"
    before = len(mails_to(smtp_server, waiting))

    dovecot.append(reply(f"Claire Dubois <{COORDINATOR}>", preview, "CONFIRM", "confirm-1",
                         extra=verified(DOMAIN), when=clock.now))
    step(daemon, clock)
    assert participants.find(program.store, leaving)["status"] == "withdrawn"
    assert participants.find(program.store, waiting)["status"] == "selected"
    assert len(mails_to(smtp_server, waiting)) == before + 1

    dovecot.append(reply(f"Claire Dubois <{COORDINATOR}>", preview, "CONFIRM", "confirm-2",
                         extra=verified(DOMAIN), when=clock.now))
    step(daemon, clock)
    assert len(mails_to(smtp_server, waiting)) == before + 1
    assert "already confirmed" in text_of(receipts(smtp_server)[-1])


def test_confirm_after_seven_days_does_nothing(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    draw = select(program, places=2, reserved=0, seed="mail-commands", now=clock.now)
    leaving = draw.selected[0]
    send(dovecot, daemon, clock, command(f"WITHDRAW {leaving}", "withdraw-2", clock.now))
    [preview] = receipts(smtp_server)
    clock.now = at(2027, 1, 28, 11)
    dovecot.append(reply(f"Claire Dubois <{COORDINATOR}>", preview, "CONFIRM", "late-1",
                         extra=verified(DOMAIN), when=clock.now))
    step(daemon, clock)
    assert participants.find(program.store, leaving)["status"] == "selected"
    assert "more than 7 days" in text_of(receipts(smtp_server)[-1])


def test_an_unverified_command_does_nothing_and_the_coordinators_read_it_in_one_notice(
        cohort, dovecot, smtp_server):
    # Was: one "not verified" alert a day. Forged commands now wait in review like any
    # message read without certainty, and the coordinators read them in the batched
    # notice: at most one mail an hour, each forged command listed once.
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("PAUSE Omar until 2027-05-01", "forged-1", clock.now,
                                         trust=NOT_VERIFIED))
    send(dovecot, daemon, clock, command("EXPORT participants", "forged-2", clock.now,
                                         trust=NOT_VERIFIED))
    assert participants.find(program.store, OMAR).get("paused_until") is None
    to_coordinator = mails_to(smtp_server, COORDINATOR)
    assert not any(list(m.iter_attachments()) for m in to_coordinator)
    assert receipts(smtp_server) == []
    [notice] = to_coordinator
    assert "Waiting for review: 1 item" in notice["Subject"]
    assert "not verified" in text_of(notice) and "PAUSE Omar" in text_of(notice)
    waiting = review.items(program.store)
    assert [i.notice for i in waiting] == [1, None]  # the second waits for the next hour

    step(daemon, clock, clock.now + timedelta(hours=1))
    later = mails_to(smtp_server, COORDINATOR)[1:]
    assert [m["Subject"].endswith("1 item (notice 2)") for m in later] == [True]
    assert "EXPORT participants" in text_of(later[0])
    assert not any(list(m.iter_attachments()) for m in later)



def test_review_lists_the_messages_waiting_for_a_person_with_their_reasons(
        cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("PAUSE Omar", "forged-3", clock.now, trust=NOT_VERIFIED))
    send(dovecot, daemon, clock, command("REVIEW", "review-1", clock.now))
    [answer] = receipts(smtp_server)
    assert "not verified" in text_of(answer) and COORDINATOR in text_of(answer)


def test_plan_lists_the_mail_the_rules_will_send_in_the_days_asked(cohort, dovecot, smtp_server):
    _program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("PLAN 5", "plan-1", clock.now))
    send(dovecot, daemon, clock, command("PLAN 30", "plan-2", clock.now))
    short, month = (text_of(m) for m in receipts(smtp_server))
    assert "2027-01-25" in short and "2027-02-15" not in short
    assert "2027-01-25" in month and "2027-02-15" in month


def test_link_makes_mail_from_a_second_address_the_persons(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, command("LINK Omar omar.h@work.example", "link-1", clock.now))
    assert participants.find(program.store, "omar.h@work.example")["email"] == OMAR
    assert "omar.h@work.example" in text_of(receipts(smtp_server)[0])


def test_propose_in_a_program_with_no_rule_to_ask_the_mentor_is_refused_saying_why(
        cohort, dovecot, smtp_server, tmp_path):
    program, daemon, clock = cohort
    select(program, places=3, reserved=0, seed="mail-commands", now=clock.now)
    (tmp_path / "mentors.csv").write_text("name,email,language\nChen Wei,chen@example.org,en\n",
                                          encoding="utf-8")
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    step(daemon, clock)
    send(dovecot, daemon, clock, command("PROPOSE Omar -> Chen Wei", "propose-1", clock.now))
    assert "use MATCH" in text_of(receipts(smtp_server)[-1])
    assert participants.find(program.store, OMAR)["status"] == "selected"


def test_propose_in_a_rolling_program_asks_the_mentor_yes_or_no(tmp_path, dovecot, smtp_server,
                                                                monkeypatch):
    program = preset_program(tmp_path / "rolling", "rolling", dovecot, smtp_server, monkeypatch)
    (tmp_path / "mentees.csv").write_text("name,email,language\nOmar Haddad,omar@example.com,en\n",
                                          encoding="utf-8")
    (tmp_path / "mentors.csv").write_text("name,email,language\nChen Wei,chen@example.org,en\n",
                                          encoding="utf-8")
    import_csv(program, "mentee", tmp_path / "mentees.csv")
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    daemon, clock = start(program, at(2027, 3, 1, 10))
    try:
        select(program, places=1, reserved=0, seed="mail-commands", now=clock.now)
        step(daemon, clock)
        society = "northlake-society.example.org"
        raw = command("PROPOSE Omar -> Chen Wei", "propose-2", clock.now, trust=verified(society))
        send(dovecot, daemon, clock, raw.replace(DOMAIN.encode(), society.encode()))
        [receipt] = [m for m in mails_to(smtp_server, f"claire.dubois@{society}")
                     if m["Subject"].startswith("Re:")]
        assert "asked YES or NO" in text_of(receipt)
        step(daemon, clock, clock.now + timedelta(minutes=5))
        assert participants.find(program.store, OMAR)["mentor"] == "chen@example.org"
        assert any("Omar" in text_of(m) for m in mails_to(smtp_server, "chen@example.org"))
    finally:
        daemon.source.close()
        program.close()
