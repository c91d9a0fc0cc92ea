"""Log setup: one line per event, as text or as one JSON object, so that journald, grep and log
shippers never see a traceback or a message split over several lines."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
# What every LogRecord has; anything else on a record came from ``extra=`` and is an event field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def _one_line(text: str) -> str:
    """``text`` with its line breaks shown as `` | ``: a message can never forge a log line."""
    return " | ".join(part.rstrip() for part in text.splitlines() if part.strip())


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a caller attached with ``extra=`` (such as ``event``), by name."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class TextFormatter(logging.Formatter):
    """``TIME LEVEL LOGGER: message [key=value ...]`` with any traceback folded onto the line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(self._prepared(record))
        fields = event_fields(record)
        if fields:
            line += " [" + " ".join(f"{k}={v}" for k, v in sorted(fields.items())) + "]"
        if record.exc_info:
            line += " | " + self.formatException(record.exc_info)
        return _one_line(line)

    def _prepared(self, record: logging.LogRecord) -> logging.LogRecord:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        return record


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the event fields, any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in event_fields(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(log_format: str = "text", verbose: bool = False,
                  stream: TextIO | None = None) -> None:
    """Send every log record to ``stream`` (stderr) in ``log_format``, one line per event.

    Like ``logging.basicConfig``, it leaves alone a root logger someone else set up (a test
    runner, a program embedding mailflow); a second call replaces the handler of the first.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "mailflow", False)]:
        root.removeHandler(old)
    if not root.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
        handler.mailflow = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        logging.getLogger("imapclient").setLevel(logging.WARNING)
        logging.getLogger("aiosmtplib").setLevel(logging.WARNING)
