"""Answer latency: APPEND one stranger's message, time until the SMTP server has the answer.

The daemon runs as a child process (``mailflow run``, as tests/integration's DaemonProcess
starts it), idling on IMAP IDLE between messages.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from _common import emit, parse_args, servers, stranger_message, temp_dir, write_program

from tests.integration.program import DaemonProcess, wait_until

TARGET_S = 1.0


def idle_baseline(dovecot, n: int) -> list[float]:
    """A bare imapclient IDLE listener: APPEND -> EXISTS seen, in a folder of its own.

    This is the floor any IDLE-based reader pays (Dovecot batches its notifications).
    """
    dovecot.create_folder("Baseline")
    times = []
    with dovecot.client() as writer, dovecot.client() as listener:
        listener.select_folder("Baseline")
        for i in range(n):
            listener.idle()
            time.sleep(0.1)
            t0 = time.perf_counter()
            writer.append("Baseline", stranger_message(1000 + i))
            while not any(len(r) > 1 and r[1] == b"EXISTS" for r in listener.idle_check(5)):
                pass
            times.append(time.perf_counter() - t0)
            listener.idle_done()
    return times


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], 20, 5)
    with temp_dir("mf-bench-latency-") as base, servers(base) as (dovecot, smtp):
        floor = idle_baseline(dovecot, min(args.n, 10))
        program_dir = write_program(Path(base) / "program", dovecot, smtp)
        daemon = DaemonProcess(program_dir, dovecot.password)
        t0 = time.perf_counter()
        daemon.start()
        try:
            wait_until(lambda: "connected to the mailbox" in daemon.log_text(), 20,
                       "the daemon to connect", daemon.log_text)
            startup = time.perf_counter() - t0
            latencies: list[float] = []
            with dovecot.client() as imap:
                # One warm-up message, not counted (first use of templates, imports...).
                for i in range(args.n + 1):
                    time.sleep(0.3)  # let the daemon go back to IDLE
                    raw = stranger_message(i, html=i % 3 == 0)
                    t0 = time.perf_counter()
                    imap.append("INBOX", raw)
                    smtp.wait_for(i + 1, timeout=20)
                    if i:
                        latencies.append(time.perf_counter() - t0)
            assert daemon.alive(), daemon.log_text()
        finally:
            if daemon.alive():
                daemon.terminate()

    median = statistics.median(latencies)
    worst = max(latencies)
    print(f"daemon child process up and connected in {startup:.2f} s")
    print(f"{len(latencies)} messages, APPEND -> answer captured by the SMTP server:")
    print("  " + " ".join(f"{x * 1000:.0f}" for x in latencies) + "  (ms)")
    print(f"median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms, "
          f"best {min(latencies) * 1000:.0f} ms (target < {TARGET_S:g} s)")
    floor_median = statistics.median(floor)
    print(f"baseline, a bare imapclient IDLE listener (APPEND -> EXISTS seen, {len(floor)} "
          f"times): median {floor_median * 1000:.0f} ms, worst {max(floor) * 1000:.0f} ms")
    print(f"so mailflow's own share (EXISTS -> answer captured) is about "
          f"{(median - floor_median) * 1000:.0f} ms")
    emit("latency", {"n": len(latencies), "median_ms": round(median * 1000),
                     "worst_ms": round(worst * 1000),
                     "idle_floor_ms": round(floor_median * 1000), "target": "< 1000 ms"})


if __name__ == "__main__":
    main()
