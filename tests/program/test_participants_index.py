"""Finding people by address (linked ones too) and by name stays right as records change."""

from __future__ import annotations

from mailflow.program import participants
from mailflow.runtime import open_program
from tests.program.year import START, new_program


def test_names_and_linked_addresses_are_found_after_every_kind_of_change(tmp_path):
    program = open_program(new_program(tmp_path / "p"))
    store, at = program.store, START.isoformat()
    try:
        with store.transaction():
            participants.insert(store, {"email": "lea@example.org", "name": "Léa Gagnon"})
            assert [p["email"] for p in participants.named(store, "lea gagnon")] == [
                "lea@example.org"]
            participants.record_application(
                store, email="noor@example.org", name="Noor", role="mentee",
                fields={"name": "Noor Haddad"}, missing=[], language="en", cause="m1", at=at)
            participants.set_fields(store, "lea@example.org", {"name": "Léa Roy"}, "c", at)
            participants.link(store, participants.find(store, "lea@example.org") or {},
                              "Lea@Lab.Example.org", "c", at)
        assert participants.named(store, "Léa Gagnon") == []
        assert [p["email"] for p in participants.named(store, "LEA ROY")] == ["lea@example.org"]
        assert [p["email"] for p in participants.named(store, "Noor Haddad")] == [
            "noor@example.org"]
        assert (participants.find(store, "lea@lab.example.org") or {})["email"] == (
            "lea@example.org")
    finally:
        program.close()
