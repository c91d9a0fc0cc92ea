"""Running a command: its errors as one line and an exit code, alone or inside the daemon
(a spooled command, run on the daemon's program with what it prints captured)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING

from mailflow.cli import session
from mailflow.cli.arguments import build_parser
from mailflow.errors import MailflowError, StoreLockedError

if TYPE_CHECKING:
    from mailflow.commands.spool import Answer
    from mailflow.runtime import Program


def run_hosted(program: Program, argv: list[str], cwd: str) -> Answer:
    """Run a spooled command line in the daemon, on its program; what it prints is captured
    and its exit code kept, exactly as ``mailflow`` alone would have printed and exited."""
    from mailflow.commands.spool import Answer
    out, err = io.StringIO(), io.StringIO()
    session.hosted = program
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = _hosted_code(argv, cwd)
    finally:
        session.hosted = None
    return Answer(out.getvalue(), err.getvalue(), code)


def _hosted_code(argv: list[str], cwd: str) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed why
        return exc.code if isinstance(exc.code, int) else 2
    if args.command not in session.SPOOLED:
        print(f"mailflow: {args.command} is not run by the daemon", file=sys.stderr)
        return 2
    if isinstance(getattr(args, "file", None), str):
        args.file = os.path.join(cwd, args.file)  # as typed where the CLI ran
    args.verbose = False  # the daemon never dies of a command's bug
    return dispatch(args)


def dispatch(args: argparse.Namespace, locked: bool = False) -> int:
    """Run the command; with ``locked``, a store held by another process is raised."""
    from mailflow.store import StateWriteError
    command: Callable[[argparse.Namespace], int] = args.func  # set by build_parser
    try:
        return command(args)
    except StoreLockedError:
        if locked:
            raise
        print(f"mailflow: {sys.exc_info()[1]}", file=sys.stderr)
        return 2
    except StateWriteError:
        if session.hosted is not None:
            raise  # the daemon waits for the disk, and runs the command again then
        print(f"mailflow: {sys.exc_info()[1]}", file=sys.stderr)
        return 2
    except MailflowError as exc:
        print(f"mailflow: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"mailflow: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line, and the way to the details
        if args.verbose:
            raise
        print(f"mailflow: unexpected error ({exc.__class__.__name__}: {exc}); "
              "run again with -v for the details", file=sys.stderr)
        return 3
