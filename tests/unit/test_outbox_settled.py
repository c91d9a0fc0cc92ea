"""Settled mail (sent, its bytes gone) is kept as where its journal line lies, read back whole;
the ids of archived keys are packed, and still refuse their key."""

from __future__ import annotations

import json
import os

import pytest

from mailflow.errors import MailflowError, StoreError
from mailflow.outbound.items import ArchivedIds
from mailflow.outbound.outbox import Outbox, outbox_id
from tests.unit.outbox_helpers import make_item

BODY = b"Subject: hello\r\n\r\nthe body\r\n"


def sent(outbox: Outbox, key: str, **fields: object) -> str:
    item = make_item(key, **fields)
    outbox.enqueue(item, BODY)
    outbox.mark_sending(item)
    outbox.mark_sent(item)
    return item.id


def test_sent_mail_is_not_kept_as_an_object_after_compaction(tmp_path):
    outbox = Outbox(tmp_path)
    sent(outbox, "done")
    outbox.enqueue(make_item("waiting"), BODY)

    outbox.compact(force=True)

    assert [i.key for i in outbox.items.live()] == ["waiting"]
    assert len(outbox.items) == 2


def test_a_settled_item_reads_back_with_every_field(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done", participant="lea@example.org",
                   meta={"rule": "monthly-tip", "expects": "choices"})
    before = outbox.items[item_id]

    outbox.compact(force=True)

    after = outbox.items[item_id]
    assert (after.key, after.recipients, after.message_id, after.subject, after.kind,
            after.participant, after.state, after.attempts, after.created, after.meta) == (
        before.key, before.recipients, before.message_id, before.subject, before.kind,
        before.participant, before.state, before.attempts, before.created, before.meta)


def test_a_reopened_journal_keeps_sent_mail_settled(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done")
    outbox.compact(force=True)
    outbox.close()

    reopened = Outbox(tmp_path)

    assert list(reopened.items.live()) == []
    assert reopened.items[item_id].state == "sent"


def test_a_reply_to_settled_mail_finds_it_by_its_message_id(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done")
    outbox.compact(force=True)
    outbox.close()
    reopened = Outbox(tmp_path)

    message_id = make_item("done").message_id

    assert reopened.items[reopened.by_message_id[message_id]].id == item_id


def test_a_change_to_a_settled_item_is_kept_and_survives_reopening(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done")
    outbox.compact(force=True)

    outbox.mark_failed(outbox.items[item_id], "bounced later")
    outbox.close()

    assert Outbox(tmp_path).items[item_id].state == "failed"


def test_settled_mail_is_archived_by_a_later_compaction(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done")
    outbox.compact(force=True)

    outbox.compact(force=True, archive_before=outbox.clock() + 1)

    assert item_id not in outbox.items
    assert outbox.has("done")
    assert not outbox.enqueue(make_item("done"), BODY)


def test_a_journal_with_its_archived_ids_first_still_reads(tmp_path):
    done = make_item("done", state="sent")
    lines = [{"op": "archive", "ids": [outbox_id("old")]},
             {"op": "add", "item": {k: v for k, v in json.loads(json.dumps(
                 done, default=lambda o: {n: getattr(o, n) for n in o.__slots__})).items()
                 if k != "envelope_from"}, "data": None}]
    (tmp_path / "journal.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))

    outbox = Outbox(tmp_path)

    assert outbox.has("old") and outbox.items[done.id].state == "sent"


def test_an_archived_id_is_found_once_packed():
    ids = ArchivedIds()
    for n in range(50):
        ids.add(outbox_id(f"key-{n}"))

    ids.pack()

    assert all(outbox_id(f"key-{n}") in ids for n in range(50))
    assert outbox_id("key-50") not in ids
    assert len(ids) == 50


def test_an_id_that_is_not_an_outbox_id_is_kept_as_it_was_given():
    ids = ArchivedIds()
    odd = ("x1", outbox_id("k").upper(), outbox_id("k")[:23] + "8")
    for item_id in odd:
        ids.add(item_id)

    ids.pack()

    assert ids == set(odd)
    assert outbox_id("k") not in ids


def test_packed_ids_read_back_as_they_were_added():
    ids = ArchivedIds()
    added = {outbox_id(f"key-{n}") for n in range(10)}
    for item_id in added:
        ids.add(item_id)
    ids.pack()
    ids.add(outbox_id("later"))

    assert set(ids) == {*added, outbox_id("later")}


def test_a_reader_opened_before_a_compaction_still_reads_settled_mail(tmp_path):
    writer = Outbox(tmp_path)
    first = sent(writer, "first")
    sent(writer, "second")
    writer.compact(force=True)
    reader = Outbox(tmp_path, read_only=True)

    writer.compact(force=True, archive_before=writer.clock() + 1)  # a new, shorter journal

    assert reader.items[first].key == "first"


def test_a_line_read_back_that_is_another_item_is_refused(tmp_path):
    outbox = Outbox(tmp_path, clock=lambda: 1_800_000_000.0)
    first, second = sent(outbox, "key-a"), sent(outbox, "key-b")
    outbox.compact(force=True)
    outbox.close()
    journal = tmp_path / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    reader = Outbox(tmp_path, read_only=True)
    same_length = [lines[1], lines[0]] if len(lines[0]) == len(lines[1]) else None
    assert same_length is not None, "both lines must be as long for the swap to go unnoticed"

    journal.write_bytes(b"".join(same_length))  # changed by hand while it was open

    with pytest.raises(StoreError, match="journal"):
        reader.items[first]
    with pytest.raises(StoreError, match="journal"):
        reader.items[second]


def test_two_copies_of_a_settled_item_changed_in_turn_count_once(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done")
    outbox.compact(force=True)
    one, other = outbox.items[item_id], outbox.items[item_id]

    outbox.mark_failed(one, "bounced later")
    outbox.mark_failed(other, "bounced again")

    assert outbox.counts() == {"failed": 1}
    assert outbox.items[item_id].error == "bounced again"
    assert other.state == "failed"


def test_sent_mail_that_failed_later_survives_two_compactions(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done")
    outbox.compact(force=True)
    outbox.mark_failed(outbox.items[item_id], "bounced later")

    outbox.compact(force=True)
    outbox.close()

    reopened = Outbox(tmp_path)
    assert reopened.items[item_id].state == "failed"
    assert reopened.counts() == {"failed": 1}


def test_mail_already_sent_is_never_queued_again_by_hand(tmp_path):
    outbox = Outbox(tmp_path)
    item_id = sent(outbox, "done")  # its bytes are still in the journal

    with pytest.raises(MailflowError, match="sent"):
        outbox.requeue(outbox.items[item_id])
    assert outbox.counts() == {"sent": 1}


def test_a_refused_journal_leaves_no_file_open(tmp_path):
    (tmp_path / "journal.jsonl").write_bytes(b'{"op":"nonsense"}\n')
    before = len(os.listdir("/proc/self/fd"))

    for _ in range(5):
        with pytest.raises(StoreError):
            Outbox(tmp_path)

    assert len(os.listdir("/proc/self/fd")) == before
