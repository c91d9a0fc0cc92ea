"""The IMAP side: TLS with certificate checks, filing processed mail, secrets kept out of logs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.integration.program import (
    PASSWORD_ENV,
    ROOT,
    DaemonProcess,
    stranger_mail,
    wait_until,
    write_program,
)


def check_connect(program_dir, password, *extra):
    return subprocess.run(
        [sys.executable, "-m", "mailflow", "-C", str(program_dir), *extra, "check", "--connect"],
        env={PASSWORD_ENV: password, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60)


def tls_program(tmp_path, dovecot_tls, smtp_server, ca_line):
    directory = write_program(tmp_path / "program", dovecot_tls, smtp_server)
    config = directory / "config.yaml"
    config.write_text(config.read_text().replace(
        f"host: {dovecot_tls.host}, port: {dovecot_tls.port}",
        f"host: localhost, port: {dovecot_tls.tls_port}{ca_line}").replace(
        "security: none, timeout: 10", "security: ssl, timeout: 10"))
    return directory


def test_imap_over_tls_verifies_the_certificate_against_the_given_ca(
        tmp_path, dovecot_tls, smtp_server):
    program = tls_program(tmp_path, dovecot_tls, smtp_server, f", ca_file: {dovecot_tls.ca_file}")
    result = check_connect(program, dovecot_tls.password)
    assert result.returncode == 0, result.stderr
    assert "IMAP login ok" in result.stdout


def test_imap_over_tls_refuses_an_unverified_certificate(tmp_path, dovecot_tls, smtp_server):
    program = tls_program(tmp_path, dovecot_tls, smtp_server, "")
    result = check_connect(program, dovecot_tls.password)
    assert result.returncode == 2
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr or "certificate" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_password_is_a_clear_error(tmp_path, dovecot, smtp_server):
    program = write_program(tmp_path / "program", dovecot, smtp_server)
    result = check_connect(program, "not-the-password")
    assert result.returncode == 2
    assert "IMAP" in result.stderr and "Traceback" not in result.stderr


def test_the_password_never_reaches_the_log_even_in_debug_mode(tmp_path, dovecot, smtp_server):
    program = write_program(tmp_path / "program", dovecot, smtp_server)
    result = check_connect(program, dovecot.password, "-v")
    assert result.returncode == 0, result.stderr
    assert dovecot.password not in result.stderr + result.stdout


@pytest.fixture
def moving_daemon(tmp_path, dovecot, smtp_server):
    program = write_program(tmp_path / "program", dovecot, smtp_server,
                            extra_mailbox="  processed_folder: Processed\n")
    process = DaemonProcess(program, dovecot.password)
    process.start()
    yield process
    process.terminate()


def test_processed_mail_moves_to_the_configured_folder(moving_daemon, dovecot, smtp_server):
    dovecot.append(stranger_mail(1))
    smtp_server.wait_for(1, timeout=20)
    wait_until(lambda: "Processed" in dovecot.folders() and len(dovecot.uids("Processed")) == 1,
               10, "the message in Processed", moving_daemon.log_text)
    assert dovecot.uids("INBOX") == []
