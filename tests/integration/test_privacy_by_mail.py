"""Privacy by mail on the real servers: MY DATA goes to the registered address only, and
DELETE MY DATA, once confirmed from that address, erases the person and tells the
coordinators."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.program import store_data, wait_until
from tests.integration.test_replies import MENTEE, THREAD, invited_daemon, reply


@pytest.fixture
def daemon(tmp_path, dovecot, smtp_server):
    """Léa, a mentee sent the choices invitation, and the daemon running."""
    yield from invited_daemon(tmp_path, dovecot, smtp_server)

COORDINATOR = "claire.dubois@northlake.example.org"


def _answer(captured, body: str, msg_id: str) -> bytes:
    """A reply to one of our captured mails, to its signed reply address, in its thread."""
    mail = captured.message
    return (f"From: Léa Gagnon <{MENTEE}>\r\nTo: {mail['Reply-To']}\r\n"
            f"Subject: Re: {mail['Subject']}\r\nMessage-ID: <{msg_id}@mail.example.com>\r\n"
            f"In-Reply-To: {mail['Message-ID']}\r\nReferences: {mail['Message-ID']}\r\n"
            "Date: Wed, 10 Feb 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode("utf-8")


def _json_attachment(captured) -> dict:
    [part] = [p for p in captured.message.iter_attachments()
              if p.get_filename() == "my-data.json"]
    return json.loads(part.get_content() if isinstance(part.get_content(), str)
                      else part.get_content().decode("utf-8"))


def _people(program_dir: Path) -> list[str]:
    return [p["email"] for p in store_data(program_dir)["participants"].values()]


def test_my_data_is_mailed_to_the_registered_address_with_the_record(daemon, dovecot,
                                                                      smtp_server):
    dovecot.append(reply("MY DATA\n\nLéa", "d1"))
    [copy] = smtp_server.wait_for(1, timeout=30)

    assert copy.rcpt_tos == [MENTEE]
    data = _json_attachment(copy)
    assert data["record"]["email"] == MENTEE and data["record"]["name"] == "Léa Gagnon"


def test_my_data_asked_in_a_forged_name_still_goes_only_to_the_registered_address(
        daemon, dovecot, smtp_server):
    forged = (f"From: Léa Gagnon <{MENTEE}>\r\nReply-To: thief@attacker.example\r\n"
              "To: mentorship@northlake.example.org\r\nSubject: my data\r\n"
              "Message-ID: <f1@attacker.example>\r\nMIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=utf-8\r\n\r\n"
              "Please send me a copy of my data.\r\n").encode()
    dovecot.append(forged)
    wait_until(lambda: len(smtp_server.messages) >= 1, 30, "the copy", daemon.log_text)
    sent = list(smtp_server.messages)

    assert all(m.rcpt_tos == [MENTEE] for m in sent)
    assert not any("attacker" in (m.header("To") or "") for m in sent)


def test_delete_my_data_asks_for_a_confirmation_and_erases_nothing_yet(daemon, dovecot,
                                                                        smtp_server):
    dovecot.append(reply("DELETE MY DATA", "e1"))
    [ask] = smtp_server.wait_for(1, timeout=30)

    assert ask.rcpt_tos == [MENTEE] and "CONFIRM" in ask.text()
    assert MENTEE in _people(daemon.program_dir)


def test_a_confirmed_erasure_removes_the_person_their_timeline_and_their_raw_mail(
        daemon, dovecot, smtp_server):
    dovecot.append(reply("Please delete all my data.\n\nLéa", "e1"))
    [ask] = smtp_server.wait_for(1, timeout=30)
    smtp_server.clear()
    dovecot.append(_answer(ask, "CONFIRM\r\n", "e2"))
    wait_until(lambda: len(smtp_server.messages) >= 2, 30, "the two mails of the erasure",
               daemon.log_text)
    sent = list(smtp_server.messages)
    program_dir = daemon.program_dir
    wait_until(lambda: MENTEE not in _people(program_dir), 20, "the record erased",
               daemon.log_text)

    assert sorted(r for m in sent for r in m.rcpt_tos) == sorted([MENTEE, COORDINATOR])
    state = store_data(program_dir)
    assert not [e for e in state.get("events", {}).values() if e["participant"] == MENTEE]
    assert not [e for e in state["inbound"].values() if e.get("sender") == MENTEE]
    assert len(state["erased"]) == 1 and MENTEE not in json.dumps(state["erased"])
    spools = b"".join(p.read_bytes() for p in (program_dir / "state" / "messages").iterdir())
    assert b"delete all my data" not in spools and MENTEE.encode() not in spools


@pytest.mark.parametrize("body", ["Please don't delete my data, I still want the tips.",
                                  "How would I delete my data if I wanted to?"])
def test_talk_about_erasure_that_asks_for_none_erases_nothing(daemon, dovecot, smtp_server,
                                                               body):
    dovecot.append(reply(body, "n1"))
    smtp_server.wait_for(1, timeout=30)

    assert MENTEE in _people(daemon.program_dir)
    assert THREAD  # the conversation was the invitation's
