"""The readers see text of a bounded shape: a regular expression runs as one C call,
which the per-message time budget cannot interrupt, so no input may make one slow.
(The timings are printed by tests/attacks/time_stalls.py, never asserted.)"""

from __future__ import annotations

from mailflow.parsing.choices import _SEPARATORS
from mailflow.parsing.commands import read_command
from mailflow.parsing.decode import decode_message
from mailflow.parsing.examine import MAX_LINE_CHARS, MAX_READ_CHARS, bounded_text
from mailflow.parsing.readers.unexpected import _questions
from mailflow.parsing.understand import understand
from tests.parsing.context import reading_context

LEA = {"email": "lea@example.org", "name": "Léa", "role": "mentee", "status": "selected"}


def test_runs_of_blanks_are_read_as_one_space():
    assert bounded_text("1.\t \u00a0 Chen\u3000\u3000Wei")[0] == "1. Chen Wei"


def test_a_long_line_and_a_long_reply_are_cut_and_say_so():
    text, cut = bounded_text(("x" * (MAX_LINE_CHARS * 2) + "\n") * 20)
    assert cut and len(text) <= MAX_READ_CHARS
    assert max(len(line) for line in text.split("\n")) == MAX_LINE_CHARS


def test_a_reply_longer_than_mailflow_reads_goes_to_a_person(tmp_path):
    raw = ("From: Léa <lea@example.org>\r\nTo: mentorship@northlake.example.org\r\n"
           "Subject: hi\r\nContent-Type: text/plain\r\n\r\n" + "1" * 50_000).encode()
    reading = understand(decode_message(raw), reading_context(tmp_path, [LEA]))
    assert reading.needs_review and any("longer than mailflow reads" in p
                                        for p in reading.problems)


def test_a_command_padded_with_blanks_is_still_a_command():
    assert read_command("PAUSE" + " " * 500 + "until 2027-07-01", "").name == "pause"


def test_the_separator_pattern_starts_only_at_a_run_of_blanks():
    assert _SEPARATORS.split("Chen Wei" + " " * 50 + "and Kwame Mensah") == [
        "Chen Wei", "Kwame Mensah"]
    assert _SEPARATORS.pattern.startswith("(?<!\\s)")


def test_questions_are_found_without_searching_text_that_has_none():
    assert _questions("word " * 1000) == []
    assert _questions("Thanks. Can I meet online? Bye.") == ["Can I meet online?"]


def test_a_tab_between_a_label_and_an_answer_is_kept_as_a_table_cell():
    assert bounded_text("1. Usefulness \t 5\n\tindented")[0] == "1. Usefulness\t5\n indented"


def test_a_reply_longer_than_the_raw_bound_is_cut_even_if_its_blanks_would_shrink_it():
    text, cut = bounded_text("yes" + " " * 300_000 + "hidden")
    assert cut and text == "yes "
