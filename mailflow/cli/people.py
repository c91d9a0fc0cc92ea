"""Commands about participants: import and export them, draw, approve, withdraw, pair,
pause and resume them, show and link their records."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mailflow.cli import session


def cmd_import(args: argparse.Namespace) -> int:
    from mailflow.commands.roster import import_csv, read_pairs
    program = session.open_program(args)
    try:
        if args.role == "pairs":
            proposal = program.pairing.propose_pairs(read_pairs(Path(args.file)), session.now(),
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
    program = session.open_program(args, read_only=True)
    try:
        sys.stdout.write(export_pairs(program) if args.what == "pairs"
                         else export_participants(program, args.format))
    finally:
        program.close()
    return 0


def cmd_select(args: argparse.Namespace) -> int:
    from mailflow.commands.selection import select
    from mailflow.program.lottery import seed_hash
    if args.announce:
        print(f"seed hash (publish it before the draw): {seed_hash(args.seed)}")
        return 0
    program = session.open_program(args)
    try:
        draw = select(program, args.places, args.reserved, args.seed, session.now(), args.dry_run)
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
    program = session.open_program(args)
    try:
        offered = withdraw(program, args.email, session.now(), "coordinator (mailflow withdraw)")
    finally:
        program.close()
    print(f"{args.email} withdrawn" + (f"; the place goes to {offered}" if offered else ""))
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from mailflow.commands.selection import approve_mentor
    program = session.open_program(args)
    try:
        for email in args.email:
            approve_mentor(program, email, session.now())
    finally:
        program.close()
    print(f"approved: {', '.join(args.email)}")
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    program = session.open_program(args)
    try:
        proposal = program.pairing.propose(session.now(), args.mode)
        text = program.pairing.csv_text(proposal)
    finally:
        program.close()
    print(text, end="")
    print(f"proposal {proposal['id']} mailed to the coordinators for approval")
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    program = session.open_program(args)
    try:
        from mailflow.commands.people import person_named
        program.pairing.propose_pair(person_named(program, args.mentee)["email"],
                                     person_named(program, args.mentor)["email"], session.now())
    finally:
        program.close()
    print(f"{args.mentee} proposed to {args.mentor}; the daemon asks the mentor YES or NO")
    return 0


def cmd_pause(args: argparse.Namespace) -> int:
    from mailflow.commands.people import pause
    program = session.open_program(args)
    try:
        text = pause(program, args.person, args.until, session.now())
    finally:
        program.close()
    print(text)
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    from mailflow.commands.people import resume
    program = session.open_program(args)
    try:
        text = resume(program, args.person, session.now())
    finally:
        program.close()
    print(text)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from mailflow.commands.people import show_text
    program = session.open_program(args, read_only=True)
    try:
        print(show_text(program, args.person, private=args.private))
    finally:
        program.close()
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from mailflow.commands.people import link
    program = session.open_program(args)
    try:
        person = link(program, args.person, args.address, session.now())
    finally:
        program.close()
    print(f"mail from {args.address} is now {person.get('name') or ''} <{person['email']}>'s")
    return 0
