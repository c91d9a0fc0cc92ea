"""Time to the first mail of a scheduled mass mailing, against a one-recipient mailing.

A program whose one scheduled rule is due for N selected mentees (2,000 and 10,000;
``--quick``: 200 and 1,000). In-process ``Daemon`` with a fixed clock and the capturing
SmtpServer (aiosmtpd, this process): the time from calling ``daemon.tick()`` until the SMTP
server holds the first mail (``tick()`` then ``send()``, as one pass of the daemon does).
Baseline, same run: the same for a mailing to 1 mentee (render, queue, hand over one
mail); the ratio is mailflow-at-N / baseline. For comparison, the same N made in one go
(``scheduler.tick(now)`` without a chunk limit, as before chunking). Also: how long the
whole mailing takes to be queued, and the time of a chunk (linear in the firings due means
a flat time for the later chunks as N grows); then the smallest N again with 100,000
firings of past mailings in the store (the program's history). Figures, not pass/fail.

    python bench/mass_mailing.py [--quick] [--sizes 2000 10000]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import PASSWORD_ENV, emit, servers, temp_dir, write_program

TEMPLATE = """\
Subject: The spring workshop is open for registration

Hello {{ person.name }},

The spring workshop of the mentorship program takes place in April. Registration
opens today; places are limited, so reply to this message if you want one.
"""
NOW = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)


class _NoImap:  # write_program wants IMAP details; this benchmark never reads mail
    host, port, user, password = "127.0.0.1", 1, "nobody", "x"


def make_program(base: Path, smtp, n: int, history: int = 0) -> Path:
    """A program with n selected mentees and a rule due a minute before NOW; ``history``
    firings of past mailings (a year ago, outside the lookback) in its store."""
    from mailflow.program import participants
    from mailflow.runtime import open_program

    root = write_program(base, _NoImap(), smtp)
    config = root / "config.yaml"
    due = NOW - timedelta(minutes=1)
    config.write_text(
        config.read_text().replace("rate_per_minute: 100000", "rate_per_minute: 100000000")
        .replace("program:\n", "program:\n  timezone: UTC\n", 1)
        + f"calendar:\n  dates:\n    workshop_open: {due.strftime('%Y-%m-%d %H:%M')}\n")
    (root / "rules").mkdir()
    (root / "rules" / "calendar.yaml").write_text(
        "rules:\n  - name: workshop-announcement\n    at: {after: workshop_open}\n"
        "    to: {role: mentee, status: selected}\n    do: [send: workshop_announcement]\n")
    (root / "templates").mkdir()
    (root / "templates" / "workshop_announcement.en.txt").write_text(TEMPLATE)
    program = open_program(root)
    with program.store.transaction():
        participants.insert_many(program.store, [
            {"email": f"mentee{i}@example.org", "name": f"Mentee {i}", "role": "mentee",
             "status": "selected", "language": "en"} for i in range(n)])
        program.store.db.table("_meta").update(
            {"schedule_started": (NOW - timedelta(days=400)).isoformat()}, doc_ids=[1])
        old = (NOW - timedelta(days=365)).isoformat()
        program.store.table("firings").insert_multiple(
            {"key": f"old-newsletter|mentee{i % n}@example.org|{i // n}",
             "rule": "old-newsletter", "recipient": f"mentee{i % n}@example.org",
             "occasion": str(i // n), "due": old, "state": "fired", "reason": "", "at": old}
            for i in range(history))
    program.close()
    return root


def first_mail(root: Path, smtp, chunked: bool) -> dict[str, float]:
    """Seconds from the tick to the first mail at the server; then the whole queueing."""
    from mailflow.daemon import Daemon
    from mailflow.program.scheduler import CHUNK
    from mailflow.runtime import open_program

    program = open_program(root)
    smtp.clear()
    arrived: list[float] = []
    append = smtp.messages.append

    def stamped(item: object) -> None:
        arrived.append(time.perf_counter())
        append(item)

    smtp.messages.append = stamped  # type: ignore[method-assign]
    try:
        t_start = time.perf_counter()
        daemon = Daemon(program, clock=lambda: NOW)  # reads the firings once (the history)
        start = time.perf_counter() - t_start
        chunks: list[float] = []
        t0 = time.perf_counter()
        if chunked:
            daemon.tick()
        else:
            program.scheduler.tick(NOW)
        chunks.append(time.perf_counter() - t0)
        while not arrived:
            daemon.send()
        first = arrived[0] - t0
        while program.scheduler.backlog:
            t1 = time.perf_counter()
            program.scheduler.tick(NOW, limit=CHUNK)
            chunks.append(time.perf_counter() - t1)
        queued = time.perf_counter() - t0
    finally:
        smtp.messages.append = append  # type: ignore[method-assign]
        program.close()
    later = sorted(chunks[1:]) or chunks
    return {"first": first, "queued": queued, "slowest_chunk": max(chunks),
            "first_chunk": chunks[0], "later_chunk": later[len(later) // 2], "start": start}


def measure(base: Path, smtp, n: int, chunked: bool, label: str,
            history: int = 0) -> dict[str, float]:
    root = make_program(base / f"{label}-{n}-{history}", smtp, n, history)
    return first_mail(root, smtp, chunked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 recipients")
    args = parser.parse_args()
    sizes = [200, 1000] if args.quick else args.sizes
    os.environ.setdefault(PASSWORD_ENV, "x")
    figures: dict[str, object] = {}
    with temp_dir("mf-bench-mass-") as base, servers(base, imap=False) as (_, smtp):
        measure(base, smtp, 1, True, "warmup")
        baseline = min(measure(base, smtp, 1, True, f"base{k}")["first"] for k in range(3))
        print(f"baseline: a mailing to 1 mentee, tick to first mail: {baseline * 1000:.0f} ms")
        print(f"{'recipients':>10} {'first mail':>11} {'ratio':>7} {'unchunked':>10} "
              f"{'ratio':>7} {'all queued':>11} {'1st chunk':>10} {'later':>8}")
        figures["baseline_s"] = round(baseline, 4)
        for n in sizes:
            chunked = measure(base, smtp, n, True, "chunked")
            whole = measure(base, smtp, n, False, "whole")
            print(f"{n:>10} {chunked['first']:>10.3f}s {chunked['first'] / baseline:>6.1f}x "
                  f"{whole['first']:>9.3f}s {whole['first'] / baseline:>6.1f}x "
                  f"{chunked['queued']:>10.2f}s {chunked['first_chunk']:>9.3f}s "
                  f"{chunked['later_chunk']:>7.3f}s")
            figures[str(n)] = {"first_s": round(chunked["first"], 3),
                               "ratio": round(chunked["first"] / baseline, 1),
                               "unchunked_first_s": round(whole["first"], 3),
                               "all_queued_s": round(chunked["queued"], 2),
                               "first_chunk_s": round(chunked["first_chunk"], 3),
                               "later_chunk_s": round(chunked["later_chunk"], 3)}
        n = sizes[0]
        print(f"\nthe same {n} recipients with past firings in the store (history):")
        for history in (0, 100_000):
            run = measure(base, smtp, n, True, "history", history)
            print(f"{history:>10} {run['first']:>10.3f}s first mail, chunks: first "
                  f"{run['first_chunk']:.3f}s, later {run['later_chunk']:.3f}s; daemon "
                  f"start (reads the firings once) {run['start']:.3f}s")
            figures[f"history_{history}"] = {"first_s": round(run["first"], 3),
                                             "later_chunk_s": round(run["later_chunk"], 3),
                                             "daemon_start_s": round(run["start"], 3)}
    print("first mail: from the tick to the first mail at the SMTP server (target < 2 s);"
          " unchunked: the whole mailing queued in one tick first, as before chunks;\n"
          "all queued: until the last chunk is queued (the first send slice of 1 s included);"
          " 1st chunk: the scan and 100 firings; later: the median of the other chunks.")
    emit("mass_mailing", figures)


if __name__ == "__main__":
    main()
