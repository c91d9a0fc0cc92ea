"""Commands about the program as a whole: create, check and run it, read mail as it would,
look at its state and its outbox, and keep it (compact, backup, restore)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mailflow.cli import session
from mailflow.errors import MailflowError


def cmd_init(args: argparse.Namespace) -> int:
    from mailflow.commands.init import init_program
    target = Path(args.dir)
    init_program(target, args.preset)
    print(f"created a working {args.preset} program in {target}")
    print(f"next: mailflow -C {target} check, then mailflow -C {target} run")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from mailflow.commands.check import check
    return check(Path(args.C), connect=args.connect)


def cmd_run(args: argparse.Namespace) -> int:
    from mailflow.cli.hosting import run_hosted
    from mailflow.commands.spool import CommandSpool
    from mailflow.daemon import Daemon
    program = session.open_program(args)
    try:
        spool = CommandSpool(program, lambda argv, cwd: run_hosted(program, argv, cwd))
        daemon = Daemon(program, dry_run=args.dry_run, commands=spool)
        daemon.install_signal_handlers()
        daemon.run(once=args.once)
    finally:
        program.close()
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    from mailflow.commands.parse import parse_file, parse_files
    paths = [Path(f) for f in args.file]
    if len(paths) > 1 or paths[0].is_dir():
        for reading in parse_files(Path(args.C), paths):
            print(json.dumps(reading, ensure_ascii=False, default=str), flush=True)
        return 0
    result = parse_file(Path(args.C), paths[0])
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from mailflow.commands.plan import plan_text
    print(plan_text(Path(args.C), args.start, args.end, args.assume_replies))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mailflow.commands.status import health_problems, status_text
    program = session.open_program(args, read_only=True)
    try:
        if not args.check:
            print(status_text(program))
            return 0
        problems = health_problems(program, session.now(), connect=args.connect)
    finally:
        program.close()
    print("\n".join(problems) or "ok")
    return 1 if problems else 0


def cmd_review(args: argparse.Namespace) -> int:
    from mailflow.commands.status import review_text
    program = session.open_program(args, read_only=True)
    try:
        print(review_text(program, session.now(), include_resolved=args.all))
    finally:
        program.close()
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    program = session.open_program(args, read_only=args.action == "list")
    try:
        items = [i for i in program.outbox.items.live() if i.state in ("failed", "unknown")]
        if args.action == "list":
            for item in sorted(items, key=lambda i: i.updated):
                print(f"{item.id[:12]}  {item.state:8} {', '.join(item.recipients)}  "
                      f"{item.subject}  ({item.error or ''})")
            print(f"{len(items)} mail(s) failed or of unknown fate")
            return 0
        chosen = [i for i in items if (args.all_failed and i.state == "failed")
                  or any(i.id.startswith(prefix) for prefix in args.ids)]
        if not chosen:
            raise MailflowError("nothing to retry: name items by the start of their id "
                                "(mailflow outbox list), or use --all-failed")
        for item in chosen:
            program.outbox.requeue(item)
            print(f"queued again: {item.id[:12]} to {', '.join(item.recipients)}")
    finally:
        program.close()
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from mailflow.errors import StoreLockedError
    from mailflow.housekeeping import compact_program
    try:
        program = session.open_program(args)
    except StoreLockedError as exc:
        print(f"mailflow: nothing compacted: {exc}. A running daemon compacts state/ itself "
              "at a quiet point, at most once an hour", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again once the daemon is stopped
    try:
        print(compact_program(program, session.now()).text())
    finally:
        program.close()
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    from mailflow.config import load_config
    from mailflow.inbound.maildir import deliver
    config = load_config(Path(args.C))
    if config.mailbox.imap is not None:
        raise MailflowError("deliver only feeds the local Maildir; this program reads IMAP")
    for name in args.files:
        path = deliver(config.mailbox.maildir, Path(name).read_bytes())
        print(f"delivered {name} to {path}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from mailflow.commands.backup import write_backup
    summary = write_backup(Path(args.C), Path(args.file))
    print(f"{args.file}: {summary.files} files ({summary.size} bytes) of {summary.program}, "
          f"as of {summary.created}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from mailflow.commands.backup import check_archive, restore
    if args.check:
        if args.dir:
            raise MailflowError("restore --check only verifies the archive: give no DIR")
        summary = check_archive(Path(args.file))
        print(f"{args.file}: sound; {summary.files} files of {summary.program}, "
              f"as of {summary.created}")
        return 0
    if not args.dir:
        raise MailflowError("restore needs the directory to restore into: "
                            "mailflow restore FILE.tar.gz DIR (or --check FILE.tar.gz)")
    summary = restore(Path(args.file), Path(args.dir))
    print(f"restored {summary.program} ({summary.files} files, as of {summary.created}) "
          f"into {args.dir}; next: mailflow -C {args.dir} run")
    return 0
