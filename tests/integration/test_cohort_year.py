"""The cohort preset end to end on the real servers, over its calendar, with an injected clock."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from mailflow.commands.init import init_program
from mailflow.commands.roster import import_csv
from mailflow.commands.selection import select
from mailflow.daemon import Daemon
from mailflow.program import participants
from mailflow.runtime import open_program
from tests.integration.presets import Clock, mails_to, step
from tests.integration.program import PASSWORD_ENV
from tests.program.year import ZONE

COORDINATOR = "claire.dubois@northlake.example.org"
MENTORS = ("name,email,expertise,capacity,languages\n"
           "Sofia Rossi,sofia.rossi@example.org,natural language processing,1,English\n"
           "Chen Wei,chen.wei@example.com,computer vision,1,English\n"
           "José Martínez,jose.martinez@example.es,robotics,1,\"Spanish, English\"\n")


@pytest.fixture
def cohort(tmp_path, dovecot, smtp_server, monkeypatch):
    root = tmp_path / "cohort"
    init_program(root)
    config = root / "config.yaml"
    config.write_text(config.read_text() + f"""
mailbox:
  imap: {{host: {dovecot.host}, port: {dovecot.port}, username: {dovecot.user},
         password_env: {PASSWORD_ENV}, security: none}}
  authserv_id: mx.northlake.example.org
outbox:
  smtp: {{host: {smtp_server.host}, port: {smtp_server.port}, security: none}}
  rate_per_minute: 100000
""")
    (root / "guide.md").write_text("# The Northlake mentoring guide\n\nMeet monthly.\n")
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    program = open_program(root)
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=ZONE))
    daemon = Daemon(program, clock=clock)
    daemon.source.connect()
    yield program, daemon, clock
    daemon.source.close()
    program.close()
    shutil.rmtree(root, ignore_errors=True)


def reply_to(message) -> str:
    return message["Reply-To"].addresses[0].addr_spec


def mail(sender: str, to: str, subject: str, body: str, msg_id: str,
         in_reply_to: str = "", extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{msg_id}@example.org>\r\n"
            + (f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else "") + extra
            + "Date: Tue, 01 Dec 2026 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + body.replace("\n", "\r\n")).encode("utf-8")


APPLICANTS = {
    "lea.gagnon@example.com": ("Léa Gagnon", "yes"),
    "noah.smith@example.com": ("Noah Smith", "no"),
    "ana.garcia@example.com": ("Ana García", "no"),
}


def apply_all(cohort, dovecot, smtp) -> None:
    program, daemon, clock = cohort
    for i, (address, (name, _group)) in enumerate(APPLICANTS.items()):
        dovecot.append(mail(f"{name} <{address}>", program.config.address, "Mentorship",
                            "Hello, how do I apply?", f"ask{i}"))
    step(daemon, clock)
    for i, (address, (name, group)) in enumerate(APPLICANTS.items()):
        [form] = mails_to(smtp, address)
        goals = "" if address.startswith("ana") else "Goals: plan my career\n"
        dovecot.append(mail(f"{name} <{address}>", reply_to(form), "Re: " + form["Subject"],
                            f"Role: mentee\nFull name: {name}\nAffiliation: Northlake\n{goals}"
                            f"Self-identification: {group}\n", f"form{i}",
                            in_reply_to=form["Message-ID"]))
    step(daemon, clock)


def test_a_cohort_runs_from_applications_to_the_end(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    smtp = smtp_server
    apply_all(cohort, dovecot, smtp)
    assert "One more step" in mails_to(smtp, "ana.garcia@example.com")[-1]["Subject"]

    # A week before applications close, Ana (incomplete) is reminded; the others are not.
    step(daemon, clock, datetime(2026, 12, 24, 9, 0, tzinfo=ZONE))
    assert len(mails_to(smtp, "ana.garcia@example.com")) == 3
    assert len(mails_to(smtp, "lea.gagnon@example.com")) == 2
    [reminder] = mails_to(smtp, "ana.garcia@example.com")[-1:]
    dovecot.append(mail("Ana García <ana.garcia@example.com>", reply_to(reminder),
                        "Re: reminder", "Goals: learn to lead a lab\n", "ana-goals",
                        in_reply_to=reminder["Message-ID"]))
    step(daemon, clock)

    # The draw: two places, one reserved for the group (Léa said yes).
    clock.now = datetime(2027, 1, 20, 9, 0, tzinfo=ZONE)
    draw = select(program, places=2, reserved=1, seed="northlake-2027", now=clock.now)
    assert "lea.gagnon@example.com" in draw.selected and len(draw.waitlist) == 1
    step(daemon, clock)
    waitlisted = draw.waitlist[0]
    assert mails_to(smtp, waitlisted)[-1]["Subject"].endswith(": waiting list")
    selected = draw.selected

    # Training invitation with the calendar event; choices invitation after the session.
    step(daemon, clock, datetime(2027, 1, 25, 14, 0, tzinfo=ZONE))
    invitation = mails_to(smtp, selected[0])[-1]
    assert any(p.get_content_type() == "text/calendar" for p in invitation.iter_attachments())
    step(daemon, clock, datetime(2027, 2, 8, 16, 0, tzinfo=ZONE))
    choices = {a: mails_to(smtp, a)[-1] for a in selected}
    assert all("Sofia Rossi" in m.get_body(("plain",)).get_content() for m in choices.values())
    first = {selected[0]: "1. Sofia Rossi\n2. Chen Wei\n3. José Martínez",
             selected[1]: "1. Sofia Rossi\n2. Jose Martinez\n3. Chen Wei"}
    for i, address in enumerate(selected):
        dovecot.append(mail(f"{APPLICANTS[address][0]} <{address}>", reply_to(choices[address]),
                            "Re: " + choices[address]["Subject"], first[address], f"ch{i}",
                            in_reply_to=choices[address]["Message-ID"]))
    step(daemon, clock, datetime(2027, 2, 9, 10, 0, tzinfo=ZONE))
    assert "1. Sofia Rossi" in mails_to(smtp, selected[0])[-1].get_body(("plain",)).get_content()

    # The matching goes to the coordinators; nobody is introduced before APPROVE.
    clock.now = datetime(2027, 2, 11, 9, 0, tzinfo=ZONE)
    proposal = program.pairing.propose(clock.now)
    step(daemon, clock)
    [proposal_mail] = mails_to(smtp, COORDINATOR)[-1:]
    assert any(p.get_filename().endswith(".csv") for p in proposal_mail.iter_attachments())
    assert participants.find(program.store, selected[0])["status"] == "selected"
    approve = mail(f"Claire Dubois <{COORDINATOR}>", reply_to(proposal_mail),
                   "Re: " + proposal_mail["Subject"], "APPROVE\n", "approve",
                   in_reply_to=proposal_mail["Message-ID"],
                   extra="Authentication-Results: mx.northlake.example.org; dkim=pass "
                         "header.d=northlake.example.org; dmarc=pass "
                         "header.from=northlake.example.org\r\n"
                         "Received: from out.northlake.example.org by mx.northlake.example.org"
                         " (Postfix) with ESMTPS id 1\r\n")
    dovecot.append(approve)
    step(daemon, clock)
    for mentee, mentor in proposal["pairs"]:
        for address in (mentee, mentor):
            intro = mails_to(smtp, address)[-1]
            assert "guide.md" in [p.get_filename() for p in intro.iter_attachments()]
            assert participants.find(program.store, address)["status"] == "introduced"
    [sofia_mentee] = [a for a, b in proposal["pairs"] if b == "sofia.rossi@example.org"]
    intro = mails_to(smtp, "sofia.rossi@example.org")[-1].get_body(("plain",)).get_content()
    assert APPLICANTS[sofia_mentee][0] in intro and "plan my career" in intro
    assert "identif" not in intro.lower()  # self-identification is never shared

    # A tip in March; the midpoint survey and its reminder only to those who did not answer.
    step(daemon, clock, datetime(2027, 3, 1, 9, 0, tzinfo=ZONE))
    assert mails_to(smtp, selected[0])[-1]["List-Unsubscribe"]
    # One click on the tip's List-Unsubscribe: the client mails STOP to the signed address
    # it names, with nothing else; one confirmation, and no optional mail after.
    tip = mails_to(smtp, selected[1])[-1]
    target = tip["List-Unsubscribe"].strip("<>").removeprefix("mailto:").split("?")[0]
    dovecot.append(mail(f"x <{selected[1]}>", target, "STOP", "", "unsubscribe-click"))
    step(daemon, clock, datetime(2027, 3, 1, 10, 0, tzinfo=ZONE))
    assert participants.find(program.store, selected[1])["opted_out"] is True
    confirmation = mails_to(smtp, selected[1])[-1]
    assert confirmation["In-Reply-To"] == "<unsubscribe-click@example.org>"
    tips_before = len(mails_to(smtp, selected[0])), len(mails_to(smtp, selected[1]))
    step(daemon, clock, datetime(2027, 4, 5, 9, 30, tzinfo=ZONE))
    assert len(mails_to(smtp, selected[0])) > tips_before[0]  # April's tip
    assert len(mails_to(smtp, selected[1])) == tips_before[1]
    step(daemon, clock, datetime(2027, 6, 1, 9, 0, tzinfo=ZONE))
    survey = mails_to(smtp, selected[0])[-1]
    dovecot.append(mail(f"x <{selected[0]}>", reply_to(survey), "Re: survey",
                        "1. 5\n2. Three times\n3. yes\n", "survey",
                        in_reply_to=survey["Message-ID"]))
    step(daemon, clock, datetime(2027, 6, 8, 9, 0, tzinfo=ZONE))
    assert "midpoint" in participants.find(program.store, selected[0])["surveys"]
    subjects = [m["Subject"] for m in mails_to(smtp, selected[1])]
    reminders_1 = [s for s in subjects if "remind" in s.lower() or "rappel" in s.lower()]
    assert reminders_1
    assert not [m for m in mails_to(smtp, selected[0])
                if m["Subject"] in reminders_1]

    # The end: the last mail, and everyone completed.
    step(daemon, clock, datetime(2027, 11, 30, 9, 0, tzinfo=ZONE))
    for mentee, _mentor in proposal["pairs"]:
        assert participants.find(program.store, mentee)["status"] == "completed"
    # Nobody got the same mail twice.
    keys = [i.key for i in program.outbox.items.values()]
    assert len(keys) == len(set(keys))
    assert all(i.state == "sent" for i in program.outbox.items.values())
