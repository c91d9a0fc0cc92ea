"""Fixtures shared by the integration tests: a program on the test servers and its daemon."""

from __future__ import annotations

import pytest

from tests.integration.program import DaemonProcess, write_program


@pytest.fixture
def program_dir(tmp_path, dovecot, smtp_server):
    """The contract config alone, pointed at this test's Dovecot and SMTP server."""
    return write_program(tmp_path / "program", dovecot, smtp_server)


@pytest.fixture
def daemon(program_dir, dovecot):
    """``mailflow run`` as a child process; it must stop cleanly on SIGTERM at the end."""
    process = DaemonProcess(program_dir, dovecot.password)
    process.start()
    yield process
    if process.alive():
        assert process.terminate() == 0, process.log_text()
