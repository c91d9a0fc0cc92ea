"""The three presets: each is a working program, and the rolling one runs its proposals by mail."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from mailflow.commands.check import check
from mailflow.commands.init import init_program
from mailflow.outbound.compose import bounce_address
from mailflow.outbound.mailer import Recipient
from mailflow.program import participants
from mailflow.reply_tokens import make_token
from mailflow.runtime import open_program
from tests.program.year import ZONE

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=ZONE)
MENTOR, MENTEE = "chen.wei@example.com", "lea.gagnon@example.com"


@pytest.mark.parametrize("preset", ["cohort", "conference", "rolling"])
def test_each_preset_is_a_valid_program_with_a_guide_in_each_language(tmp_path, preset):
    init_program(tmp_path / preset, preset)
    program = open_program(tmp_path / preset)
    program.close()
    for language in ("en", "fr"):
        assert (tmp_path / preset / f"guide.{language}.md").stat().st_size > 1000
    assert check(tmp_path / preset) == 0  # every text exists in English and French


def pair(program, status: str = "selected") -> None:
    with program.store.transaction():
        for email, role, name in ((MENTOR, "mentor", "Chen Wei"),
                                  (MENTEE, "mentee", "Léa Gagnon")):
            participants.insert(program.store, {
                "email": email, "name": name, "role": role, "status": status,
                "language": "en", "fields": {"goals": "a research career",
                                             "self_identification": "yes"}})


def test_the_conference_plans_a_reminder_and_a_check_for_each_of_the_three_meetings(tmp_path):
    init_program(tmp_path / "c", "conference")
    program = open_program(tmp_path / "c")
    pair(program)
    with program.store.transaction():
        for email in (MENTOR, MENTEE):
            participants.set_fields(program.store, email, {"status": "matched"}, "t", "x")
            participants.set_fields(program.store, email, {"status": "introduced"}, "t", "x")
    rows = program.scheduler.plan(datetime(2027, 8, 1, tzinfo=ZONE),
                                  datetime(2027, 12, 31, tzinfo=ZONE))
    program.close()
    templates = {r.template for r in rows if r.to == MENTEE}
    for moment in ("before", "during", "after"):
        assert {f"meeting_{moment}_reminder", f"meeting_{moment}_check"} <= templates


@pytest.fixture
def rolling(tmp_path):
    init_program(tmp_path / "r", "rolling")
    program = open_program(tmp_path / "r")
    pair(program)
    program.pairing.propose_pair(MENTEE, MENTOR, NOW)
    program.scheduler.tick(NOW)
    yield program
    program.close()


def queued(program, template: str) -> list:
    return [i for i in program.outbox.items.values() if i.meta.get("template") == template]


def answer(program, text: str, n: int = 1):
    [proposal] = queued(program, "mentor_proposal")
    reply_to = program.outbox.message_bytes(proposal.id).split(b"Reply-To:")[1].split(b"<")[1]
    raw = (f"From: Chen Wei <{MENTOR}>\r\nTo: {reply_to.split(b'>')[0].decode()}\r\n"
           f"Subject: Re: proposal\r\nMessage-ID: <ans{n}@example.com>\r\n"
           f"In-Reply-To: <{proposal.message_id}>\r\n"
           "Date: Mon, 01 Mar 2027 12:00:00 -0500\r\nContent-Type: text/plain\r\n\r\n"
           f"{text}\r\n").encode()
    with program.store.transaction(), program.outbox.batch():
        return program.handler.handle({"key": f"test:{n}"}, raw, NOW + timedelta(hours=2))


def test_a_proposal_asks_the_mentor_yes_or_no_and_shares_no_private_answer(rolling):
    [proposal] = queued(rolling, "mentor_proposal")
    assert proposal.meta["expects"] == "acceptance"
    text = rolling.outbox.message_bytes(proposal.id).decode("latin-1")
    assert "L=C3=A9a Gagnon" in text or "Léa Gagnon" in text
    assert "identif" not in text.lower()


def test_a_mentor_who_says_yes_introduces_the_pair_and_both_hear_next_steps(rolling):
    outcome = answer(rolling, "Yes, gladly!\n\nChen")
    assert outcome.reading.command == "accept"
    assert participants.find(rolling.store, MENTEE)["status"] == "introduced"
    rolling.scheduler.tick(NOW + timedelta(hours=3))
    assert queued(rolling, "mentor_accepted") and queued(rolling, "mentee_instructions")


def test_a_mentor_who_says_no_frees_both_and_the_coordinators_hear_of_it(rolling):
    answer(rolling, "No, sorry, I am travelling all spring.")
    for email in (MENTOR, MENTEE):
        assert participants.find(rolling.store, email)["status"] == "selected"
    assert queued(rolling, "mentor_declined_thanks")
    assert queued(rolling, "mentor_declined_coordinators")


def test_an_unclear_answer_is_asked_again_and_changes_nothing(rolling):
    outcome = answer(rolling, "Let me think about it over the weekend.")
    assert outcome.review
    assert participants.find(rolling.store, MENTOR)["status"] == "matched"
    assert queued(rolling, "clarification")


def test_a_second_proposal_to_the_same_mentor_is_asked_too(rolling):
    answer(rolling, "No, sorry.")
    later = NOW + timedelta(days=10)
    rolling.pairing.propose_pair(MENTEE, MENTOR, later)
    rolling.scheduler.tick(later)
    assert len(queued(rolling, "mentor_proposal")) == 2


def test_pairs_export_as_csv_for_a_spreadsheet(rolling):
    from mailflow.commands.roster import export_pairs

    answer(rolling, "Yes")
    assert export_pairs(rolling).splitlines() == [
        "mentee,mentee_email,mentor,mentor_email,status",
        f"Léa Gagnon,{MENTEE},Chen Wei,{MENTOR},introduced"]


@pytest.fixture
def verified(tmp_path):
    """The rolling preset with its mail server's Authentication-Results trusted."""
    init_program(tmp_path / "v", "rolling")
    config = tmp_path / "v" / "config.yaml"
    config.write_text(config.read_text() + "\nmailbox:\n  authserv_id: mx.northlake.example.org\n")
    program = open_program(tmp_path / "v")
    pair(program)
    program.pairing.propose_pair(MENTEE, MENTOR, NOW)
    yield program
    program.close()


def test_a_coordinator_who_introduces_a_matched_pair_marks_it_introduced(verified):
    raw = (f"From: Claire Dubois <claire.dubois@northlake-society.example.org>\r\n"
           f"To: Chen Wei <{MENTOR}>, Léa Gagnon <{MENTEE}>\r\n"
           "Cc: mentorship@northlake-society.example.org\r\nSubject: Introduction: Léa and Chen\r\n"
           "Message-ID: <intro-by-hand@northlake.example.org>\r\n"
           "Authentication-Results: mx.northlake.example.org; dkim=pass "
           "header.d=northlake-society.example.org\r\n"
           "Received: from out.example.org by mx.northlake.example.org with ESMTPS id 1\r\n"
           "Date: Mon, 01 Mar 2027 12:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "\r\nChen, meet Léa; Léa, meet Chen.\r\n").encode()
    with verified.store.transaction(), verified.outbox.batch():
        outcome = verified.handler.handle({"key": "test:cc"}, raw, NOW)
    assert outcome.reading.kind == "coordinator_cc"
    assert participants.find(verified.store, MENTEE)["status"] == "introduced"
    events = [e for e in verified.store.table("events").all()
              if e["participant"] == MENTOR and e["type"] == "coordinator_mail"]
    assert events and events[0]["detail"]["subject"].startswith("Introduction")


def test_a_spoofed_coordinator_introduction_changes_nothing(verified):
    raw = (f"From: Claire Dubois <claire.dubois@northlake-society.example.org>\r\n"
           f"To: {MENTOR}, {MENTEE}\r\nSubject: Introduction\r\n"
           "Message-ID: <spoof@evil.example>\r\n"
           "Authentication-Results: evil.example; dkim=pass "
           "header.d=northlake-society.example.org\r\n"
           "Received: from out.example.org by mx.northlake.example.org with ESMTPS id 1\r\n"
           "Date: Mon, 01 Mar 2027 12:00:00 -0500\r\nContent-Type: text/plain\r\n\r\nHi\r\n"
           ).encode()
    with verified.store.transaction(), verified.outbox.batch():
        outcome = verified.handler.handle({"key": "test:spoof"}, raw, NOW)
    assert outcome.review and not outcome.reading.authenticated
    assert participants.find(verified.store, MENTEE)["status"] == "matched"


def bounce_for(recipient: str) -> bytes:
    return ("From: MAILER-DAEMON@mx.example.com\r\nTo: mentorship@northlake-society.example.org\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@mx.example.com>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
            "report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\n"
            "Content-Type: text/plain\r\n\r\nfailed\r\n--b\r\n"
            "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
            f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            "--b--\r\n").encode()


def test_a_bounce_for_a_stranger_address_tied_to_no_mail_of_ours_is_only_reviewed(rolling):
    with rolling.store.transaction(), rolling.outbox.batch():
        outcome = rolling.handler.handle({"key": "b:1"}, bounce_for("someone@else.org"), NOW)
    assert outcome.review and not queued(rolling, "bounce_notice")


def test_a_participant_who_writes_again_is_no_longer_marked_as_bouncing(rolling):
    # The bounce comes back to the signed return address of a mail we sent her.
    with rolling.store.transaction(), rolling.outbox.batch():
        item = rolling.mailer.queue(
            rule="test", occasion="t", template="unsubscribed",
            to=Recipient(MENTEE, "Léa", "en", participant=MENTEE),
            context=rolling.scheduler.mailings.contexts.build({}, "en", NOW, "unsubscribed"),
            kind="scheduled", now=NOW)
    assert item is not None
    verp = bounce_address(rolling.config.local_part, rolling.config.domain,
                          make_token(rolling.secret, item.id, MENTEE))
    signed = bounce_for(MENTEE).replace(b"To: mentorship@northlake-society.example.org",
                                        f"To: {verp}".encode())
    with rolling.store.transaction(), rolling.outbox.batch():
        rolling.handler.handle({"key": "b:2"}, signed, NOW)
    assert participants.find(rolling.store, MENTEE)["bounced"] is True
    raw = (f"From: Léa <{MENTEE}>\r\nTo: mentorship@northlake-society.example.org\r\n"
           "Subject: hello\r\nMessage-ID: <back@example.com>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nI changed my mailbox settings.\r\n"
           ).encode()
    with rolling.store.transaction(), rolling.outbox.batch():
        rolling.handler.handle({"key": "b:3"}, raw, NOW)
    assert participants.find(rolling.store, MENTEE)["bounced"] is False


def test_a_late_yes_to_an_older_proposal_does_not_introduce_the_current_one(rolling):
    [first] = queued(rolling, "mentor_proposal")
    answer(rolling, "No, sorry.")
    later = NOW + timedelta(days=10)
    with rolling.store.transaction():
        participants.insert(rolling.store, {"email": "ana@example.com", "name": "Ana",
                                            "role": "mentee", "status": "selected"})
    rolling.pairing.propose_pair("ana@example.com", MENTOR, later)
    rolling.scheduler.tick(later)
    raw = (f"From: Chen Wei <{MENTOR}>\r\nTo: mentorship@northlake-society.example.org\r\n"
           f"Subject: Re: proposal\r\nMessage-ID: <late@example.com>\r\n"
           f"In-Reply-To: <{first.message_id}>\r\nContent-Type: text/plain\r\n\r\nYes!\r\n"
           ).encode()
    with rolling.store.transaction(), rolling.outbox.batch():
        rolling.handler.handle({"key": "late"}, raw, later)
    assert participants.find(rolling.store, "ana@example.com")["status"] == "matched"


def test_group_mentoring_introduces_each_group_in_one_mail_to_every_member(tmp_path):
    init_program(tmp_path / "g", "cohort")
    program = open_program(tmp_path / "g")
    with program.store.transaction():
        participants.insert(program.store, {"email": MENTOR, "name": "Chen Wei",
                                            "role": "mentor", "status": "selected",
                                            "fields": {"capacity": "3"}})
        for i in range(3):
            participants.insert(program.store, {
                "email": f"m{i}@example.com", "name": f"Mentee {i}", "role": "mentee",
                "status": "selected", "choices": [MENTOR],
                "fields": {"goals": f"goal {i}", "self_identification": "yes"}})
    proposal = program.pairing.propose(NOW, mode="group")
    with program.store.transaction(), program.outbox.batch():
        program.pairing.answer(proposal["id"], True, [], "claire", NOW)
    intros = queued(program, "introduction_group")
    program.close()
    assert sorted(i.recipients[0] for i in intros) == sorted(
        [MENTOR, "m0@example.com", "m1@example.com", "m2@example.com"])
