"""Machine mail told by its words where its headers say nothing, and a person's mail that
only looks automatic left to be read."""

from __future__ import annotations

from mailflow.parsing.automatic import automatic_kind, lone_address
from mailflow.parsing.decode import DecodedMessage, decode_message
from mailflow.parsing.understand import understand
from tests.parsing.context import reading_context

OWN = {"mentors@example.org"}


def _mail(headers: str, body: str) -> DecodedMessage:
    return decode_message((headers.strip() + "\n\n" + body + "\n").encode("utf-8"))


def test_an_absence_subject_with_a_question_is_a_persons_mail():
    msg = _mail("From: Ines Varga <ines@uni.example>\nSubject: Out of office in March - "
                "can I join the second session instead?",
                "Hello, I travel in March. Could I join the second training instead?\nInes")
    assert automatic_kind(msg, OWN) is None


def test_an_absence_subject_that_asks_nothing_is_an_auto_reply():
    msg = _mail("From: Ines Varga <ines@uni.example>\nSubject: Ines Varga is out of the office.",
                "I will be out of the office from 2 March until 16 March.\n"
                "I will respond to your message when I return.")
    assert automatic_kind(msg, OWN) == "auto_reply"


def test_a_subject_saying_automatic_reply_in_another_language_is_an_auto_reply():
    msg = _mail("From: Piotr Nowak <piotr@firma.example>\nSubject: Odpowiedź automatyczna: "
                "Re: mentoring", "Jestem na urlopie do 10 lutego.")
    assert automatic_kind(msg, OWN) == "auto_reply"


def test_a_helpdesk_acknowledgement_without_headers_is_an_auto_reply():
    msg = _mail("From: Support <help@museum.example>\nSubject: Re: Mentors wanted",
                "Thanks for reaching out! This is an automated message to confirm that your "
                "request #48213 has been received. Please do not reply to this email.")
    assert automatic_kind(msg, OWN) == "auto_reply"


def test_a_delivery_report_without_a_sender_address_is_still_a_bounce(tmp_path):
    raw = ("Return-Path: <>\nFrom: \"Mail server at mx.example.net\" <@>\n"
           "To: mentors+b-x1@example.org\nSubject: NOTICE: mail delivery status.\n"
           "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
           "boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nDelivery failed.\n\n--b\n"
           "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
           "Final-Recipient: rfc822; ewa@cedar.example\nAction: failed\nStatus: 5.1.1\n\n--b--\n")
    reading = understand(decode_message(raw.encode()), reading_context(tmp_path, []))
    assert reading.kind == "bounce"
    assert reading.bounce.recipient == "ewa@cedar.example"


def test_the_one_address_a_bounce_in_any_language_names_is_its_recipient():
    msg = _mail("From: Postmaster <postmaster@post.example.de>\nSubject: Unzustellbar",
                "Ihre Nachricht an jonas@kiefern.example.de konnte nicht zugestellt werden.\n"
                "Das Postfach existiert nicht.")
    assert lone_address(msg, "example.org") == "jonas@kiefern.example.de"


def test_a_bounce_naming_two_addresses_has_no_lone_recipient():
    msg = _mail("From: Postmaster <postmaster@post.example.de>\nSubject: Unzustellbar",
                "Nachricht an jonas@kiefern.example.de und eva@linde.example.de nicht "
                "zugestellt.")
    assert lone_address(msg, "example.org") is None


def test_an_absence_subject_on_a_mail_without_automatic_marks_is_kept_for_review(tmp_path):
    raw = ("From: Ines Varga <ines@uni.example>\nTo: mentorship@northlake.example.org\n"
           "Subject: Out of office\nMessage-ID: <o1@uni.example>\n\n"
           "Hi, I am away next week but here are my choices: Chen Wei, Sofia Rossi.\nInes\n")
    reading = understand(decode_message(raw.encode()), reading_context(tmp_path, []))

    assert reading.kind == "auto_reply"
    assert reading.needs_review
    assert any("only its subject" in p for p in reading.problems)


def test_a_delay_notice_titled_in_italian_is_a_temporary_bounce(tmp_path):
    raw = ("Return-Path: <>\nFrom: Servizio di posta <postmaster@ateneo.example.it>\n"
           "To: mentorship@northlake.example.org\nSubject: Avviso: consegna ritardata\n"
           "Message-ID: <d1@ateneo.example.it>\n\n"
           "Il messaggio non è stato ancora consegnato a:\n\n    giulia.conti@ateneo.example.it\n\n"
           "Errore temporaneo (451 4.4.1). Nuovi tentativi per 3 giorni.\n")
    msg = decode_message(raw.encode())
    assert automatic_kind(msg, OWN) == "bounce"
    reading = understand(msg, reading_context(tmp_path, []))
    assert reading.bounce.recipient == "giulia.conti@ateneo.example.it"
    assert reading.bounce.status == "temporary"


def test_an_automatic_reply_prefix_before_a_question_subject_is_still_an_auto_reply():
    msg = _mail("From: Ana Lopes <ana@uni.example>\nSubject: Automatic reply: Have you met "
                "your mentor yet?", "I am travelling until 24 March with little access to "
                "email.\nAna")
    assert automatic_kind(msg, OWN) == "auto_reply"
