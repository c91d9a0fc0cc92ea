"""The command line's arguments: one subcommand each, with its options and its help."""

from __future__ import annotations

import argparse

from mailflow import __version__
from mailflow.cli import people, program
from mailflow.logs import FORMATS

DESCRIPTION = "The ``mailflow`` command line."


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="mailflow", description=DESCRIPTION)
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
    p.set_defaults(func=program.cmd_init)
    p = sub.add_parser("check", help="validate config, rules and templates")
    p.add_argument("--connect", action="store_true", help="also log in to both mail servers")
    p.set_defaults(func=program.cmd_check)
    p = sub.add_parser("run", help="run the daemon (stops cleanly on SIGTERM)")
    p.add_argument("--once", action="store_true", help="process what is there, send, exit")
    p.add_argument("--dry-run", action="store_true", help="do everything except sending")
    p.set_defaults(func=program.cmd_run)
    p = sub.add_parser("parse", help="show what mailflow understands of messages (one file: "
                       "a report; several or a folder: one JSON object per line)")
    p.add_argument("file", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=program.cmd_parse)
    p = sub.add_parser("import", help="import mentors or mentees, or pairs to approve, from CSV")
    p.add_argument("role", choices=["mentors", "mentees", "pairs"])
    p.add_argument("file")
    p.set_defaults(func=people.cmd_import)
    p = sub.add_parser("export", help="export participants or pairs")
    p.add_argument("what", choices=["participants", "pairs"])
    p.add_argument("--format", choices=["json", "csv"], default="csv")
    p.set_defaults(func=people.cmd_export)
    p = sub.add_parser("status", help="a short summary of the program")
    p.add_argument("--check", action="store_true",
                   help="for cron or monitoring: one line per problem and exit 1, else 'ok'")
    p.add_argument("--connect", action="store_true",
                   help="with --check: also log in to both mail servers")
    p.set_defaults(func=program.cmd_status)
    p = sub.add_parser("review", help="list what waits for a person, with its age")
    p.add_argument("--all", action="store_true",
                   help="resolved items too, with who resolved them and how")
    p.set_defaults(func=program.cmd_review)
    p = sub.add_parser("select", help="draw the mentees by lottery and tell everyone")
    p.add_argument("--seed", required=True, help="the seed; announce its hash first")
    p.add_argument("--places", type=int, default=20)
    p.add_argument("--reserved", type=int, default=0,
                   help="places reserved for people who self-identify with the group")
    p.add_argument("--dry-run", action="store_true", help="show the outcome, tell nobody")
    p.add_argument("--announce", action="store_true", help="only print the seed's hash")
    p.set_defaults(func=people.cmd_select)
    p = sub.add_parser("withdraw", help="withdraw a participant; the place goes to the next")
    p.add_argument("email", metavar="person", help="an address or part of a name")
    p.set_defaults(func=people.cmd_withdraw)
    p = sub.add_parser("link", help="attribute mail from a second address to a participant")
    p.add_argument("person")
    p.add_argument("address")
    p.set_defaults(func=people.cmd_link)
    p = sub.add_parser("pause", help="no scheduled mail to a person (until a date, or resume)")
    p.add_argument("person", help="an address or part of a name")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="the day their mail starts again")
    p.set_defaults(func=people.cmd_pause)
    p = sub.add_parser("resume", help="a paused person's scheduled mail again")
    p.add_argument("person", help="an address or part of a name")
    p.set_defaults(func=people.cmd_resume)
    p = sub.add_parser("approve", help="accept mentors who offered themselves by mail")
    p.add_argument("email", nargs="+", metavar="person", help="an address or part of a name")
    p.set_defaults(func=people.cmd_approve)
    p = sub.add_parser("match", help="propose pairs from the choices, for approval by mail")
    p.add_argument("--mode", choices=["traditional", "group"], default="traditional")
    p.set_defaults(func=people.cmd_match)
    p = sub.add_parser("propose", help="rolling programs: propose a mentee to a mentor")
    p.add_argument("mentee", help="an address or part of a name")
    p.add_argument("mentor", help="an address or part of a name")
    p.set_defaults(func=people.cmd_propose)
    p = sub.add_parser("outbox", help="list mail that failed or whose fate is unknown; retry")
    p.add_argument("action", choices=["list", "retry"])
    p.add_argument("ids", nargs="*", help="the start of each item's id, for retry")
    p.add_argument("--all-failed", action="store_true", help="retry every failed mail")
    p.set_defaults(func=program.cmd_outbox)
    p = sub.add_parser("compact", help="shrink state/: sent bytes out of the outbox journal, "
                       "raw mail and ledger rows past the retention (daemon stopped)")
    p.set_defaults(func=program.cmd_compact)
    p = sub.add_parser("show", help="one person's record and timeline")
    p.add_argument("person", help="an address or part of a name")
    p.add_argument("--private", action="store_true",
                   help="also show the survey answers (never shown to anyone else)")
    p.set_defaults(func=people.cmd_show)
    p = sub.add_parser("plan", help="list every mail the rules will send in a window")
    p.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--assume-replies", action="store_true",
                   help="assume everyone answers: no reminders")
    p.set_defaults(func=program.cmd_plan)
    p = sub.add_parser("backup", help="save the program (daemon running or not) to FILE.tar.gz")
    p.add_argument("file")
    p.set_defaults(func=program.cmd_backup)
    p = sub.add_parser("restore", help="restore a backup into a new DIR; --check only verifies")
    p.add_argument("file")
    p.add_argument("dir", nargs="?")
    p.add_argument("--check", action="store_true", help="verify the archive, restore nothing")
    p.set_defaults(func=program.cmd_restore)
    p = sub.add_parser("deliver", help="drop .eml files into the local Maildir (demo, tests)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=program.cmd_deliver)
    return parser
