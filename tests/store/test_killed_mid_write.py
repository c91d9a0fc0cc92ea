"""A writer killed (SIGKILL) in the middle of appending to the change log loses only that record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from mailflow.store import Store

PAD = 8 << 20  # a record this big is still being written when the poll below sees it grow
WRITER = textwrap.dedent(f"""
    import sys
    from pathlib import Path
    import mailflow.store.storage as storage
    from mailflow.store import Store
    storage.COMPACT_BYTES = storage.COMPACT_CHANGES = 1 << 40  # only the log is written
    store = Store(Path(sys.argv[1]))
    store.table("participants").insert({{"email": "lea@example.org"}})  # two log records
    store.table("participants").insert({{"email": "chen@example.org"}})
    print("ready", flush=True)
    n = 0
    while True:
        store.table("events").insert({{"n": n, "pad": "z" * {PAD}}})
        n += 1
""")


def kill_mid_append(state) -> int:
    """Run the writer and SIGKILL it while the log grows; the log's size after the kill."""
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(state)],
                             stdout=subprocess.PIPE, env={**os.environ})
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        log = state / "store.log"
        base = log.stat().st_size
        while True:
            size = log.stat().st_size
            if size > base and (size - base) % (PAD + 64) > 64:
                child.send_signal(signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait(10)
    return log.stat().st_size


def test_a_writer_killed_mid_append_reopens_with_every_whole_record_and_no_torn_one(tmp_path):
    for attempt in range(5):
        state = tmp_path / f"attempt{attempt}"
        state.mkdir()
        killed_size = kill_mid_append(state)
        lines = (state / "store.log").read_bytes().split(b"\n")
        if lines[-1]:  # the last record has no end of line: the kill tore it
            break
    else:
        raise AssertionError("the writer was never caught mid-append in 5 tries")
    whole = len(lines) - 1 - 2  # complete event records, after the two participants

    with Store(state) as store:
        assert [p["email"] for p in store.table("participants").all()] == [
            "lea@example.org", "chen@example.org"]
        events = store.table("events").all()
        assert [e["n"] for e in events] == list(range(whole))
        assert all(e["pad"] == "z" * PAD for e in events)
        assert (state / "store.log").stat().st_size < killed_size  # the torn tail is cut off
