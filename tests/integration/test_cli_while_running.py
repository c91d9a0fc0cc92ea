"""Every CLI command while `mailflow run` runs: commands that write are handed to the
daemon (state/commands) and answered as they would be alone; readers read a snapshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.program import ROOT, DaemonProcess, store_data, wait_until, write_program

MENTORS = "name,email,expertise\nAnna Berg,anna.berg@example.org,NLP\n" \
          "Chen Wei,chen.wei@example.org,vision\n"


def mailflow(program_dir: Path, *args: str, cwd: Path = ROOT,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program_dir), *args],
                          capture_output=True, text=True, timeout=90, cwd=cwd,
                          env=env or {**os.environ, "PYTHONPATH": str(ROOT)})


def spool(program_dir: Path) -> Path:
    return program_dir / "state" / "commands"


def wait_running(daemon: DaemonProcess) -> None:
    wait_until(lambda: "connected to the mailbox" in daemon.log_text(), 20,
               "the daemon to connect", daemon.log_text)


def ran_by_daemon(program_dir: Path) -> list[dict]:
    return list(store_data(program_dir).get("commands", {}).values())


def imported(program_dir: Path) -> dict[str, int]:
    """How many 'imported' events each person's timeline holds."""
    counts: dict[str, int] = {}
    for event in store_data(program_dir).get("events", {}).values():
        if event["type"] == "imported":
            counts[event["participant"]] = counts.get(event["participant"], 0) + 1
    return counts


def people(program_dir: Path) -> dict[str, dict]:
    return {p["email"]: p for p in store_data(program_dir).get("participants", {}).values()}


@pytest.fixture
def alone_dir(tmp_path, dovecot, smtp_server) -> Path:
    """A second program, with no daemon: what the CLI prints when it runs alone."""
    return write_program(tmp_path / "alone", dovecot, smtp_server)


def test_import_while_the_daemon_runs_prints_the_report_it_prints_alone(
        program_dir, daemon, alone_dir, tmp_path):
    wait_running(daemon)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    alone = mailflow(alone_dir, "import", "mentors", "mentors.csv", cwd=tmp_path)
    result = mailflow(program_dir, "import", "mentors", "mentors.csv", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "imported 2 mentors\n", "")
    assert (result.returncode, result.stdout, result.stderr) == (
        alone.returncode, alone.stdout, alone.stderr)
    assert set(people(program_dir)) == {"anna.berg@example.org", "chen.wei@example.org"}
    assert [c["argv"][-3:] for c in ran_by_daemon(program_dir)] == [
        ["import", "mentors", "mentors.csv"]]
    assert daemon.alive()


def test_a_refused_import_while_running_prints_the_error_and_exit_code_of_alone(
        program_dir, daemon, alone_dir, tmp_path):
    wait_running(daemon)
    bad = tmp_path / "mentors.csv"
    bad.write_text("name,email\nAnna Berg,anna.berg@example.org\nBad,not-an-address\n")
    alone = mailflow(alone_dir, "import", "mentors", str(bad))
    result = mailflow(program_dir, "import", "mentors", str(bad))
    assert result.returncode == alone.returncode == 2
    assert result.stderr == alone.stderr and "line 3" in result.stderr
    assert result.stdout == alone.stdout == ""
    assert people(program_dir) == {}


def test_pause_until_a_date_while_the_daemon_runs(program_dir, daemon, tmp_path):
    wait_running(daemon)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    assert mailflow(program_dir, "import", "mentors", str(tmp_path / "mentors.csv")
                    ).returncode == 0
    result = mailflow(program_dir, "pause", "anna.berg@example.org", "--until", "2027-05-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("Anna Berg <anna.berg@example.org>: no scheduled mail until "
                             "2027-05-01\n")
    assert people(program_dir)["anna.berg@example.org"]["paused_until"] == "2027-05-01"
    resumed = mailflow(program_dir, "resume", "Anna")
    assert resumed.stdout == "Anna Berg <anna.berg@example.org>: scheduled mail resumed\n"
    assert people(program_dir)["anna.berg@example.org"]["paused_until"] is None


def test_status_while_running_shows_what_the_daemon_just_ran(program_dir, daemon, tmp_path):
    wait_running(daemon)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    assert mailflow(program_dir, "import", "mentors", str(tmp_path / "mentors.csv")
                    ).returncode == 0
    result = mailflow(program_dir, "status")
    assert result.returncode == 0, result.stderr
    assert "participants: 2" in result.stdout and "mentor / selected: 2" in result.stdout
    assert daemon.alive()


def test_every_reading_command_answers_while_the_daemon_runs(program_dir, daemon, tmp_path):
    wait_running(daemon)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    assert mailflow(program_dir, "import", "mentors", str(tmp_path / "mentors.csv")
                    ).returncode == 0
    assert "Chen Wei" in mailflow(program_dir, "show", "chen").stdout
    assert "anna.berg@example.org" in mailflow(program_dir, "export", "participants").stdout
    for command in (["review"], ["outbox", "list"], ["export", "pairs"],
                    ["plan", "--from", "2027-01-01", "--to", "2027-01-31"]):
        result = mailflow(program_dir, *command)
        assert result.returncode == 0, (command, result.stderr)
    assert not list(spool(program_dir).glob("*.json")), "readers are never spooled"


def test_with_the_daemon_stopped_a_command_runs_by_itself(program_dir, daemon, tmp_path):
    wait_running(daemon)
    assert daemon.terminate() == 0
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    result = mailflow(program_dir, "import", "mentors", str(tmp_path / "mentors.csv"))
    assert (result.returncode, result.stdout) == (0, "imported 2 mentors\n")
    assert len(people(program_dir)) == 2
    assert ran_by_daemon(program_dir) == []


def test_a_command_taken_when_the_daemon_is_killed_runs_exactly_once_after_restart(
        program_dir, daemon, dovecot, tmp_path):
    wait_running(daemon)
    rows = 20_000  # long enough to be killed while it runs
    (tmp_path / "many.csv").write_text("name,email\n" + "".join(
        f"Mentor {i},mentor{i}@example.org\n" for i in range(rows)), encoding="utf-8")
    cli = subprocess.Popen(
        [sys.executable, "-m", "mailflow", "-C", str(program_dir), "--wait", "120",
         "import", "mentors", str(tmp_path / "many.csv")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 30
    while not list(spool(program_dir).glob("*.taken.json")):
        assert time.monotonic() < deadline, daemon.log_text()
        time.sleep(0.002)
    daemon.kill()
    assert list(spool(program_dir).glob("*.taken.json")), "killed before answering"
    again = DaemonProcess(program_dir, dovecot.password)
    again.start()
    try:
        out, err = cli.communicate(timeout=120)
        assert (cli.returncode, out, err) == (0, f"imported {rows} mentors\n", "")
        counts = imported(program_dir)
        assert len(counts) == rows and set(counts.values()) == {1}
        assert len(ran_by_daemon(program_dir)) == 1
        assert not list(spool(program_dir).glob("*.json"))
    finally:
        assert again.terminate() == 0, again.log_text()


def test_a_command_run_before_a_crash_is_answered_again_not_run_again(
        program_dir, daemon, dovecot, tmp_path):
    wait_running(daemon)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    # Written here, not read back from the spool: the daemon may take and answer it first.
    request_id = "2-2"
    request = json.dumps({"version": 1, "id": request_id, "cwd": "/", "argv": [
        "import", "mentors", str(tmp_path / "mentors.csv")]}).encode()
    place(program_dir, f"{request_id}.json", request)
    answer = spool(program_dir) / f"{request_id}.answer.json"
    wait_until(answer.exists, 20, "the answer", daemon.log_text)
    first = json.loads(answer.read_text())
    assert daemon.terminate() == 0
    # What a kill -9 between the commit and the answer leaves: the request, taken.
    answer.unlink()
    taken = spool(program_dir) / f"{request_id}.taken.json"
    fd = os.open(taken, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, request)
    os.close(fd)
    again = DaemonProcess(program_dir, dovecot.password)
    again.start()
    try:
        wait_until(answer.exists, 20, "the answer again", again.log_text)
        assert json.loads(answer.read_text()) == first
        assert imported(program_dir) == {"anna.berg@example.org": 1, "chen.wei@example.org": 1}
        assert "ran before a restart; answering it again" in again.log_text()
    finally:
        assert again.terminate() == 0, again.log_text()


def place(program_dir: Path, name: str, content: bytes, uid: int | None = None) -> Path:
    """A request file put in the spool whole (renamed in), as another process could."""
    folder = spool(program_dir)
    folder.mkdir(mode=0o700, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, content)
    os.close(fd)
    if uid is not None:
        os.chown(tmp, uid, -1)
    os.replace(tmp, folder / name)
    return folder / name


def test_a_spool_file_of_another_user_is_refused_and_nothing_runs(program_dir, daemon,
                                                                   tmp_path):
    if os.getuid() != 0:
        pytest.skip("giving a file to another user needs root")
    wait_running(daemon)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    request = {"version": 1, "id": "1-1", "argv": ["import", "mentors",
                                                   str(tmp_path / "mentors.csv")], "cwd": "/"}
    place(program_dir, "1-1.json", json.dumps(request).encode(), uid=65534)
    answer = spool(program_dir) / "1-1.answer.json"
    wait_until(answer.exists, 20, "the refusal", daemon.log_text)
    refusal = json.loads(answer.read_text())
    assert refusal["code"] == 2
    assert "refused: written by another user (uid 65534)" in refusal["stderr"]
    assert "refused: written by another user (uid 65534)" in daemon.log_text()
    assert people(program_dir) == {} and ran_by_daemon(program_dir) == []
    assert not (spool(program_dir) / "1-1.json").exists()


def test_a_spool_file_of_bad_json_is_refused_and_the_daemon_goes_on(program_dir, daemon,
                                                                    tmp_path):
    wait_running(daemon)
    place(program_dir, "2-2.json", b'{"version": 1, "argv": ["import", ')
    answer = spool(program_dir) / "2-2.answer.json"
    wait_until(answer.exists, 20, "the refusal", daemon.log_text)
    assert "refused: not valid JSON" in json.loads(answer.read_text())["stderr"]
    assert "2-2.json: refused: not valid JSON" in daemon.log_text()
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    result = mailflow(program_dir, "import", "mentors", str(tmp_path / "mentors.csv"))
    assert (result.returncode, result.stdout) == (0, "imported 2 mentors\n")


def test_a_spool_file_readable_by_others_is_refused(program_dir, daemon, tmp_path):
    wait_running(daemon)
    (tmp_path / "mentors.csv").write_text(MENTORS, encoding="utf-8")
    request = {"version": 1, "id": "3-3", "argv": ["import", "mentors",
                                                   str(tmp_path / "mentors.csv")], "cwd": "/"}
    path = place(program_dir, ".3-3.json", json.dumps(request).encode())
    path.chmod(0o644)
    path.rename(path.with_name("3-3.json"))
    answer = spool(program_dir) / "3-3.answer.json"
    wait_until(answer.exists, 20, "the refusal", daemon.log_text)
    assert "refused: readable or writable by others (mode 644, not 600)" in json.loads(
        answer.read_text())["stderr"]
    assert people(program_dir) == {}


def test_a_command_no_daemon_takes_is_withdrawn_after_the_wait(program_dir, tmp_path):
    state = program_dir / "state"
    state.mkdir(mode=0o700)
    holder = subprocess.Popen(  # another command holding the store, not a daemon
        [sys.executable, "-c", "import sys, time\nfrom mailflow.store.lock import ProgramLock\n"
         f"ProgramLock(__import__('pathlib').Path({str(state / 'lock')!r})).acquire()\n"
         "print('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = mailflow(program_dir, "--wait", "1", "approve", "anna.berg@example.org")
    finally:
        holder.kill()
        holder.wait(10)
    assert result.returncode == 75
    assert "no running daemon took the command within 1 s; withdrawn, nothing was done" \
        in result.stderr
    assert not list(spool(program_dir).glob("*.json"))
