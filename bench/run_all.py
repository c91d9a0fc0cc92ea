"""Run every benchmark in sequence and print a summary table of their figures.

    python bench/run_all.py            # full sizes (about 1 minute in all)
    python bench/run_all.py --quick    # smoke run with small N
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["ingest", "latency", "sending", "memory"]
PREFIX = "BENCH-RESULT "


def summary_rows(result: dict) -> list[tuple[str, str, str]]:
    """(what, figure, target) rows of one benchmark's result."""
    name = result["bench"]
    if name == "ingest":
        return [(f"ingest {result['n']} msgs: baseline / mailflow",
                 f"{result['baseline_s']:.2f} s / {result['mailflow_s']:.2f} s "
                 f"({result['baseline_msg_per_s']} / {result['mailflow_msg_per_s']} msg/s)", ""),
                ("ingest ratio", f"{result['ratio']:.2f}x", result["target"])]
    if name == "latency":
        return [(f"latency APPEND -> answer ({result['n']}x)",
                 f"median {result['median_ms']} ms, worst {result['worst_ms']} ms",
                 result["target"]),
                ("  of which Dovecot IDLE notification", f"{result['idle_floor_ms']} ms", "")]
    if name == "sending":
        return [(f"sending {result['n']} mails: baseline / flush",
                 f"{result['baseline_s']:.2f} s / {result['mailflow_s']:.2f} s", ""),
                ("sending ratio", f"{result['ratio']:.2f}x", result["target"]),
                ("queueing via Mailer.queue", f"{result['queue_s']:.2f} s", ""),
                ("outbox journal", f"{result['journal_kib']} KiB", "")]
    if name == "memory":
        return [(f"memory run --once, {result['n']} participants",
                 f"{result['run_mb']:.1f} MB (empty program {result['empty_mb']:.1f} MB)", ""),
                ("store.json", f"{result['store_kib']} KiB", "")]
    return [(name, json.dumps(result), "")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    for name in BENCHES:
        command = [sys.executable, str(HERE / f"{name}.py")] + (["--quick"] if args.quick else [])
        print(f"=== {name}: {' '.join(command)}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        results = []
        for line in proc.stdout.splitlines():
            if line.startswith(PREFIX):
                results.append(json.loads(line[len(PREFIX):]))
            else:
                print(line)
        if proc.returncode != 0 or not results:
            print(proc.stderr[-3000:])
            rows.append((name, f"FAILED to run (exit {proc.returncode})", ""))
        for result in results:
            rows.extend(summary_rows(result))
        print(f"=== {name} took {elapsed:.1f} s\n", flush=True)
    width = max(len(r[0]) for r in rows) + 2
    fig_width = max(len(r[1]) for r in rows) + 2
    print("Summary" + (" (--quick)" if args.quick else ""))
    print(f"{'measure':{width}}{'figure':{fig_width}}target")
    for what, figure, target in rows:
        print(f"{what:{width}}{figure:{fig_width}}{target}")


if __name__ == "__main__":
    main()
