"""Sending throughput: mailflow's outbox flush vs. a bare aiosmtplib loop, same N messages.

Mailflow side: N mails are queued through ``Mailer.queue`` (render, compose, outbox
enqueue: timed apart), then ``dispatch.flush(outbox, SmtpTransport(...), config)`` is
called until nothing is due (it sends at most 500 per call, one connection per call).
Then the daemon's way, N more mails each: ``Daemon.send()`` called until nothing is due,
in slices of ``SEND_SLICE_SECONDS`` with the rate kept across them, once over the kept
SMTP session (the daemon's transport) and once with a new session per slice (as before).
Baseline: the very bytes the outbox holds, sent with ``aiosmtplib.SMTP.sendmail`` over one
connection. All talk to the same SMTP server: by default an aiosmtpd server in a process of
its own that accepts and drops each mail, as a real MTA is another process (``--server
thread``: the capturing SmtpServer in a thread of this process, which shares the GIL, so
each millisecond of work on the client side also holds up the server). Each
side is timed ``ROUNDS`` times (the daemon's on fresh batches of N) and its best time kept,
as the ingest benchmark does: one run of either varies by a fifth from run to run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiosmtplib
from _common import PASSWORD_ENV, emit, parse_args, profile_top, servers, temp_dir, write_program

TARGET_RATIO = 1.5
ROUNDS = 3  # each side is timed this many times and its best kept: a shared machine's noise


PACED_RATE = 3_000  # mails a minute: a configured rate, for the mailing at that rate
PACED_N = 300


async def bare_loop(smtp, mails: list[tuple[str, list[str], bytes]],
                    rate: float | None = None) -> float:
    """Seconds to send ``mails`` over one connection (at most ``rate`` a minute)."""
    t0 = time.perf_counter()
    client = aiosmtplib.SMTP(hostname=smtp.host, port=smtp.port, timeout=10)
    await client.connect()
    next_at = time.monotonic()
    for sender, recipients, data in mails:
        if rate is not None:
            await asyncio.sleep(max(next_at - time.monotonic(), 0.0))
            next_at = time.monotonic() + 60.0 / rate
        await client.sendmail(sender, recipients, data)
    await client.quit()
    return time.perf_counter() - t0


def queue_mails(program, n: int, start: int = 0) -> float:
    from mailflow.outbound.mailer import Recipient
    from mailflow.program.context import form_context
    forms = form_context(program.config)
    t0 = time.perf_counter()
    for i in range(start, start + n):
        name = f"Léa Gagnon {i}"
        program.mailer.queue(
            rule="application-form", occasion=f"bench:{i}", template="application_form",
            to=Recipient(f"person{i}@example.com", name, "fr" if i % 4 == 0 else "en"),
            context={"person": {"name": name, "email": f"person{i}@example.com", "role": None},
                     "missing": [], "forms": forms, "subject": "Joining the program"},
            in_reply_to=f"stranger-{i}@mail.example.com",
            references=(f"stranger-{i}@mail.example.com",))
    return time.perf_counter() - t0


class ProcessSmtp:
    """An aiosmtpd server in a child process that accepts every mail and keeps none."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
             "-l", f"{self.host}:{self.port}"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port),
                                                                        timeout=1):
                return
            time.sleep(0.05)
        raise RuntimeError("the SMTP server process did not start")

    messages: tuple[()] = ()  # kept by no one: the counts come from the senders

    def clear(self) -> None:
        """Nothing is kept to clear."""

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@contextlib.contextmanager
def smtp_server(base: Path, kind: str) -> Iterator:
    """The server all sides send to (see the module's docstring)."""
    if kind == "thread":
        with servers(base, imap=False) as (_, smtp):
            yield smtp
        return
    server = ProcessSmtp()
    try:
        yield server
    finally:
        server.stop()


def accepted(smtp, n: int) -> bool:
    """Whether the capturing server holds ``n`` mails (a dropping one: it cannot tell)."""
    return isinstance(smtp, ProcessSmtp) or len(smtp.messages) == n


def daemon_slices(program, smtp, n: int, kept: bool) -> tuple[float, int, int]:
    """Daemon.send() until nothing is due: (seconds, SMTP sessions opened, passes)."""
    from mailflow.daemon import Daemon
    from mailflow.outbound.transport import KeptConnection, SmtpTransport

    class Counting(SmtpTransport):  # a new session per slice, as the daemon did before
        opened = 0

        async def open(self) -> None:
            await super().open()
            Counting.opened += 1

    daemon = Daemon(program)
    if not kept:
        daemon.transport = Counting(program.config.outbox.smtp)
    assert isinstance(daemon.transport, KeptConnection) or not kept
    smtp.clear()
    passes = 0
    sent_before = program.outbox.counts()["sent"]
    t0 = time.perf_counter()
    while program.outbox.due(time.time()):
        daemon.send()
        passes += 1
    seconds = time.perf_counter() - t0
    daemon.release_connection(force=True)
    daemon.loop.close()
    assert program.outbox.counts()["sent"] - sent_before == n and accepted(smtp, n)
    sessions = daemon.transport.opened if isinstance(daemon.transport, KeptConnection) \
        else Counting.opened
    return seconds, sessions, passes


def _server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", choices=("process", "thread"), default="process",
                        help="the SMTP server in a process of its own (default), or in a "
                             "thread of this one")


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], 1000, 100, extra=_server_option)
    n = args.n
    with temp_dir("mf-bench-sending-") as base, smtp_server(base, args.server) as smtp:
        from mailflow.outbound.dispatch import flush
        from mailflow.outbound.transport import SmtpTransport
        from mailflow.runtime import open_program

        class _NoImap:  # write_program wants IMAP details; this benchmark never reads mail
            host, port, user, password = "127.0.0.1", 1, "nobody", "x"

        os.environ.setdefault(PASSWORD_ENV, "x")
        program_dir = write_program(Path(base) / "program", _NoImap(), smtp,
                                    extra_outbox="  max_attempts: 5\n")
        text = (program_dir / "config.yaml").read_text()
        (program_dir / "config.yaml").write_text(
            text.replace("rate_per_minute: 100000", "rate_per_minute: 100000000"))
        program = open_program(program_dir)
        try:
            with profile_top(args.profile, "Mailer.queue x N"):
                queue_s = queue_mails(program, n)
            items = program.outbox.due(time.time())
            assert len(items) == n, len(items)
            mails = [(i.envelope_from, i.recipients, program.outbox.message_bytes(i.id))
                     for i in items]
            size = sum(len(m[2]) for m in mails)

            loop = asyncio.new_event_loop()
            loop.run_until_complete(bare_loop(smtp, mails[:20]))  # warm-up, not counted
            smtp.clear()
            base_runs = []
            for _ in range(ROUNDS):
                base_runs.append(loop.run_until_complete(bare_loop(smtp, mails)))
                assert accepted(smtp, n)
                smtp.clear()
            base_s = min(base_runs)

            config = program.config.outbox
            calls = sent = 0
            with profile_top(args.profile, "dispatch.flush until the outbox is empty"):
                t0 = time.perf_counter()
                while program.outbox.due(time.time()):
                    report = loop.run_until_complete(
                        flush(program.outbox, SmtpTransport(config.smtp), config))
                    calls += 1
                    sent += len(report.sent)
                    if not report.sent:
                        break
                mf_s = time.perf_counter() - t0
            assert sent == n and accepted(smtp, n), sent
            loop.close()
            slices: dict[str, tuple[float, int, int]] = {}
            batch = 2
            for way, kept in (("kept", True), ("per-slice", False)):
                for _ in range(ROUNDS):
                    queue_mails(program, n, start=n * batch)
                    batch += 1
                    with profile_top(args.profile, f"Daemon.send until empty, session {way}"):
                        run = daemon_slices(program, smtp, n, kept)
                    slices[way] = min(slices.get(way, run), run)
            # The same at a configured rate: the mailing takes as long as the rate says,
            # and the daemon's own cost must hide within each interval.
            paced_n = min(PACED_N, n)
            paced_mails = mails[:paced_n]
            paced_loop = asyncio.new_event_loop()
            paced_base_s = paced_loop.run_until_complete(bare_loop(smtp, paced_mails, PACED_RATE))
            paced_loop.close()
            program.config = dataclasses.replace(program.config, outbox=dataclasses.replace(
                program.config.outbox, rate_per_minute=PACED_RATE))
            queue_mails(program, paced_n, start=n * batch)
            paced_s = daemon_slices(program, smtp, paced_n, True)[0]
            journal = program.outbox.journal_path
            journal_bytes = journal.stat().st_size
            journal_lines = sum(1 for _ in journal.open(encoding="utf-8"))
            program.outbox.compact()
            compacted = journal.stat().st_size
        finally:
            program.close()

    ratio = mf_s / base_s
    print(f"N = {n} mails ({size / 1024:.0f} KiB), one recipient each")
    print(f"queueing through Mailer.queue (render + compose + Outbox.enqueue): {queue_s:.3f} s "
          f"({n / queue_s:.0f} mails/s), not part of the flush timing")
    print(f"{'':40}{'seconds':>10}{'mails/s':>10}")
    print(f"{'baseline (aiosmtplib sendmail loop)':40}{base_s:10.3f}{n / base_s:10.0f}  "
          f"best of {', '.join(f'{r:.3f}' for r in base_runs)}")
    print(f"{'mailflow dispatch.flush x' + str(calls):40}{mf_s:10.3f}{n / mf_s:10.0f}")
    print(f"ratio mailflow / baseline: {ratio:.2f}x (target <= {TARGET_RATIO:g}x, durability "
          "included)")
    for way, (seconds, sessions, passes) in slices.items():
        print(f"{'daemon.send() x' + str(passes) + ', session ' + way:40}{seconds:10.3f}"
              f"{n / seconds:10.0f}  {seconds / base_s:.2f}x baseline, {sessions} session(s)")
    print(f"at a configured rate of {PACED_RATE:,} a minute, {paced_n} mails: bare loop "
          f"{paced_base_s:.3f} s, daemon.send() {paced_s:.3f} s, "
          f"{paced_s / paced_base_s:.2f}x (target <= 1.3x)")
    print(f"outbox journal: {journal_bytes / 1024:.0f} KiB in {journal_lines} lines "
          f"({journal_bytes / n:.0f} B per mail, the message bytes included); "
          f"{compacted / 1024:.0f} KiB after compact()")
    emit("sending", {"n": n, "queue_s": round(queue_s, 3), "baseline_s": round(base_s, 3),
                     "mailflow_s": round(mf_s, 3), "ratio": round(ratio, 2),
                     "target": "<= 1.5x", "journal_kib": round(journal_bytes / 1024),
                     "flush_calls": calls,
                     "daemon_kept_ratio": round(slices["kept"][0] / base_s, 2),
                     "daemon_per_slice_ratio": round(slices["per-slice"][0] / base_s, 2),
                     "daemon_kept_sessions": slices["kept"][1],
                     "paced_rate": PACED_RATE, "paced_n": paced_n,
                     "paced_ratio": round(paced_s / paced_base_s, 2)})


if __name__ == "__main__":
    main()
