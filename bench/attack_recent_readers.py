"""Time of the readers changed by the last commits on hostile input, against ordinary input of
the same size: tabs kept by bounded_text, HTML table cells joined by a tab, survey table rows,
scale answers in words, weekday with day number, and the mentor-of-two "yes for both" re-read.

Run: ``PYTHONPATH=$PWD python bench/attack_recent_readers.py [--quick]``. Prints, for each
case, the best of ``--repeat`` runs of the hostile and the ordinary input, and their ratio
(hostile / ordinary). Asserts nothing. 1,000,000 characters is the most a message can
bring (decode.MAX_TEXT_CHARS); bounded_text rewrites all of it before its 10,000-character cut.

Compare with the code before these commits: ``git archive 2f640b5 mailflow | tar -x -C /tmp/old``
then ``PYTHONPATH=/tmp/old python bench/attack_recent_readers.py`` (the repository root is put
after PYTHONPATH, so the old package is the one imported).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: an older mailflow given there wins

from mailflow.parsing.command_prose import read_asked_command  # noqa: E402
from mailflow.parsing.decode import decode_message  # noqa: E402
from mailflow.parsing.examine import bounded_text  # noqa: E402
from mailflow.parsing.html_text import html_to_text  # noqa: E402
from mailflow.parsing.meeting import read_meeting  # noqa: E402
from mailflow.parsing.survey import Question, Survey, read_survey  # noqa: E402
from mailflow.parsing.understand import understand  # noqa: E402
from tests.parsing.context import reading_context  # noqa: E402

SURVEY = Survey("midpoint", [
    Question(1, "scale", "How useful have your meetings been (1-5)?", True),
    Question(2, "yesno", "Would you recommend the program to a friend?", True),
    Question(3, "text", "Any comments?", False),
])
WHEN = datetime(2027, 3, 17, 10, 0)
NOOR = {"email": "noor@example.com", "name": "Noor Haddad", "role": "mentee",
        "status": "selected", "language": "en"}
IVAN = {"email": "ivan@example.com", "name": "Ivan Petrov", "role": "mentee"}
KWAME = {"email": "kwame.mensah@example.org", "name": "Kwame Mensah", "role": "mentor",
         "status": "introduced", "mentees": [NOOR["email"], IVAN["email"]]}
CHECKIN = SimpleNamespace(id="m1", message_id="m1.q@northlake.example.org",
                          recipients=[KWAME["email"]], meta={"expects": "meeting"})
SURVEY_ITEM = SimpleNamespace(id="s1", message_id="s1.q@northlake.example.org",
                              recipients=[NOOR["email"]], meta={"expects": "survey:midpoint"})


def fill(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _mail(sender: dict, item: SimpleNamespace, body: str, html: bool = False) -> bytes:
    kind = "text/html" if html else "text/plain"
    return (f"From: {sender['name']} <{sender['email']}>\r\n"
            "To: mentorship@northlake.example.org\r\nSubject: Re: our mail\r\n"
            f"Message-ID: <r-{item.id}@mail.example.com>\r\nIn-Reply-To: <{item.message_id}>\r\n"
            "Date: Wed, 17 Mar 2027 10:00:00 -0400\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {kind}; charset=utf-8\r\n\r\n" + body).encode("utf-8")


def best(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def cases(size: int, ctx: object) -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    """(label, hostile call, ordinary call of the same size)."""
    def survey(text: str) -> Callable[[], object]:
        return lambda: read_survey(bounded_text(text)[0], "", SURVEY)

    def html(cells: str) -> Callable[[], object]:
        return lambda: html_to_text(cells)

    def whole(sender: dict, item: SimpleNamespace, body: str, is_html: bool = False
              ) -> Callable[[], object]:
        raw = _mail(sender, item, body, is_html)
        return lambda: understand(decode_message(raw), ctx)  # type: ignore[arg-type]

    words = fill("word ", size)
    cells = size // 12
    return [
        ("bounded_text: 'word<TAB>' vs 'word '",
         lambda: bounded_text(fill("word\t", size)), lambda: bounded_text(words)),
        ("bounded_text: only tabs vs only spaces",
         lambda: bounded_text("\t" * size), lambda: bounded_text(" " * size)),
        ("bounded_text: lines of blanks ' \\t \\n' vs 'abc\\n'",
         lambda: bounded_text(fill(" \t \n", size)), lambda: bounded_text(fill("abc\n", size))),
        ("bounded_text: '1.\\t' list marks vs '1. x '",
         lambda: bounded_text(fill("1.\t\n", size)), lambda: bounded_text(fill("1. x\n", size))),
        ("bounded_text: 'x \\t ' mixed runs vs 'x   '",
         lambda: bounded_text(fill("x \t ", size)), lambda: bounded_text(fill("x   ", size))),
        (f"html_to_text: {cells:,} cells in one row vs paragraphs",
         html("<table><tr>" + "<td>cell</td>" * cells + "</tr></table>"),
         html("<div>" + "<span>cell</span> " * cells + "</div>")),
        (f"html_to_text: {cells:,} empty cells vs paragraphs",
         html("<table><tr>" + "<td></td>" * cells + "<td>x</td></tr></table>"),
         html("<div>" + "<span></span>" * cells + "<span>x</span></div>")),
        (f"html_to_text: {cells:,} one-cell rows vs paragraphs",
         html("<table>" + "<tr><td>cell</td></tr>" * cells + "</table>"),
         html("<div>" + "<p>cell</p>" * cells + "</div>")),
        ("read_survey: table rows '1. Q<TAB>4' vs '1. Q 4'",
         survey(fill("1. Usefulness\t4\n2. Recommend\tyes\n", size)),
         survey(fill("1. Usefulness 4\n2. Recommend yes\n", size))),
        ("read_survey: many cells on a line vs words",
         survey("1. " + fill("a\t", size)), survey("1. " + fill("a ", size))),
        ("read_survey: number words 'quatre sur cinq. ' vs 'great, thanks. '",
         survey("1. " + fill("quatre sur cinq. ", size)),
         survey("1. " + fill("great thanks. ", size))),
        ("read_meeting: 'thursday ' repeated vs 'yes we met '",
         lambda: read_meeting("Yes, " + fill("thursday ", size), WHEN, None),
         lambda: read_meeting("Yes, " + fill("we met ok ", size), WHEN, None)),
        ("read_meeting: 'jeudi 1' repeated vs 'jeudi x'",
         lambda: read_meeting("Oui, " + fill("jeudi 1", size), WHEN, None),
         lambda: read_meeting("Oui, " + fill("jeudi x", size), WHEN, None)),
        ("read_asked_command: 'pause the ' repeated vs 'please the '",
         lambda: read_asked_command(fill("pause the ", size), WHEN.date()),
         lambda: read_asked_command(fill("please the ", size), WHEN.date())),
        ("understand: mentor of two, 'Ok. ' sentences vs one long sentence",
         whole(KWAME, CHECKIN, "Yes, with both. Noor on March 2. Ivan on March 9. "
               + fill("Ok. ", size)),
         whole(KWAME, CHECKIN, "Yes, with both. Noor on March 2. Ivan on March 9. "
               + fill("ok ", size))),
        ("understand: mentor of two, 'Yes.\\n' lines vs 'yes ' words",
         whole(KWAME, CHECKIN, "Noor on March 2. Ivan on March 9.\n" + fill("Yes.\n", size)),
         whole(KWAME, CHECKIN, "Noor on March 2. Ivan on March 9.\n" + fill("yes ", size))),
        (f"understand: survey in an HTML table of {cells:,} cells vs a paragraph",
         whole(NOOR, SURVEY_ITEM, "<table><tr>" + "<td>4</td>" * cells + "</tr></table>", True),
         whole(NOOR, SURVEY_ITEM, "<div>" + "<span>4</span> " * cells + "</div>", True)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 characters only")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = (10_000,) if args.quick else (10_000, 100_000, 1_000_000)
    people = [NOOR, IVAN, KWAME]
    ctx = reading_context(Path(tempfile.mkdtemp()), people, [CHECKIN, SURVEY_ITEM])
    import mailflow
    print(f"mailflow from {Path(mailflow.__file__).parent}; best of {args.repeat}")
    worst: dict[str, float] = {}
    for size in sizes:
        print(f"\n{size:,} characters\n{'case':66s} {'hostile s':>10s} {'ordinary s':>11s} "
              f"{'ratio':>7s}")
        for label, hostile, ordinary in cases(size, ctx):
            if size > 100_000 and label.startswith("understand"):
                continue  # the pipeline bounds the text first: 100k shows it already
            bad, good = best(hostile, args.repeat), best(ordinary, args.repeat)
            ratio = bad / good if good else float("inf")
            worst[label] = max(worst.get(label, 0.0), ratio)
            print(f"{label:66s} {bad:10.4f} {good:11.4f} {ratio:7.1f}")
    top = sorted(worst.items(), key=lambda kv: -kv[1])[:3]
    print("BENCH-RESULT " + json.dumps({"bench": "attack_recent_readers", "sizes": list(sizes),
                                        "worst_ratio": {k: round(v, 1) for k, v in top}}))


if __name__ == "__main__":
    main()
