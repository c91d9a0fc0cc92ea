"""Print what hostile one-line bodies cost the readers (a script, not a test: no timed asserts).

Usage: PYTHONPATH=. python tests/attacks/time_stalls.py
Each regex below runs as one C call, which the daemon's SIGALRM budget cannot interrupt.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mailflow.parsing import choices, commands
from mailflow.parsing.readers import unexpected


def timed(label: str, work: Callable[[str], object], make: Callable[[int], str],
          sizes: tuple[int, ...]) -> None:
    for size in sizes:
        text = make(size)
        start = time.perf_counter()
        work(text)
        print(f"{label:60} {len(text):>7} chars  {time.perf_counter() - start:8.3f} s",
              flush=True)


def _understand(body: str) -> object:
    """understand() of ``body`` from a participant, in a throw-away program."""
    import tempfile
    from pathlib import Path

    from mailflow.parsing.decode import decode_message
    from mailflow.parsing.understand import understand
    from tests.parsing.context import reading_context

    lea = {"email": "lea@example.org", "name": "Léa", "role": "mentee", "status": "selected"}
    with tempfile.TemporaryDirectory() as tmp:
        ctx = reading_context(Path(tmp), [lea])
        raw = ("From: Léa <lea@example.org>\r\nTo: mentorship@northlake.example.org\r\n"
               "Subject: hi\r\nContent-Type: text/plain\r\n\r\n" + body).encode()
        return understand(decode_message(raw), ctx)


def main() -> None:
    # commands._COMMAND: four \s* in a row around optional parts, O(n^4) on one line.
    timed("read_command('x' + spaces + 'y')  [any participant]",
          lambda t: commands.read_command(t, ""), lambda n: "x" + " " * n + "y",
          (100, 200, 300, 400))
    # choices._SEPARATORS: a leading \s* retried at every space, O(n^2).
    timed("_SEPARATORS.split('a' + spaces + 'b')  [a mentee's list line]",
          choices._SEPARATORS.split, lambda n: "a" + " " * n + "b", (5000, 10000, 20000))
    # unexpected._questions (was _QUESTION, [^.!?\n]{3,}\? retried from every start, O(n^2)).
    timed("_questions(words without '?')  [every participant]",
          unexpected._questions, lambda n: "word " * (n // 5), (25000, 50000, 100000))
    # The whole reading of a participant's reply, as the daemon runs it.
    timed("understand() of a 50 KB one-line reply (spaces, digits, 'a:' lines)",
          _understand, lambda n: "Name:" + " " * n + "x", (50000,))


if __name__ == "__main__":
    main()
