"""Peak memory of ``mailflow run --once`` with N participants in the store vs. an empty program.

Both programs are made with ``mailflow init`` (the embedded default: Maildir in, folder of
.eml files out); the same few messages are dropped in with ``mailflow deliver``. The
participants come from ``mailflow import mentees FILE.csv``. Peak memory is the child's
``ru_maxrss`` (from wait4), so it covers the whole process: interpreter, imports, store.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from _common import FIRST, GOALS, LABS, LAST, application_form, emit, parse_args, temp_dir
from _common import stranger_message as stranger


def run_measured(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a command; returns (seconds, peak RSS in MB, output). Raises on failure."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def mailflow(program: Path, *args: str) -> tuple[float, float, str]:
    return run_measured([sys.executable, "-m", "mailflow", "-C", str(program), *args])


def write_csv(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email", "language", "affiliation", "languages", "goals",
                         "self_identification", "prior_participation"])
        for i in range(n):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            writer.writerow([name, f"mentee{i}@university{i % 37}.example.edu",
                             rng.choice(["en", "fr"]), rng.choice(LABS),
                             rng.choice(["English", "French", "English, French",
                                         "English, Spanish"]),
                             rng.choice(GOALS), rng.choice(["", "", "first-generation"]),
                             rng.choice(["yes", "no"])])


def write_messages(directory: Path, n_participants: int) -> list[Path]:
    """Six strangers, two filled forms, two mails from (possibly) imported mentees."""
    directory.mkdir(parents=True, exist_ok=True)
    raws = [stranger(100_000 + i, html=i % 2 == 0) for i in range(6)]
    raws += [application_form(200_001), application_form(200_003)]
    for i in (0, max(n_participants - 1, 0)):
        raws.append(stranger(300_000 + i).replace(
            f"person{300_000 + i}@example.com".encode(),
            f"mentee{i}@university{i % 37}.example.edu".encode()))
    paths = []
    for i, raw in enumerate(raws):
        path = directory / f"{i:02d}.eml"
        path.write_bytes(raw)
        paths.append(path)
    return paths


def measure(base: Path, name: str, participants: int) -> dict:
    program = base / name
    run_measured([sys.executable, "-m", "mailflow", "init", str(program)])
    result: dict = {"participants": participants}
    if participants:
        csv_path = base / f"{name}.csv"
        write_csv(csv_path, participants)
        seconds, rss, _ = mailflow(program, "import", "mentees", str(csv_path))
        result.update(import_s=seconds, import_mb=rss)
    messages = write_messages(base / f"{name}-mail", participants)
    mailflow(program, "deliver", *map(str, messages))
    seconds, rss, _output = mailflow(program, "run", "--once")
    store = program / "state" / "store.json"
    sent = list((program / "sent-mail").glob("*.eml"))
    result.update(run_s=seconds, run_mb=rss, store_kib=store.stat().st_size / 1024,
                  messages=len(messages), answers=len(sent))
    return result


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], 2000, 200)
    with temp_dir("mf-bench-memory-") as base:
        _s, python_mb, _ = run_measured([sys.executable, "-c", "pass"])
        _s, import_mb, _ = run_measured([sys.executable, "-c", "import mailflow.daemon, "
                                         "mailflow.runtime, mailflow.cli"])
        empty = measure(base, "empty", 0)
        full = measure(base, "full", args.n)

    print(f"{'':34}{'peak RSS MB':>12}{'seconds':>9}{'store KiB':>11}")
    print(f"{'python -c pass':34}{python_mb:12.1f}")
    print(f"{'python: import mailflow modules':34}{import_mb:12.1f}")
    for label, r in (("run --once, empty program", empty),
                     (f"run --once, {full['participants']} participants", full)):
        print(f"{label:34}{r['run_mb']:12.1f}{r['run_s']:9.2f}{r['store_kib']:11.0f}")
    print(f"{'import mentees (' + str(full['participants']) + ' rows)':34}"
          f"{full['import_mb']:12.1f}{full['import_s']:9.2f}")
    print(f"each run handled {full['messages']} delivered messages; answers written: "
          f"empty {empty['answers']}, full {full['answers']}")
    print(f"memory cost of the participants: {full['run_mb'] - empty['run_mb']:.1f} MB "
          f"({(full['run_mb'] - empty['run_mb']) * 1024 / max(full['participants'], 1):.1f} "
          "KiB per participant)")
    emit("memory", {"n": full["participants"], "run_mb": round(full["run_mb"], 1),
                    "empty_mb": round(empty["run_mb"], 1),
                    "store_kib": round(full["store_kib"]),
                    "import_s": round(full["import_s"], 2), "run_s": round(full["run_s"], 2)})


if __name__ == "__main__":
    main()
