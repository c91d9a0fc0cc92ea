"""Attacks on composing mail (705b063, 748509d) and on importing rosters (f923f10): MIME
boundaries set rather than searched for, plain one-line headers written by the WIRE policy
without compat32's folding, and a 16 MB cap for a coordinator's own roster file.

Every composed mail is read back twice: by Python's parser, and by a strict reader written
here (a header line is 'name: value' or a continuation, a boundary is only where it is
declared). Each test one behaviour; the mail and files are written here."""

from __future__ import annotations

import base64
import csv
import io
import itertools
import quopri
import re
import resource
import subprocess
import sys
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow.errors import MailflowError
from mailflow.outbound.compose import WIRE, Attachment, Envelope, compose
from mailflow.outbound.templates import Rendered, one_line
from mailflow.program.coordination.roster import (
    MAX_FILE_ROSTER_BYTES,
    MAX_ROSTER_BYTES,
    decode,
    read_roster,
)
from tests.unit.test_compose import written

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "northlake.example.org"
PROGRAM = "mentorship@northlake.example.org"
ITEM = "a1b2c3d4e5f6"
COMPAT32 = policy.compat32.clone(max_line_length=998)
# Characters some reader takes for the end of a line.
LINE_ENDS = ["\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x00"]


def mail(*, to_name: str = "Léa Gagnon", subject: str = "Your application",
         text: str = "Hello Léa,\n", html: str | None = None,
         attachments: tuple[Attachment, ...] = (), in_reply_to: str | None = None,
         references: tuple[str, ...] = (), headers: dict[str, str] | None = None) -> bytes:
    """The bytes mailflow queues for such a mail (mailer.py writes them with WIRE)."""
    env = Envelope(from_name="Northlake Mentorship", from_address=PROGRAM, to_name=to_name,
                   to_address="lea@example.org", reply_to=f"reply+t@{DOMAIN}",
                   in_reply_to=in_reply_to, references=references,
                   extra_headers=headers or {})
    msg = compose(env, Rendered(subject=subject, text=text, html=html, language="fr"), ITEM,
                  DOMAIN, now=datetime(2027, 3, 1, 12, 0, tzinfo=UTC),
                  attachments=attachments)
    return msg.as_bytes(policy=WIRE)


# -- a strict reader ---------------------------------------------------------------------

HEADER_LINE = re.compile(rb"[!-9;-~]+:")  # a field name then its colon, nothing between
PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)')


def strict_read(data: bytes) -> tuple:
    """The tree of parts: ('multipart/x', [children]) or (type, filename, decoded bytes).

    Fails on any header line that is neither a field nor a continuation, on a line over
    998 octets, and on a line that starts like a boundary without being one."""
    assert all(len(line) <= 998 for line in data.split(b"\n")), "a line over 998 octets"
    head, sep, body = data.partition(b"\n\n")
    assert sep, "no blank line after the headers"
    fields: dict[str, str] = {}
    name = ""
    for line in head.split(b"\n"):
        assert b"\r" not in line and b"\x00" not in line, line
        if line[:1] in (b" ", b"\t") and name:
            fields[name] += " " + line.strip().decode("ascii")
            continue
        assert HEADER_LINE.match(line), f"not a header line: {line!r}"
        raw_name, _, value = line.partition(b":")
        name = raw_name.decode("ascii").lower()
        assert name not in fields, f"{name} twice"
        fields[name] = value.strip().decode("ascii")
    ctype, params = content_type(fields.get("content-type", "text/plain"))
    if ctype.startswith("multipart/"):
        delimiter = b"--" + params["boundary"].encode("ascii")
        lines = body.split(b"\n")
        marks = [i for i, line in enumerate(lines) if line.startswith(delimiter)]
        assert all(lines[i].rstrip() in (delimiter, delimiter + b"--") for i in marks)
        assert lines[marks[-1]].rstrip() == delimiter + b"--"
        assert all(lines[i].rstrip() == delimiter for i in marks[:-1])
        return ctype, [strict_read(b"\n".join(lines[a + 1:b]))
                       for a, b in itertools.pairwise(marks)]
    cte = fields.get("content-transfer-encoding", "7bit").lower()
    payload = (base64.b64decode(body, validate=False) if cte == "base64"
               else quopri.decodestring(body) if cte == "quoted-printable" else body)
    _, disposition = content_type(fields.get("content-disposition", "x"))
    filename = disposition.get("filename")
    if filename is None and "filename*" in disposition:
        _, _, quoted = disposition["filename*"].partition("''")
        filename = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m[1], 16)), quoted)
        filename = filename.encode("latin-1").decode("utf-8")
    return ctype, filename, payload


def content_type(value: str) -> tuple[str, dict[str, str]]:
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', value)
    assert not re.search(r";\s*[^\s=;]+\s*(;|$)", unquoted), f"a bare parameter: {value}"
    kind, _, rest = value.partition(";")
    params = {k.lower(): (v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                          if v.startswith('"') else v)
              for k, v in PARAM.findall(";" + rest)}
    return kind.strip().lower(), params


def python_read(data: bytes) -> tuple:
    """The same tree as Python's parser sees it, with no defect anywhere."""
    msg = message_from_bytes(data, policy=policy.default)

    def tree(part):
        assert not part.defects, part.defects
        if part.is_multipart():
            return part.get_content_type(), [tree(p) for p in part.iter_parts()]
        return part.get_content_type(), part.get_filename(), part.get_payload(decode=True)
    return tree(msg)


def expected(text: str, html: str | None, attachments: tuple[Attachment, ...]) -> tuple:
    body: tuple = ("text/plain", None, text.encode("utf-8"))
    if html is not None:
        body = ("multipart/alternative", [body, ("text/html", None, html.encode("utf-8"))])
    if not attachments:
        return body
    return ("multipart/mixed", [body, *((a.content_type, a.filename, a.data)
                                        for a in attachments)])


def lines_normalised(tree: tuple, body: bool = True) -> tuple:
    """The text and HTML with their line ends as mail carries them (CRLF, CR and LF are one
    line end); attachments, base64-encoded, byte for byte."""
    if tree[0] == "multipart/mixed":
        return tree[0], [lines_normalised(t, body and i == 0) for i, t in enumerate(tree[1])]
    if isinstance(tree[1], list):
        return tree[0], [lines_normalised(t, body) for t in tree[1]]
    if body:
        return tree[0], tree[1], re.sub(rb"\r\n?", b"\n", tree[2]).rstrip(b"\n")
    return tree


def both_read(data: bytes) -> tuple:
    strict, python = strict_read(data), python_read(data)
    assert lines_normalised(strict) == lines_normalised(python)
    return lines_normalised(python)


def header_lines(data: bytes) -> list[bytes]:
    return data.partition(b"\n\n")[0].split(b"\n")


# -- attachments: whatever their name or type, they stay one part ------------------------


@pytest.mark.parametrize("end", LINE_ENDS)
def test_a_filename_with_a_line_end_stays_in_its_one_part(end):
    name = f"plan{end}X-Injected : yes{end}--=_mf_mix_{ITEM}{end}b.pdf"
    data = mail(html="<p>Hi</p>", attachments=(Attachment(name, "application/pdf", b"%PDF"),))

    tree = both_read(data)

    assert [t[0] for t in tree[1]] == ["multipart/alternative", "application/pdf"]
    assert tree[1][1][1] == one_line(re.sub(r"[\x00-\x1f]", " ", name))
    assert tree[1][1][2] == b"%PDF"


@pytest.mark.parametrize("end", LINE_ENDS)
def test_a_parameter_with_a_line_end_cannot_add_a_header_to_the_part(end):
    attachment = Attachment("invite.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n",
                            params=(("method", f"REQUEST{end}Content-Type : text/html"),))
    data = mail(attachments=(attachment,))

    tree = both_read(data)

    assert tree[1][1] == ("text/calendar", "invite.ics", b"BEGIN:VCALENDAR\r\n")
    assert not any(line.startswith(b"Content-Type :") for line in data.split(b"\n"))


@pytest.mark.parametrize("kind", ["message/rfc822", "multipart/mixed", "Multipart/Related",
                                  "text", "text/plain\r\nBcc : x@example.org",
                                  "text/pla in", "/", ""])
def test_a_type_that_cannot_be_sent_in_base64_goes_as_octet_stream(kind):
    data_in = f"Subject: x\r\nContent-Type: multipart/mixed; boundary=\"=_mf_mix_{ITEM}\"\r\n"
    attachment = Attachment("notes.eml", kind, data_in.encode("ascii"))

    tree = both_read(mail(attachments=(attachment,)))

    assert tree[1][1] == ("application/octet-stream", "notes.eml", data_in.encode("ascii"))


def test_a_boundary_parameter_on_an_attachment_cannot_close_the_mail_early():
    attachment = Attachment("a.txt", "text/plain", b"one\n",
                            params=(("boundary", f"=_mf_mix_{ITEM}"),))
    tree = both_read(mail(html="<p>Hi</p>", attachments=(attachment, attachment)))

    assert [t[0] for t in tree[1]] == ["multipart/alternative", "text/plain", "text/plain"]


def test_a_filename_of_a_thousand_letters_keeps_every_line_within_998_octets():
    names = ["r" * 1500 + ".csv", "é" * 700 + ".csv", '"\\' * 600 + ".csv"]
    data = mail(attachments=tuple(Attachment(n, "text/csv", b"a,b\n") for n in names))

    tree = both_read(data)

    assert [t[1].endswith(".csv") for t in tree[1][1:]] == [True] * 3


# -- headers: one line each, within 998 octets, decoding back ----------------------------


def test_a_non_ascii_name_too_long_for_a_line_is_cut_and_decodes_back_to_its_start():
    name = "Léa-Éloïse " * 10 + "é" * 800
    data = mail(to_name=name)

    assert max(map(len, data.split(b"\n"))) <= 998
    parsed = message_from_bytes(data, policy=policy.default)
    shown = parsed["To"].addresses[0].display_name
    assert len(shown) > 200 and name.startswith(shown)
    assert parsed["To"].addresses[0].addr_spec == "lea@example.org"


def test_an_ascii_name_without_a_space_too_long_for_a_line_is_cut_and_reads_back():
    name = '"Wolfeschlegelsteinhausenberger\\' * 40
    data = mail(to_name=name)

    assert max(map(len, data.split(b"\n"))) <= 998
    parsed = message_from_bytes(data, policy=policy.default)
    shown = parsed["To"].addresses[0].display_name
    assert len(shown) > 200 and name.startswith(shown)


def test_a_long_subject_without_a_space_stays_within_998_octets_and_reads_back():
    subject = "x" * 1200
    data = mail(subject=subject)

    assert max(map(len, data.split(b"\n"))) <= 998
    assert str(make_header(decode_header(python_subject(data)))) == subject


def python_subject(data: bytes) -> str:
    return message_from_bytes(data, policy=policy.compat32)["Subject"]


def test_an_answered_message_id_too_long_for_a_line_is_dropped_not_sent():
    long_id = "a" * 1200 + "@mail.example.org"
    data = mail(in_reply_to=long_id, references=("root@mail.example.org", long_id))

    assert max(map(len, data.split(b"\n"))) <= 998
    assert b"In-Reply-To" not in data.partition(b"\n\n")[0]


@pytest.mark.parametrize("separator", ["\r\n", "\r", "\n", "\x00", "\u2028", "\u2029",
                                       "\x85", "\x1c", "\x1d", "\x1e", "\x0b", "\x0c"])
def test_no_separator_in_names_subjects_or_extra_headers_starts_a_header(separator):
    evil = f"Léa{separator}Bcc : victim@example.org{separator}X-Injected: 1"
    data = mail(to_name=evil, subject=evil,
                headers={"List-Unsubscribe": f"<mailto:stop@{DOMAIN}>{separator}Bcc: x@y"})

    names = [line.partition(b":")[0].lower() for line in header_lines(data)
             if line[:1] not in (b" ", b"\t")]
    assert b"bcc" not in names and b"x-injected" not in names and b"bcc " not in names
    both_read(data)


# -- whatever goes in, both readers read back exactly the parts that went in -------------

TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300) | st.sampled_from([
    f"--=_mf_alt_{ITEM}\n", f"--=_mf_mix_{ITEM}--\n", f"a\n--=_mf_alt_{ITEM}\nb",
    "=_mf_mix_\n", "From x\n.\n", "é" * 1100, "=" * 200])
NAMES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)
TYPES = st.sampled_from(["text/plain", "text/csv", "application/pdf", "text/calendar",
                         "image/png", "message/rfc822", "multipart/mixed", "text/html"])
# Python's get_filename() unquotes a name twice, dropping the quotes or angle brackets
# around a name such as '"x"' or '<x>' (email.utils.unquote): a reader's quirk, not the mail's.
FILENAMES = NAMES.filter(lambda n: not re.fullmatch(r'\s*(<.*>|".*")\s*', n, re.S))
ATTACHMENTS = st.builds(Attachment, filename=FILENAMES, content_type=TYPES,
                        data=st.binary(max_size=200)
                        | st.just(f"\n--=_mf_mix_{ITEM}\n".encode()))


@given(text=TEXTS, html=st.none() | TEXTS, name=NAMES, subject=NAMES,
       attachments=st.lists(ATTACHMENTS, max_size=3).map(tuple))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_mail_reads_back_into_exactly_the_parts_composed(text, html, name, subject,
                                                              attachments):
    data = mail(to_name=name, subject=subject, text=text, html=html or None,
                attachments=attachments)

    tree = both_read(data)

    sent = tuple(Attachment(a.filename, sent_type(a.content_type), a.data)
                 for a in attachments)
    want = lines_normalised(expected(text, html or None, sent))
    assert strip_names(tree) == strip_names(want)
    parsed = message_from_bytes(data, policy=policy.default)
    assert parsed["To"].addresses[0].display_name == one_line(
        re.sub(r"[\x00-\x1f\x7f]", " ", name))
    assert str(parsed["Subject"]) == one_line(re.sub(r"[\x00-\x1f\x7f]", " ", subject))


def sent_type(kind: str) -> str:
    return "application/octet-stream" if kind.split("/")[0] in ("message", "multipart") else kind


def strip_names(tree: tuple) -> tuple:
    """The tree without filenames (cleaned of control characters, compared elsewhere)."""
    if isinstance(tree[1], list):
        return tree[0], [strip_names(t) for t in tree[1]]
    return tree[0], tree[2]


# -- the WIRE fast path writes what compat32 writes --------------------------------------


@given(name=st.text(st.characters(min_codepoint=33, max_codepoint=126,
                                  blacklist_characters=":"), min_size=1, max_size=40),
       value=st.text(st.sampled_from(" \t a:;,=?\"<>\\()"), max_size=12),
       pad=st.integers(min_value=0, max_value=1000))
@settings(max_examples=400, deadline=None)
def test_wire_writes_any_ascii_header_as_compat32_does_near_the_line_limit(name, value, pad):
    value = "x" * max(0, 998 - len(name) - 2 - pad) + value

    assert written(WIRE, name, value) == written(COMPAT32, name, value)


# -- roster import: a local file up to 16 MB, a mail's CSV up to 2 MB ---------------------


def test_a_csv_attached_to_mail_is_still_capped_at_two_megabytes():
    with pytest.raises(MailflowError, match="larger than 2,000,000 bytes"):
        decode(b"name,email\n" + b"x" * MAX_ROSTER_BYTES, "mentors.csv")


def test_a_local_roster_file_of_the_largest_size_allowed_is_decoded():
    data = b"name,email\n" + b"x" * (MAX_FILE_ROSTER_BYTES - 11)

    assert len(decode(data, "big.csv", MAX_FILE_ROSTER_BYTES)) == MAX_FILE_ROSTER_BYTES


def cli(*args: str, memory: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    return subprocess.run([sys.executable, "-m", "mailflow", *args], capture_output=True,
                          text=True, timeout=120, preexec_fn=limit,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def program(tmp_path) -> Path:
    directory = tmp_path / "program"
    assert cli("init", str(directory)).returncode == 0
    return directory


def test_a_local_roster_file_over_its_cap_is_refused_with_the_fix(program, tmp_path):
    big = tmp_path / "mentees.csv"
    with big.open("wb") as f:
        f.truncate(MAX_FILE_ROSTER_BYTES + 1)  # sparse: no disk spent

    result = cli("-C", str(program), "import", "mentees", str(big))

    assert result.returncode == 2
    assert f"larger than {MAX_FILE_ROSTER_BYTES:,} bytes" in result.stderr
    assert "split it in parts" in result.stderr


def test_an_endless_roster_file_is_refused_without_reading_it_whole(program):
    result = cli("-C", str(program), "import", "mentees", "/dev/zero", memory=1_500_000_000)

    assert result.returncode == 2, result.stderr
    assert f"larger than {MAX_FILE_ROSTER_BYTES:,} bytes" in result.stderr


def test_a_cell_over_the_csv_field_limit_is_named_with_its_line_and_fix():
    text = "name,email,notes\nLéa,lea@example.org,ok\nSofia,s@example.org," + "x" * 200_000

    roster = read_roster(text, "mentees.csv")

    with pytest.raises(MailflowError,
                       match=r"mentees.csv: line 3, column \?: a cell is longer than 131,072"):
        roster.check()


def test_a_header_cell_over_the_csv_field_limit_is_named_as_line_one():
    roster = read_roster("name,email," + "x" * 200_000 + "\nLéa,lea@example.org,\n", "m.csv")

    with pytest.raises(MailflowError, match=r"m.csv: line 1, column \?: a cell is longer"):
        roster.check()


def test_a_cell_over_the_csv_field_limit_is_refused_plainly_by_the_cli(program, tmp_path):
    path = tmp_path / "mentees.csv"
    path.write_text("name,email,notes\nLéa,lea@example.org," + "x" * 200_000 + "\n")

    result = cli("-C", str(program), "import", "mentees", str(path))

    assert result.returncode == 2, result.stderr
    assert "nothing imported" in result.stderr and "line 2" in result.stderr


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x.example\",\"a\")", "+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1)", "  =1+1", "\t=1+1"])
def test_a_formula_imported_in_any_cell_is_exported_as_text(program, tmp_path, cell):
    path = tmp_path / "mentees.csv"
    out = io.StringIO()
    csv.writer(out).writerows([["name", "email", "=cmd()"], [cell, "lea@example.org", cell]])
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))
    assert cli("-C", str(program), "import", "mentees", str(path)).returncode == 0

    exported = cli("-C", str(program), "export", "participants").stdout

    cells = [c for line in exported.splitlines()[1:] for c in split_csv(line)]
    cells += split_csv(exported.splitlines()[0])
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def split_csv(line: str) -> list[str]:
    return next(csv.reader([line]))


def test_a_nul_in_a_cell_is_kept_as_text_not_an_error():
    roster = read_roster("name,email\nLé\x00a,lea@example.org\n", "mentees.csv")

    assert roster.rows == [("lea@example.org", {"name": "Lé\x00a", "email": "lea@example.org"})]
