"""The coordinators' digest: what went out, came in, waits, and is coming."""

from __future__ import annotations

from datetime import datetime

import pytest

from mailflow.program.digest import build_digest
from tests.digest_screenshot import demo_program, digest_message, part
from tests.program.year import ZONE, Run, new_program, roster


def test_the_digest_lists_what_was_sent_and_what_the_next_week_brings(tmp_path):
    run = Run.open(new_program(tmp_path / "p"))
    roster(run.program)
    monday = datetime(2027, 3, 1, 8, 0, tzinfo=ZONE)
    run.ticks(datetime(2027, 2, 22, 8, 0, tzinfo=ZONE), monday)
    [digest] = [i for i in run.program.outbox.items.values()
                if i.meta["template"] == "digest" and "|2027-03-01" in i.key]
    text = run.program.outbox.message_bytes(digest.id).decode("latin-1")
    run.close()
    assert "monthly-tip" in text or "tips/" in text  # the tips of 1 March 09:00 are coming
    assert "2027-02-22" in text  # it covers the time since the previous digest


def test_the_digest_lists_the_mail_sent_received_and_waiting_in_its_week(tmp_path):
    run = Run.open(new_program(tmp_path / "p"))
    roster(run.program)
    program, monday = run.program, datetime(2027, 3, 1, 8, 0, tzinfo=ZONE)
    program.outbox.clock = lambda: datetime(2027, 2, 22, 9, 30, tzinfo=ZONE).timestamp()
    run.ticks(datetime(2027, 2, 22, 8, 0, tzinfo=ZONE), datetime(2027, 2, 22, 9, 30, tzinfo=ZONE))
    with program.store.transaction():
        program.store.table("inbound").insert({"received": "2027-02-27T10:00:00+00:00",
                                               "sender": "lea@example.org", "kind": "choices"})
        program.store.table("review").insert({"created": "2027-02-27T11:00:00+00:00",
                                              "sender": "ana@example.net", "subject": "Hello?",
                                              "problems": ["empty message"], "resolved": False})
    [item] = [i for i in program.outbox.items.values()][:1] or [None]
    assert item is not None, "the ticks of 22 February queue mail"
    program.outbox.mark_sending(item)
    program.outbox.mark_sent(item)
    digest = build_digest(program.store, program.outbox, monday, lambda start, end: [])
    run.close()
    assert digest["sent"] and digest["sent"][0]["to"] == item.recipients[0]
    assert [r["sender"] for r in digest["received"]] == ["lea@example.org"]
    assert [r["sender"] for r in digest["review"]] == ["ana@example.net"]


def test_every_time_in_the_digest_is_in_the_program_s_zone(tmp_path):
    run = Run.open(new_program(tmp_path / "p"))
    program = run.program
    with program.store.transaction():
        program.store.table("inbound").insert({"received": "2027-02-27T15:00:00+00:00",
                                               "sender": "lea@example.org", "kind": "choices"})
    digest = build_digest(program.store, program.outbox, datetime(2027, 3, 1, 8, 0, tzinfo=ZONE),
                          lambda start, end: [], ZONE)
    run.close()
    assert digest["received"][0]["when"] == "2027-02-27 10:00"  # 15:00 UTC in Montreal


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo program of 7 June 2027 (tests/digest_screenshot.py), closed afterwards."""
    program = demo_program(tmp_path_factory.mktemp("demo") / "program")
    yield program
    program.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_digest_mail_has_an_html_dashboard_and_a_plain_text_twin(demo, language):
    message = digest_message(demo, language)
    html, text = part(message, "html"), part(message, "plain")

    for figure in ("44", "13", "54", "5 d", "550 5.1.1", "survey_reminder"):
        assert figure in html and figure in text, figure
    assert ("Funnel" in html and "FUNNEL" in text) if language == "en" else \
        ("Parcours" in html and "PARCOURS" in text)


def test_the_digest_html_uses_only_what_every_mail_client_draws(demo):
    html = part(digest_message(demo), "html").lower()

    for banned in ("<script", "<style", "<img", "<link", "display:flex", "display:grid",
                   "url(", "http://", "https://"):
        assert banned not in html, banned
    assert 'bgcolor="#2f6f9f"' in html and 'width="100%"' in html  # the bars are table cells


def test_the_digest_bars_are_as_wide_as_the_figures(demo):
    html = part(digest_message(demo), "html")

    # 44 applied is the widest bar; 22 introduced is half of it.
    assert 'width="100%" bgcolor="#2f6f9f"' in html and 'width="50%" bgcolor="#2f6f9f"' in html
