"""A backup taken while the daemon works restores a program losing nothing, repeating nothing."""

from __future__ import annotations

import email
import json
import subprocess
import sys
import tarfile
import threading
import time
from collections import Counter
from pathlib import Path

from mailflow.commands.backup import write_archive
from mailflow.config import load_config
from mailflow.store.snapshot import take_snapshot
from mailflow.store.storage import AtomicJSONStorage
from tests.integration.program import (
    ROOT,
    DaemonProcess,
    inbound_states,
    outbox_states,
    store_data,
    stranger_mail,
    wait_until,
)

COORDINATOR = "claire.dubois@northlake.example.org"
HANDED_OVER = ("sending", "sent", "unknown", "failed")


def mailflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mailflow", *args], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def journal_states(journal: bytes) -> dict[str, str]:
    """Message-ID -> latest state, replayed from a journal's bytes."""
    states: dict[str, str] = {}
    ids: dict[str, str] = {}
    for line in journal.splitlines():
        record = json.loads(line)
        if record["op"] == "add":
            ids[record["item"]["id"]] = record["item"]["message_id"]
            states[record["item"]["message_id"]] = record["item"]["state"]
        elif "state" in record:
            states[ids[record["id"]]] = record["state"]
    return states


def handled(store: dict) -> set[str]:
    """Message-IDs of the inbound mail a store records as handled."""
    return {e["message_id"] for e in store.get("inbound", {}).values()
            if e["state"] in ("processed", "review", "error")}


def snapshot_store(files: dict[str, bytes], directory: Path) -> dict:
    """The store a backup holds, read as mailflow reads it: store.json and its change log."""
    directory.mkdir()
    for name in ("store.json", "store.log"):
        (directory / name).write_bytes(files.get(f"state/{name}", b""))
    return AtomicJSONStorage(directory / "store.json", read_only=True).read() or {}


def reply_recipients(journal: bytes) -> set[str]:
    """Everyone the outbox journal holds an answer to."""
    return {r for line in journal.splitlines() for record in [json.loads(line)]
            if record["op"] == "add" and record["item"]["kind"] == "reply"
            for r in record["item"]["recipients"]}


def message_id(data: bytes) -> str:
    return str(email.message_from_bytes(data)["Message-ID"]).strip("<>")


def test_a_backup_taken_mid_burst_resumes_losing_nothing_and_sending_nothing_twice(
        tmp_path, program_dir, dovecot, smtp_server, capsys):
    total = 120
    everyone = {f"stranger-{i}@mail.example.com" for i in range(total)}
    feeder = threading.Thread(target=lambda: [
        (dovecot.append(stranger_mail(i)), time.sleep(0.01)) for i in range(total)])
    original = DaemonProcess(program_dir, dovecot.password)
    original.start()
    feeder.start()
    wait_until(lambda: len(smtp_server.messages) >= 30, 60, "30 answers", original.log_text)
    # The backup's moment: mail arriving and being sent. The machine dies right after.
    config = load_config(program_dir)
    snapshot = take_snapshot(program_dir, config.state_dir)
    original.kill()
    archive = tmp_path / "backup.tar.gz"
    write_archive(snapshot, archive, config.name)
    feeder.join()
    before = list(smtp_server.messages)

    snap_store = snapshot_store(snapshot.files, tmp_path / "copy")
    snap_journal = journal_states(snapshot.files["state/outbox/journal.jsonl"])
    assert 0 < len(handled(snap_store)) < total, "the backup was not taken mid-burst"
    assert "sent" in snap_journal.values()
    # What the original still did between the snapshot and its death is after the backup's
    # moment, the copy of the journal: mail it handed over that the copy has as pending or
    # not at all, and messages it handled and answered that the copy has no answer for.
    snap_answered = reply_recipients(snapshot.files["state/outbox/journal.jsonl"])
    final_journal = journal_states(
        (program_dir / "state/outbox/journal.jsonl").read_bytes())
    after_moment = {m for m, s in final_journal.items() if s in HANDED_OVER
                    and snap_journal.get(m, "pending") == "pending"}
    final_store = store_data(program_dir)
    handled_after_moment = {
        e["message_id"] for e in final_store["inbound"].values()
        if e["message_id"] in handled(final_store) - handled(snap_store)
        and e["sender"] not in snap_answered}

    env = {**original.env}
    restored_dir = tmp_path / "restored"
    result = mailflow("restore", str(archive), str(restored_dir), env=env)
    assert result.returncode == 0, result.stderr
    resumed = DaemonProcess(restored_dir, dovecot.password)
    resumed.start()

    def settled() -> bool:
        states = outbox_states(restored_dir, kind="reply")
        return (handled(store_data(restored_dir)) | handled_after_moment == everyone
                and "pending" not in states.values())
    wait_until(settled, 60, "every message of the burst handled", resumed.log_text)
    unknown = [i for i, s in outbox_states(restored_dir, kind="reply").items() if s == "unknown"]
    wait_until(lambda: sum(COORDINATOR in m.rcpt_tos for m in smtp_server.messages)
               >= len(unknown), 30, "the mail in doubt reported", resumed.log_text)
    assert resumed.terminate() == 0, resumed.log_text()
    after = smtp_server.messages[len(before):]

    # Nothing sent twice: the resumed program hands over nothing the backup knew as handed
    # over, and each person is answered once (twice only for a mail the original sent
    # after the backup's moment, which the backup cannot know).
    resent = [m for m in after if snap_journal.get(message_id(m.data)) in HANDED_OVER]
    assert resent == []
    answers = Counter(r for m in before + after for r in m.rcpt_tos if r != COORDINATOR)
    twice = {r for r, n in answers.items() if n > 1}
    sent_late = {r for m in before if message_id(m.data) in after_moment for r in m.rcpt_tos}
    assert twice <= sent_late
    # Nothing lost: every message is recorded and handled once by the restored program
    # (or was handled by the original after the moment), and everyone is answered, but
    # for a mail in doubt (handed over as the original died), reported to the coordinator.
    entries = [e for e in store_data(restored_dir)["inbound"].values() if e["state"] != "duplicate"]
    assert len(entries) == len({e["message_id"] for e in entries})
    assert inbound_states(restored_dir).get("received", 0) == 0
    queued = reply_recipients((restored_dir / "state/outbox/journal.jsonl").read_bytes())
    assert {e["sender"] for e in entries} <= queued, "a handled message's answer was lost"
    assert total - len(answers) <= len(unknown)
    with capsys.disabled():
        print(f"\n  backup mid-burst ({len(handled(snap_store))}/{total} handled, copy "
              f"{snapshot.tries} tries): {len(before)} mails before, {len(after)} after resume; "
              f"{len(twice)} twice, {len(unknown)} in doubt, {len(after_moment)} sent and "
              f"{len(handled_after_moment)} handled after the moment")


def test_the_backup_command_saves_a_running_program_that_restore_check_verifies(
        tmp_path, program_dir, daemon, dovecot, smtp_server):
    for i in range(5):
        dovecot.append(stranger_mail(i))
    smtp_server.wait_for(5, timeout=30)
    archive = tmp_path / "running.tar.gz"
    backup = mailflow("-C", str(program_dir), "backup", str(archive), env=daemon.env)
    assert backup.returncode == 0, backup.stderr
    assert daemon.alive()
    check = mailflow("restore", "--check", str(archive), env=daemon.env)
    assert check.returncode == 0, check.stderr
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"MANIFEST.json", "program/config.yaml", "program/state/store.json",
            "program/state/outbox/journal.jsonl"} <= set(names)
    assert "program/state/lock" not in names
    assert any(n.startswith("program/state/messages/") for n in names)


def test_restore_check_refuses_a_damaged_archive_with_one_line(tmp_path, program_dir, daemon,
                                                               dovecot, smtp_server):
    dovecot.append(stranger_mail(1))
    smtp_server.wait_for(1, timeout=30)
    archive = tmp_path / "damaged.tar.gz"
    assert mailflow("-C", str(program_dir), "backup", str(archive), env=daemon.env).returncode == 0
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    check = mailflow("restore", "--check", str(archive), env=daemon.env)
    assert check.returncode == 2
    assert check.stderr.count("\n") == 1 and "Traceback" not in check.stderr
    restored = mailflow("restore", str(archive), str(tmp_path / "restored"), env=daemon.env)
    assert restored.returncode == 2 and not Path(tmp_path / "restored").exists()
