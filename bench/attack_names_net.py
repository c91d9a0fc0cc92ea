"""Time per message of the names net (commit bfe28d6) on hostile replies: choices and surveys.

Run: ``python bench/attack_names_net.py [--quick] [--unbounded]``. Prints seconds per
message; asserts nothing (the goal is "no message takes more than a few seconds").

For each hostile reply, after a valid two-line list of choices (so the net runs):
- ``pipeline``: ``understand()`` on the whole message in our choices (or survey) thread,
  with a roster of 500 mentors whose first names overlap (and apostrophes, hyphens,
  non-Latin scripts, one mentor with a 60-character name);
- ``read``: ``read_choices`` / ``read_survey`` on ``bounded_text(text)``, the shape the
  pipeline hands them (examine.MAX_READ_CHARS = 10,000 characters, 1,000 a line);
- ``--unbounded``: ``read_choices`` on the raw text (1 MB and 5 MB), which no caller of the
  daemon does (examine.readable bounds the new text first); each run in a child process
  stopped after ``--timeout`` seconds.

Compare with the code before the net: ``git archive bfe28d6^ mailflow | tar -x -C /tmp/old``
then ``PYTHONPATH=/tmp/old python bench/attack_names_net.py`` (this script puts the repository
root after PYTHONPATH, so the old package is the one imported).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: an older mailflow given there wins

from mailflow.parsing.choices import read_choices  # noqa: E402
from mailflow.parsing.decode import decode_message  # noqa: E402
from mailflow.parsing.examine import bounded_text  # noqa: E402
from mailflow.parsing.names import RosterEntry  # noqa: E402
from mailflow.parsing.survey import read_survey  # noqa: E402
from mailflow.parsing.understand import understand  # noqa: E402
from tests.parsing.context import reading_context  # noqa: E402

FIRST = ["Sofia", "Johanna", "Chen", "Kwame", "Amélie", "José", "Grace", "Rose", "Mark",
         "Anna", "Maria", "Jean-Luc", "Zoë", "Dmitri", "Ali", "Wei", "Siobhán", "Nora",
         "Дмитрий", "Αλέξανδρος"]
LAST = ["O'Brien", "Nielsen", "Mensah", "Tremblay", "Martínez", "Rossi", "Almeida", "Ng",
        "Ben-Haim", "Иванов", "Παπαδόπουλος", "李", "Da Silva", "D'Angelo", "Müller",
        "Okafor", "Sharma", "Kowalczyk", "Nguyen", "Smith", "Brown", "Roy", "Dubé", "García",
        "Zhang"]
LONG = "Ann Maria-Josefina de la Santísima Trinidad Fernández-Castillo"
MENTEE = {"email": "lea@example.com", "name": "Léa Gagnon", "role": "mentee",
          "status": "selected", "language": "en"}
CHOICES = SimpleNamespace(id="c" * 24, message_id="choices-1@northlake.example.org",
                          recipients=[MENTEE["email"]], meta={"expects": "choices"})
SURVEY = SimpleNamespace(id="s" * 24, message_id="survey-1@northlake.example.org",
                         recipients=[MENTEE["email"]], meta={"expects": "survey:midpoint"})


def roster() -> list[RosterEntry]:
    """500 mentors: 20 first names x 25 surnames, and one with a long unique name."""
    people = [RosterEntry(f"m{i}@mentors.example", f"{FIRST[i % 20]} {LAST[i // 20]}")
              for i in range(500)]
    return [*people, RosterEntry("ann@mentors.example", LONG)]


HEAD = "1. Sofia O'Brien\n2. Johanna O'Brien\n\n"


def choices_cases(size: int) -> list[tuple[str, str]]:
    """(label, reply text) of about ``size`` characters after the list."""
    def fill(unit: str) -> str:
        return HEAD + unit * max(1, size // len(unit))
    return [
        ("a full stop per line ('.\\n')", fill(".\n")),
        ("'Ok.' per line", fill("Ok.\n")),
        ("unique first name per line ('Ann\\n', 60-char name)", fill("Ann\n")),
        ("unique first name, long lines ('Ann. ')", fill("Ann. ")),
        ("shared first name per line ('Sofia.\\n')", fill("Sofia.\n")),
        ("shared surname per line ('Nielsen.\\n')", fill("Nielsen.\n")),
        ("100k capitalised words ('Word ')", fill("Capital ")),
        ("non-Latin names ('Дмитрий Иванов. ')", fill("Дмитрий Иванов. ")),
        ("full names repeated ('Sofia O'Brien ')", fill("Sofia O'Brien ")),
        ("one enormous line of letters", HEAD + "x" * size),
        ("numbered marks '1) 2) 3) ...'", HEAD + " ".join(f"{i})" for i in range(
            1, max(3, size // 6)))),
        ("'1. ' repeated", fill("1. ")),
        ("'- ' repeated", fill("- ")),
        ("swap words after the list ('swap. ')", fill("swap. ")),
    ]


def survey_cases(size: int) -> list[tuple[str, str]]:
    def fill(unit: str) -> str:
        return unit * max(1, size // len(unit))
    return [
        ("marks '1) 2) 3) ...' on one line", " ".join(f"{i}) x" for i in range(
            1, max(3, size // 6)))),
        ("'1) 4 - 2) 3 - ' repeated", fill("1) 4 - 2) 3 - ")),
        ("'1. ' repeated", fill("1. ")),
        ("'- ' repeated", fill("- ")),
        ("'1) 4 - 2) ...' per line", fill("1) 4 - 2) twice - 3) yes - 4) ok\n")),
        ("'12.03.2027 ' dates", "1. " + fill("12.03.2027 ")),
    ]


def _mail(body: str, item: SimpleNamespace) -> bytes:
    return (f"From: {MENTEE['name']} <{MENTEE['email']}>\r\n"
            "To: mentorship@northlake.example.org\r\nSubject: Re: our mail\r\n"
            f"Message-ID: <r-{item.id}@mail.example.com>\r\nIn-Reply-To: <{item.message_id}>\r\n"
            "Date: Tue, 09 Feb 2027 10:00:00 -0500\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode("utf-8")


def _timed(call: Callable[..., object], *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = call(*args)
    return time.perf_counter() - start, result


def _choices(text: str, mentors: list[RosterEntry]) -> object:
    return read_choices(bounded_text(text)[0], mentors)


def _understood(text: str, item: SimpleNamespace, ctx: object) -> object:
    return understand(decode_message(_mail(text, item)), ctx)  # type: ignore[arg-type]


def _child(text: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    seconds, _ = _timed(read_choices, text, roster())
    out.put(seconds)


def _in_child(text: str, timeout: float) -> float | None:
    """Seconds of read_choices on ``text`` in a child process; None when stopped."""
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    child = multiprocessing.Process(target=_child, args=(text, out))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return float(out.get())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 characters, no pipeline")
    parser.add_argument("--unbounded", action="store_true",
                        help="also read_choices on 1 MB and 5 MB of raw text")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    size = 2_000 if args.quick else 10_000
    mentors = roster()
    people = [MENTEE, *({"email": m.email, "name": m.name, "role": "mentor"} for m in mentors)]
    ctx = reading_context(Path(tempfile.mkdtemp()), people, [CHOICES, SURVEY])
    import mailflow
    print(f"mailflow from {Path(mailflow.__file__).parent}; {len(mentors)} mentors; "
          f"replies of about {size:,} characters")
    worst: dict[str, float] = {}

    print(f"\n{'choices reply':55s} {'read (s)':>9s} {'pipeline (s)':>13s}  problems")
    for label, text in choices_cases(size):
        seconds, reading = _timed(_choices, text, mentors)
        whole = float("nan")
        if not args.quick:
            whole, _ = _timed(_understood, text, CHOICES, ctx)
        problems = getattr(reading, "problems", [])
        print(f"{label:55s} {seconds:9.3f} {whole:13.3f}  {len(problems)} "
              f"({sum(map(len, problems)):,} characters)")
        worst["choices"] = max(worst.get("choices", 0.0), seconds, 0 if whole != whole else whole)

    survey = ctx.config.surveys["midpoint"]
    print(f"\n{'survey reply':55s} {'read (s)':>9s} {'pipeline (s)':>13s}")
    for label, text in survey_cases(size):
        seconds, _ = _timed(read_survey, bounded_text(text)[0], "", survey)
        whole = float("nan")
        if not args.quick:
            whole, _ = _timed(_understood, text, SURVEY, ctx)
        print(f"{label:55s} {seconds:9.3f} {whole:13.3f}")
        worst["survey"] = max(worst.get("survey", 0.0), seconds, 0 if whole != whole else whole)

    if args.unbounded:
        print("\nread_choices on raw text (no caller does this; stopped after "
              f"{args.timeout:.0f} s)")
        stopped: set[str] = set()  # a case stopped at one size is not tried at a larger one
        for big in (100_000, 1_000_000, 5_000_000):
            for label, text in choices_cases(big)[2:4] + choices_cases(big)[:1]:
                seconds = None if label in stopped else _in_child(text, args.timeout)
                if seconds is None:
                    stopped.add(label)
                shown = f"{seconds:9.3f}" if seconds is not None else f">{args.timeout:8.0f}"
                print(f"{big:>9,} chars  {label:55s} {shown}")
    print("BENCH-RESULT " + json.dumps({"bench": "attack_names_net", "size": size,
                                        "worst_s": {k: round(v, 3) for k, v in worst.items()}}))


if __name__ == "__main__":
    main()
