"""The first flow end to end, on a real Dovecot and a real SMTP server."""

from __future__ import annotations

import email.policy
from email import message_from_bytes

from tests.integration.program import (
    store_data,
    stranger_mail,
    wait_until,
)


def filled_form(reply_to: str, in_reply_to: str, lines: str, msg_id: str) -> bytes:
    return (
        "From: =?UTF-8?Q?L=C3=A9a_Gagnon?= <person1@example.com>\r\n"
        f"To: Northlake Mentorship Program <{reply_to}>\r\n"
        "Subject: Re: How to apply to Northlake Mentorship Program\r\n"
        f"Message-ID: <{msg_id}@mail.example.com>\r\n"
        f"In-Reply-To: <{in_reply_to}>\r\n"
        f"References: <stranger-1@mail.example.com> <{in_reply_to}>\r\n"
        "Date: Tue, 24 Nov 2026 11:00:00 -0500\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        + lines.replace("\n", "\r\n")
        + "\r\nOn Tue, Nov 24, 2026 at 10:01 AM Northlake Mentorship Program"
          " <mentorship@northlake.example.org> wrote:\r\n> Role (mentee or mentor):\r\n"
          "> Full name:\r\n"
    ).encode("utf-8")


def the_form(smtp_server, dovecot):
    dovecot.append(stranger_mail(1, "Léa Gagnon"))
    [form] = smtp_server.wait_for(1, timeout=20)
    return form, message_from_bytes(form.data, policy=email.policy.default)


def test_stranger_receives_the_application_form(daemon, dovecot, smtp_server):
    form, msg = the_form(smtp_server, dovecot)
    assert form.rcpt_tos == ["person1@example.com"]
    assert msg["Subject"] == "How to apply to Northlake Mentorship Program"
    assert "Role (mentee or mentor):" in msg.get_body(("plain",)).get_content()


def test_form_answers_in_the_thread_and_is_marked_automatic(daemon, dovecot, smtp_server):
    _, msg = the_form(smtp_server, dovecot)
    assert msg["In-Reply-To"] == "<stranger-1@mail.example.com>"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Message-ID"].endswith("@northlake.example.org>")
    assert msg["To"].addresses[0].display_name == "Léa Gagnon"


def test_form_reply_address_carries_a_token(daemon, dovecot, smtp_server):
    form, msg = the_form(smtp_server, dovecot)
    reply_to = msg["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith("mentorship+") and reply_to.endswith("@northlake.example.org")
    assert form.mail_from.startswith("mentorship+b-")


def test_filled_form_is_stored_and_acknowledged(daemon, dovecot, smtp_server):
    _, form = the_form(smtp_server, dovecot)
    reply_to = form["Reply-To"].addresses[0].addr_spec
    dovecot.append(filled_form(reply_to, form["Message-ID"].strip("<>"),
                               "Role: mentee\nFull name: Léa Gagnon\nAffiliation: Vision lab\n"
                               "Goals: plan a research career\n", "filled-1"))
    ack = smtp_server.wait_for(2, timeout=20)[1]
    assert ack.subject == "We received your application to Northlake Mentorship Program"
    wait_until(lambda: store_data(daemon.program_dir).get("participants"), 10, "the applicant")
    [person] = store_data(daemon.program_dir)["participants"].values()
    assert (person["email"], person["role"], person["name"]) == (
        "person1@example.com", "mentee", "Léa Gagnon")
    assert person["fields"]["affiliation"] == "Vision lab"


def test_incomplete_form_gets_the_missing_fields_named(daemon, dovecot, smtp_server):
    _, form = the_form(smtp_server, dovecot)
    reply_to = form["Reply-To"].addresses[0].addr_spec
    dovecot.append(filled_form(reply_to, form["Message-ID"].strip("<>"),
                               "Role: mentee\nFull name: Léa Gagnon\n", "filled-1"))
    answer = smtp_server.wait_for(2, timeout=20)[1]
    assert answer.subject.startswith("One more step")
    body = message_from_bytes(answer.data, policy=email.policy.default).get_body(
        ("plain",)).get_content()
    assert "Affiliation:" in body and "Goals:" in body and "Full name:" not in body


def test_a_later_reply_updates_the_application_instead_of_duplicating(
        daemon, dovecot, smtp_server):
    _, form = the_form(smtp_server, dovecot)
    reply_to = form["Reply-To"].addresses[0].addr_spec
    in_reply_to = form["Message-ID"].strip("<>")
    dovecot.append(filled_form(reply_to, in_reply_to, "Role: mentee\nFull name: Léa Gagnon\n",
                               "filled-1"))
    smtp_server.wait_for(2, timeout=20)
    dovecot.append(filled_form(reply_to, in_reply_to,
                               "Affiliation: Vision lab\nGoals: plan a career\n", "filled-2"))
    smtp_server.wait_for(3, timeout=20)
    people = list(store_data(daemon.program_dir)["participants"].values())
    assert len(people) == 1
    assert people[0]["application"]["complete"] is True
    assert people[0]["fields"]["name"] == "Léa Gagnon"


def test_processed_mail_is_flagged_for_people_reading_the_mailbox(daemon, dovecot, smtp_server):
    the_form(smtp_server, dovecot)
    wait_until(lambda: b"$MailflowProcessed" in next(iter(dovecot.flags().values())), 10,
               "the processed flag")


def test_sigterm_stops_the_daemon_cleanly(daemon, dovecot, smtp_server):
    the_form(smtp_server, dovecot)
    assert daemon.terminate() == 0
    assert "stopped" in daemon.log_text()
