"""What waits for review reaches the coordinators in one notice an hour, and a verified
coordinator settles each item by replying to it (real Dovecot and SMTP server)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from email.utils import format_datetime

import pytest

from mailflow.commands.roster import import_csv
from mailflow.program import participants
from mailflow.program.coordination import review
from mailflow.program.coordination.views import review_text
from mailflow.program.digest import build_digest
from mailflow.runtime import Program
from tests.integration.presets import at, mails_to, preset_program, reply, start, step, verified
from tests.integration.program import ROOT

COORDINATOR = "claire.dubois@northlake.example.org"
CLAIRE = f"Claire Dubois <{COORDINATOR}>"
DOMAIN = "northlake.example.org"
PROGRAM = "mentorship@northlake.example.org"
LEA, OMAR = "lea@example.com", "omar@example.com"
CHEN, SOFIA = "chen.wei@example.net", "sofia.rossi@example.net"
NOT_VERIFIED = (f"Authentication-Results: mx.test.example; dkim=none; "
                f"dmarc=fail header.from={DOMAIN}\r\n"
                "Received: from laptop.example (unknown [198.51.100.7]) by mx.test.example "
                "(Postfix) with ESMTP id 9Q\r\n")


@pytest.fixture
def cohort(tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / "cohort", "cohort", dovecot, smtp_server, monkeypatch)
    (tmp_path / "mentees.csv").write_text(
        "name,email,language\nLéa Gagnon,lea@example.com,en\nOmar Haddad,omar@example.com,en\n",
        encoding="utf-8")
    (tmp_path / "mentors.csv").write_text(
        "name,email,language\nChen Wei,chen.wei@example.net,en\n"
        "Sofia Rossi,sofia.rossi@example.net,en\n", encoding="utf-8")
    import_csv(program, "mentee", tmp_path / "mentees.csv")
    import_csv(program, "mentor", tmp_path / "mentors.csv")
    daemon, clock = start(program, at(2027, 1, 20, 10))
    yield program, daemon, clock
    daemon.source.close()
    program.close()


def written(name: str, sender: str, body: str, msg_id: str, when,
            subject: str = "A question") -> bytes:
    """A participant's own mail to the program, as a plain client writes it."""
    return (f"From: {name} <{sender}>\r\nTo: {PROGRAM}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{msg_id}@example.com>\r\nDate: {format_datetime(when)}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + body.replace("\n", "\r\n")
            ).encode("utf-8")


def notices(smtp_server) -> list:
    return [m for m in mails_to(smtp_server, COORDINATOR)
            if "Waiting for review" in m["Subject"]]


def receipts(smtp_server) -> list:
    return [m for m in mails_to(smtp_server, COORDINATOR) if m["Subject"].startswith("Re:")]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def answer(dovecot, daemon, clock, notice, body: str, msg_id: str,
           trust: str | None = None) -> None:
    """Claire replies to ``notice`` from her mail client, below our MX."""
    dovecot.append(reply(CLAIRE, notice, body + "\n\nClaire", msg_id,
                         extra=verified(DOMAIN) if trust is None else trust, when=clock.now))
    step(daemon, clock)


def only_item(program: Program) -> review.ReviewItem:
    [item] = review.items(program.store, include_resolved=True)
    return item


def under_item(notice_text: str, address: str, words: str) -> str:
    """The notice quoted whole, ``words`` written under the item from ``address``."""
    lines = ["> " + line for line in notice_text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("> [") and address in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("> [")),
               len(lines))
    return "\n".join(lines[:end] + words.splitlines() + lines[end:])


def send(dovecot, daemon, clock, raw: bytes) -> None:
    dovecot.append(raw)
    step(daemon, clock)


def test_two_concerns_within_an_hour_make_one_notice_with_two_items(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    dovecot.append(written("Omar Haddad", OMAR, "Could I change mentor please?", "q1",
                           clock.now))
    dovecot.append(written("Léa Gagnon", LEA, "Could someone call me about my mentor?", "q2",
                           clock.now))
    step(daemon, clock)
    [notice] = notices(smtp_server)
    body = text_of(notice)
    assert "[1]" in body and "[2]" in body and "[3]" not in body
    assert OMAR in body and LEA in body
    assert len(mails_to(smtp_server, OMAR)) == 1 and len(mails_to(smtp_server, LEA)) == 1

    clock.now += timedelta(minutes=10)
    send(dovecot, daemon, clock, written("Omar Haddad", OMAR, "Who do I ask about the "
                                         "training dates?", "q3", clock.now))
    assert len(notices(smtp_server)) == 1  # it waits for the next hour
    step(daemon, clock, at(2027, 1, 20, 11, 1))
    _first, second = notices(smtp_server)
    assert "[1]" in text_of(second) and "[2]" not in text_of(second)
    listed = [n.items for n in review.notices(program.store)]
    assert [len(items) for items in listed] == [2, 1]
    assert len({i for items in listed for i in items}) == 3  # each item in one notice


def test_apply_does_what_mailflow_proposed_and_resolves_the_item(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, written(
        "Léa Gagnon", LEA, "Role: mentor\nFull name: Léa Gagnon\nAffiliation: Lab\n"
        "Expertise: vision", "form-1", clock.now, subject="My application"))
    [notice] = notices(smtp_server)
    assert participants.find(program.store, LEA)["role"] == "mentee"

    answer(dovecot, daemon, clock, notice, "APPLY", "apply-1")
    assert participants.find(program.store, LEA)["role"] == "mentor"
    item = only_item(program)
    assert (item.resolved, item.resolved_by, item.resolution) == (True, COORDINATOR,
                                                                 "applied")
    [receipt] = receipts(smtp_server)
    assert receipt["In-Reply-To"] == "<apply-1@example.org>"
    assert "done" in text_of(receipt)


def test_choices_record_the_coordinator_s_reading_of_the_list(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, written("Léa Gagnon", LEA, "My choices: 1. Chen Wei",
                                         "choices-1", clock.now, subject="Choices"))
    [notice] = notices(smtp_server)
    answer(dovecot, daemon, clock, notice, "CHOICES 1 1. Chen Wei 2. Sofia Rossi", "ch-1")
    assert participants.find(program.store, LEA)["choices"] == [CHEN, SOFIA]
    assert only_item(program).resolution == f"choices: {CHEN}, {SOFIA}"


def test_meeting_records_whether_and_when_they_met(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, written("Omar Haddad", OMAR, "We met last Tuesday, it went "
                                         "well.", "met-1", clock.now, subject="Our meeting"))
    [notice] = notices(smtp_server)
    answer(dovecot, daemon, clock, notice, "MEETING 1 yes 2027-01-19", "meet-1")
    person = participants.find(program.store, OMAR)
    assert person["last_meeting"] == "2027-01-19"
    assert [m["met"] for m in person["meetings"]] == [True]


def test_ignore_resolves_the_item_and_review_lists_it_only_with_all(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, written("Omar Haddad", OMAR, "We met last Tuesday, it went "
                                         "well.", "met-2", clock.now, subject="Our meeting"))
    [notice] = notices(smtp_server)
    before = len(mails_to(smtp_server, OMAR))
    answer(dovecot, daemon, clock, notice, "IGNORER 1", "ignore-1")
    assert only_item(program).resolution == "ignored"
    assert "meetings" not in participants.find(program.store, OMAR)
    assert len(mails_to(smtp_server, OMAR)) == before
    services = program.handler.coordination.services
    assert review_text(services, clock.now) == "nothing waits for review"
    assert "by claire.dubois@northlake.example.org: ignored" in review_text(
        services, clock.now, include_resolved=True)
    assert "fait" in text_of(receipts(smtp_server)[0])


def test_mailflow_review_shows_open_items_with_their_age_and_all_shows_resolved(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    dovecot.append(written("Omar Haddad", OMAR, "We met last Tuesday.", "met-3", clock.now,
                           subject="Our meeting"))
    dovecot.append(written("Léa Gagnon", LEA, "We met last Monday.", "met-4", clock.now,
                           subject="Our meeting too"))
    step(daemon, clock)
    [notice] = notices(smtp_server)
    answer(dovecot, daemon, clock, notice, "IGNORE 1", "ignore-2")
    listed = cli(program, "review")
    assert "Our meeting too" in listed and "open, waiting" in listed
    assert "Our meeting  [" not in listed  # Omar's, resolved
    everything = cli(program, "review", "--all")
    assert "Our meeting  [" in everything and f"by {COORDINATOR}: ignored" in everything


def test_the_digest_lists_only_open_items_with_their_age(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    dovecot.append(written("Omar Haddad", OMAR, "We met last Tuesday.", "met-5", clock.now,
                           subject="Our meeting"))
    dovecot.append(written("Léa Gagnon", LEA, "We met last Monday.", "met-6", clock.now,
                           subject="Our meeting too"))
    step(daemon, clock)
    [notice] = notices(smtp_server)
    answer(dovecot, daemon, clock, notice, "IGNORE 1", "ignore-3")
    later = clock.now + timedelta(hours=5)
    digest = build_digest(program.store, program.outbox, later, lambda start, end: [])
    assert [(r["subject"], r["age"]) for r in digest["review"]] == [("Our meeting too", "5 h")]


def cli(program: Program, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program.config.root),
                           *args], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_text_under_an_item_reaches_the_participant_in_their_thread(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    dovecot.append(written("Omar Haddad", OMAR, "Could I change mentor please?", "q4",
                           clock.now))
    dovecot.append(written("Léa Gagnon", LEA, "Could someone call me about my mentor?", "q5",
                           clock.now))
    step(daemon, clock)
    [notice] = notices(smtp_server)
    body = under_item(text_of(notice), OMAR, "Dear Omar,\nyes: write to us with the reasons.")
    sent_before = len(mails_to(smtp_server, OMAR))
    answer(dovecot, daemon, clock, notice, body, "free-1")
    to_omar = mails_to(smtp_server, OMAR)[sent_before:]
    [program_answer] = to_omar
    assert "yes: write to us with the reasons." in text_of(program_answer)
    assert program_answer["In-Reply-To"] == "<q4@example.com>"
    resolved = [i for i in review.items(program.store, include_resolved=True) if i.resolved]
    assert [(i.sender, i.resolution) for i in resolved] == [(OMAR, "answered")]


def test_an_unverified_answer_does_nothing_and_waits_for_review(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, written("Omar Haddad", OMAR, "Could I change mentor please?",
                                         "q6", clock.now))
    [notice] = notices(smtp_server)
    sent_before = len(mails_to(smtp_server, OMAR))
    answer(dovecot, daemon, clock, notice, "Dear Omar, no.", "forged-1", trust=NOT_VERIFIED)
    assert len(mails_to(smtp_server, OMAR)) == sent_before
    assert receipts(smtp_server) == []
    waiting = review.items(program.store)
    assert [i.inbound is not None and not i.resolved for i in waiting] == [True, True]
    assert any("not verified" in p for i in waiting for p in i.problems)


def test_link_gives_the_probable_participant_the_sender_s_address(
        cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, written("Léa Gagnon", "lea.home@example.org",
                                         "We met last Tuesday.", "home-1", clock.now))
    [notice] = notices(smtp_server)
    answer(dovecot, daemon, clock, notice, "LINK 1", "link-1")
    assert participants.find(program.store, "lea.home@example.org")["email"] == LEA
    assert only_item(program).resolution == "linked"


def test_a_late_answer_still_settles_an_item_closed_as_expired(cohort, dovecot, smtp_server):
    program, daemon, clock = cohort
    send(dovecot, daemon, clock, written("Omar Haddad", OMAR, "We met last Tuesday, it went "
                                         "well.", "met-9", clock.now, subject="Our meeting"))
    [notice] = notices(smtp_server)
    clock.now += timedelta(days=61)
    assert review.close_unanswered(program.store, clock.now, 60) == 1
    assert only_item(program).resolution == review.EXPIRED

    answer(dovecot, daemon, clock, notice, "MEETING 1 yes 2027-01-19", "meet-9")
    assert participants.find(program.store, OMAR)["last_meeting"] == "2027-01-19"
    assert only_item(program).resolved_by == COORDINATOR
