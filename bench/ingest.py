"""Ingest throughput: mailflow's connect + ingest vs. a bare imapclient + email fetch-and-parse.

Both read the same N messages from a fresh Dovecot INBOX. Sending is excluded from the
mailflow timing (``daemon.send`` is a no-op while timed); everything else ingest does
(ledger record, decode/understand, rules, store commit, outbox queueing, IMAP flags) is in.
It is measured for programs of several sizes, each with a year of history in its store
(``_common.seed_history``), so that a cost growing with the store shows as a growing ratio
and as more bytes written per inbound message.
"""

from __future__ import annotations

import email
import email.policy
import os
import time
from pathlib import Path

from _common import (
    PASSWORD_ENV,
    emit,
    generate_messages,
    io_counters,
    parse_args,
    profile_top,
    seed_history,
    servers,
    temp_dir,
    write_program,
)
from imapclient import IMAPClient

BATCH = 100
TARGET_RATIO = 2.5
TARGET_BYTES = 64 * 1024
SIZES = (100, 1_000, 10_000, 50_000)
QUICK_SIZES = (100, 1_000, 10_000)
BASELINE_RUNS = 3


def append_all(dovecot, messages: list[bytes]) -> None:
    with dovecot.client() as imap:
        for start in range(0, len(messages), 50):
            imap.multiappend("INBOX", messages[start:start + 50])


def baseline(dovecot) -> tuple[float, int, float]:
    """Connect, fetch BODY.PEEK[] in batches, parse each with the standard library.

    Returns (wall seconds, messages, CPU seconds of this process)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    imap = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    imap.login(dovecot.user, dovecot.password)
    imap.select_folder("INBOX")
    uids = sorted(imap.search(["UID", "1:*"]))
    chars = 0
    for start in range(0, len(uids), BATCH):
        fetched = imap.fetch(uids[start:start + BATCH], ["BODY.PEEK[]"])
        for item in fetched.values():
            msg = email.message_from_bytes(item[b"BODY[]"], policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain", "html"))
            chars += len(body.get_content()) if body is not None else 0
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    imap.logout()
    return elapsed, len(uids), cpu


def state_bytes(state: Path) -> int:
    return sum(p.stat().st_size for p in state.rglob("*") if p.is_file())


def run_size(base: Path, messages: list[bytes], people: int, profile: bool) -> dict:
    """One program of ``people`` participants with history: baseline, then mailflow's ingest."""
    n = len(messages)
    with servers(base) as (dovecot, smtp):
        append_all(dovecot, messages)
        baseline(dovecot)  # warm Dovecot's index and cache: neither side pays for it
        runs = [baseline(dovecot) for _ in range(BASELINE_RUNS)]  # the best: a busy machine
        base_s, base_n, base_cpu = min(r[0] for r in runs), runs[0][1], min(r[2] for r in runs)
        assert base_n == n, (base_n, n)

        os.environ[PASSWORD_ENV] = dovecot.password
        program_dir = write_program(base / "program", dovecot, smtp)
        t0 = time.perf_counter()
        rows = seed_history(program_dir, people)
        seed_s = time.perf_counter() - t0
        state = program_dir / "state"
        before_kib = state_bytes(state) / 1024
        from mailflow.daemon import Daemon
        from mailflow.runtime import open_program
        t0 = time.perf_counter()
        program = open_program(program_dir)
        daemon = Daemon(program)
        open_s = time.perf_counter() - t0
        daemon.send = lambda: None  # time ingest only; the SMTP server is up regardless
        try:
            with profile_top(profile, f"connect + ingest, {people} participants"):
                io0 = io_counters()
                c0 = time.process_time()
                t0 = time.perf_counter()
                daemon.source.connect()
                count = daemon.ingest()
                mf_s = time.perf_counter() - t0
                mf_cpu = time.process_time() - c0
                io1 = io_counters()
            queued = len(program.outbox.items) - rows["outbox"]
            daemon.source.close()
            t0 = time.perf_counter()
        finally:
            program.close()
        close_s = time.perf_counter() - t0
        io2 = io_counters()
        after_kib = state_bytes(state) / 1024
    return {"participants": people, "n": n, "recorded": count, "queued": queued,
            "baseline_s": round(base_s, 3), "mailflow_s": round(mf_s, 3),
            "ratio": round(mf_s / base_s, 2), "cpu_ratio": round(mf_cpu / base_cpu, 2),
            "bytes_per_msg": round((io1["wchar"] - io0["wchar"]) / max(count, 1)),
            "disk_bytes_per_msg": round((io1["write_bytes"] - io0["write_bytes"])
                                        / max(count, 1)),
            "close_bytes": io2["wchar"] - io1["wchar"], "close_s": round(close_s, 3),
            "open_s": round(open_s, 3), "seed_s": round(seed_s, 1),
            "state_kib_before": round(before_kib), "state_kib_after": round(after_kib),
            "history": rows}


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], 1000, 200, sizes=True)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    messages = generate_messages(args.n)
    results = []
    for people in sizes:
        with temp_dir(f"mf-bench-ingest-{people}-") as base:
            result = run_size(Path(base), messages, people, args.profile)
        results.append(result)
        print(f"{people:>7} participants: ratio {result['ratio']:.2f}x "
              f"({result['mailflow_s']:.2f} s vs {result['baseline_s']:.2f} s; CPU "
              f"{result['cpu_ratio']:.2f}x), "
              f"{result['bytes_per_msg'] / 1024:.1f} KiB written per message; "
              f"state {result['state_kib_before']} KiB before", flush=True)

    print(f"\nN = {args.n} messages (half strangers, half filled forms; some HTML, accented "
          "names) into a program with a year of history per participant (2 ledger entries, "
          "3 events, 1 firing, 2 sent answers)")
    print(f"{'participants':>12}{'baseline s':>12}{'mailflow s':>12}{'ratio':>8}{'CPU':>8}"
          f"{'KiB/msg':>10}{'disk KiB/msg':>14}{'close KiB':>11}{'state MiB':>11}")
    for r in results:
        print(f"{r['participants']:>12,}{r['baseline_s']:>12.3f}{r['mailflow_s']:>12.3f}"
              f"{r['ratio']:>7.2f}x{r['cpu_ratio']:>7.2f}x{r['bytes_per_msg'] / 1024:>10.1f}"
              f"{r['disk_bytes_per_msg'] / 1024:>14.1f}{r['close_bytes'] / 1024:>11.0f}"
              f"{r['state_kib_after'] / 1024:>11.1f}")
    print("ratio: wall time, against the best of 3 baseline runs; CPU: this process's CPU "
          "time, the same ratio less disturbed by other processes on a busy machine")
    print(f"targets: ratio <= {TARGET_RATIO:g}x, under {TARGET_BYTES // 1024} KiB written per "
          "inbound message (KiB/msg: every byte this process wrote while ingesting, "
          "/proc/self/io wchar: store, ledger spool, outbox journal, IMAP commands; disk: "
          "write_bytes, what reached the block layer, 0 on tmpfs; close: the final compaction)")
    last = results[-1]
    emit("ingest", {"n": args.n, "baseline_s": last["baseline_s"],
                    "mailflow_s": last["mailflow_s"], "ratio": last["ratio"],
                    "target": f"<= {TARGET_RATIO:g}x", "queued": last["queued"],
                    "sizes": results})


if __name__ == "__main__":
    main()
