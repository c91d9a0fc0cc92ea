"""pytest fixtures for the real test servers (loaded via ``pytest_plugins``).

Fixtures (all function-scoped: a fresh, empty server per test; Dovecot starts in
well under a second):

* ``dovecot`` -> DovecotServer: plain IMAP on 127.0.0.1:<free port>, user
  ``program`` / ``secret``, IDLE and MOVE available, ``ssl = no``.
* ``dovecot_tls`` -> DovecotServer: the same plus an implicit-TLS listener
  (``.tls_port``, ``.ca_file``); skipped when ``openssl`` is missing.
* ``smtp_server`` -> SmtpServer: capturing SMTP on 127.0.0.1:<free port>
  (aiosmtpd, pure Python: never skipped).

If Dovecot is not installed the Dovecot fixtures FAIL (run ``bash scripts/test``,
which installs it), unless MAILFLOW_SKIP_SERVERS=1 is set: then they skip.
Tests that use these fixtures get the ``servers`` marker automatically, so
``pytest -m "not servers"`` runs everything else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.dovecot import DovecotServer, dovecot_binary
from tests.servers.smtp import SmtpServer

SERVER_FIXTURES = frozenset({"dovecot", "dovecot_tls", "smtp_server"})


def _skip_servers() -> bool:
    return os.environ.get("MAILFLOW_SKIP_SERVERS", "").strip().lower() in {"1", "true", "yes"}


def _require_dovecot() -> None:
    if _skip_servers():
        pytest.skip("MAILFLOW_SKIP_SERVERS=1: real-server tests skipped")
    if dovecot_binary() is None:
        pytest.fail(
            "dovecot is not installed: run `bash scripts/test` (it installs dovecot-imapd), "
            "or set MAILFLOW_SKIP_SERVERS=1 to skip the real-server tests",
            pytrace=False,
        )


@contextlib.contextmanager
def _running_dovecot(*, tls: bool) -> Iterator[DovecotServer]:
    """A Dovecot in a folder of its own under /tmp, removed afterwards.

    Not under pytest's tmp_path: pytest makes /tmp/pytest-of-USER private (0700) at the
    start of every session, which would lock Dovecot's unprivileged processes out of
    the mail store whenever another test session starts meanwhile.
    """
    base = Path(tempfile.mkdtemp(prefix="mf-dovecot-", dir="/tmp"))
    base.chmod(0o711)
    server = DovecotServer(base / "dovecot", tls=tls)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A fresh private Dovecot (plain IMAP only) for this test."""
    _require_dovecot()
    with _running_dovecot(tls=False) as server:
        yield server


@pytest.fixture
def dovecot_tls() -> Iterator[DovecotServer]:
    """A fresh private Dovecot with a plain and an implicit-TLS listener."""
    _require_dovecot()
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no TLS test certificate")
    with _running_dovecot(tls=True) as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A fresh capturing SMTP server for this test (pure Python: never skipped)."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)
