"""The ``mailflow`` command line."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mailflow import __version__
from mailflow.errors import MailflowError, StoreLockedError
from mailflow.logs import FORMATS, setup_logging

if TYPE_CHECKING:
    from mailflow.commands.spool import Answer
    from mailflow.runtime import Program

log = logging.getLogger("mailflow")
# Commands that write: while `mailflow run` holds the store they are handed to it.
SPOOLED = frozenset({"import", "select", "withdraw", "link", "approve", "match", "propose",
                     "outbox", "pause", "resume"})
_hosted: Program | None = None  # the daemon's program, while it runs a spooled command


def _program(args: argparse.Namespace, read_only: bool = False):
    if _hosted is not None:
        return _borrowed(_hosted)
    from mailflow.runtime import open_program
    return open_program(Path(args.C), read_only=read_only)


def _borrowed(program: Program) -> Program:
    """The daemon's program, which a command run for the CLI must not close."""
    from mailflow.runtime import Program

    class Borrowed(Program):
        def close(self) -> None:
            return None

    return Borrowed(**{f.name: getattr(program, f.name) for f in fields(Program)})


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
    from mailflow.commands.spool import CommandSpool
    from mailflow.daemon import Daemon
    program = _program(args)
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


def cmd_import(args: argparse.Namespace) -> int:
    from mailflow.commands.roster import import_csv, read_pairs
    program = _program(args)
    try:
        if args.role == "pairs":
            proposal = program.pairing.propose_pairs(read_pairs(Path(args.file)), _now(),
                                                     Path(args.file).name)
            print(f"{len(proposal['pairs'])} pairs mailed to the coordinators for approval "
                  f"(proposal {proposal['id']})")
            return 0
        count = import_csv(program, args.role.rstrip("s"), Path(args.file))
    finally:
        program.close()
    print(f"imported {count} {args.role}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from mailflow.commands.roster import export_pairs, export_participants
    program = _program(args, read_only=True)
    try:
        sys.stdout.write(export_pairs(program) if args.what == "pairs"
                         else export_participants(program, args.format))
    finally:
        program.close()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mailflow.commands.status import health_problems, status_text
    program = _program(args, read_only=True)
    try:
        if not args.check:
            print(status_text(program))
            return 0
        problems = health_problems(program, _now(), connect=args.connect)
    finally:
        program.close()
    print("\n".join(problems) or "ok")
    return 1 if problems else 0


def cmd_review(args: argparse.Namespace) -> int:
    from mailflow.commands.status import review_text
    program = _program(args, read_only=True)
    try:
        print(review_text(program, _now(), include_resolved=args.all))
    finally:
        program.close()
    return 0


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_select(args: argparse.Namespace) -> int:
    from mailflow.commands.selection import select
    from mailflow.program.lottery import seed_hash
    if args.announce:
        print(f"seed hash (publish it before the draw): {seed_hash(args.seed)}")
        return 0
    program = _program(args)
    try:
        draw = select(program, args.places, args.reserved, args.seed, _now(), args.dry_run)
    finally:
        program.close()
    print(f"seed hash {draw.seed_hash}")
    for pick in draw.order:
        print(f"  {pick.place or 'waitlist':9} {pick.email}  ticket {pick.ticket[:12]}"
              f"{'  (group)' if pick.reserved_group else ''}"
              f"{'  (prior)' if pick.prior_participant else ''}")
    print(f"{len(draw.selected)} selected, {len(draw.waitlist)} on the waitlist"
          + (" (dry run: nobody was told)" if args.dry_run else "; everyone's mail is queued"))
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from mailflow.commands.selection import withdraw
    program = _program(args)
    try:
        offered = withdraw(program, args.email, _now(), "coordinator (mailflow withdraw)")
    finally:
        program.close()
    print(f"{args.email} withdrawn" + (f"; the place goes to {offered}" if offered else ""))
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from mailflow.commands.selection import approve_mentor
    program = _program(args)
    try:
        for email in args.email:
            approve_mentor(program, email, _now())
    finally:
        program.close()
    print(f"approved: {', '.join(args.email)}")
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    program = _program(args)
    try:
        proposal = program.pairing.propose(_now(), args.mode)
        text = program.pairing.csv_text(proposal)
    finally:
        program.close()
    print(text, end="")
    print(f"proposal {proposal['id']} mailed to the coordinators for approval")
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    program = _program(args)
    try:
        from mailflow.commands.people import person_named
        program.pairing.propose_pair(person_named(program, args.mentee)["email"],
                                     person_named(program, args.mentor)["email"], _now())
    finally:
        program.close()
    print(f"{args.mentee} proposed to {args.mentor}; the daemon asks the mentor YES or NO")
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    program = _program(args, read_only=args.action == "list")
    try:
        items = [i for i in program.outbox.items.values() if i.state in ("failed", "unknown")]
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


def cmd_pause(args: argparse.Namespace) -> int:
    from mailflow.commands.people import pause
    program = _program(args)
    try:
        text = pause(program, args.person, args.until, _now())
    finally:
        program.close()
    print(text)
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    from mailflow.commands.people import resume
    program = _program(args)
    try:
        text = resume(program, args.person, _now())
    finally:
        program.close()
    print(text)
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from mailflow.errors import StoreLockedError
    from mailflow.housekeeping import compact_program
    try:
        program = _program(args)
    except StoreLockedError as exc:
        print(f"mailflow: nothing compacted: {exc}. A running daemon compacts state/ itself "
              "at a quiet point, at most once an hour", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again once the daemon is stopped
    try:
        print(compact_program(program, _now()).text())
    finally:
        program.close()
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from mailflow.commands.people import show_text
    program = _program(args, read_only=True)
    try:
        print(show_text(program, args.person, private=args.private))
    finally:
        program.close()
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from mailflow.commands.people import link
    program = _program(args)
    try:
        person = link(program, args.person, args.address, _now())
    finally:
        program.close()
    print(f"mail from {args.address} is now {person.get('name') or ''} <{person['email']}>'s")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from mailflow.commands.plan import plan_text
    print(plan_text(Path(args.C), args.start, args.end, args.assume_replies))
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="mailflow", description=__doc__)
    parser.add_argument("-C", metavar="DIR", default=".",
                        help="the program directory (default: the current one)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--log-format", choices=FORMATS, default="text",
                        help="text lines, or one JSON object per line (default: text)")
    parser.add_argument("--version", action="version", version=f"mailflow {__version__}")
    parser.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                        help="while `mailflow run` runs, how long a command that changes the "
                        "program waits for it to run it (default: 60)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create a working example program in DIR")
    p.add_argument("dir")
    p.add_argument("--preset", default="cohort", choices=["cohort", "conference", "rolling"],
                   help="the program's shape (default: cohort)")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("check", help="validate config, rules and templates")
    p.add_argument("--connect", action="store_true", help="also log in to both mail servers")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("run", help="run the daemon (stops cleanly on SIGTERM)")
    p.add_argument("--once", action="store_true", help="process what is there, send, exit")
    p.add_argument("--dry-run", action="store_true", help="do everything except sending")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("parse", help="show what mailflow understands of messages (one file: "
                       "a report; several or a folder: one JSON object per line)")
    p.add_argument("file", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("import", help="import mentors or mentees, or pairs to approve, from CSV")
    p.add_argument("role", choices=["mentors", "mentees", "pairs"])
    p.add_argument("file")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("export", help="export participants or pairs")
    p.add_argument("what", choices=["participants", "pairs"])
    p.add_argument("--format", choices=["json", "csv"], default="csv")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("status", help="a short summary of the program")
    p.add_argument("--check", action="store_true",
                   help="for cron or monitoring: one line per problem and exit 1, else 'ok'")
    p.add_argument("--connect", action="store_true",
                   help="with --check: also log in to both mail servers")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("review", help="list what waits for a person, with its age")
    p.add_argument("--all", action="store_true",
                   help="resolved items too, with who resolved them and how")
    p.set_defaults(func=cmd_review)
    p = sub.add_parser("select", help="draw the mentees by lottery and tell everyone")
    p.add_argument("--seed", required=True, help="the seed; announce its hash first")
    p.add_argument("--places", type=int, default=20)
    p.add_argument("--reserved", type=int, default=0,
                   help="places reserved for people who self-identify with the group")
    p.add_argument("--dry-run", action="store_true", help="show the outcome, tell nobody")
    p.add_argument("--announce", action="store_true", help="only print the seed's hash")
    p.set_defaults(func=cmd_select)
    p = sub.add_parser("withdraw", help="withdraw a participant; the place goes to the next")
    p.add_argument("email", metavar="person", help="an address or part of a name")
    p.set_defaults(func=cmd_withdraw)
    p = sub.add_parser("link", help="attribute mail from a second address to a participant")
    p.add_argument("person")
    p.add_argument("address")
    p.set_defaults(func=cmd_link)
    p = sub.add_parser("pause", help="no scheduled mail to a person (until a date, or resume)")
    p.add_argument("person", help="an address or part of a name")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="the day their mail starts again")
    p.set_defaults(func=cmd_pause)
    p = sub.add_parser("resume", help="a paused person's scheduled mail again")
    p.add_argument("person", help="an address or part of a name")
    p.set_defaults(func=cmd_resume)
    p = sub.add_parser("approve", help="accept mentors who offered themselves by mail")
    p.add_argument("email", nargs="+", metavar="person", help="an address or part of a name")
    p.set_defaults(func=cmd_approve)
    p = sub.add_parser("match", help="propose pairs from the choices, for approval by mail")
    p.add_argument("--mode", choices=["traditional", "group"], default="traditional")
    p.set_defaults(func=cmd_match)
    p = sub.add_parser("propose", help="rolling programs: propose a mentee to a mentor")
    p.add_argument("mentee", help="an address or part of a name")
    p.add_argument("mentor", help="an address or part of a name")
    p.set_defaults(func=cmd_propose)
    p = sub.add_parser("outbox", help="list mail that failed or whose fate is unknown; retry")
    p.add_argument("action", choices=["list", "retry"])
    p.add_argument("ids", nargs="*", help="the start of each item's id, for retry")
    p.add_argument("--all-failed", action="store_true", help="retry every failed mail")
    p.set_defaults(func=cmd_outbox)
    p = sub.add_parser("compact", help="shrink state/: sent bytes out of the outbox journal, "
                       "raw mail and ledger rows past the retention (daemon stopped)")
    p.set_defaults(func=cmd_compact)
    p = sub.add_parser("show", help="one person's record and timeline")
    p.add_argument("person", help="an address or part of a name")
    p.add_argument("--private", action="store_true",
                   help="also show the survey answers (never shown to anyone else)")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("plan", help="list every mail the rules will send in a window")
    p.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--assume-replies", action="store_true",
                   help="assume everyone answers: no reminders")
    p.set_defaults(func=cmd_plan)
    p = sub.add_parser("backup", help="save the program (daemon running or not) to FILE.tar.gz")
    p.add_argument("file")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup into a new DIR; --check only verifies")
    p.add_argument("file")
    p.add_argument("dir", nargs="?")
    p.add_argument("--check", action="store_true", help="verify the archive, restore nothing")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("deliver", help="drop .eml files into the local Maildir (demo, tests)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_deliver)
    return parser


def run_hosted(program: Program, argv: list[str], cwd: str) -> Answer:
    """Run a spooled command line in the daemon, on its program; what it prints is captured
    and its exit code kept, exactly as ``mailflow`` alone would have printed and exited."""
    from mailflow.commands.spool import Answer
    global _hosted
    out, err = io.StringIO(), io.StringIO()
    _hosted = program
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = _hosted_code(argv, cwd)
    finally:
        _hosted = None
    return Answer(out.getvalue(), err.getvalue(), code)


def _hosted_code(argv: list[str], cwd: str) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed why
        return exc.code if isinstance(exc.code, int) else 2
    if args.command not in SPOOLED:
        print(f"mailflow: {args.command} is not run by the daemon", file=sys.stderr)
        return 2
    if isinstance(getattr(args, "file", None), str):
        args.file = os.path.join(cwd, args.file)  # as typed where the CLI ran
    args.verbose = False  # the daemon never dies of a command's bug
    return _dispatch(args)


def main(argv: list[str] | None = None) -> int:
    """Entry point: errors are one clear line on stderr, never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    setup_logging(args.log_format, args.verbose)
    if args.command in SPOOLED:
        try:
            return _dispatch(args, locked=True)
        except StoreLockedError:  # `mailflow run` holds the store: it runs the command
            from mailflow.commands.spool import hand_over
            return hand_over(Path(args.C), argv, args.wait)
    return _dispatch(args)


def _dispatch(args: argparse.Namespace, locked: bool = False) -> int:
    """Run the command; with ``locked``, a store held by another process is raised."""
    from mailflow.store import StateWriteError
    try:
        return args.func(args)
    except StoreLockedError:
        if locked:
            raise
        print(f"mailflow: {sys.exc_info()[1]}", file=sys.stderr)
        return 2
    except StateWriteError:
        if _hosted is not None:
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


if __name__ == "__main__":
    sys.exit(main())
