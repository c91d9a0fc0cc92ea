"""Commands handed to the running daemon, which stays the program's one writer.

A request is ``state/commands/<id>.json`` (0600, written under a temporary name, fsynced
and renamed). The daemon claims it by renaming it ``<id>.taken.json``, runs it in one
store transaction together with a row of the ``commands`` table naming its id, and only
then writes ``<id>.answer.json`` (what the command printed and its exit code). After a
kill -9 a taken request whose id is in the table is only answered again; one whose id is
not is run then: at most once, and never lost to a restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query

from mailflow.config import load_config
from mailflow.errors import MailflowError
from mailflow.runtime import Program
from mailflow.store.storage import StateWriteError, private_dir

log = logging.getLogger(__name__)

SPOOL = "commands"
REQUEST, TAKEN, ANSWER = ".json", ".taken.json", ".answer.json"
VERSION = 1
POLL_SECONDS = 0.05
EX_TEMPFAIL = 75  # the command was not run: try again
ANSWER_KEEP_SECONDS = 86_400  # an answer no CLI came for (it gave up waiting) is then removed


@dataclass(frozen=True)
class Answer:
    """What a command printed and how it exited, as the CLI passes them on."""

    stdout: str
    stderr: str
    code: int


Execute = Callable[[list[str], str], Answer]


class _Failed(Exception):
    """A command that exited non-zero: its changes are rolled back, its answer kept."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.stderr)
        self.answer = answer


def spool_dir(state_dir: Path) -> Path:
    """``state/commands``, private to the program's user."""
    return private_dir(state_dir / SPOOL)


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` atomically, 0600, durable once this returns."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- the CLI's side -----------------------------------------------------------------------


def submit(state_dir: Path, argv: list[str], cwd: str) -> str:
    """Spool the command line ``argv`` (typed in ``cwd``); returns the request's id."""
    request_id = f"{time.time_ns():020d}-{os.getpid()}"
    _write_private(spool_dir(state_dir) / f"{request_id}{REQUEST}",
                   {"version": VERSION, "id": request_id, "argv": argv, "cwd": cwd,
                    "created": datetime.now(UTC).isoformat()})
    return request_id


def wait_answer(state_dir: Path, request_id: str, timeout: float) -> Answer:
    """The daemon's answer to ``request_id``; past ``timeout`` a request not yet taken is
    withdrawn (nothing was done) and one taken is left to finish; both raise."""
    folder = state_dir / SPOOL
    answer = folder / f"{request_id}{ANSWER}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer.exists():
            data = json.loads(answer.read_text(encoding="utf-8"))
            answer.unlink()
            return Answer(data["stdout"], data["stderr"], int(data["code"]))
        time.sleep(POLL_SECONDS)
    try:
        (folder / f"{request_id}{REQUEST}").unlink()
    except FileNotFoundError:
        raise SpoolTimeout(
            f"the daemon took the command but has not answered within {timeout:g} s; it "
            f"finishes it on its own (its answer will be in {answer}); do not run it again "
            "before checking with mailflow status or show") from None
    raise SpoolTimeout(
        f"the program's store is held by another process, and no running daemon took the "
        f"command within {timeout:g} s; withdrawn, nothing was done. Is `mailflow run` "
        "stuck, or another command still running?")


class SpoolTimeout(MailflowError):
    """The daemon did not answer in time (exit status 75: try again)."""


def hand_over(root: Path, argv: list[str], wait: float) -> int:
    """Hand the command line to the daemon running the program at ``root``, print its
    answer as the command alone would have, and return its exit code."""
    try:
        state_dir = load_config(root).state_dir
        request_id = submit(state_dir, argv, os.getcwd())
        log.debug("the store is held: command %s handed to the running daemon", request_id)
        answer = wait_answer(state_dir, request_id, wait)
    except SpoolTimeout as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    except MailflowError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # state/commands is not ours to write (another user)
        print(f"mailflow: the running daemon's command spool cannot be used: "
              f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    sys.stdout.write(answer.stdout)
    sys.stderr.write(answer.stderr)
    return answer.code


# --- the daemon's side --------------------------------------------------------------------


def _refusal(path: Path) -> str | None:
    """Why the request file at ``path`` must not be run, or None if it may."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_uid != os.getuid():
        return (f"written by another user (uid {info.st_uid}); only the daemon's own user "
                f"(uid {os.getuid()}) may hand it commands")
    if info.st_mode & 0o077:
        return f"readable or writable by others (mode {stat.S_IMODE(info.st_mode):o}, not 600)"
    return None


def _read_request(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The request and None, or None and why it is refused."""
    problem = _refusal(path)
    if problem:
        return None, problem
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"not valid JSON ({exc})"
    if (not isinstance(data, dict) or data.get("version") != VERSION
            or not isinstance(data.get("argv"), list)
            or not all(isinstance(a, str) for a in data["argv"])
            or not isinstance(data.get("cwd"), str) or not os.path.isabs(data["cwd"])):
        return None, "not a mailflow command request (version, argv, cwd)"
    return data, None


class CommandSpool:
    """The daemon's end: runs spooled commands between batches, each at most once."""

    def __init__(self, program: Program, execute: Execute,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.program = program
        self.execute = execute
        self.clock = clock
        self.folder = spool_dir(program.config.state_dir)

    def _waiting(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.json")
                      if not p.name.startswith(".") and not p.name.endswith(ANSWER))

    def pending(self) -> bool:
        """Whether a command waits (cheap: one directory listing)."""
        try:
            return any(not n.startswith(".") and n.endswith(REQUEST) and not n.endswith(ANSWER)
                       for n in os.listdir(self.folder))
        except OSError:
            return False

    def serve(self) -> int:
        """Run (or answer again) every waiting command, oldest first; returns how many."""
        served = 0
        for path in self._waiting():
            if path.name.endswith(TAKEN):
                request_id = path.name[:-len(TAKEN)]
            else:
                request_id = path.name[:-len(REQUEST)]
                problem = _read_request(path)[1]
                if problem:
                    self._refuse(path, request_id, problem)
                    continue
                taken = path.with_name(f"{request_id}{TAKEN}")
                os.rename(path, taken)
                path = taken
            self._answer(request_id, self._run_once(path, request_id))
            path.unlink()
            served += 1
        self._forget_old_answers()
        return served

    def _forget_old_answers(self) -> None:
        old = time.time() - ANSWER_KEEP_SECONDS
        for answer in self.folder.glob(f"*{ANSWER}"):
            with contextlib.suppress(OSError):
                if answer.stat().st_mtime < old:
                    answer.unlink()

    def _refuse(self, path: Path, request_id: str, problem: str) -> None:
        message = f"{path}: refused: {problem}; nothing was done"
        log.warning("%s", message)
        path.unlink()
        self._answer(request_id, Answer("", f"mailflow: {message}\n", 2))

    def _answer(self, request_id: str, answer: Answer) -> None:
        """Write the answer; a full disk pauses the daemon, which answers again later."""
        path = self.folder / f"{request_id}{ANSWER}"
        try:
            _write_private(path, asdict(answer))
        except OSError as exc:
            raise StateWriteError(path, exc) from exc

    def _run_once(self, path: Path, request_id: str) -> Answer:
        """The answer of a command run before a crash, else run it now, recorded with it."""
        table = self.program.store.table("commands")
        done = table.get(Query().id == request_id)
        if isinstance(done, dict):
            log.info("command %s ran before a restart; answering it again", request_id)
            return Answer(**done["answer"])
        data, problem = _read_request(path)
        if data is None:
            return Answer("", f"mailflow: {path}: refused: {problem}; nothing was done\n", 2)
        argv = data["argv"]
        store, outbox = self.program.store, self.program.outbox

        def record(answer: Answer) -> None:
            table.insert({"id": request_id, "argv": argv, "run": self.clock().isoformat(),
                          "answer": asdict(answer)})

        try:
            # Exits inner first: the outbox journal is durable before the store commits.
            with store.transaction(), outbox.batch():
                answer = self.execute(argv, data["cwd"])
                if answer.code != 0:
                    raise _Failed(answer)
                record(answer)
        except _Failed as failed:
            answer = failed.answer
            with store.transaction():
                record(answer)
        log.info("command %s (mailflow %s): exit %d", request_id, " ".join(argv), answer.code)
        return answer
