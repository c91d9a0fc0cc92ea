"""Log lines: one per event, as text or JSON, whatever the message or the exception holds."""

from __future__ import annotations

import io
import json
import logging
import sys

from mailflow.logs import JsonFormatter, TextFormatter, setup_logging


def record(message: str, *args: object, exc: bool = False, **extra: object) -> logging.LogRecord:
    """A record as ``logger.error(message, *args, extra=extra)`` makes it, inside ``except``."""
    exc_info = None
    if exc:
        try:
            raise ValueError("a bug\nover two lines")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.getLogger("mailflow.daemon").makeRecord(
        "mailflow.daemon", logging.ERROR, __file__, 1, message, args, exc_info, extra=extra)


def test_a_traceback_stays_on_the_line_of_its_event_in_text():
    line = TextFormatter().format(record("a batch failed", exc=True))
    assert "\n" not in line
    assert "a batch failed" in line and "ValueError: a bug | over two lines" in line


def test_a_line_break_in_a_message_cannot_forge_a_second_text_line():
    line = TextFormatter().format(record("message from %s", "x\n2026-01-01 INFO forged"))
    assert "\n" not in line
    assert line.endswith("message from x | 2026-01-01 INFO forged")


def test_json_lines_have_time_level_logger_message_and_event_fields():
    line = JsonFormatter().format(record("message %s handled", "k1", event="handled", key="k1"))
    entry = json.loads(line)
    assert "\n" not in line
    assert {k: entry[k] for k in ("level", "logger", "message", "event", "key")} == {
        "level": "ERROR", "logger": "mailflow.daemon", "message": "message k1 handled",
        "event": "handled", "key": "k1"}
    assert entry["time"].endswith("+00:00")


def test_json_carries_the_traceback_in_one_field():
    entry = json.loads(JsonFormatter().format(record("a batch failed", exc=True)))
    assert entry["exception"].startswith("Traceback") and "ValueError: a bug" in entry["exception"]


def test_setup_logging_writes_json_to_the_given_stream():
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers.clear()
    stream = io.StringIO()
    try:
        setup_logging("json", stream=stream)
        logging.getLogger("mailflow.test").warning("disk %s", "full")
    finally:
        root.handlers[:] = saved
        root.setLevel(level)
    assert json.loads(stream.getvalue())["message"] == "disk full"
