"""Print what hostile replies cost understand() through the new readers (a script, not a test).

Usage: PYTHONPATH=. python tests/attacks/time_readers.py [FILTER]
Each line: the shape, its size, CPU seconds through the whole pipeline, the reading's kind.
The readers: choices rows and numbers, prose ranks, meeting (Spanish), per-mentee facts,
absence subjects and lone addresses of bounces.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from mailflow.parsing.decode import decode_message
from mailflow.parsing.understand import Context, understand
from tests.parsing.context import reading_context

FIRST = ["Chen", "Sofia", "Kwame", "Amélie", "José", "Priya", "Noor", "Ivan", "Hana", "Lars"]
LAST = ["Wei", "Rossi", "Mensah", "Tremblay", "Martínez", "Patel", "Haddad", "Petrov", "Sato",
        "Berg"]
MENTORS = [{"email": f"m{i}@example.org", "name": f"{f} {last}", "role": "mentor"}
           for i, (f, last) in enumerate((f, last) for f in FIRST for last in LAST)]
MENTEE = {"email": "noor@example.com", "name": "Noor Haddad", "role": "mentee",
          "status": "selected", "language": "en"}
MENTOR = {"email": "kwame@example.org", "name": "Kwame Osei", "role": "mentor",
          "status": "introduced", "language": "es",
          "mentees": ["noor@example.com", "ivan@example.com", "camille@example.com"]}
OTHERS = [{"email": "ivan@example.com", "name": "Ivan Petrov", "role": "mentee"},
          {"email": "camille@example.com", "name": "Camille Roy", "role": "mentee"}]
CHOICES = SimpleNamespace(id="c1", message_id="c1.q@northlake.example.org",
                          recipients=[MENTEE["email"]],
                          meta={"expects": "choices", "numbered": [m["email"] for m in MENTORS]})
CHECKIN = SimpleNamespace(id="m1", message_id="m1.q@northlake.example.org",
                          recipients=[MENTOR["email"]], meta={"expects": "meeting"})


def context(directory: Path) -> Context:
    return reading_context(directory, [MENTEE, MENTOR, *OTHERS, *MENTORS], [CHOICES, CHECKIN])


def raw(sender: dict, item: SimpleNamespace | None, body: str, subject: str = "Re: our mail",
        extra: str = "", content_type: str = "text/plain") -> bytes:
    thread = f"In-Reply-To: <{item.message_id}>\r\n" if item else ""
    return (f"From: {sender['name']} <{sender['email']}>\r\n"
            f"To: mentorship@northlake.example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: <r1@mail.example.com>\r\n{thread}{extra}"
            "Date: Wed, 17 Mar 2027 10:00:00 -0400\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {content_type}; charset=utf-8\r\n\r\n" + body).encode("utf-8")


def cpu(ctx: Context, message: bytes) -> tuple[float, str]:
    start = time.process_time()
    reading = understand(decode_message(message), ctx)
    return time.process_time() - start, reading.kind


NAMES = [m["name"] for m in MENTORS]
DAEMON = {"email": "MAILER-DAEMON@mx.example.net", "name": "Mail Delivery System"}
BOUNCED = "Undelivered Mail Returned to Sender"


def choices(body: str, html: bool = False) -> Callable[[], bytes]:
    return lambda: raw(MENTEE, CHOICES, body, content_type="text/html" if html else "text/plain")


def report(body: str) -> Callable[[], bytes]:
    return lambda: raw(MENTOR, CHECKIN, body)


def lines(line: str, count: int) -> str:
    return (line + "\n") * count


SHAPES: dict[str, Callable[[], bytes]] = {
    "choices: 10k rows 'Name N'": choices(
        "".join(f"{NAMES[i % 100]} {i % 100 + 1}\n" for i in range(10_000))),
    "choices: 500 rows 'Name | N' (a table)": choices(
        "Mentor | Rank\n" + "".join(f"{NAMES[i % 100]} | {i % 100 + 1}\n" for i in range(500))),
    "choices: rows of names without numbers": choices(
        "".join(f"{NAMES[i % 100]} {NAMES[(i + 1) % 100]}\n" for i in range(2000))),
    "choices: long line of names and commas": choices(", ".join(NAMES[i % 100]
                                                                 for i in range(80))),
    "choices: long line 'a' + separators": choices("Chen" + " -|:" * 240 + "x 3"),
    "choices: _TRAILING_NUMBER '- ' * n + 'x'": choices(lines("a" + "- " * 495, 20)),
    "choices: _TRAILING_NUMBER '-1' * n": choices(lines("a" + "-1" * 495, 20)),
    "choices: _TRAILING_NUMBER 'a|' * n": choices(lines("a|" * 495, 20)),
    "choices: _TRAILING_NUMBER ' (' * n": choices(lines("a" + " (" * 495, 20)),
    "choices: _NUMBER_RUN '1, ' * n": choices(lines("1, " * 330, 30)),
    "choices: _NUMBER_RUN '1 and ' * n": choices(lines("1 and " * 165, 60)),
    "choices: digits with spaces": choices(lines("1 " * 495, 20)),
    "choices: _RANK_HEADING words": choices(lines("rank order choice " * 55, 10)),
    "choices: 90 names one line": choices(" ".join(NAMES[i % 100] for i in range(90))),
    "choices: prose ranks long": choices(" ".join(
        f"my first choice is {NAMES[i % 100]}, then {NAMES[(i + 7) % 100]}." for i in range(150))),
    "choices: prose ranks one sentence": choices(lines(
        "first " + ", ".join(NAMES[i % 100] for i in range(60)), 6)),
    "choices: 3000 lines '1. Name'": choices(
        "".join(f"{i % 9 + 1}. {NAMES[i % 100]}\n" for i in range(3000))),
    "choices: email addresses": choices(", ".join(f"m{i}@example.org" for i in range(500))),
    "choices: 1000 rows of typo names": choices(
        "".join(f"Cheen Wie{i} {i}\n" for i in range(1000))),
    "meeting: repeated month words": report(lines("we met " + "march " * 160, 10)),
    "meeting: '3 de mayo de' * n": report(lines("nos reunimos " + "3 de mayo de " * 75, 10)),
    "meeting: many 'and I' clauses": report(" ".join(
        "Noor and I met, Ivan and I have not met, Camille and I" for _ in range(150))),
    "meeting: 'and I' * n": report(lines("Noor " + "and I " * 160, 10)),
    "meeting: names without punctuation": report(lines("Noor Ivan Camille " * 50, 10)),
    "meeting: a name on each line": report("Noor met\nIvan not yet\n" * 700),
    "meeting: 'not ' * n": report(lines("not " * 240, 10)),
    "meeting: 'have not yet been able to' * n": report(lines(
        "have not yet been able to " * 38, 10)),
    "meeting: 'no ' * n": report(lines("no " * 330, 10)),
    "meeting: 'we have already' * n": report(lines("we have already " * 60, 10)),
    "meeting: 'our first' * n": report(lines("our first " * 100, 10)),
    "meeting: 'nous nous sommes deja' * n": report(lines("nous nous sommes deja " * 45, 10)),
    "meeting: 'ya tuvimos nuestra primera' * n": report(lines(
        "ya tuvimos nuestra primera " * 37, 10)),
    "meeting: '1/1/' * n": report(lines("we met " + "1/1/" * 240, 10)),
    "meeting: '1-1-1' * n": report(lines("we met " + "1-1-1" * 190, 10)),
    "auto: 'Out of office' subject, 10k body": lambda: raw(MENTEE, None, "x " * 5000,
                                                           subject="Out of office"),
    "auto: subject 'absence du' + spaces": lambda: raw(
        MENTEE, None, "hi", subject="absence du " + " " * 5000 + "x"),
    "auto: subject 'absente ' * n": lambda: raw(MENTEE, None, "hi", subject="absente " * 1000),
    "auto: subject 'is out of the ' * n": lambda: raw(MENTEE, None, "hi",
                                                      subject="is out of the " * 500),
    "bounce: many addresses": lambda: raw(DAEMON, None, "a@b." * 1250, subject=BOUNCED),
    "bounce: address-like run": lambda: raw(DAEMON, None, "a" * 2500 + "@" + "b-" * 1250,
                                            subject=BOUNCED),
    "bounce: 'b.' * n": lambda: raw(DAEMON, None, "a@" + "b." * 2500, subject=BOUNCED),
    "bounce: Gmail words + 300 spaces": lambda: raw(
        DAEMON, None, "Delivery to the following recipient failed" + " " * 300 + "\n",
        subject=BOUNCED),
    "bounce: x + 5000 blank lines + x": lambda: raw(DAEMON, None, "x" + "\n" * 4998 + "x",
                                                    subject=BOUNCED),
    "bounce: x + 100k blank lines + x (flufl's 2 s budget)": lambda: raw(
        DAEMON, None, "x" + "\n" * 100_000 + "x", subject=BOUNCED),
    "html: 5000 nested divs": choices("<div>" * 5000 + "Chen Wei 1" + "</div>" * 5000, True),
    "html: a table of 5000 rows": choices("<table>" + "".join(
        f"<tr><td>{NAMES[i % 100]}</td><td>{i % 100 + 1}</td></tr>" for i in range(5000))
        + "</table>", True),
}


def main() -> None:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    with tempfile.TemporaryDirectory() as tmp:
        ctx = context(Path(tmp))
        cpu(ctx, raw(MENTEE, CHOICES, "Chen Wei"))  # imports and caches
        for label, make in SHAPES.items():
            if wanted in label:
                seconds, kind = cpu(ctx, make())
                print(f"{label:50} {seconds:8.3f} s  {kind}", flush=True)


if __name__ == "__main__":
    main()
