"""The ``mailflow`` command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mailflow.cli import session
from mailflow.cli.arguments import build_parser
from mailflow.cli.hosting import dispatch, run_hosted
from mailflow.errors import StoreLockedError
from mailflow.logs import setup_logging

__all__ = ["build_parser", "main", "run_hosted"]

log = logging.getLogger("mailflow")


def main(argv: list[str] | None = None) -> int:
    """Entry point: errors are one clear line on stderr, never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    setup_logging(args.log_format, args.verbose)
    if args.command in session.SPOOLED:
        try:
            return dispatch(args, locked=True)
        except StoreLockedError:  # `mailflow run` holds the store: it runs the command
            from mailflow.commands.spool import hand_over
            return hand_over(Path(args.C), argv, args.wait)
    return dispatch(args)


if __name__ == "__main__":
    sys.exit(main())
