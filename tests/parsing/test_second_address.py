"""A participant writing from a second address is neither a stranger nor taken for granted."""

from __future__ import annotations

from types import SimpleNamespace

from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import understand
from tests.parsing.context import reading_context

LEA = {"email": "lea.gagnon@example.com", "name": "Léa Gagnon", "role": "mentee",
       "status": "selected", "language": "fr"}
CHOICES = SimpleNamespace(id="c1", message_id="c1.q@northlake.example.org",
                          recipients=[LEA["email"]], meta={"expects": "choices"})


def _mail(sender: str, thread: str = "") -> bytes:
    header = f"In-Reply-To: <{thread}>\r\n" if thread else ""
    return (f"From: {sender}\r\nTo: mentorship@northlake.example.org\r\nSubject: Re: choix\r\n"
            f"Message-ID: <x1@lab.example.org>\r\n{header}"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n1. Chen Wei\r\n").encode()


def test_an_answer_in_our_thread_from_another_address_is_probably_its_participant(tmp_path):
    ctx = reading_context(tmp_path, [LEA], [CHOICES])
    reading = understand(decode_message(_mail("Lea G <lea@lab.example.org>",
                                              CHOICES.message_id)), ctx)

    assert reading.probably == LEA["email"] and reading.participant is None
    assert reading.needs_review and reading.choices == []
    assert reading.language == "fr"


def test_a_participant_s_name_from_an_unknown_address_is_probably_them(tmp_path):
    ctx = reading_context(tmp_path, [LEA], [CHOICES])
    reading = understand(decode_message(_mail("Lea Gagnon <lea@lab.example.org>")), ctx)

    assert reading.probably == LEA["email"] and reading.needs_review


def test_a_stranger_is_still_a_stranger(tmp_path):
    ctx = reading_context(tmp_path, [LEA], [CHOICES])
    reading = understand(decode_message(_mail("Ana Lima <ana@example.net>")), ctx)

    assert reading.probably is None and not reading.needs_review


def test_a_linked_address_answers_in_the_thread_as_its_participant(tmp_path):
    linked = {**LEA, "aliases": ["lea@lab.example.org"]}
    ctx = reading_context(tmp_path, [linked], [CHOICES])
    ctx.participant = lambda a: linked if (a or "").lower() in (
        LEA["email"], "lea@lab.example.org") else None
    reading = understand(decode_message(_mail("Lea G <lea@lab.example.org>",
                                              CHOICES.message_id)), ctx)

    assert reading.participant == LEA["email"] and reading.evidence == "thread"
    assert reading.answers_item == "c1"
