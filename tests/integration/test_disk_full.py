"""A full disk under state/ delays mail and loses none: state/ on a small tmpfs, filled in a burst.

The program's state/ is a real size-limited tmpfs (mounting needs root, or sudo without
a password; elsewhere the test is skipped saying so). It is filled while 40 strangers
write in, then freed: every sender must be answered exactly once, nothing may be marked
processed without its mail, and the daemon says it is paused in one line, not a
traceback a second.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.program import (
    DaemonProcess,
    inbound_states,
    outbox_states,
    stranger_mail,
    wait_until,
)

SENDERS = 40
FIRST = 10  # answered before the disk fills
TMPFS_SIZE = "2m"
LEFT_FREE = 48 * 1024
PAUSE_LINE = "cannot write the program state"


def _privilege() -> list[str] | None:
    """The command prefix that may mount ([] as root, sudo -n elsewhere), or None."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"],
                                               capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` for this process's user, unmounted after."""
    prefix = _privilege()
    if prefix is None:
        pytest.skip("mounting a size-limited tmpfs needs root or passwordless sudo "
                    "(CI runs the tests as root)")
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0700,uid={os.getuid()},gid={os.getgid()}"
    mounted = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", options, "mailflow-test",
                              str(where)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run([*prefix, "umount", "-l", str(where)], capture_output=True)


def fill(directory: Path, leave: int) -> Path:
    """Fill the filesystem but for ``leave`` bytes, as a disk that fills up gradually would be.

    The few bytes left let some writes through and tear others halfway.
    """
    slack = directory / "slack"
    slack.write_bytes(b"\0" * leave)
    path = directory / "filler"
    with open(path, "wb", buffering=0) as handle:
        block = b"\0" * 65536
        while True:
            try:
                handle.write(block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    slack.unlink()
    return path


def sent_recipients(smtp_server) -> Counter:
    return Counter(r for m in smtp_server.messages for r in m.rcpt_tos)


def outbox_recipients(program_dir: Path) -> set[str]:
    """Everyone some mail was queued for, from the journal on disk."""
    journal = program_dir / "state" / "outbox" / "journal.jsonl"
    found = set()
    for line in journal.read_text().splitlines():
        record = json.loads(line)  # every line complete: nothing torn in the middle
        if record.get("op") == "add":
            found.update(record["item"]["recipients"])
    return found


def processed_senders(program_dir: Path) -> set[str]:
    store = json.loads((program_dir / "state" / "store.json").read_text())
    return {e["sender"] for e in store["inbound"].values() if e["state"] == "processed"}


def test_a_disk_full_during_a_burst_answers_every_sender_once_after_space_returns(
        program_dir, dovecot, smtp_server, capsys):
    with small_tmpfs(program_dir / "state", TMPFS_SIZE) as state:
        daemon = DaemonProcess(program_dir, dovecot.password)
        daemon.start()
        filler: Path | None = None
        try:
            for i in range(FIRST):
                dovecot.append(stranger_mail(i))
            wait_until(lambda: len(smtp_server.messages) >= FIRST, 60, "the first answers",
                       daemon.log_text)
            filler = fill(state, LEFT_FREE)
            feeder = threading.Thread(target=lambda: [
                dovecot.append(stranger_mail(i)) for i in range(FIRST, SENDERS)])
            feeder.start()  # the rest of the burst arrives on a full disk
            wait_until(lambda: PAUSE_LINE in daemon.log_text(), 30,
                       "the daemon to say it is paused", daemon.log_text)
            feeder.join()
            time.sleep(3)  # retried while still full: said once, not every second
            answered_while_full = len(smtp_server.messages)
            filler.unlink()
            filler = None

            def settled() -> bool:
                states = outbox_states(program_dir)
                return (inbound_states(program_dir).get("processed") == SENDERS
                        and len(states) == SENDERS
                        and set(states.values()) == {"sent"})
            wait_until(settled, 90, "every sender answered after space returned",
                       daemon.log_text)
            time.sleep(1.0)
            assert daemon.terminate() == 0, daemon.log_text()
        finally:
            if filler is not None:
                filler.unlink()
            if daemon.alive():
                daemon.kill()
        log = daemon.log_text()
        everyone = {f"person{i}@example.com" for i in range(SENDERS)}
        assert sent_recipients(smtp_server) == Counter(dict.fromkeys(everyone, 1))
        assert processed_senders(program_dir) <= outbox_recipients(program_dir)
        assert inbound_states(program_dir) == {"processed": SENDERS}
        assert log.count(PAUSE_LINE) == 1, log
        assert "Traceback" not in log, log
        with capsys.disabled():
            print(f"\n  disk full during a burst of {SENDERS}: {answered_while_full} answered "
                  f"before space returned, {len(sent_recipients(smtp_server))} after, 0 twice")
