"""A simulated program year: state/ size, journal, store and RSS month by month.

The example cohort (``mailflow init``) with N participants (pairs, introduced in
February, half of them in French) is run by the daemon in-process on a simulated clock
(the clock the daemon takes): twice a simulated day, the day's mail is dropped into the
Maildir and ``Daemon.run(once=True)`` takes it in, fires the calendar and sends (to the
folder of .eml files). Each participant writes about once a month (replies to the
program's last mail to them, the odd STOP/PAUSE), and strangers write in too. At the
end of each month it prints the size of state/, of the outbox journal, of the store
(snapshot and change log) and of the raw-mail spool, the process's RSS (now and peak)
the wall time of the daemon's runs per message over the month (reading, firing the
calendar, sending, housekeeping) and, apart, of reading alone (``Daemon.ingest``: record,
understand, act, per message). Figures only: nothing passes or fails.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

from _common import emit, parse_args, stranger_message, temp_dir

from mailflow.commands.init import init_program
from mailflow.daemon import Daemon
from mailflow.inbound.maildir import deliver
from mailflow.runtime import open_program
from tests.program.cohort_year import START, roster

STEPS = (9, 17)  # the hours of the simulated day at which the daemon runs once
MESSAGES_PER_PERSON_PER_MONTH = 1.0
STRANGERS_PER_DAY = 2


def size_of(path: Path) -> int:
    """Bytes of the files under ``path`` (0 when it does not exist)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def rss_mb() -> float:
    """The resident set size of this process now, from /proc."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def reply(rng: random.Random, person: str, name: str, last: tuple[str, str] | None,
          serial: int) -> bytes:
    """A participant's message: mostly a reply to the program's last mail, some commands."""
    subject, message_id = last if last else ("Question", "")
    body = rng.choice([
        "Thank you, see you there.\n",
        "Merci, c'est noté.\n",
        "We met last week and it went well. We talked about grant applications and "
        "planned the next meeting for the end of the month.\n",
        "Could you remind me of the date of the next session? Thanks.\n",
    ])
    if rng.random() < 0.01:
        body = rng.choice(["PAUSE\n", "RESUME\n"])
    lines = [f"From: {name} <{person}>", "To: Northlake Mentorship Program "
             "<mentorship@northlake.example.org>", f"Subject: Re: {subject}",
             f"Message-ID: <r{serial}.{rng.randrange(10**9)}@mail.example.org>",
             "Date: Mon, 01 Mar 2027 10:00:00 -0500", "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    if message_id:
        lines += [f"In-Reply-To: <{message_id}>", f"References: <{message_id}>"]
    quoted = "".join(f"> {line}\n" for line in ("Hello,", "", "This is the program's mail.",
                                                "Best regards,", "Northlake"))
    text = f"Hello,\n\n{body}\nBest,\n{name}\n\nOn a weekday the program wrote:\n{quoted}"
    return ("\r\n".join(lines) + "\r\n\r\n" + text.replace("\n", "\r\n")).encode()


def write_config(root: Path) -> None:
    """Sending unthrottled: the simulated year must not wait on the wall clock."""
    config = root / "config.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("coordinators:", "outbox:\n  rate_per_minute: 100000000\n\n"
                        "coordinators:", 1)
    config.write_text(text, encoding="utf-8")


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], 1000, 100)
    months = 12
    rng = random.Random(3)
    with temp_dir("mf-bench-year-") as base:
        root = base / "program"
        init_program(root)
        write_config(root)
        program = open_program(root)
        roster(program, pairs=args.n // 2, applicants=0, selected=0)
        people = [(p["email"], p.get("name") or p["email"])
                  for p in program.store.table("participants").all()]
        state = program.config.state_dir
        maildir = program.config.mailbox.maildir
        sent_dir = program.config.outbox.directory
        now = START
        daemon = Daemon(program, clock=lambda: now)
        reading = [0.0]
        ingest = daemon.ingest

        def timed_ingest() -> int:
            started = time.perf_counter()
            try:
                return ingest()
            finally:
                reading[0] += time.perf_counter() - started
        daemon.ingest = timed_ingest  # type: ignore[method-assign]
        per_day = len(people) * MESSAGES_PER_PERSON_PER_MONTH / 30
        serial = 0
        month_start, ingest_s, ingested = now, 0.0, 0
        rows = []
        print(f"{len(people)} participants, {months} simulated months from "
              f"{START.date()}, about {per_day:.0f} messages a day")
        print(f"{'month':9}{'state/ MB':>10}{'journal MB':>11}{'store MB':>9}"
              f"{'spool MB':>9}{'log MB':>7}{'RSS MB':>8}{'peak MB':>8}{'ms/msg':>8}{'read ms':>8}"
              f"{'items':>7}")
        end = START + timedelta(days=int(months * 30.5))
        day = START
        while day < end:
            for hour in STEPS:
                now = day.replace(hour=hour)
                last_to: dict[str, tuple[str, str]] = {}
                for item in program.outbox.items.values():
                    if item.recipients and item.kind != "notice":
                        last_to[item.recipients[0]] = (item.subject, item.message_id)
                for _ in range(int(rng.random() + per_day / len(STEPS))):
                    person, name = rng.choice(people)
                    serial += 1
                    deliver(maildir, reply(rng, person, name, last_to.get(person), serial))
                for _ in range(int(rng.random() + STRANGERS_PER_DAY / len(STEPS))):
                    serial += 1
                    deliver(maildir, stranger_message(10_000_000 + serial, rng))
                waiting = len(os.listdir(maildir / "new"))
                t0 = time.perf_counter()
                daemon.run(once=True)
                ingest_s += time.perf_counter() - t0
                ingested += waiting
                shutil.rmtree(maildir / "cur", ignore_errors=True)  # outside state/
                shutil.rmtree(sent_dir, ignore_errors=True)
            day += timedelta(days=1)
            if day.month != month_start.month or day >= end:
                row = {
                    "month": month_start.strftime("%Y-%m"),
                    "state_mb": size_of(state) / 2**20,
                    "journal_mb": size_of(program.outbox.journal_path) / 2**20,
                    "store_mb": size_of(state / "store.json") / 2**20,
                    "spool_mb": size_of(state / "messages") / 2**20,
                    "log_mb": size_of(state / "store.log") / 2**20,
                    "rss_mb": rss_mb(),
                    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "ms_per_msg": 1000 * ingest_s / max(ingested, 1),
                    "read_ms": 1000 * reading[0] / max(ingested, 1),
                    "items": len(program.outbox.items),
                }
                rows.append(row)
                print(f"{row['month']:9}{row['state_mb']:10.1f}{row['journal_mb']:11.1f}"
                      f"{row['store_mb']:9.1f}{row['spool_mb']:9.1f}{row['log_mb']:7.1f}"
                      f"{row['rss_mb']:8.0f}"
                      f"{row['peak_mb']:8.0f}{row['ms_per_msg']:8.1f}{row['read_ms']:8.1f}"
                      f"{row['items']:7}",
                      flush=True)
                month_start, ingest_s, ingested, reading[0] = day, 0.0, 0, 0.0
        program.close()
    last = rows[-1]
    print(f"end of the year: state/ {last['state_mb']:.1f} MB (goal < 20), RSS "
          f"{last['rss_mb']:.0f} MB (goal < 100); run per message, first month "
          f"{rows[0]['ms_per_msg']:.1f} ms, last {last['ms_per_msg']:.1f} ms "
          f"({last['ms_per_msg'] / max(rows[0]['ms_per_msg'], 1e-9):.1f}x); reading alone, "
          f"first {rows[0]['read_ms']:.1f} ms, last {last['read_ms']:.1f} ms "
          f"({last['read_ms'] / max(rows[0]['read_ms'], 1e-9):.1f}x)")
    emit("year", {"n": args.n, "state_mb": round(last["state_mb"], 1),
                  "journal_mb": round(last["journal_mb"], 1),
                  "store_mb": round(last["store_mb"], 1), "rss_mb": round(last["rss_mb"]),
                  "ms_per_msg_first": round(rows[0]["ms_per_msg"], 1),
                  "ms_per_msg_last": round(last["ms_per_msg"], 1),
                  "read_ms_first": round(rows[0]["read_ms"], 1),
                  "read_ms_last": round(last["read_ms"], 1)})


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
