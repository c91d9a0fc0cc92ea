"""Ingest throughput: mailflow's connect + ingest vs. a bare imapclient + email fetch-and-parse.

Both read the same N messages from a fresh Dovecot INBOX. Sending is excluded from the
mailflow timing (``daemon.send`` is a no-op while timed); everything else ingest does
(ledger record, decode/understand, rules, store commit, outbox queueing, IMAP flags) is in.
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
    parse_args,
    profile_top,
    servers,
    temp_dir,
    write_program,
)
from imapclient import IMAPClient

BATCH = 100
TARGET_RATIO = 3.0


def append_all(dovecot, messages: list[bytes]) -> None:
    with dovecot.client() as imap:
        for start in range(0, len(messages), 50):
            imap.multiappend("INBOX", messages[start:start + 50])


def baseline(dovecot) -> tuple[float, int]:
    """Connect, fetch BODY.PEEK[] in batches, parse each with the standard library."""
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
    imap.logout()
    return elapsed, len(uids)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], 1000, 100)
    n = args.n
    with temp_dir("mf-bench-ingest-") as base, servers(base) as (dovecot, smtp):
        messages = generate_messages(n)
        t0 = time.perf_counter()
        append_all(dovecot, messages)
        append_s = time.perf_counter() - t0
        size = sum(len(m) for m in messages)
        print(f"appended {n} messages ({size / 1024:.0f} KiB) to Dovecot in {append_s:.2f} s")

        baseline(dovecot)  # warm Dovecot's index and cache: neither side pays for it
        base_s, base_n = baseline(dovecot)
        assert base_n == n, (base_n, n)

        os.environ[PASSWORD_ENV] = dovecot.password
        program_dir = write_program(Path(base) / "program", dovecot, smtp)
        from mailflow.daemon import Daemon
        from mailflow.runtime import open_program
        t0 = time.perf_counter()
        program = open_program(program_dir)
        daemon = Daemon(program)
        open_s = time.perf_counter() - t0
        daemon.send = lambda: None  # time ingest only; the SMTP server is up regardless
        try:
            with profile_top(args.profile, "daemon.source.connect() + daemon.ingest()"):
                t0 = time.perf_counter()
                daemon.source.connect()
                count = daemon.ingest()
                mf_s = time.perf_counter() - t0
            queued = len(program.outbox.items)
            states: dict[str, int] = {}
            for entry in program.store.table("inbound").all():
                states[entry["state"]] = states.get(entry["state"], 0) + 1
            participants = len(program.store.table("participants"))
            daemon.source.close()
        finally:
            program.close()
        store_kib = (program_dir / "state" / "store.json").stat().st_size / 1024

    ratio = mf_s / base_s
    print(f"\nN = {n} messages (half strangers, half filled forms; some HTML, accented names)")
    print(f"{'':32}{'seconds':>10}{'msg/s':>10}")
    print(f"{'baseline (imapclient + email)':32}{base_s:10.3f}{n / base_s:10.0f}")
    print(f"{'mailflow connect + ingest':32}{mf_s:10.3f}{count / mf_s:10.0f}")
    print(f"ratio mailflow / baseline: {ratio:.2f}x (target <= {TARGET_RATIO:g}x)")
    print(f"mailflow recorded {count}; ledger states {states}; {participants} participants; "
          f"{queued} answers queued; store.json {store_kib:.0f} KiB; "
          f"open_program + Daemon() {open_s:.3f} s (not in the timing)")
    emit("ingest", {"n": n, "baseline_s": round(base_s, 3), "mailflow_s": round(mf_s, 3),
                    "baseline_msg_per_s": round(n / base_s), "mailflow_msg_per_s":
                    round(count / mf_s), "ratio": round(ratio, 2), "target": "<= 3x",
                    "queued": queued})


if __name__ == "__main__":
    main()
