"""mailflow installed away from its source tree: init, check and run find the built-in files.

An installation is imitated without building a wheel: the package is copied to a folder
of its own, with the files that pyproject.toml maps into the wheel, and run from
elsewhere with only that folder on PYTHONPATH (scripts/wheel-check builds the real one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import mailflow

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(mailflow.__file__).resolve().parent
ASKS = ROOT / "scripts" / "demo-mail" / "1-lea-asks.eml"


def install(site: Path, with_example: bool = True) -> Path:
    """Copy the package into ``site`` with the wheel's extra files; ``site`` is returned."""
    shutil.copytree(PACKAGE, site / "mailflow", ignore=shutil.ignore_patterns("__pycache__"))
    if with_example:
        with (ROOT / "pyproject.toml").open("rb") as file:
            wheel = tomllib.load(file)["tool"]["hatch"]["build"]["targets"]["wheel"]
        for source, destination in wheel["force-include"].items():
            copy = shutil.copytree if (ROOT / source).is_dir() else shutil.copy
            (site / destination).parent.mkdir(parents=True, exist_ok=True)
            copy(ROOT / source, site / destination)
    return site


def mailflow_at(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "mailflow", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd,
                          env={"PYTHONPATH": str(site), "PATH": os.defpath})


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return install(tmp_path / "site")


@pytest.mark.parametrize("preset", ["cohort", "conference", "rolling"])
def test_an_installed_package_creates_each_preset_with_its_rules_and_templates(
        site: Path, tmp_path: Path, preset: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    created = mailflow_at(site, elsewhere, "init", "prog", "--preset", preset)
    assert created.returncode == 0, created.stderr
    checked = mailflow_at(site, elsewhere, "-C", "prog", "check")
    assert checked.returncode == 0, checked.stderr
    assert "rules: 0 " not in checked.stdout and "templates: 0 " not in checked.stdout
    assert str(site / "mailflow" / "example" / "templates") in checked.stdout


def test_config_yaml_alone_answers_mail_with_the_built_in_rules_and_templates(
        site: Path, tmp_path: Path) -> None:
    program = tmp_path / "elsewhere" / "alone"
    program.mkdir(parents=True)
    shutil.copy(ROOT / "config.yaml", program / "config.yaml")
    elsewhere = tmp_path / "elsewhere"
    assert mailflow_at(site, elsewhere, "-C", "alone", "check").returncode == 0
    assert mailflow_at(site, elsewhere, "-C", "alone", "deliver", str(ASKS)).returncode == 0
    ran = mailflow_at(site, elsewhere, "-C", "alone", "run", "--once")
    assert ran.returncode == 0, ran.stderr
    [answer] = (program / "sent-mail").glob("*.eml")
    assert b"lea.gagnon@example.com" in answer.read_bytes()


def test_check_fails_naming_the_rules_folder_when_it_holds_no_rules(tmp_path: Path) -> None:
    program = tmp_path / "prog"
    (program / "rules").mkdir(parents=True)
    shutil.copy(ROOT / "config.yaml", program / "config.yaml")
    checked = mailflow_at(PACKAGE.parent, tmp_path, "-C", "prog", "check")
    assert checked.returncode == 2
    assert f"{program / 'rules'}: no rules on messages" in checked.stderr
    assert "remove the empty folder to use the built-in rules" in checked.stderr
    assert not checked.stdout.strip().endswith("ok")


def test_an_installation_without_the_example_says_what_is_missing_and_creates_nothing(
        tmp_path: Path) -> None:
    site = install(tmp_path / "site", with_example=False)
    created = mailflow_at(site, tmp_path / "elsewhere", "init", "prog")
    assert created.returncode == 2
    assert "mailflow's built-in config.yaml is missing from this installation" in created.stderr
    assert "reinstall mailflow" in created.stderr
    assert os.listdir(tmp_path / "elsewhere") == []


def test_an_init_that_fails_midway_leaves_nothing_and_a_retry_works(
        site: Path, tmp_path: Path) -> None:
    # A file that cannot be copied (a named pipe) among the preset's templates: the
    # config and rules are written before the copy fails.
    fifo = site / "mailflow" / "presets" / "conference" / "templates" / "zz_pipe.en.txt"
    os.mkfifo(fifo)
    elsewhere = tmp_path / "elsewhere"
    failed = mailflow_at(site, elsewhere, "init", "prog", "--preset", "conference")
    assert failed.returncode == 2
    assert "zz_pipe.en.txt" in failed.stderr
    assert os.listdir(elsewhere) == []
    fifo.unlink()
    retried = mailflow_at(site, elsewhere, "init", "prog", "--preset", "conference")
    assert retried.returncode == 0, retried.stderr
    assert sorted(os.listdir(elsewhere / "prog")) == ["config.yaml", "guide.en.md",
                                                     "guide.fr.md", "rules", "templates"]
