"""A program that reports its health: the daemon's heartbeat, `status --check` and JSON logs.

Each problem `status --check` knows is made real here (a real daemon, Dovecot, aiosmtpd, a
small tmpfs) and must come out as its own line with a non-zero exit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from mailflow.commands.status import health_problems
from mailflow.runtime import open_program
from tests.integration.program import (
    PASSWORD_ENV,
    ROOT,
    DaemonProcess,
    outbox_states,
    store_data,
    stranger_mail,
    wait_until,
)
from tests.integration.test_bad_input import EMPTY_BODY
from tests.integration.test_disk_full import fill, small_tmpfs

COORDINATOR = "claire.dubois@northlake.example.org"


def status_check(program_dir: Path, password: str, *flags: str) -> subprocess.CompletedProcess:
    """`mailflow status --check` as cron would run it."""
    env = {**os.environ, PASSWORD_ENV: password, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program_dir), "status",
                           "--check", *flags], env=env, capture_output=True, text=True,
                          timeout=60)


def heartbeat(program_dir: Path) -> datetime:
    return datetime.fromisoformat(json.loads((program_dir / "state" / "heartbeat").read_text())
                                  ["time"])


def problems_at(program_dir: Path, now: datetime) -> list[str]:
    """What status --check reports at ``now`` (the injected clock), read like the command."""
    program = open_program(program_dir, read_only=True)
    try:
        return health_problems(program, now)
    finally:
        program.close()


def test_a_running_daemon_writes_a_heartbeat_and_status_check_says_ok(
        daemon, program_dir, dovecot, smtp_server):
    dovecot.append(stranger_mail(1))
    smtp_server.wait_for(1, timeout=30)
    wait_until(lambda: (program_dir / "state" / "heartbeat").exists(), 30, "the heartbeat",
               daemon.log_text)
    assert (program_dir / "state" / "heartbeat").stat().st_mode & 0o777 == 0o600

    result = status_check(program_dir, dovecot.password, "--connect")

    assert (result.returncode, result.stdout) == (0, "ok\n"), result


def test_a_daemon_silent_past_the_limit_is_reported(program_dir, dovecot, smtp_server):
    daemon = DaemonProcess(program_dir, dovecot.password)
    daemon.start()
    wait_until(lambda: (program_dir / "state" / "heartbeat").exists(), 30, "the heartbeat",
               daemon.log_text)
    assert daemon.terminate() == 0, daemon.log_text()
    last = heartbeat(program_dir)

    assert problems_at(program_dir, last + timedelta(minutes=9)) == []
    [line] = problems_at(program_dir, last + timedelta(minutes=11))
    assert line.startswith("daemon: not seen for 11 min"), line


def test_mail_refused_for_good_is_reported_as_failed(daemon, program_dir, dovecot, smtp_server):
    smtp_server.fail_recipient("person1@example.com", 550)
    dovecot.append(stranger_mail(1))
    wait_until(lambda: "failed" in outbox_states(program_dir).values(), 30, "the failure",
               daemon.log_text)

    result = status_check(program_dir, dovecot.password)

    assert result.returncode == 1, result
    assert result.stdout.splitlines() == [
        "outbox: 1 mail(s) failed; see mailflow outbox list"], result


def test_mail_in_doubt_is_reported(daemon, program_dir, dovecot, smtp_server):
    smtp_server.hang_next()
    dovecot.append(stranger_mail(1))
    wait_until(lambda: "unknown" in outbox_states(program_dir).values(), 30,
               "the unknown state", daemon.log_text)
    smtp_server.release_hung()

    result = status_check(program_dir, dovecot.password)

    assert result.returncode == 1, result
    assert [line for line in result.stdout.splitlines() if "in doubt" in line] == [
        "outbox: 1 mail(s) in doubt (the server may or may not have them); check with the "
        "recipients, then mailflow outbox retry"], result


def test_a_message_waiting_for_review_past_the_limit_is_reported(
        daemon, program_dir, dovecot, smtp_server):
    dovecot.append(EMPTY_BODY)
    wait_until(lambda: store_data(program_dir).get("review"), 30, "the message in review",
               daemon.log_text)
    daemon.terminate()
    now = heartbeat(program_dir)

    def reported(at: datetime) -> list[str]:  # the daemon is stopped: that is not the point
        return [p for p in problems_at(program_dir, at) if not p.startswith("daemon:")]

    assert reported(now + timedelta(days=2)) == []
    [line] = reported(now + timedelta(days=4))
    assert line.startswith("review: 1 message(s) waiting more than 3 day(s)"), line


def test_an_unreachable_imap_server_is_reported_with_connect(daemon, program_dir, dovecot):
    wait_until(lambda: (program_dir / "state" / "heartbeat").exists(), 30, "the heartbeat",
               daemon.log_text)
    daemon.terminate()
    dovecot.stop()

    result = status_check(program_dir, dovecot.password, "--connect")

    assert result.returncode == 1, result
    [line] = result.stdout.splitlines()
    assert line.startswith(f"imap: unreachable: IMAP {dovecot.host}:{dovecot.port}"), line


def test_an_unreachable_smtp_server_is_reported_with_connect(daemon, program_dir, dovecot,
                                                              smtp_server):
    wait_until(lambda: (program_dir / "state" / "heartbeat").exists(), 30, "the heartbeat",
               daemon.log_text)
    smtp_server.stop()

    result = status_check(program_dir, dovecot.password, "--connect")

    assert result.returncode == 1, result
    [line] = result.stdout.splitlines()
    assert line.startswith(f"smtp: unreachable: cannot connect to SMTP {smtp_server.host}:"), line


def test_a_nearly_full_disk_under_state_is_reported(daemon, program_dir, dovecot):
    daemon.terminate()
    with small_tmpfs(program_dir / "state", "2m") as state:
        (state / "heartbeat").write_text(json.dumps(
            {"time": datetime.now().astimezone().isoformat()}))
        fill(state, 48 * 1024)

        result = status_check(program_dir, dovecot.password)

    assert result.returncode == 1, result
    [line] = result.stdout.splitlines()
    assert line.startswith("disk: ") and "below health.disk_free_percent 5" in line, line


def test_json_logs_are_one_object_per_line(program_dir, dovecot, smtp_server):
    log_path = program_dir / "daemon.log"
    env = {PASSWORD_ENV: dovecot.password, "PYTHONPATH": str(ROOT)}
    dovecot.append(stranger_mail(1))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "mailflow", "-C", str(program_dir),
                                 "--log-format", "json", "run"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        smtp_server.wait_for(1, timeout=30)
        wait_until(lambda: "from person1@example.com" in log_path.read_text(), 30,
                   "the message's log line", log_path.read_text)
    finally:
        proc.terminate()
        assert proc.wait(15) == 0

    entries = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    assert any(e["logger"] == "mailflow.daemon" and "from person1@example.com" in e["message"]
               for e in entries), entries
    assert datetime.fromisoformat(entries[0]["time"]).utcoffset() == timedelta(0)
