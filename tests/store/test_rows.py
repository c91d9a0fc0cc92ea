"""Whole-table scans: every document with its id, read only, without a copy."""

from __future__ import annotations

import pytest

from mailflow.store import Store


def test_rows_hold_the_documents_and_ids_all_gives(tmp_path):
    with Store(tmp_path) as store:
        table = store.table("events")
        table.insert_multiple({"type": "note", "n": n} for n in range(5))
        table.remove(doc_ids=[2])

        assert [(r.doc_id, dict(r)) for r in table.rows()] == [
            (d.doc_id, dict(d)) for d in table.all()]


def test_a_row_cannot_be_changed_in_place(tmp_path):
    with Store(tmp_path) as store:
        store.table("events").insert({"type": "note"})
        [row] = store.table("events").rows()

        with pytest.raises(TypeError):
            row["type"] = "changed"  # type: ignore[index]
