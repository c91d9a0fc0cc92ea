"""Shared helpers of the benchmarks: paths, test servers, realistic messages, result lines.

Every benchmark prints its figures for people and ends with one line
``BENCH-RESULT {json}`` that ``bench/run_all.py`` collects into its summary table.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import io
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from tests.servers.dovecot import DovecotServer
    from tests.servers.smtp import SmtpServer

# The test servers and program writer load on first use (PEP 562): a benchmark that
# measures its own memory (year.py, memory.py) must not carry aiosmtpd and its kin.
_LAZY = {"PASSWORD_ENV": "tests.integration.program",
         "write_program": "tests.integration.program",
         "DovecotServer": "tests.servers.dovecot", "SmtpServer": "tests.servers.smtp"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [  # and, loaded when first asked for: PASSWORD_ENV, write_program and the servers
    "ROOT", "application_form", "emit", "generate_messages", "io_counters", "parse_args",
    "profile_top", "seed_history", "servers", "stranger_message", "temp_dir",
]

RESULT_PREFIX = "BENCH-RESULT "
PROGRAM_ADDRESS = "mentorship@northlake.example.org"

FIRST = ["Léa", "Chloé", "Émile", "François", "Zoë", "Anaïs", "Jérôme", "Maëlle", "Noé",
         "Hélène", "Raphaël", "Inès", "Ahmed", "Priya", "Wei", "Olumide", "Sofía", "José",
         "Björn", "Małgorzata", "Kenji", "Aroha", "Thomas", "Sarah", "Daniel", "Emily",
         "Marie", "Lucas", "Camille", "Gabriel"]
LAST = ["Gagnon", "Tremblay", "Côté", "Bélanger", "Lévesque", "Pelletier", "Dubé", "Nguyen",
        "Müller", "García", "Kowalczyk", "Okafor", "Sharma", "Chen", "Smith", "Brown",
        "O'Brien", "Roy", "Bouchard", "Gauthier", "Martin", "Lefèvre", "Zhang", "Ibáñez"]
LABS = ["Vision lab", "Laboratoire de neurosciences", "Computational biology group",
        "Département de chimie", "Robotics institute", "Centre de recherche en santé",
        "Quantum optics group", "École de santé publique", "Climate modelling lab"]
GOALS = ["plan a research career and learn how to write grants",
         "préparer une demande de bourse postdoctorale",
         "get advice on moving from academia to industry",
         "apprendre à encadrer des étudiant·e·s et gérer une équipe",
         "find a balance between teaching and research"]
STRANGER_TEXTS = [
    "Hello,\n\nI would like to join the mentorship program. How do I apply?\n\nBest,\n{name}\n",
    "Bonjour,\n\nJe souhaiterais participer au programme de mentorat. Comment puis-je "
    "m'inscrire ?\n\nMerci d'avance,\n{name}\n",
    "Hi there,\n\nA colleague told me about the program. I'm a second-year PhD student and "
    "I'd love to be mentored. Is it still possible to apply this year?\n\nThanks a lot,\n"
    "{name}\n--\n{name}\nPhD candidate, {lab}\n",
    "Good morning,\n\nI am interested in becoming a mentor. I have ten years of experience "
    "in {lab}. What would that involve?\n\nKind regards,\n{name}\n",
]


def _person(rng: random.Random, index: int) -> tuple[str, str]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    return name, f"person{index}@example.com"


def _base(name: str, address: str, subject: str, msg_id: str, to: str = PROGRAM_ADDRESS
          ) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((name, address))  # accented names become encoded words
    msg["To"] = f"Northlake Mentorship Program <{to}>"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{msg_id}@mail.example.com>"
    msg["Date"] = "Tue, 24 Nov 2026 10:00:00 -0500"
    return msg


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    return (f'<html><head><meta charset="utf-8"><style>p{{margin:0}}</style></head>'
            f'<body><div dir="ltr">{paragraphs}</div></body></html>')


def stranger_message(index: int, rng: random.Random | None = None, html: bool | None = None
                     ) -> bytes:
    """A first message from someone unknown; some with an HTML alternative."""
    rng = rng or random.Random(index)
    name, address = _person(rng, index)
    text = rng.choice(STRANGER_TEXTS).format(name=name, lab=rng.choice(LABS))
    msg = _base(name, address, rng.choice(["Joining the program", "Mentorship program",
                                           "Question about mentoring", "Inscription"]),
                f"stranger-{index}-{rng.randrange(10**9)}")
    msg.set_content(text)
    if html if html is not None else rng.random() < 0.4:
        msg.add_alternative(_html(text), subtype="html")
    return msg.as_bytes(policy=SMTP_POLICY)  # CRLF, as on the wire


def application_form(index: int, rng: random.Random | None = None) -> bytes:
    """A filled application form, in English or French labels, some with HTML too."""
    rng = rng or random.Random(index)
    name, address = _person(rng, index)
    french = rng.random() < 0.3
    if french:
        lines = [f"Rôle : {rng.choice(['mentoré', 'mentor'])}", f"Nom complet : {name}",
                 f"Laboratoire : {rng.choice(LABS)}", "Langues : français, anglais",
                 f"Objectifs : {rng.choice(GOALS)}", "Participation antérieure : non"]
    else:
        role = rng.choice(["mentee", "mentee", "mentor"])
        lines = [f"Role: {role}", f"Full name: {name}", f"Affiliation: {rng.choice(LABS)}",
                 "Languages: English, French"]
        lines.append(f"Goals: {rng.choice(GOALS)}" if role == "mentee"
                     else "Expertise: grant writing, supervision")
        if rng.random() < 0.2:  # some forget a required field
            lines.pop(2)
        lines.append("Prior participation: no")
    text = ("Hello,\n\nHere is my application.\n\n" + "\n".join(lines) + "\n\nThanks,\n"
            + name + "\n\nOn Tue, Nov 24, 2026 at 10:01 AM Northlake Mentorship Program "
            f"<{PROGRAM_ADDRESS}> wrote:\n> Role (mentee or mentor):\n> Full name:\n"
            "> Affiliation:\n> Goals:\n")
    msg = _base(name, address, "Re: How to apply to Northlake Mentorship Program",
                f"form-{index}-{rng.randrange(10**9)}")
    msg["In-Reply-To"] = f"<form-sent-{index}@northlake.example.org>"
    msg.set_content(text)
    if rng.random() < 0.3:
        msg.add_alternative(_html(text), subtype="html")
    return msg.as_bytes(policy=SMTP_POLICY)  # CRLF, as on the wire


def generate_messages(n: int, seed: int = 1) -> list[bytes]:
    """Half strangers' first messages, half filled forms, all from distinct senders."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(stranger_message(i, rng) if i % 2 == 0 else application_form(i, rng))
    return out


def parse_args(description: str, default_n: int, quick_n: int, sizes: bool = False,
               extra: Callable[[argparse.ArgumentParser], None] | None = None
               ) -> argparse.Namespace:
    """The common options; with ``sizes``, also ``--sizes 100,1000`` (program sizes); with
    ``extra``, the options it adds."""
    parser = argparse.ArgumentParser(description=description)
    if extra is not None:
        extra(parser)
    if sizes:
        parser.add_argument("--sizes", type=lambda v: tuple(int(x) for x in v.split(",")),
                            default=None, help="participants per program, comma-separated")
    parser.add_argument("--quick", action="store_true", help=f"smoke run (N={quick_n})")
    parser.add_argument("-n", type=int, default=None, help=f"how many (default {default_n})")
    parser.add_argument("--profile", action="store_true",
                        help="also print the top cProfile entries of the mailflow part")
    args = parser.parse_args()
    if args.n is None:
        args.n = quick_n if args.quick else default_n
    return args


@contextlib.contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o755)  # Dovecot's unprivileged processes must reach the Maildir
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def servers(base: Path, imap: bool = True) -> Iterator[tuple[DovecotServer | None, SmtpServer]]:
    """A private Dovecot (unless ``imap`` is false) and a capturing SMTP server."""
    from tests.servers.dovecot import DovecotServer
    from tests.servers.smtp import SmtpServer

    dovecot = DovecotServer(base / "dovecot") if imap else None
    smtp = SmtpServer()
    try:
        if dovecot is not None:
            dovecot.start()
        smtp.start()
        yield dovecot, smtp
    finally:
        smtp.stop()
        if dovecot is not None:
            dovecot.stop()


@contextlib.contextmanager
def profile_top(enabled: bool, title: str, top: int = 25) -> Iterator[None]:
    """Profile the block with cProfile and print the top entries by cumulative/own time."""
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"\n--- cProfile of {title}: {stats.total_calls:,} function calls "
              f"in {stats.total_tt:.2f} s (profiled) ---")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
            print(f"\n--- cProfile of {title}, by {order} ---")
            lines = out.getvalue().splitlines()
            start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
            print("\n".join(line[:160] for line in lines[start:] if line.strip()))


def emit(name: str, figures: dict) -> None:
    """The machine-readable last line, for run_all.py."""
    print(RESULT_PREFIX + json.dumps({"bench": name, **figures}, ensure_ascii=False))
    sys.stdout.flush()


def seed_history(program_dir: Path, people: int, seed: int = 7) -> dict[str, int]:
    """Give a program a year of history: ``people`` participants and their mail in and out.

    Per participant: the record, 2 ledger entries (processed, in a spool file), 3 timeline
    events, 1 scheduled firing, and 2 sent answers in the outbox journal (with their
    bytes). Written in bulk, once, before anything is timed; returns the row counts.
    """
    from dataclasses import asdict

    from mailflow.outbound.outbox import OutboxItem, outbox_id
    from mailflow.store import Store
    from mailflow.store.storage import private_dir

    rng = random.Random(seed)
    state = private_dir(program_dir / "state")
    spool = private_dir(state / "messages") / "2026-01-15.spool"
    raw = stranger_message(0, random.Random(0), html=False)
    spool.write_bytes(raw)
    members, ledger, events, firings, journal = [], [], [], [], []
    for i in range(people):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"member{i}@history.example.org"
        role = "mentor" if i % 5 == 0 else "mentee"
        members.append({
            "email": email, "name": name, "role": role, "status": "active",
            "language": rng.choice(["en", "fr"]), "source": "mail",
            "fields": {"name": name, "affiliation": rng.choice(LABS),
                       "languages": "English, French", "goals": rng.choice(GOALS)},
            "application": {"complete": True, "missing": []},
            "created": "2026-01-15T09:00:00-05:00", "updated": "2026-06-01T09:00:00-04:00"})
        for n in range(2):
            ledger.append({
                "key": f"history:{i}:{n}", "source": "history", "uid": None,
                "message_id": f"history-{i}-{n}@mail.example.com", "sha256": "0" * 64,
                "spool": spool.name, "offset": 0, "size": len(raw),
                "received": "2026-03-01T10:00:00-05:00", "state": "processed",
                "duplicate_of": None, "sender": email, "kind": "reply",
                "subject": "Re: Northlake check-in", "rule": "checkin-reply"})
        for kind in ("applied", "status", "set"):
            events.append({"participant": email, "type": kind, "cause": f"message {i}",
                           "at": "2026-02-01T09:00:00-05:00", "detail": {"to": "active"}})
        key = f"checkin|{email}|month-3"
        firings.append({"key": key, "rule": "checkin", "recipient": email,
                        "occasion": "month-3", "due": "2026-04-01T09:00:00-04:00",
                        "state": "sent", "reason": "", "at": "2026-04-01T09:00:00-04:00"})
        for n in range(2):
            item = OutboxItem(
                id=outbox_id(f"history|{email}|{n}"), key=f"history|{email}|{n}",
                recipients=[email], envelope_from="mentorship@northlake.example.org",
                message_id=f"<answer-{i}-{n}@northlake.example.org>",
                subject="Northlake check-in", kind="reply", participant=email, state="sent",
                attempts=1, created=1.77e9, updated=1.77e9)
            journal.append(json.dumps({"op": "add", "item": asdict(item),
                                       "data": raw.decode("latin-1")},
                                      separators=(",", ":")) + "\n")
    with Store(state) as store, store.transaction():
        store.table("participants").insert_multiple(members)
        store.table("inbound").insert_multiple(ledger)
        store.table("events").insert_multiple(events)
        store.table("firings").insert_multiple(firings)
    outbox = private_dir(state / "outbox") / "journal.jsonl"
    outbox.write_text("".join(journal), encoding="ascii")
    outbox.chmod(0o600)
    return {"participants": len(members), "inbound": len(ledger), "events": len(events),
            "firings": len(firings), "outbox": len(journal)}


def io_counters() -> dict[str, int]:
    """This process's I/O counters (``/proc/self/io``): wchar counts every byte written."""
    with open("/proc/self/io", encoding="ascii") as handle:
        return {k: int(v) for k, v in (line.split(":") for line in handle)}
