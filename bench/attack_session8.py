"""Time of the readers changed in session 8 (1bc6b50, a7da4af, 6116f6f) on hostile input,
against ordinary input of the same size: two numbers for a rating (survey._ALTERNATIVE),
ordinal day words beside a month (meeting._WORD_BEFORE_MONTH / _WORD_AFTER_MONTH),
German '15. Juni' (_DAY_DOT_MONTH), the 'only exchanged emails' not-met words, and the
Italian / German stops and pauses with nao/non/nicht (command_prose).

Run: ``PYTHONPATH=$PWD python bench/attack_session8.py [--quick]``. Prints, for each case
and size, the best of ``--repeat`` runs of the hostile and the ordinary input, their ratio
(hostile / ordinary) and, for the hostile input, how its time grows when the size doubles
(2.0 is linear, 4.0 quadratic). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH: an older mailflow given there wins

from mailflow.parsing import meeting, survey  # noqa: E402
from mailflow.parsing.command_prose import read_asked_command  # noqa: E402
from mailflow.parsing.examine import bounded_text  # noqa: E402
from mailflow.parsing.meeting import read_meeting  # noqa: E402
from mailflow.parsing.survey import Question, Survey, read_survey, value_for  # noqa: E402

SURVEY = Survey("midpoint", [
    Question(1, "scale", "How useful have your meetings been (1-5)?", True),
    Question(2, "yesno", "Would you recommend the program to a friend?", True),
    Question(3, "text", "Any comments?", False),
])
SCALE = SURVEY.questions[0]
WHEN = datetime(2027, 5, 20, 10, 0)


def fill(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def best(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


Case = tuple[str, Callable[[int], Callable[[], object]], Callable[[int], Callable[[], object]]]


def cases() -> list[Case]:
    """(label, hostile call for a size, ordinary call for a size)."""
    def bound(read: Callable[[str], object], text: Callable[[int], str]
              ) -> Callable[[int], Callable[[], object]]:
        def call(n: int) -> Callable[[], object]:
            built = text(n)  # outside the timed call
            return lambda: read(built)
        return call

    def value(text: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
        return bound(lambda t: value_for(SCALE, t), text)

    def surveyed(text: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
        ten = Survey("ten", [Question(i, "scale", f"Question number {i} (1-5)?", True)
                             for i in range(1, 11)])
        return bound(lambda t: read_survey(t, "", ten), text)

    def met(text: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
        return bound(lambda t: read_meeting(t, WHEN, None), text)

    def regex(pattern, how: str, text: Callable[[int], str]
              ) -> Callable[[int], Callable[[], object]]:
        def call(n: int) -> Callable[[], object]:
            t = text(n)
            if how == "match":
                return lambda: pattern.match(t)
            if how == "sub":
                return lambda: pattern.sub("x", t)
            return lambda: list(pattern.finditer(t))
        return call

    def asked(text: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
        return bound(lambda t: read_asked_command(t, WHEN.date()), text)

    words = lambda n: fill("great thanks ", n)  # noqa: E731
    return [
        ("value_for: '3 ' + ' or 4' * n vs '3 ' + words",
         value(lambda n: "3" + fill(" or 4", n)), value(lambda n: "3 " + words(n))),
        # value_for alone raises ValueError past 4,300 digits (int()); read_survey catches it
        ("read_survey: '1. ' + digits vs '1. ' + letters",
         surveyed(lambda n: "1. " + "3" * n), surveyed(lambda n: "1. " + "a" * n)),
        ("value_for: '3 -' + ' -' * n (dashes) vs words",
         value(lambda n: "3" + fill(" -", n)), value(lambda n: "3 " + words(n))),
        # ^\s*[,;]?\s*: two blank runs side by side, tried at every split when nothing follows
        ("_ALTERNATIVE.match: n blanks then 'x' vs ' x' * n/2 [small sizes]",
         regex(survey._ALTERNATIVE, "match", lambda n: " " * n + "x"),
         regex(survey._ALTERNATIVE, "match", lambda n: fill(" x", n))),
        # U+1680 is a blank to \s but not to bounded_text's _BLANKS nor a line end to
        # splitlines: ten answers of 990 of them fill the 10,000 characters read
        ("read_survey(bounded_text): 10 answers '3'+U+1680*k+'x' vs '3'+'ab'*k/2 [small]",
         surveyed(lambda n: bounded_text("".join(
             f"{i}. 3" + "\u1680" * (n // 10 - 6) + "x\n" for i in range(1, 11)))[0]),
         surveyed(lambda n: bounded_text("".join(
             f"{i}. 3" + "ab" * ((n // 10 - 6) // 2) + "x\n" for i in range(1, 11)))[0])),
        # older than session 8: _TRAILING's \s*(...)?\s*[.!)]?\s*$ is cubic on such a run
        ("read_survey(bounded_text): 'i. great 4'+U+1680*k+'x' vs +'ab'*k/2 [small]",
         surveyed(lambda n: bounded_text("".join(
             f"{i}. great 4" + "\u1680" * (n // 10 - 12) + "x\n" for i in range(1, 11)))[0]),
         surveyed(lambda n: bounded_text("".join(
             f"{i}. great 4" + "ab" * ((n // 10 - 12) // 2) + "x\n" for i in range(1, 11)))[0])),
        ("read_survey: '1. 3 or 4\\n' lines vs '1. 3 great\\n'",
         surveyed(lambda n: fill("1. 3 or 4\n", n)), surveyed(lambda n: fill("1. 3 great\n", n))),
        ("read_meeting: 'the fifteenth of ' repeated vs 'the weather was '",
         met(lambda n: "Yes we met " + fill("the fifteenth of ", n)),
         met(lambda n: "Yes we met " + fill("the weather was ", n))),
        ("read_meeting: 'twenty-first ' repeated vs 'twenty people '",
         met(lambda n: "Yes we met " + fill("twenty-first ", n)),
         met(lambda n: "Yes we met " + fill("twenty people ", n))),
        ("read_meeting: 'first ' + spaces + 'x' runs vs words",
         met(lambda n: "Yes we met " + fill("first" + " " * 200 + "x ", n)),
         met(lambda n: "Yes we met " + fill("firm" + " " * 200 + "xy ", n))),
        ("read_meeting: 'may the first may the ' vs 'say the first say the '",
         met(lambda n: "Yes we met " + fill("may the first may the ", n)),
         met(lambda n: "Yes we met " + fill("say the first say the ", n))),
        ("read_meeting: '15. 15. 15. ' vs 'ab. ab. ab. '",
         met(lambda n: "Ja, getroffen " + fill("15. ", n)),
         met(lambda n: "Ja, getroffen " + fill("ab. ", n))),
        ("read_meeting: '1/2 3/4 ' numeric dates vs 'a/b c/d '",
         met(lambda n: "Yes we met " + fill("1/2 3/4 ", n)),
         met(lambda n: "Yes we met " + fill("a/b c/d ", n))),
        ("read_meeting: 'only exchanged ' repeated vs 'only exchange '",
         met(lambda n: "We have " + fill("only exchanged ", n)),
         met(lambda n: "We have " + fill("only exchange  ", n))),
        ("_WORD_BEFORE_MONTH.sub: 'first of ' repeated vs 'firm of '",
         regex(meeting._WORD_BEFORE_MONTH, "sub", lambda n: fill("first of ", n)),
         regex(meeting._WORD_BEFORE_MONTH, "sub", lambda n: fill("firm of  ", n))),
        ("_WORD_AFTER_MONTH.sub: 'may the may the ' vs 'say the say the '",
         regex(meeting._WORD_AFTER_MONTH, "sub", lambda n: fill("may the ", n)),
         regex(meeting._WORD_AFTER_MONTH, "sub", lambda n: fill("say the ", n))),
        ("_DAY_DOT_MONTH.finditer: '1. 1. 1. ' vs 'a. a. a. '",
         regex(meeting._DAY_DOT_MONTH, "finditer", lambda n: fill("1. ", n)),
         regex(meeting._DAY_DOT_MONTH, "finditer", lambda n: fill("a. ", n))),
        ("read_asked_command: 'non non non ' vs 'nos nos nos '",
         asked(lambda n: fill("non ", n)), asked(lambda n: fill("nos ", n))),
        ("read_asked_command: 'pause pause ' + 'until' vs 'paste paste '",
         asked(lambda n: fill("pause ", n) + "until May"),
         asked(lambda n: fill("paste ", n) + "until May")),
        ("read_asked_command: 'keine mails ' repeated vs 'kleine mails '",
         asked(lambda n: fill("keine mails ", n)), asked(lambda n: fill("kleine mail ", n))),
        ("read_asked_command: 'mettere ' + 'x' * 29 + ' ' repeated vs 'mittere '",
         asked(lambda n: fill("mettere " + "x" * 29 + " ", n)),
         asked(lambda n: fill("mittere " + "x" * 29 + " ", n))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12,500 and 25,000 characters")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = (12_500, 25_000) if args.quick else (12_500, 25_000, 50_000, 100_000)
    import mailflow
    print(f"mailflow from {Path(mailflow.__file__).parent}; best of {args.repeat}")
    worst_ratio: dict[str, float] = {}
    worst_growth: dict[str, float] = {}
    for label, hostile, ordinary in cases():
        print(f"\n{label}\n{'size':>9s} {'hostile s':>10s} {'ordinary s':>11s} {'ratio':>7s} "
              f"{'growth x2':>10s}")
        previous = None
        small = (1_250, 2_500, 5_000, 10_000) if not args.quick else (1_250, 2_500)
        for size in small if "[small" in label else sizes:
            bad, good = best(hostile(size), args.repeat), best(ordinary(size), args.repeat)
            ratio = bad / good if good else float("inf")
            growth = bad / previous if previous else float("nan")
            worst_ratio[label] = max(worst_ratio.get(label, 0.0), ratio)
            if previous and bad > 0.005:  # below 5 ms the growth is noise
                worst_growth[label] = max(worst_growth.get(label, 0.0), growth)
            previous = bad
            print(f"{size:9,d} {bad:10.5f} {good:11.5f} {ratio:7.1f} {growth:10.2f}")
    top = sorted(worst_ratio.items(), key=lambda kv: -kv[1])[:4]
    grows = sorted(worst_growth.items(), key=lambda kv: -kv[1])[:4]
    print("BENCH-RESULT " + json.dumps({
        "bench": "attack_session8", "sizes": list(sizes),
        "worst_ratio": {k: round(v, 1) for k, v in top},
        "worst_growth_x2": {k: round(v, 2) for k, v in grows}}))


if __name__ == "__main__":
    main()
