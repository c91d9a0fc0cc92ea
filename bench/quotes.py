"""Quote-stripping accuracy and speed: mailflow, mail-parser-reply, talon, email-reply-parser.

Run: ``python bench/quotes.py``. The messages are those of tests/corpus/readings whose
expectation has ``reply_text_contains`` / ``reply_text_excludes``; every library gets the
same decoded text (``decode_message(raw).text``, HTML already turned into text). A
message counts as correct when the extracted new text contains every expected snippet
and none of the excluded ones (quoted original, signatures, "Sent from my iPhone").

The three other libraries are not dependencies of mailflow: install them for a run only
(``pip install mail-parser-reply talon email_reply_parser``). A library that cannot be
installed or imported is reported as such, never given a number.

Notes: talon's ``quotations.extract_from_plain`` strips quotes only (its signature
extraction needs a trained classifier and is not used here); email-reply-parser's
``parse_reply`` returns the visible fragment; mail-parser-reply is given the languages
of the corpus (en, fr).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from mailflow.parsing.decode import decode_message  # noqa: E402
from mailflow.parsing.quotes import split_reply  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "readings"
REPEAT = 5


def _mailflow() -> Callable[[str], str]:
    return lambda text: split_reply(text).new_text


def _mail_parser_reply() -> Callable[[str], str]:
    from mailparser_reply import EmailReplyParser

    parser = EmailReplyParser(languages=["en", "fr"])
    return lambda text: parser.parse_reply(text) or ""


def _talon() -> Callable[[str], str]:
    from talon import quotations

    return lambda text: quotations.extract_from_plain(text)


def _email_reply_parser() -> Callable[[str], str]:
    from email_reply_parser import EmailReplyParser

    return lambda text: EmailReplyParser.parse_reply(text)


LIBRARIES = [("mailflow", _mailflow), ("mail-parser-reply", _mail_parser_reply),
             ("talon", _talon), ("email-reply-parser", _email_reply_parser)]


def cases() -> list[tuple[str, str, list[str], list[str]]]:
    expected = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    out = []
    for name, want in sorted(expected.items()):
        contains, excludes = want.get("reply_text_contains", []), want.get(
            "reply_text_excludes", [])
        if contains or excludes:
            text = decode_message((CORPUS / name).read_bytes()).text
            out.append((name, text, contains, excludes))
    return out


def main() -> None:
    data = cases()
    print(f"Quote stripping on {len(data)} corpus messages with reply-text expectations\n")
    print(f"{'library':20} {'correct':>9} {'accuracy':>9} {'msg/s':>9}  note")
    failures: dict[str, list[str]] = {}
    for label, factory in LIBRARIES:
        try:
            extract = factory()
            extract("Hello\n\nOn Mon, 1 Mar 2027, A <a@b.c> wrote:\n> hi\n")
        except Exception as exc:  # not installable / not importable here: say so
            print(f"{label:20} {'-':>9} {'-':>9} {'-':>9}  unavailable: "
                  f"{type(exc).__name__}: {str(exc)[:80]}")
            continue
        good, errors, failed = 0, 0, []
        for name, text, contains, excludes in data:
            try:
                new = extract(text) or ""
            except Exception:
                errors, new = errors + 1, ""
            if all(s in new for s in contains) and not any(s in new for s in excludes):
                good += 1
            else:
                failed.append(name)
        start = time.perf_counter()
        for _ in range(REPEAT):
            for _name, text, _c, _e in data:
                with contextlib.suppress(Exception):
                    extract(text)
        rate = REPEAT * len(data) / (time.perf_counter() - start)
        note = f"{errors} raised" if errors else ""
        print(f"{label:20} {good:>4}/{len(data):<4} {100 * good / len(data):8.1f}% "
              f"{rate:9.0f}  {note}")
        failures[label] = failed
    print()
    for label, failed in failures.items():
        if failed:
            print(f"{label} misses: {', '.join(failed)}")


if __name__ == "__main__":
    main()
