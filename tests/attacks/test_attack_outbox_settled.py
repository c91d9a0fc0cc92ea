"""Attacks on the outbox's settled items (b48c87f, c9b482c): sent or cancelled mail kept as
where its journal line lies, archived ids packed as bytes, read-only readers reading back
lines while the writer compacts, full disks and kills at every step.

Each test one behaviour; the mail and journals are written here."""

from __future__ import annotations

import contextlib
import copy
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from mailflow.errors import MailflowError, StoreError
from mailflow.outbound import compaction
from mailflow.outbound import outbox as outbox_module
from mailflow.outbound.outbox import Outbox, OutboxItem, outbox_id
from mailflow.store.storage import StateWriteError
from tests.unit.outbox_helpers import make_item

KEYS = [f"monthly-tip|person{n}@example.org|2027-0{n + 1}" for n in range(6)]
START = 1_800_000_000.0


def body_of(key: str) -> bytes:
    """Mail bytes that are the key's own, with what a journal line must escape."""
    return (f"Subject: for {key}\r\nX-Odd: {{\"op\":\"add\"}}\r\n\r\n".encode("ascii")
            + b"caf\xe9 \xff\x00 \\ \" end of " + key.encode("ascii") + b"\r\n")


# -- faults ----------------------------------------------------------------------------


class Faults:
    """One failure armed at a time, in one of the functions the outbox writes with."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.armed: str | None = None
        self.fired = False
        real_write_all = outbox_module.write_all
        real_fdatasync, real_fsync, real_replace = os.fdatasync, os.fsync, os.replace
        real_fsync_dir = compaction.fsync_dir

        def write_all(fd: int, data: bytes) -> None:
            if self._fire("write_all"):
                os.write(fd, data[:max(1, len(data) // 2)])  # a part went, then the disk was full
                raise OSError(errno.ENOSPC, "No space left on device")
            real_write_all(fd, data)

        def failing(name: str, real):  # type: ignore[no-untyped-def]
            def call(*args):  # type: ignore[no-untyped-def]
                if self._fire(name):
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real(*args)
            return call

        monkeypatch.setattr(outbox_module, "write_all", write_all)
        monkeypatch.setattr(compaction, "write_all", write_all)
        monkeypatch.setattr(os, "fdatasync", failing("fdatasync", real_fdatasync))
        monkeypatch.setattr(os, "fsync", failing("fsync", real_fsync))
        monkeypatch.setattr(os, "replace", failing("replace", real_replace))
        monkeypatch.setattr(compaction, "fsync_dir", failing("fsync_dir", real_fsync_dir))

    def _fire(self, name: str) -> bool:
        if self.armed == name:
            self.armed, self.fired = None, True
            return True
        return False

    @contextlib.contextmanager
    def arm(self, name: str):  # type: ignore[no-untyped-def]
        self.armed, self.fired = name, False
        try:
            yield self
        finally:
            self.armed = None


# -- the model -------------------------------------------------------------------------


@dataclass
class Mail:
    state: str
    attempts: int
    updated: float
    body: bool = True  # its bytes are still in the journal
    archived: bool = False


def expected_counts(model: dict[str, Mail]) -> Counter[str]:
    counts: Counter[str] = Counter(m.state for m in model.values() if not m.archived)
    archived = sum(1 for m in model.values() if m.archived)
    if archived:
        counts["archived"] = archived
    return counts


def assert_outbox_is(outbox: Outbox, model: dict[str, Mail]) -> None:
    """Every key's state, attempts and bytes as the model says; counts() agrees."""
    assert outbox.counts() == expected_counts(model)
    live = {i.id for i in outbox.items.live()}
    for key, mail in model.items():
        item_id = outbox_id(key)
        assert outbox.has(key)
        if mail.archived:
            assert item_id not in outbox.items
            continue
        item = outbox.items[item_id]
        assert (item.key, item.state, item.attempts) == (key, mail.state, mail.attempts)
        if mail.state in ("pending", "sending", "failed", "unknown"):
            assert item_id in live  # what erasure and 'outbox retry' look through
        if mail.body:
            assert outbox.message_bytes(item_id) == body_of(key)
        else:
            with pytest.raises(StoreError):
                outbox.message_bytes(item_id)
    assert len(outbox.items) == sum(1 for m in model.values() if not m.archived)


class OutboxMachine(RuleBasedStateMachine):
    """A writer, read-only readers opened along the way, and a model of the truth."""

    faults: Faults  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="outbox-attack-"))
        self.now = START
        self.outbox = Outbox(self.folder, clock=lambda: self.now)
        self.model: dict[str, Mail] = {}
        self.owed: dict[str, Mail] = {}  # changes in memory the journal does not hold yet
        self.readers: list[tuple[Outbox, dict[str, Mail]]] = []
        self.copies: dict[str, object] = {}  # items read at some point, kept by a caller

    def teardown(self) -> None:
        with contextlib.suppress(Exception):
            self.outbox.close()
        for reader, _ in self.readers:
            reader.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def tick(self) -> None:
        self.now += 10.0

    def journal_truth(self) -> dict[str, Mail]:
        truth = copy.deepcopy(self.model)
        truth.update(copy.deepcopy(self.owed))
        return truth

    def appended(self) -> None:
        self.owed.clear()  # an append that works writes the owed changes first

    # -- rules ------------------------------------------------------------------------

    @rule(key=st.sampled_from(KEYS))
    def enqueue(self, key: str) -> None:
        self.tick()
        queued = self.outbox.enqueue(make_item(key), body_of(key))
        assert queued == (key not in self.model)
        if queued:
            self.model[key] = Mail("pending", 0, self.now)
            self.appended()

    def start_handover(self, key: str) -> tuple[Mail, OutboxItem] | None:
        """Mark a pending mail ``sending``, in the outbox and the model (None: not pending)."""
        mail = self.model.get(key)
        if mail is None or mail.state != "pending":
            return None
        self.tick()
        item = self.outbox.items[outbox_id(key)]
        self.outbox.mark_sending(item)
        self.appended()
        mail.state, mail.updated = "sending", self.now
        return mail, item

    @rule(key=st.sampled_from(KEYS),
          outcome=st.sampled_from(["sent", "retry", "failed", "unknown", "killed"]))
    def hand_over(self, key: str, outcome: str) -> None:
        started = self.start_handover(key)
        if started is None:
            return
        mail, item = started
        if outcome == "sent":
            self.outbox.mark_sent(item, item.attempts + 1)
            mail.state, mail.attempts = "sent", mail.attempts + 1
        elif outcome == "retry":
            self.outbox.mark_retry(item, "try later", self.now, item.attempts + 1)
            mail.state, mail.attempts = "pending", mail.attempts + 1
        elif outcome == "failed":
            self.outbox.mark_failed(item, "refused", item.attempts + 1)
            mail.state, mail.attempts = "failed", mail.attempts + 1
        elif outcome == "unknown":
            self.outbox.mark_unknown(item, "connection lost")
            mail.state = "unknown"

    @rule(key=st.sampled_from(KEYS))
    def sent_while_the_disk_is_full(self, key: str) -> None:
        started = self.start_handover(key)
        if started is None:
            return
        mail, item = started
        self.owed.setdefault(key, copy.deepcopy(mail))
        with self.faults.arm("write_all"):
            self.outbox.mark_sent(item, item.attempts + 1)  # owed, not raised
        mail.state, mail.attempts = "sent", mail.attempts + 1

    @rule(key=st.sampled_from(KEYS))
    def cancel(self, key: str) -> None:
        mail = self.model.get(key)
        if mail is None or mail.state != "pending":
            return
        self.tick()
        self.outbox.cancel(self.outbox.items[outbox_id(key)], "erased")
        self.appended()
        mail.state, mail.updated = "cancelled", self.now

    @rule(key=st.sampled_from(KEYS))
    def bounced_after_it_was_sent(self, key: str) -> None:
        mail = self.model.get(key)
        if mail is None or mail.state != "sent" or mail.archived or key in self.owed:
            return
        self.tick()
        self.outbox.mark_failed(self.outbox.items[outbox_id(key)], "bounced")
        self.appended()
        mail.state, mail.updated = "failed", self.now

    @rule(key=st.sampled_from(KEYS))
    def keep_a_copy(self, key: str) -> None:
        if key in self.model and not self.model[key].archived:
            self.copies[key] = self.outbox.items[outbox_id(key)]

    @rule(key=st.sampled_from(KEYS))
    def bounced_as_told_by_an_old_copy(self, key: str) -> None:
        mail, held = self.model.get(key), self.copies.get(key)
        if held is None or mail is None or mail.state != "sent" or key in self.owed:
            return
        self.tick()
        self.outbox.mark_failed(held, "bounced")  # type: ignore[arg-type]
        if not mail.archived:  # archived: only its key is left, nothing to change
            self.appended()
            mail.state, mail.updated = "failed", self.now

    @rule(key=st.sampled_from(KEYS))
    def requeue(self, key: str) -> None:
        mail = self.model.get(key)
        if mail is None or mail.state not in ("failed", "unknown"):
            return
        self.tick()
        item = self.outbox.items[outbox_id(key)]
        if not mail.body:
            with pytest.raises(MailflowError):
                self.outbox.requeue(item)
            return
        self.outbox.requeue(item)
        self.appended()
        mail.state, mail.updated = "pending", self.now

    @rule(archive=st.booleans(), age=st.sampled_from([0.0, 15.0, 45.0, 1e9]))
    def compact(self, archive: bool, age: float) -> None:
        self.tick()
        before = self.now - age if archive else None
        assert self.outbox.compact(force=True, archive_before=before)
        self.compacted(before)

    def compacted(self, before: float | None) -> None:
        self.owed.clear()
        for mail in self.model.values():
            if mail.state in ("sent", "cancelled"):
                mail.body = False
                if before is not None and mail.updated < before:
                    mail.archived = True

    @rule(where=st.sampled_from(["write_all", "fsync", "replace", "fsync_dir"]),
          archive=st.booleans())
    def compact_on_a_full_disk(self, where: str, archive: bool) -> None:
        self.tick()
        before = self.now - 15.0 if archive else None
        with self.faults.arm(where) as fault:
            try:
                self.outbox.compact(force=True, archive_before=before)
            except StateWriteError:
                assert fault.fired
                if where == "fsync_dir":  # the new journal is in place, its rename unsynced
                    self.compacted(before)
            else:
                assert not fault.fired  # an empty journal: no line to write
                self.compacted(before)

    @rule(key=st.sampled_from(KEYS), where=st.sampled_from(["write_all", "fdatasync"]),
          what=st.sampled_from(["enqueue", "cancel", "sending", "batch"]))
    def append_on_a_full_disk(self, key: str, where: str, what: str) -> None:
        mail = self.model.get(key)
        self.tick()
        with self.faults.arm(where) as fault:
            try:
                if what == "enqueue":
                    self.outbox.enqueue(make_item(key), body_of(key))
                elif what == "batch":
                    with self.outbox.batch():
                        for other in KEYS:
                            self.outbox.enqueue(make_item(other), body_of(other))
                elif mail is not None and mail.state == "pending":
                    item = self.outbox.items[outbox_id(key)]
                    if what == "cancel":
                        self.outbox.cancel(item, "erased")
                    else:
                        self.outbox.mark_sending(item)
            except StateWriteError:
                assert fault.fired
            else:
                assert not fault.fired  # nothing was written: nothing to fail

    @rule(keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=4), fail=st.booleans())
    def batch(self, keys: list[str], fail: bool) -> None:
        self.tick()
        with contextlib.suppress(RuntimeError), self.outbox.batch():
            for key in keys:
                self.outbox.enqueue(make_item(key), body_of(key))
            if fail:
                raise RuntimeError("the store transaction failed")
        if not fail:
            for key in keys:
                if key not in self.model:
                    self.model[key] = Mail("pending", 0, self.now)
                    self.appended()

    @rule()
    def reopen(self) -> None:
        self.tick()
        self.outbox.close()
        self.owed.clear()
        self.outbox = Outbox(self.folder, clock=lambda: self.now)
        self.recovered()

    def recovered(self) -> None:
        for mail in self.model.values():
            if mail.state == "sending":
                mail.state, mail.updated = "unknown", self.now

    @rule(tail=st.sampled_from([b"{", b'{"op":"set","id":"', b'{"op":"add","item":{"id":"x"}']))
    def killed(self, tail: bytes) -> None:
        """kill -9: no close, owed changes lost, maybe a torn last line."""
        self.tick()
        fd = self.outbox._fd
        assert fd is not None
        os.write(fd, tail)
        os.close(fd)
        self.outbox._fd = None
        self.outbox._reader.close()
        self.model.update(self.owed)
        self.owed.clear()
        self.outbox = Outbox(self.folder, clock=lambda: self.now)
        self.recovered()

    @precondition(lambda self: len(self.readers) < 3)
    @rule()
    def open_reader(self) -> None:
        self.readers.append((Outbox(self.folder, read_only=True), self.journal_truth()))

    @precondition(lambda self: bool(self.readers))
    @rule()
    def close_reader(self) -> None:
        reader, _ = self.readers.pop(0)
        reader.close()

    # -- invariants -------------------------------------------------------------------

    @invariant()
    def the_writer_holds_the_truth(self) -> None:
        assert_outbox_is(self.outbox, self.model)

    @invariant()
    def every_reader_holds_the_truth_it_was_opened_on(self) -> None:
        for reader, truth in self.readers:
            assert_outbox_is(reader, truth)

    @invariant()
    def the_journal_reopens_as_the_truth(self) -> None:
        reader = Outbox(self.folder, read_only=True)
        try:
            assert_outbox_is(reader, self.journal_truth())
        finally:
            reader.close()

    @invariant()
    def every_pending_mail_is_due_and_nothing_else(self) -> None:
        due = {i.key for i in self.outbox.due(self.now + 1e9)}
        assert due == {k for k, m in self.model.items() if m.state == "pending"}


def test_any_sequence_keeps_the_outbox_the_journal_and_readers_true(monkeypatch):
    OutboxMachine.faults = Faults(monkeypatch)
    runner = OutboxMachine.TestCase()
    runner.settings = settings(max_examples=300, stateful_step_count=40, deadline=None,
                               suppress_health_check=list(HealthCheck))
    runner.runTest()


# -- targeted attacks ------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def sent_mail(outbox: Outbox, key: str):  # type: ignore[no-untyped-def]
    item = make_item(key)
    outbox.enqueue(item, body_of(key))
    outbox.mark_sending(item)
    outbox.mark_sent(item)
    return item


def archived_with_a_stale_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An outbox whose one mail was sent and archived, and a copy read before that."""
    clock = Clock()
    outbox = Outbox(tmp_path, clock=clock)
    item = sent_mail(outbox, KEYS[0])
    outbox.compact(force=True)
    stale = outbox.items[item.id]
    outbox.compact(force=True, archive_before=clock.now + 10)
    return outbox, stale


def test_a_late_change_to_a_stale_copy_of_archived_mail_leaves_the_counts(tmp_path):
    outbox, stale = archived_with_a_stale_copy(tmp_path)

    outbox.mark_failed(stale, "a bounce for mail archived long ago")

    assert outbox.counts() == {"archived": 1}


def test_a_stale_copy_of_archived_mail_put_back_to_pending_is_never_due(tmp_path):
    outbox, stale = archived_with_a_stale_copy(tmp_path)

    outbox.mark_retry(stale, "try later", 0.0, 1)

    assert outbox.due(START + 1e9) == []
    assert not outbox.enqueue(make_item(KEYS[0]), body_of(KEYS[0]))


def test_a_stale_copy_of_archived_mail_is_never_handed_over(tmp_path):
    outbox, stale = archived_with_a_stale_copy(tmp_path)

    with pytest.raises(MailflowError, match="archived"):
        outbox.mark_sending(stale)


def test_a_hand_edited_line_putting_sent_mail_back_to_pending_is_refused_by_its_number(
        tmp_path):
    outbox = Outbox(tmp_path)
    item = sent_mail(outbox, KEYS[0])
    outbox.compact(force=True)  # its bytes are gone
    outbox.close()
    journal = tmp_path / "journal.jsonl"
    with journal.open("a") as handle:  # someone hoped to send it again
        handle.write(f'{{"op":"set","id":"{item.id}","state":"pending","updated":5.0}}\n')

    with pytest.raises(StoreError, match=r"line 2\b"):
        Outbox(tmp_path)


# -- a real process killed while it compacts ----------------------------------------------

COMPACTING_WRITER = """
import sys
from pathlib import Path
from mailflow.outbound.outbox import Outbox
from tests.attacks.test_attack_outbox_settled import body_of, make_item, mass_key
ticks = [1_800_000_000.0]
def clock():
    ticks[0] += 1.0
    return ticks[0]
outbox = Outbox(Path(sys.argv[1]), clock=clock)
if not outbox.items:
    with outbox.batch():
        for n in range(int(sys.argv[2])):
            outbox.enqueue(make_item(mass_key(n)), body_of(mass_key(n)))
print("queued", flush=True)
rounds = 0
while True:
    pending = sorted((i for i in outbox.items.live() if i.state == "pending"), key=lambda i: i.key)
    for item in pending[:7]:
        outbox.mark_sending(item)
        outbox.mark_sent(item)
        print("sent", item.key, flush=True)
    if len(pending) > 7:
        outbox.cancel(pending[7], "erased")
    outbox.enqueue(make_item(mass_key(10_000 + rounds)), body_of(mass_key(10_000 + rounds)))
    rounds += 1
    outbox.compact(force=True, archive_before=ticks[0] - 40 if rounds % 2 else None)
    print("compacted", flush=True)
"""


def mass_key(n: int) -> str:
    return f"spring-workshop|mentee{n:05}@example.org|2027-04"


def assert_readable_and_whole(outbox: Outbox) -> None:
    """Every item reads back as itself, and every mail with bytes has its own."""
    states: Counter[str] = Counter()
    for item_id in list(outbox.items):
        item = outbox.items[item_id]
        assert item.id == item_id == outbox_id(item.key)
        states[item.state] += 1
        if item.state == "pending":
            assert outbox.message_bytes(item_id) == body_of(item.key)
    assert +states == outbox.counts() - Counter({"archived": outbox.counts()["archived"]})


def test_sigkill_while_compacting_leaves_a_journal_that_reopens_whole(tmp_path):
    root = str(Path(__file__).resolve().parents[2])
    env = {"PYTHONPATH": root, "PATH": "/usr/bin:/bin"}
    queued = 3_000
    ever = {mass_key(n) for n in range(queued)}
    for attempt in range(5):
        child = subprocess.Popen([sys.executable, "-c", COMPACTING_WRITER, str(tmp_path),
                                  str(queued)], stdout=subprocess.PIPE, text=True, env=env,
                                 cwd=root)
        assert child.stdout is not None
        assert child.stdout.readline() == "queued\n"
        deadline = time.monotonic() + 0.4 + random.random() * 0.8
        while time.monotonic() < deadline:  # readers opened while it compacts
            reader = Outbox(tmp_path, read_only=True)
            try:
                assert_readable_and_whole(reader)
            finally:
                reader.close()
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        handed_over = [line.split()[1] for line in out.splitlines() if line.startswith("sent ")]
        reopened = Outbox(tmp_path)
        try:
            assert_readable_and_whole(reopened)
            for key in handed_over:  # never to be sent again
                assert outbox_id(key) in reopened.archived or reopened.items[
                    outbox_id(key)].state == "sent"
            ever |= {item.key for item in reopened.items.values()}
            assert all(reopened.has(key) for key in ever), f"a key was lost in round {attempt}"
            assert reopened.counts().total() == len(ever)
        finally:
            reopened.close()
        assert not compaction.temp_path(tmp_path / "journal.jsonl").exists()


# -- a full disk where even cutting a failed write back fails (copy-on-write filesystems) --


@contextlib.contextmanager
def disk_full_and_uncuttable(monkeypatch: pytest.MonkeyPatch, whole_lines: int):  # type: ignore[no-untyped-def]
    """The next journal write puts ``whole_lines`` lines and a part of the next, then fails;
    so does cutting them back."""
    def write_all(fd: int, data: bytes) -> None:
        end = 0
        for _ in range(whole_lines):
            end = data.index(b"\n", end) + 1
        os.write(fd, data[:end + 30])
        raise OSError(errno.ENOSPC, "No space left on device")

    def ftruncate(fd: int, length: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(outbox_module, "write_all", write_all)
        patch.setattr(os, "ftruncate", ftruncate)
        yield


def test_mail_queued_after_a_write_that_could_not_be_cut_back_reads_back_its_own_bytes(
        tmp_path, monkeypatch):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item(KEYS[0]), body_of(KEYS[0]))
    with disk_full_and_uncuttable(monkeypatch, whole_lines=0), pytest.raises(StateWriteError):
        outbox.enqueue(make_item(KEYS[1]), body_of(KEYS[1]))

    outbox.enqueue(make_item(KEYS[2]), body_of(KEYS[2]))  # the disk has room again

    assert outbox.message_bytes(outbox_id(KEYS[2])) == body_of(KEYS[2])


def test_a_batch_that_failed_and_could_not_be_cut_back_is_not_queued_after_reopening(
        tmp_path, monkeypatch):
    outbox = Outbox(tmp_path)
    outbox.enqueue(make_item(KEYS[0]), body_of(KEYS[0]))
    with disk_full_and_uncuttable(monkeypatch, whole_lines=1), \
            pytest.raises(StateWriteError), outbox.batch():  # its store transaction fails too
        outbox.enqueue(make_item(KEYS[1]), body_of(KEYS[1]))
        outbox.enqueue(make_item(KEYS[2]), body_of(KEYS[2]))
    outbox.enqueue(make_item(KEYS[3]), body_of(KEYS[3]))
    outbox.close()

    reopened = Outbox(tmp_path)

    assert not reopened.has(KEYS[1]) and not reopened.has(KEYS[2])
    assert reopened.counts() == {"pending": 2}


# -- readers at the instants of a compaction, and many items ------------------------------


def test_readers_opened_just_before_and_just_after_the_rename_read_every_mail_as_its_own(
        tmp_path, monkeypatch):
    writer = Outbox(tmp_path, clock=Clock())
    for key in KEYS[:3]:
        sent_mail(writer, key)
    for key in KEYS[3:]:
        writer.enqueue(make_item(key), body_of(key))
    writer.compact(force=True)
    readers: list[Outbox] = []
    real_replace = os.replace

    def replace(source, target):  # type: ignore[no-untyped-def]
        readers.append(Outbox(tmp_path, read_only=True))
        real_replace(source, target)
        readers.append(Outbox(tmp_path, read_only=True))

    monkeypatch.setattr(os, "replace", replace)
    writer.compact(force=True, archive_before=writer.clock() - 3)  # archives the first two
    writer.enqueue(make_item(mass_key(1)), body_of(mass_key(1)))  # the lines move on
    writer.compact(force=True)

    for reader in readers:
        assert_readable_and_whole(reader)
        assert all(reader.has(key) for key in KEYS)


def test_a_year_of_archived_keys_is_kept_packed_and_still_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fdatasync", lambda fd: None)  # the disk is not under test
    clock = Clock()
    outbox = Outbox(tmp_path, clock=clock)
    keys = [mass_key(n) for n in range(20_000)]
    with outbox.batch():
        for key in keys:
            outbox.enqueue(make_item(key), b"Subject: x\r\n\r\nshort\r\n")
    for item in list(outbox.items.live()):
        outbox.mark_sending(item)
        outbox.mark_sent(item)
    outbox.compact(force=True, archive_before=clock.now + 1)
    outbox.close()

    reopened = Outbox(tmp_path)

    assert reopened.counts() == {"archived": 20_000}
    assert list(reopened.items.live()) == [] and len(reopened.items) == 0
    assert set(reopened.archived) == {outbox_id(key) for key in keys}
    assert len(reopened.archived) == 20_000
    assert not any(reopened.enqueue(make_item(key), b"again") for key in keys[::97])
