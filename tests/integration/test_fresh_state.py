"""A new or lost state/ never re-answers the mailbox: handled and older mail is left alone."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.integration.program import (
    DaemonProcess,
    store_data,
    stranger_mail,
    wait_until,
    write_program,
)

OLD = datetime(2020, 3, 2, 9, 0, tzinfo=UTC)


def _append_old(dovecot, raw: bytes) -> None:
    with dovecot.client() as imap:
        imap.append("INBOX", raw, msg_time=OLD)


def _run_until_answered(program, dovecot, smtp_server, count: int) -> None:
    daemon = DaemonProcess(program, dovecot.password)
    daemon.start()
    try:
        smtp_server.wait_for(count, timeout=20)
        time.sleep(1.5)  # anything more would have gone by now
    finally:
        daemon.terminate()


def test_mail_a_former_state_handled_is_not_answered_again(tmp_path, dovecot, smtp_server):
    dovecot.append(stranger_mail(1), flags=("$MailflowProcessed", "\\Seen"))
    dovecot.append(stranger_mail(2))
    program = write_program(tmp_path / "program", dovecot, smtp_server)

    _run_until_answered(program, dovecot, smtp_server, 1)

    assert [m.rcpt_tos for m in smtp_server.messages] == [["person2@example.com"]]


def test_mail_older_than_the_first_run_is_left_alone(tmp_path, dovecot, smtp_server):
    _append_old(dovecot, stranger_mail(1))
    dovecot.append(stranger_mail(2))
    program = write_program(tmp_path / "program", dovecot, smtp_server)

    _run_until_answered(program, dovecot, smtp_server, 1)

    assert [m.rcpt_tos for m in smtp_server.messages] == [["person2@example.com"]]
    assert len(store_data(program)["inbound"]) == 1


def test_older_mail_is_taken_in_when_the_config_asks(tmp_path, dovecot, smtp_server):
    _append_old(dovecot, stranger_mail(1))
    program = write_program(tmp_path / "program", dovecot, smtp_server,
                            extra_mailbox="  since: 2020-01-01\n")

    _run_until_answered(program, dovecot, smtp_server, 1)

    wait_until(lambda: len(smtp_server.messages) == 1, 5, "the old mail answered")
    assert smtp_server.messages[0].rcpt_tos == ["person1@example.com"]


def test_a_message_sent_to_review_is_marked_handled_in_the_mailbox(tmp_path, dovecot,
                                                                   smtp_server):
    # A coordinator's address without our server's authentication: for review.
    uid = dovecot.append(stranger_mail(1).replace(
        b"person1@example.com", b"claire.dubois@northlake.example.org"))
    program = write_program(tmp_path / "program", dovecot, smtp_server)
    daemon = DaemonProcess(program, dovecot.password)
    daemon.start()
    try:
        wait_until(lambda: store_data(program).get("review"), 20, "the message in review",
                   daemon.log_text)
        time.sleep(0.5)
    finally:
        daemon.terminate()
    with dovecot.client() as imap:
        imap.select_folder("INBOX", readonly=True)
        flags = imap.get_flags([uid])[uid]
    assert b"$MailflowProcessed" in flags and b"\\Flagged" in flags
