"""The reader chain: its order decides, the thread beats content, a failing reader means review."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mailflow.parsing.decode import decode_message
from mailflow.parsing.readers import machine
from mailflow.parsing.understand import CHAIN, Context, understand
from mailflow.program.engine import decide
from mailflow.program.rules import load_rules
from mailflow.reply_tokens import make_token, reply_address
from tests.parsing.context import reading_context

MENTORS = {
    "chen.wei@example.org": "Chen Wei",
    "amelie.tremblay@example.org": "Amélie Tremblay",
    "kwame.mensah@example.org": "Kwame Mensah",
}
LEA = {"email": "lea.gagnon@example.com", "name": "Léa Gagnon", "role": "mentee",
       "status": "selected", "language": "en"}
OURS = SimpleNamespace(id="c" * 24, message_id="choices-1@northlake.example.org",
                       recipients=[LEA["email"]], meta={"expects": "choices"})


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    return reading_context(tmp_path, [LEA, *({"email": e, "name": n, "role": "mentor"}
                                             for e, n in MENTORS.items())], [OURS])


def _mail(body: str, subject: str = "Re: Your top 3 mentors", headers: str = "") -> bytes:
    return (f"From: Léa Gagnon <lea.gagnon@example.com>\r\n"
            "To: mentorship@northlake.example.org\r\n"
            f"Subject: {subject}\r\nMessage-ID: <r1@mail.example.com>\r\n"
            f"In-Reply-To: <{OURS.message_id}>\r\nReferences: <{OURS.message_id}>\r\n"
            f"{headers}Date: Tue, 09 Feb 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode("utf-8")


QUOTED_LIST = """\
1. Chen Wei
2. Amélie Tremblay
3. Kwame Mensah

Thanks!
Léa

On Mon, Feb 8, 2027 at 9:00 AM Northlake Mentorship <mentorship@northlake.example.org> wrote:
> Please reply with your top 3 mentors.
>
> Name: Chen Wei
> Expertise: microbiology
> Languages: English, Mandarin
>
> Name: Kwame Mensah
> Expertise: data science
> Languages: English, French
"""


def test_a_reply_in_the_choices_thread_is_read_as_choices_despite_a_quoted_form(ctx):
    reading = understand(decode_message(_mail(QUOTED_LIST)), ctx)

    assert reading.kind == "choices"
    assert reading.choices == list(MENTORS)
    assert not reading.needs_review
    assert reading.expects == "choices"


def _to_our_signed_address(raw: bytes) -> bytes:
    """The same mail sent to the signed reply address our mail gave (what clients do)."""
    signed = reply_address("mentorship", "northlake.example.org",
                           make_token(b"k", OURS.id, LEA["email"]))
    return raw.replace(b"To: mentorship@northlake.example.org", f"To: {signed}".encode())


def test_a_command_in_the_choices_thread_is_a_command(ctx):
    raw = _to_our_signed_address(_mail("PAUSE until 2027-07-01\n\n-- \nLéa"))
    reading = understand(decode_message(raw), ctx)

    assert (reading.kind, reading.command, reading.until) == ("command", "pause", "2027-07-01")


def test_a_command_known_only_by_its_thread_waits_for_a_confirmation(ctx):
    reading = understand(decode_message(_mail("PAUSE until 2027-07-01\n")), ctx)

    assert (reading.kind, reading.command, reading.pending) == (
        "command", "confirm", "pause:2027-07-01")


def test_an_unsubscribe_click_with_an_empty_body_is_a_stop_not_a_review(ctx):
    reading = understand(decode_message(_to_our_signed_address(_mail("", subject="STOP"))),
                         ctx)

    assert (reading.kind, reading.command) == ("command", "stop")
    assert not reading.needs_review


def test_a_failing_reader_sends_the_message_to_review_unanswered(ctx, monkeypatch, tmp_path):
    def broken(*_args):
        raise RuntimeError("bug")
    monkeypatch.setattr(machine, "automatic_kind", broken)
    reading = understand(decode_message(_mail("Thanks!")), ctx)

    assert reading.needs_review and reading.no_answer
    assert any("could not read" in p for p in reading.problems)
    rules = load_rules(Path(__file__).resolve().parents[2] / "rules")
    assert decide(reading, LEA, rules) == []


def test_the_chain_is_one_ordered_list_with_machine_mail_first():
    names = [name for name, _ in CHAIN]

    assert names.index("bounce") < names.index("who and which thread")
    assert names.index("command") < names.index("expected answer") < names.index(
        "application form") < names.index("unexpected content")
    assert names[-1] == "anything else"
