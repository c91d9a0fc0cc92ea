"""Outbox compaction: sent bytes leave the journal, keys and states never do, even on a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailflow.errors import StoreError
from mailflow.outbound.compaction import COMPACT_LINES, temp_path
from mailflow.outbound.outbox import Outbox, outbox_id
from mailflow.store import StateWriteError
from tests.unit.limits import file_size_limit
from tests.unit.outbox_helpers import make_item

BODY = b"Subject: hello\r\n\r\n" + b"a line of the body\r\n" * 50


def sent_and_pending(directory: Path, sent: int, pending: int) -> Outbox:
    """An outbox with ``sent`` mails handed over and ``pending`` ones waiting."""
    outbox = Outbox(directory)
    for n in range(sent):
        item = make_item(f"sent-{n}")
        outbox.enqueue(item, BODY)
        outbox.mark_sending(item)
        outbox.mark_sent(item)
    for n in range(pending):
        outbox.enqueue(make_item(f"pending-{n}"), BODY + str(n).encode())
    return outbox


def test_compaction_leaves_out_the_bytes_of_sent_mail(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=20, pending=0)

    outbox.compact(force=True)
    outbox.close()

    assert b"a line of the body" not in (tmp_path / "journal.jsonl").read_bytes()


def test_compaction_keeps_the_headers_of_sent_mail_for_threading(tmp_path):
    sent_and_pending(tmp_path, sent=1, pending=0).compact(force=True)

    item = Outbox(tmp_path).items[outbox_id("sent-0")]

    assert (item.state, item.subject, item.recipients) == (
        "sent", "About sent-0", ["lea@example.org"])
    assert Outbox(tmp_path).by_message_id[item.message_id] == item.id


def test_compaction_keeps_the_bytes_of_mail_not_yet_sent(tmp_path):
    sent_and_pending(tmp_path, sent=3, pending=2).compact(force=True)

    assert Outbox(tmp_path).message_bytes(outbox_id("pending-1")) == BODY + b"1"


def test_compaction_keeps_the_bytes_of_failed_mail_a_person_may_retry(tmp_path):
    outbox = Outbox(tmp_path)
    item = make_item("refused")
    outbox.enqueue(item, BODY)
    outbox.mark_failed(item, "550 no such user")
    outbox.compact(force=True)
    outbox.close()

    again = Outbox(tmp_path)
    again.requeue(again.items[item.id])

    assert again.message_bytes(item.id) == BODY


def test_a_key_sent_before_compaction_is_never_queued_again(tmp_path):
    sent_and_pending(tmp_path, sent=5, pending=0).compact(force=True)

    outbox = Outbox(tmp_path)

    assert outbox.enqueue(make_item("sent-3"), BODY) is False
    assert outbox.due(now=time.time() + 10**6) == []


def test_compaction_is_due_after_a_thousand_sent_mails(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=COMPACT_LINES // 3, pending=0)

    assert outbox.compact() is True


def test_the_bytes_of_sent_mail_are_asked_for_in_vain_after_compaction(tmp_path):
    sent_and_pending(tmp_path, sent=1, pending=0).compact(force=True)

    with pytest.raises(StoreError, match="left out"):
        Outbox(tmp_path).message_bytes(outbox_id("sent-0"))


def test_a_journal_line_without_the_bytes_of_pending_mail_is_refused(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=0, pending=1)
    outbox.close()
    record = json.loads((tmp_path / "journal.jsonl").read_bytes())
    record["data"] = None
    (tmp_path / "journal.jsonl").write_text(json.dumps(record) + "\n", encoding="ascii")

    with pytest.raises(StoreError, match="not yet sent"):
        Outbox(tmp_path)


def test_compaction_leaves_out_the_envelope_sender_of_sent_mail(tmp_path):
    sent_and_pending(tmp_path, sent=1, pending=1).compact(force=True)

    lines = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_bytes().splitlines()]
    envelopes = {r["item"]["key"]: r["item"].get("envelope_from") for r in lines
                 if r["op"] == "add"}

    assert envelopes["sent-0"] is None
    assert envelopes["pending-0"]
    assert Outbox(tmp_path).items[outbox_id("sent-0")].state == "sent"


def test_a_journal_line_of_pending_mail_without_its_envelope_sender_is_refused(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=0, pending=1)
    outbox.close()
    record = json.loads((tmp_path / "journal.jsonl").read_bytes())
    del record["item"]["envelope_from"]
    (tmp_path / "journal.jsonl").write_text(json.dumps(record) + "\n", encoding="ascii")

    with pytest.raises(StoreError, match="envelope_from"):
        Outbox(tmp_path)


def test_compaction_on_a_full_disk_leaves_the_old_journal_whole_and_in_use(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=10, pending=10)
    before = (tmp_path / "journal.jsonl").read_bytes()

    with file_size_limit(4096), pytest.raises(StateWriteError):
        outbox.compact(force=True)
    outbox.mark_sending(outbox.items[outbox_id("pending-0")])
    outbox.close()

    assert (tmp_path / "journal.jsonl").read_bytes().startswith(before)
    assert not temp_path(tmp_path / "journal.jsonl").exists()
    again = Outbox(tmp_path)
    assert again.items[outbox_id("pending-0")].state == "unknown"
    assert again.items[outbox_id("sent-9")].state == "sent"
    assert again.message_bytes(outbox_id("pending-9")) == BODY + b"9"


def test_a_torn_tail_after_compaction_is_cut_and_the_sent_stay_sent(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=3, pending=1)
    outbox.compact(force=True)
    outbox.close()
    with open(tmp_path / "journal.jsonl", "ab") as journal:
        journal.write(b'{"op":"set","id":"' + outbox_id("sent-1").encode() + b'","state":"pen')

    again = Outbox(tmp_path)

    assert again.items[outbox_id("sent-1")].state == "sent"
    assert again.message_bytes(outbox_id("pending-0")) == BODY + b"0"


CHILD = """
import sys
from mailflow.outbound.outbox import Outbox
outbox = Outbox(__import__("pathlib").Path(sys.argv[1]))
print("ready", flush=True)
while True:
    outbox.compact(force=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3, 0.5, 0.8])
def test_a_kill_during_compaction_never_makes_a_sent_key_sendable(tmp_path, delay):
    sent_and_pending(tmp_path, sent=400, pending=400).close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], env=env,
                             stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()

    outbox = Outbox(tmp_path)

    assert len(outbox.items) == 800
    assert all(outbox.items[outbox_id(f"sent-{n}")].state == "sent" for n in range(400))
    assert len(outbox.due(now=time.time() + 10**6)) == 400
    assert outbox.message_bytes(outbox_id("pending-399")) == BODY + b"399"
    assert not temp_path(tmp_path / "journal.jsonl").exists()


def archived(directory: Path, sent: int, pending: int) -> Outbox:
    """An outbox whose sent mail was compacted down to ids (everything is older than now)."""
    outbox = sent_and_pending(directory, sent=sent, pending=pending)
    outbox.compact(force=True, archive_before=time.time() + 60)
    return outbox


def test_mail_sent_before_the_archive_time_is_kept_as_its_id_alone(tmp_path):
    archived(tmp_path, sent=3, pending=0).close()

    again = Outbox(tmp_path)

    assert again.items == {}
    assert again.archived == {outbox_id(f"sent-{n}") for n in range(3)}
    assert b"About sent-" not in (tmp_path / "journal.jsonl").read_bytes()


def test_an_archived_key_is_never_queued_again(tmp_path):
    archived(tmp_path, sent=3, pending=0).close()

    again = Outbox(tmp_path)

    assert again.has("sent-2")
    assert again.enqueue(make_item("sent-2"), BODY) is False
    assert again.due(now=time.time() + 10**6) == []


def test_archiving_keeps_mail_not_sent_and_mail_sent_after_the_archive_time(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=2, pending=1)
    outbox.compact(force=True, archive_before=time.time() - 60)
    outbox.close()

    again = Outbox(tmp_path)

    assert again.archived == set()
    assert again.items[outbox_id("sent-1")].state == "sent"
    assert again.message_bytes(outbox_id("pending-0")) == BODY + b"0"


def test_archived_mail_is_counted_apart_and_leaves_the_lookups(tmp_path):
    outbox = archived(tmp_path, sent=3, pending=1)

    assert outbox.counts() == {"archived": 3, "pending": 1}
    assert outbox.by_message_id.keys() == {outbox.items[outbox_id("pending-0")].message_id}


def test_a_journal_compacted_twice_keeps_the_archived_ids(tmp_path):
    outbox = archived(tmp_path, sent=3, pending=1)
    outbox.compact(force=True)
    outbox.close()

    assert Outbox(tmp_path).archived == {outbox_id(f"sent-{n}") for n in range(3)}


def test_appends_after_archiving_survive_reopening(tmp_path):
    outbox = archived(tmp_path, sent=2, pending=1)
    item = outbox.items[outbox_id("pending-0")]
    outbox.mark_sending(item)
    outbox.mark_sent(item)
    outbox.close()

    again = Outbox(tmp_path)

    assert again.items[outbox_id("pending-0")].state == "sent"
    assert len(again.archived) == 2


ARCHIVING_CHILD = """
import sys, time
from mailflow.outbound.outbox import Outbox
outbox = Outbox(__import__("pathlib").Path(sys.argv[1]))
print("ready", flush=True)
while True:
    outbox.compact(force=True, archive_before=time.time() + 60)
"""


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3])
def test_a_kill_while_archiving_never_makes_a_sent_key_sendable(tmp_path, delay):
    sent_and_pending(tmp_path, sent=400, pending=400).close()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, "-c", ARCHIVING_CHILD, str(tmp_path)], env=env,
                             stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()

    outbox = Outbox(tmp_path)

    assert all(outbox.has(f"sent-{n}") for n in range(400))
    assert len(outbox.due(now=time.time() + 10**6)) == 400
    assert outbox.message_bytes(outbox_id("pending-399")) == BODY + b"399"


def test_a_cancelled_mail_survives_compaction_and_reopening(tmp_path):
    outbox = sent_and_pending(tmp_path, sent=0, pending=1)
    item = outbox.items[outbox_id("pending-0")]
    outbox.cancel(item, "the person's data was erased")
    outbox.compact(force=True)
    outbox.close()

    reopened = Outbox(tmp_path)

    assert reopened.items[item.id].state == "cancelled"
    assert not reopened.enqueue(make_item("pending-0"), BODY)
