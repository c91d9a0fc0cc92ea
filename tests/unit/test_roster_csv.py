"""Reading a roster CSV (mentors or mentees) and the CSV attached to a mail: pure, no store."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from mailflow.errors import MailflowError
from mailflow.program.coordination.roster import (
    MAX_ROSTER_BYTES,
    csv_files,
    decode,
    digest,
    read_roster,
)


def test_a_good_file_gives_its_rows_in_order_with_addresses_lower_case():
    roster = read_roster("name,email,expertise\nSofia Rossi,Sofia@Example.org,NLP\n"
                         "Chen Wei,chen@example.org,\n", "mentors.csv")
    assert roster.errors == []
    assert [email for email, _row in roster.rows] == ["sofia@example.org", "chen@example.org"]


def test_every_bad_row_is_named_by_file_line_column_and_fix():
    roster = read_roster("name,email,status\nSofia,not-an-address,\n,chen@example.org,\n"
                         "Ana,ana@example.org,sleeping\n", "mentors.csv")
    described = [str(e) for e in roster.errors]
    assert len(described) == 3
    assert described[0].startswith("mentors.csv: line 2, column email: bad address")
    assert described[1].startswith("mentors.csv: line 3, column name: the name is empty")
    assert described[2].startswith("mentors.csv: line 4, column status: unknown status")
    assert all("(fix: " in d for d in described)


def test_a_header_without_email_is_an_error_of_line_one():
    [error] = read_roster("name,mail\nSofia,sofia@example.org\n", "m.csv").errors
    assert (error.line, error.column) == (1, "email")


def test_an_address_twice_is_an_error_of_its_second_line():
    [error] = read_roster("name,email\nA,a@example.org\nB,A@example.org\n", "m.csv").errors
    assert (error.line, error.column) == (3, "email")


def _mail_with(*files: tuple[str, str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"] = "Claire Dubois <claire@example.org>"
    message["Subject"] = "IMPORT mentors"
    message.set_content("IMPORT mentors\n\nClaire\n")
    for name, kind, data in files:
        maintype, subtype = kind.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_the_csv_attached_is_found_by_its_type_or_its_name():
    raw = _mail_with(("mentors.csv", "text/csv", b"name,email\n"),
                     ("export.CSV", "application/octet-stream", b"x"),
                     ("photo.png", "image/png", b"\x89PNG"))
    assert csv_files(raw) == (("mentors.csv", b"name,email\n"), ("export.CSV", b"x"))


def test_a_mail_without_attachment_has_no_csv():
    assert csv_files(_mail_with()) == ()


def test_the_digest_changes_with_one_byte():
    assert digest(b"name,email\n") != digest(b"name,email \n")


def test_a_csv_attached_to_mail_over_its_limit_is_refused_with_the_fix():
    data = b"name,email\n" + b"x" * MAX_ROSTER_BYTES

    with pytest.raises(MailflowError, match="split it in parts"):
        decode(data, "mentees.csv")
