"""State files hold raw mail and private answers: the owner's alone, whatever the umask."""

from __future__ import annotations

import os
import stat

import pytest

from mailflow.inbound.ledger import Ledger, RawMessage
from mailflow.outbound.outbox import Outbox
from mailflow.store import Store
from tests.unit.outbox_helpers import make_item


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(root) -> dict[str, int]:
    """Every path under ``root`` (itself included) -> its permission bits."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


def fill_state(state) -> None:
    store = Store(state)
    Ledger(store).record([RawMessage("maildir", "maildir:1", b"Subject: hi\r\n\r\nhello\r\n")],
                         "2026-11-24T10:00:00+00:00")
    outbox = Outbox(state / "outbox")
    outbox.enqueue(make_item("k1"), b"answer")
    outbox.close()
    store.close()


def test_state_files_are_0600_and_folders_0700_under_umask_022(tmp_path, umask_022):
    state = tmp_path / "state"

    fill_state(state)

    found = modes(state)
    assert {"store.json", "lock", "outbox/journal.jsonl", "messages"} <= found.keys()
    assert {name: mode for name, mode in found.items()
            if mode != (0o700 if (state / name).is_dir() else 0o600)} == {}


def test_state_made_readable_by_others_is_made_private_again_on_open(tmp_path, umask_022):
    state = tmp_path / "state"
    fill_state(state)
    for path in [state, *state.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    Store(state).close()

    assert set(modes(state).values()) <= {0o700, 0o600}
