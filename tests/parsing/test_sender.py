"""The sender is the From mailbox as RFC 5322 parses it; anything ambiguous has no sender."""

from __future__ import annotations

from mailflow.parsing.decode import decode_message


def decoded(*address_lines: str):
    head = "".join(line + "\r\n" for line in address_lines)
    raw = (head + "To: mentorship@northlake.example.org\r\nSubject: Hello\r\n"
           "Message-ID: <s1@example.com>\r\nDate: Tue, 2 Mar 2027 09:00:00 -0500\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n")
    return decode_message(raw.encode("utf-8"))


def test_an_encoded_word_cannot_make_address_syntax():
    msg = decoded("From: =?utf-8?q?Lea:lea.gagnon@example.com;?= <mallory@evil.example>")
    assert msg.sender == "mallory@evil.example"


def test_an_encoded_display_name_is_decoded_and_the_address_lowercased():
    msg = decoded("From: =?UTF-8?Q?L=C3=A9a_Gagnon?= <Lea.Gagnon@Example.com>")
    assert (msg.sender_name, msg.sender) == ("Léa Gagnon", "lea.gagnon@example.com")


def test_a_raw_utf8_display_name_is_read():
    msg = decoded("From: Léa Gagnon <lea.gagnon@example.com>")
    assert (msg.sender_name, msg.sender) == ("Léa Gagnon", "lea.gagnon@example.com")


def test_several_from_addresses_give_no_sender():
    msg = decoded("From: lea.gagnon@example.com, mallory@evil.example")
    assert msg.sender is None
    assert "the From header does not name exactly one address" in msg.problems


def test_two_from_headers_give_no_sender():
    msg = decoded("From: lea.gagnon@example.com", "From: mallory@evil.example")
    assert msg.sender is None


def test_group_syntax_gives_no_sender():
    assert decoded("From: Lea: lea.gagnon@example.com;").sender is None


def test_a_from_without_an_address_gives_no_sender():
    assert decoded("From: Claire Dubois").sender is None


def test_an_empty_group_gives_no_sender():
    assert decoded("From: Undisclosed recipients:;").sender is None


def test_a_sender_header_naming_someone_else_is_a_problem():
    msg = decoded("From: Claire Dubois <claire.dubois@northlake.example.org>",
                  "Sender: mallory@evil.example")
    assert msg.sender == "claire.dubois@northlake.example.org"
    assert "a Sender header names someone other than the From address" in msg.problems


def test_a_sender_header_naming_the_author_is_no_problem():
    msg = decoded("From: Claire Dubois <claire.dubois@northlake.example.org>",
                  "Sender: claire.dubois@northlake.example.org")
    assert msg.problems == []


def test_an_address_and_a_second_angle_address_give_no_sender():
    assert decoded("From: lea.gagnon@example.com <mallory@evil.example>").sender is None


def test_a_name_with_periods_is_read_as_clients_write_it():
    msg = decoded("From: Dr. J. Smith <j.smith@example.org>")
    assert (msg.sender_name, msg.sender) == ("Dr. J. Smith", "j.smith@example.org")


def test_an_encoded_name_without_special_characters_is_decoded():
    msg = decoded("From: =?utf-8?q?Claire_Dubois?= <mallory@evil.example>")
    assert (msg.sender_name, msg.sender) == ("Claire Dubois", "mallory@evil.example")
