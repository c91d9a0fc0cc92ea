"""The systemd units in deploy/ parse, run commands mailflow accepts, and are hardened."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mailflow.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
INSTALLED = "/opt/mailflow/bin/mailflow"
SERVICES = ("mailflow.service", "mailflow@.service")
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
             "ProtectHome": "yes", "UMask": "0077"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text())
    return parser


def mailflow_args(command: str) -> list[str]:
    """The arguments after the mailflow executable, which must be the installed one."""
    words = shlex.split(command)
    assert words[0] == INSTALLED, command
    return words[1:]


def test_units_pass_systemd_analyze_verify_without_a_warning(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    # verify wants the executables to exist: this Python stands for the installed mailflow
    for path in DEPLOY.iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED, sys.executable))
    names = ["mailflow.service", "mailflow@northlake.service",
             "mailflow-status@northlake.service", "mailflow-status@northlake.timer"]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             *[str(tmp_path / n) for n in names]],
                            capture_output=True, text=True, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_the_service_checks_before_it_runs_and_restarts_on_failure(name):
    service = unit(name)["Service"]
    pre = build_parser().parse_args(mailflow_args(service["ExecStartPre"]))
    run = build_parser().parse_args(mailflow_args(service["ExecStart"]))
    assert (pre.command, pre.connect) == ("check", True)
    assert (run.command, run.once, run.dry_run, run.log_format) == ("run", False, False, "json")
    assert pre.C == run.C == service["WorkingDirectory"]
    assert service["Restart"] == "on-failure"
    assert service["User"] == service["Group"] == "mailflow"


@pytest.mark.parametrize("name", SERVICES)
def test_the_service_is_hardened_and_writes_only_its_program_folder(name):
    service = unit(name)["Service"]
    assert {key: service.get(key) for key in HARDENING} == HARDENING
    assert service["ReadWritePaths"] == service["WorkingDirectory"]


def test_the_template_instance_is_the_program_folder_under_srv_mailflow():
    assert unit("mailflow@.service")["Service"]["WorkingDirectory"] == "/srv/mailflow/%i"


def test_the_timer_runs_status_check_on_the_same_program():
    service = unit("mailflow-status@.service")["Service"]
    args = build_parser().parse_args(mailflow_args(service["ExecStart"]))
    assert (args.command, args.check, args.C) == ("status", True, "/srv/mailflow/%i")
    assert service["User"] == "mailflow"
    assert "OnCalendar" in unit("mailflow-status@.timer")["Timer"]
