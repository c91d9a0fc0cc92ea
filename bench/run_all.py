"""Run the benchmarks in sequence: the ingest curve by program size, then every headline ratio.

    python bench/run_all.py            # ingest at 100, 1,000, 10,000, 50,000 participants
    python bench/run_all.py --quick    # ingest at 100, 1,000, 10,000, fewer messages; small N

The ingest benchmark (bench/ingest.py) gives each program a year of history in its store
(``_common.seed_history``) before it is timed, so the curve shows what grows with the
program: the ingest ratio against a bare fetch + parse of the same mail, and the KiB
written per message. The others are run with their own defaults (or ``--quick``); each
is stopped after ``--timeout`` seconds so the whole stays within about ten minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PREFIX = "BENCH-RESULT "
# (script, its arguments for a full run, for a quick one); quotes.py (needs other
# libraries) and year.py (about 15 minutes) are run alone.
BENCHES: list[tuple[str, list[str], list[str]]] = [
    ("ingest", [], ["--quick"]),
    ("lookups", [], ["--quick"]),
    ("sending", [], ["--quick"]),
    ("mass_mailing", [], ["--quick"]),
    ("latency", [], ["--quick"]),
    ("memory", [], ["--quick"]),
    ("hostile_html", [], ["--quick"]),
    ("imports", [], ["--quick"]),
    ("matching", [], ["--quick"]),
    ("plan", [], ["--quick"]),
]


def ingest_curve(result: dict) -> list[str]:
    """The ingest figures at each program size, one line each."""
    lines = [f"{'participants':>12}{'ratio':>8}{'CPU':>8}{'mailflow s':>12}{'baseline s':>12}"
             f"{'KiB/msg':>9}{'state MiB':>11}"]
    for r in result["sizes"]:
        lines.append(f"{r['participants']:>12,}{r['ratio']:>7.2f}x{r['cpu_ratio']:>7.2f}x"
                     f"{r['mailflow_s']:>12.2f}"
                     f"{r['baseline_s']:>12.2f}{r['bytes_per_msg'] / 1024:>9.1f}"
                     f"{r['state_kib_after'] / 1024:>11.1f}")
    return lines


def summary_rows(result: dict) -> list[tuple[str, str, str]]:
    """(what, figure, target) rows of one benchmark's result."""
    name = result.get("bench")
    if name == "ingest":
        worst = max(result["sizes"], key=lambda r: r["ratio"])
        return [(f"ingest ratio, {r['participants']:,} participants ({result['n']} msgs)",
                 f"{r['ratio']:.2f}x (CPU {r['cpu_ratio']:.2f}x), "
                 f"{r['bytes_per_msg'] / 1024:.1f} KiB/msg",
                 result["target"]) for r in result["sizes"]] + [
                ("ingest ratio, worst size", f"{worst['ratio']:.2f}x", result["target"])]
    if name == "lookups":
        first, last = (str(result["sizes"][0]), str(result["sizes"][-1]))
        return [(f"lookup {what}, {first} -> {last} participants",
                 f"{result['us'][first][what]:.1f} -> {result['us'][last][what]:.1f} us", "flat")
                for what in result["us"][first]]
    if name == "latency":
        return [(f"latency APPEND -> answer ({result['n']}x)",
                 f"median {result['median_ms']} ms, worst {result['worst_ms']} ms",
                 result["target"])]
    if name == "sending":
        rows = [(f"sending ratio ({result['n']} mails, flush vs bare SMTP)",
                 f"{result['ratio']:.2f}x", result["target"])]
        if "daemon_kept_ratio" in result:
            rows.append((f"sending unthrottled, daemon vs bare SMTP ({result['n']} mails)",
                         f"{result['daemon_kept_ratio']:.2f}x kept session "
                         f"({result['daemon_kept_sessions']} session), "
                         f"{result['daemon_per_slice_ratio']:.2f}x a session per slice",
                         "<= 1.3x (an fdatasync per mail)"))
        if "paced_ratio" in result:
            rows.append((f"sending at {result['paced_rate']:,}/min, daemon vs bare SMTP "
                         f"({result['paced_n']} mails)", f"{result['paced_ratio']:.2f}x",
                         "<= 1.3x"))
        return rows
    if name == "memory":
        return [(f"memory run --once, {result['n']} participants",
                 f"{result['run_mb']:.1f} MB (empty program {result['empty_mb']:.1f} MB)", "")]
    if name == "html":
        worst = max((r[-1], shape) for shape, r in result["ratios"].items())
        return [(f"hostile HTML vs ordinary ({result['mb']:.2f}, 2x MB)",
                 f"worst {worst[0]:.2f}x ({worst[1]})", "flat as size doubles")]
    if name == "imports":
        return [(f"import {r['rows']:,} rows vs parse+validate",
                 f"{r['import_s'] / max(r['baseline_s'], 0.01):.2f}x "
                 f"({r['import_s']:.2f} s / {r['baseline_s']:.2f} s)",
                 "< 30 s" if r["rows"] == 50_000 else "linear")
                for r in result["imports"]]
    if name == "mass_mailing":
        return [(f"mass mailing to {int(n):,}: tick to first mail",
                 f"{r['first_s']:.2f} s ({r['ratio']:.1f}x a 1-person mailing); "
                 f"chunk {r['first_chunk_s']:.3f} s first, {r['later_chunk_s']:.3f} s later",
                 "< 2 s; later chunks flat")
                for n, r in result.items() if n.isdigit()]
    if name == "matching":
        return [(f"matching {key.split('_')[1]} mentees, staged optimum",
                 f"{r['seconds']:.2f} s; 1st choice {r['1st']:.0%}, "
                 f"greedy {result['greedy_' + key.split('_')[1]]['1st']:.0%}",
                 "any size (no cap)")
                for key, r in result.items() if key.startswith("optimal_")]
    if name == "plan":
        base = 1e6 * result["baseline"]["seconds"] / max(result["baseline"]["mails"], 1)
        last = result["results"][-1]
        per_mail = 1e6 * last["seconds"] / max(last["mails"], 1)
        return [(f"plan, {last.get('participants', 'largest')} participants, per mail vs none",
                 f"{per_mail / max(base, 1e-3):.2f}x ({last['mails']} mails, "
                 f"{last['seconds']:.2f} s)", "")]
    return [(str(name), json.dumps(result)[:80], "")]


def run(name: str, arguments: list[str], timeout: float) -> tuple[list[dict], float]:
    """Run one benchmark, echo its output, and return its result lines and its wall time."""
    command = [sys.executable, str(HERE / f"{name}.py"), *arguments]
    print(f"=== {name}: {' '.join(command)}", flush=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err, code = f"stopped after {timeout:g} s", -1
    elapsed = time.perf_counter() - t0
    results = [json.loads(line[len(PREFIX):]) for line in out.splitlines()
               if line.startswith(PREFIX)]
    print("\n".join(line for line in out.splitlines() if not line.startswith(PREFIX)))
    if code != 0 or not results:
        print(err[-3000:])
    print(f"=== {name} took {elapsed:.1f} s\n", flush=True)
    return results, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (about 3 minutes)")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks (by name)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds after which one benchmark is stopped (default 300)")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    curve: list[str] = []
    total = time.perf_counter()
    for name, full, quick in BENCHES:
        if args.only and name not in args.only:
            continue
        results, elapsed = run(name, quick if args.quick else full, args.timeout)
        if not results:
            rows.append((name, f"FAILED ({elapsed:.0f} s)", ""))
        for result in results:
            rows.extend(summary_rows(result))
            if result.get("bench") == "ingest":
                curve = ingest_curve(result)
    if curve:
        print("Ingest by program size (a year of history in each store; ratio: connect + "
              "ingest against fetch + parse of the same mail; KiB/msg: bytes written)")
        print("\n".join(curve) + "\n")
    width = max((len(r[0]) for r in rows), default=10) + 2
    fig_width = max((len(r[1]) for r in rows), default=10) + 2
    print("Summary" + (" (--quick)" if args.quick else "")
          + f", {time.perf_counter() - total:.0f} s in all")
    print(f"{'measure':{width}}{'figure':{fig_width}}target")
    for what, figure, target in rows:
        print(f"{what:{width}}{figure:{fig_width}}{target}")


if __name__ == "__main__":
    main()
