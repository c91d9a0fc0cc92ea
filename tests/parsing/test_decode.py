"""decode_message on realistic mails from common clients and servers."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

from mailflow.parsing.decode import decode_message, decode_words
from tests.parsing.corpus import decoded


def test_gmail_b_encoded_display_name_is_decoded():
    msg = decoded("gmail_reply_en.eml")
    assert msg.sender == "jose.martinez@gmail.com"
    assert msg.sender_name == "José Martínez"


def test_gmail_threading_ids_lose_their_brackets():
    msg = decoded("gmail_reply_en.eml")
    assert msg.message_id == "CAK5t2XyZ9q+w8kVv_ZQ@mail.gmail.com"
    assert msg.in_reply_to == ["CAJx7-eq1Lx2kP0abc@mail.gmail.com"]
    assert msg.references == ["CAJx7-eq1Lx2kP0abc@mail.gmail.com"]


def test_recipients_are_lower_case_addresses():
    msg = decoded("gmail_reply_en.eml")
    assert msg.to == ["lea.gagnon@example.org"]
    assert msg.cc == ["mentors@example.org"]


def test_date_is_timezone_aware():
    msg = decoded("gmail_reply_en.eml")
    assert msg.date == datetime(2024, 3, 4, 20, 2, 17, tzinfo=timezone(timedelta(hours=1)))


def test_multipart_alternative_prefers_the_plain_part():
    msg = decoded("gmail_reply_en.eml")
    assert msg.text.startswith("Hi Léa,\n\nTuesday at 6pm works for me.")
    assert msg.html is not None and "gmail_quote" in msg.html


def test_q_encoded_latin1_name_is_decoded():
    assert decoded("outlook_html_reply_fr.eml").sender_name == "François Lefèvre"


def test_subject_nbsp_and_encoded_words_are_collapsed():
    assert decoded("outlook_html_reply_fr.eml").subject == "RE : Programme de mentorat"


def test_folded_message_id_is_read():
    msg = decoded("outlook_html_reply_fr.eml")
    assert msg.message_id is not None and msg.message_id.startswith("AM6PR02MB4423")


def test_html_only_mail_becomes_text_with_the_original_quoted():
    text = decoded("outlook_html_reply_fr.eml").text
    assert text.startswith("Bonjour Léa,\n\nJe confirme ma participation")
    assert "> De : Léa Gagnon <lea.gagnon@example.org>" in text
    assert "> Pouvez-vous confirmer votre participation ?" in text


def test_format_flowed_lines_are_joined():
    text = decoded("apple_iphone_reply_fr.eml").text
    assert text.startswith("Oui, mercredi me convient parfaitement. Merci pour l’organisation !")


def test_eight_bit_utf8_body_is_decoded():
    assert "Hello Léa," in decoded("thunderbird_reply_en.eml").text


def test_forwarded_rfc822_is_quoted_after_the_new_text():
    text = decoded("forward_attached_rfc822.eml").text
    assert text.startswith("Please see the question below from my mentee.")
    assert "> Can we move our meeting to Thursday?" in text
    assert "> From: Sam Student <sam@student.example>" in text


def test_nested_multipart_finds_plain_text_inside_alternative():
    msg = decoded("nested_multipart.eml")
    assert msg.text == "Here are the notes from our session.\nSee the attached slides."
    assert msg.html is not None and "<b>notes</b>" in msg.html


def test_attachments_are_described_not_decoded():
    msg = decoded("nested_multipart.eml")
    assert [(a.filename, a.content_type) for a in msg.attachments] == [
        ("logo.png", "image/png"),
        ("séance.pdf", "application/pdf"),
    ]
    assert msg.attachments[1].size == len(base64.b64decode("JVBERi0xLjQKJcOkw7zDtsOfCg=="))
    assert "JVBER" not in msg.text


def test_calendar_part_is_kept_apart():
    msg = decoded("nested_multipart.eml")
    assert msg.calendar is not None and "SUMMARY:Mentoring session" in msg.calendar
    assert "VCALENDAR" not in msg.text


def test_missing_closing_boundary_is_a_problem_but_text_survives():
    msg = decoded("broken_mime_missing_boundary.eml")
    assert "malformed MIME structure" in msg.problems
    assert msg.text == "I choose option 2, Léa as mentor."
    assert [a.filename for a in msg.attachments] == ["cv.pdf"]


def test_base64_without_padding_is_decoded():
    msg = decoded("broken_mime_missing_boundary.eml")
    assert "Léa as mentor" in msg.text


def test_garbage_headers_do_not_stop_decoding():
    msg = decoded("garbage_headers.eml")
    assert msg.sender == "jose@mentee.example"
    assert "Je réponds malgré tout." in msg.text
    assert "malformed headers" in msg.problems


def test_raw_8bit_utf8_header_is_decoded():
    assert decoded("garbage_headers.eml").sender_name == "José Martínez"


def test_malformed_encoded_words_are_decoded_where_possible():
    subject = decoded("garbage_headers.eml").subject
    assert subject.startswith("café ok")


def test_unbracketed_message_id_is_kept():
    assert decoded("garbage_headers.eml").message_id == "not-bracketed@mentee.example"


def test_unparseable_date_is_none_and_a_problem():
    msg = decoded("garbage_headers.eml")
    assert msg.date is None
    assert "unparseable Date header" in msg.problems


def test_declared_latin1_that_is_utf8_is_read_as_utf8():
    msg = decoded("mislabelled_latin1_is_utf8.eml")
    assert msg.text == "Je suis disponible mercredi à 18h, près de la gare."
    assert msg.problems == []


def test_unknown_charset_falls_back_and_says_so():
    msg = decoded("unknown_charset.eml")
    assert msg.text == "Obrigada pela sessão, até sexta."
    assert "undecodable charset 'x-unknown', decoded as cp1252" in msg.problems


def test_empty_body_is_a_problem():
    msg = decoded("empty_body.eml")
    assert msg.text == ""
    assert msg.problems == ["empty body"]


def test_null_return_path_is_empty_string():
    assert decoded("postfix_dsn_bounce.eml").return_path == ""


def test_multipart_report_is_flagged_with_its_type():
    msg = decoded("postfix_dsn_bounce.eml")
    assert msg.is_report
    assert msg.report_type == "delivery-status"
    assert "could not\nbe delivered" in msg.text
    assert "Welcome!" not in msg.text


def test_delivery_status_fields_are_kept_in_report_parts():
    msg = decoded("postfix_dsn_bounce.eml")
    status = [p for p in msg.report_parts if p.content_type == "message/delivery-status"]
    assert status and status[0].values("Action") == ["failed"]


def test_headers_are_decoded_and_queryable_case_insensitively():
    msg = decoded("outlook_html_reply_fr.eml")
    assert msg.header("from") == "François Lefèvre <francois.lefevre@outlook.fr>"
    assert msg.header_all("X-AUTO-RESPONSE-SUPPRESS") == ["All"]
    assert msg.header("X-Missing") is None
    assert msg.headers[0][0] == "Return-Path"


def test_twenty_megabyte_attachment_is_measured_without_decoding():
    payload = bytes(range(256)) * (20 * 1024 * 1024 // 256)
    encoded = base64.encodebytes(payload)
    raw = (
        b"From: sam@mentee.example\r\nTo: mentors@example.org\r\nSubject: big\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="big.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded + b"--B--\r\n"
    )
    msg = decode_message(raw)
    assert msg.text == "See attached."
    assert msg.attachments[0].filename == "big.bin"
    assert msg.attachments[0].size == len(payload)


def test_naive_minus_zero_date_is_taken_as_utc():
    msg = decode_message(b"From: a@b.example\r\nDate: Mon, 4 Mar 2024 10:00:00 -0000\r\n\r\nhi\r\n")
    assert msg.date == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)


def test_adjacent_encoded_words_split_inside_a_character_are_joined():
    # "é" is c3 a9: one byte in each word
    assert decode_words("=?utf-8?B?TMM=?= =?utf-8?B?qWE=?=") == "Léa"
    assert decode_words("=?utf-8?Q?L=C3?= =?utf-8?Q?=A9a?=") == "Léa"


def test_html_part_is_used_when_plain_alternative_is_empty():
    raw = (
        b"From: a@b.example\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/alternative; boundary=A\r\n\r\n"
        b"--A\r\nContent-Type: text/plain\r\n\r\n \r\n"
        b"--A\r\nContent-Type: text/html\r\n\r\n<p>Real <i>content</i></p>\r\n--A--\r\n"
    )
    assert decode_message(raw).text == "Real content"


def test_not_bytes_at_all_gives_problems_not_an_exception():
    msg = decode_message(None)  # type: ignore[arg-type]
    assert msg.problems and msg.text == ""


def test_base64_encoded_rfc822_part_is_still_read_as_a_forward():
    inner = base64.encodebytes(b"From: sam@student.example\r\n\r\nOriginal words.\r\n")
    raw = (
        b"From: f@x.example\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=M\r\n\r\n"
        b"--M\r\nContent-Type: text/plain\r\n\r\nFYI.\r\n"
        b"--M\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + inner
        + b"--M--\r\n"
    )
    text = decode_message(raw).text
    assert text.startswith("FYI.")
    assert "> Original words." in text
