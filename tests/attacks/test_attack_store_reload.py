"""Attacks on the daily read-back of the store (Store.reload), the snapshot a table a
line, and the fixed mmap threshold: each test one behaviour, data written here."""

from __future__ import annotations

import json

import pytest

from mailflow.errors import StoreError
from mailflow.store import StateWriteError, Store
from tests.unit.limits import file_size_limit


def two_table_store(state) -> bytes:
    """A closed store with documents in two tables; its snapshot's bytes."""
    with Store(state) as store:
        store.table("participants").insert_multiple(
            [{"email": f"p{i}@example.org"} for i in range(3)])
        store.table("events").insert_multiple([{"type": "note", "n": i} for i in range(3)])
    return (state / "store.json").read_bytes()


# -- 2. the snapshot, a table a line ------------------------------------------------------


def test_a_snapshot_cut_at_any_byte_is_refused_naming_the_file(tmp_path):
    whole = two_table_store(tmp_path / "whole")
    path = tmp_path / "cut" / "store.json"
    Store(path.parent).close()  # makes the folder and an empty store
    (path.parent / "store.log").unlink(missing_ok=True)
    read_in_part = []
    for cut in range(1, len(whole)):
        path.write_bytes(whole[:cut])
        try:
            Store(path.parent, read_only=True).close()
        except StoreError as exc:
            assert str(path) in str(exc)
        else:
            read_in_part.append(whole[:cut][-30:])
    assert read_in_part == []
