"""automatic_kind, bounced_recipients, bounced_message_ids and verp_id."""

from __future__ import annotations

from mailflow.parsing.automatic import (
    automatic_kind,
    bounced_message_ids,
    bounced_recipients,
    verp_id,
)
from mailflow.parsing.bounces import dsn_status
from mailflow.parsing.decode import DecodedMessage, decode_message
from tests.parsing.corpus import decoded

OWN = {"mentors@example.org"}


def _mail(headers: str, body: str = "Hello.") -> DecodedMessage:
    return decode_message((headers.strip() + "\n\n" + body + "\n").encode("utf-8"))


def test_postfix_dsn_is_a_bounce():
    assert automatic_kind(decoded("postfix_dsn_bounce.eml"), OWN) == "bounce"


def test_postfix_dsn_recipient_comes_from_the_delivery_status():
    assert bounced_recipients(decoded("postfix_dsn_bounce.eml")) == ["nobody@mentee.example"]


def test_postfix_dsn_original_message_id_comes_from_the_rfc822_part():
    ids = bounced_message_ids(decoded("postfix_dsn_bounce.eml"))
    assert ids == ["mailflow-7f3a9c@example.org"]


def test_verp_id_is_read_from_delivered_to():
    assert verp_id(decoded("postfix_dsn_bounce.eml"), "mentors") == "7f3a9c"


def test_verp_id_is_read_from_envelope_to():
    assert verp_id(decoded("exim_bounce.eml"), "mentors") == "c0ffee"


def test_verp_id_is_none_for_another_local_part():
    assert verp_id(decoded("postfix_dsn_bounce.eml"), "program") is None


def test_exim_bounce_is_a_bounce():
    assert automatic_kind(decoded("exim_bounce.eml"), OWN) == "bounce"


def test_exim_recipient_comes_from_the_indented_address():
    assert bounced_recipients(decoded("exim_bounce.eml")) == ["jose@mentee.example"]


def test_exim_original_message_id_is_found_in_the_quoted_copy():
    assert bounced_message_ids(decoded("exim_bounce.eml")) == ["mailflow-c0ffee@example.org"]


def test_qmail_failure_notice_is_a_bounce():
    assert automatic_kind(decoded("qmail_failure_notice.eml"), OWN) == "bounce"


def test_qmail_recipient_comes_from_the_angle_bracket_line():
    assert bounced_recipients(decoded("qmail_failure_notice.eml")) == ["ana@oldhost.example"]


def test_exchange_ndr_is_a_bounce():
    assert automatic_kind(decoded("exchange_ndr.eml"), OWN) == "bounce"


def test_exchange_ndr_message_id_comes_from_rfc822_headers_part():
    ids = bounced_message_ids(decoded("exchange_ndr.eml"))
    assert ids == ["mailflow-0d15ea5e@example.org"]


def test_exchange_text_recipient_is_found_without_delivery_status():
    msg = _mail(
        "From: postmaster@contoso.example\nSubject: Undeliverable: Hello\nTo: mentors@example.org",
        "Your message to lea@contoso.example couldn't be delivered.\n\nlea wasn't found.",
    )
    assert automatic_kind(msg, OWN) == "bounce"
    assert bounced_recipients(msg) == ["lea@contoso.example"]


def test_french_non_remis_from_postmaster_is_a_bounce():
    msg = _mail("From: postmaster@orange.example\nSubject: Non remis : Bienvenue")
    assert automatic_kind(msg, OWN) == "bounce"


def test_delayed_dsn_is_a_temporary_bounce_never_a_failure():
    raw = (
        "From: MAILER-DAEMON@mx.example.org\nReturn-Path: <>\nSubject: Delayed Mail\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="R"\n\n--R\nContent-Type: text/plain\n\nStill trying.\n'
        "--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        "Final-Recipient: rfc822; slow@far.example\nAction: delayed\nStatus: 4.4.1\n\n--R--\n"
    )
    msg = decode_message(raw.encode())
    # A delay is a bounce (the contract), but a temporary one: it silences nobody.
    assert automatic_kind(msg, OWN) == "bounce"
    assert dsn_status(msg) == "temporary"


def test_exchange_out_of_office_is_an_auto_reply():
    assert automatic_kind(decoded("exchange_out_of_office.eml"), OWN) == "auto_reply"


def test_gmail_vacation_responder_is_an_auto_reply():
    assert automatic_kind(decoded("gmail_vacation_responder.eml"), OWN) == "auto_reply"


def test_mailing_list_mail_is_automatic():
    assert automatic_kind(decoded("mailing_list.eml"), OWN) == "auto_reply"


def test_ordinary_outlook_mail_with_auto_response_suppress_is_human():
    assert automatic_kind(decoded("outlook_html_reply_fr.eml"), OWN) is None


def test_gmail_reply_is_human():
    assert automatic_kind(decoded("gmail_reply_en.eml"), OWN) is None


def test_auto_submitted_no_is_human():
    assert automatic_kind(_mail("From: a@b.example\nAuto-Submitted: no"), OWN) is None


def test_x_autoreply_header_is_an_auto_reply():
    assert automatic_kind(_mail("From: a@b.example\nX-Autoreply: yes"), OWN) == "auto_reply"


def test_precedence_bulk_is_an_auto_reply():
    assert automatic_kind(_mail("From: a@b.example\nPrecedence: bulk"), OWN) == "auto_reply"


def test_null_return_path_without_bounce_text_is_an_auto_reply():
    msg = _mail("Return-Path: <>\nFrom: a@b.example\nSubject: Thanks for your message")
    assert automatic_kind(msg, OWN) == "auto_reply"


def test_noreply_sender_is_an_auto_reply():
    msg = _mail("From: Service <no-reply@service.example>\nSubject: Your account")
    assert automatic_kind(msg, OWN) == "auto_reply"


def test_out_of_office_subjects_in_many_languages_are_auto_replies():
    subjects = [
        "Out of Office: Welcome", "Automatic reply: Welcome", "Autoreply: hi",
        "Absence du bureau", "Réponse automatique : Bienvenue", "Absent : Bienvenue",
        "Fuera de la oficina", "Respuesta automática: Hola", "Abwesenheitsnotiz: Willkommen",
        "Automatische Antwort: Willkommen", "Risposta automatica: Benvenuto", "Fuori sede",
        "Resposta automática: Olá", "Ausente: Olá", "Afwezig: Welkom",
        "Automatisch antwoord: Welkom",
    ]  # fmt: skip
    for subject in subjects:
        msg = _mail(f"From: a@b.example\nSubject: {subject}")
        assert automatic_kind(msg, OWN) == "auto_reply", subject


def test_subject_mentioning_absence_mid_sentence_is_human():
    msg = _mail("From: a@b.example\nSubject: Re: I will be absent next week")
    assert automatic_kind(msg, OWN) is None


def test_mail_from_our_own_address_is_own():
    assert automatic_kind(_mail("From: Mentors <Mentors@Example.org>"), OWN) == "own"


def test_mail_carrying_our_header_is_own():
    msg = _mail("From: someone@else.example\nX-Mailflow-Id: 42")
    assert automatic_kind(msg, OWN) == "own"
