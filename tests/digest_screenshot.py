"""A realistic program in June, its weekly digest as mailed, and a screenshot of its HTML part.

``python -m tests.digest_screenshot docs/digest.png`` regenerates the README's picture with
Debian's ``chromium``; tests/program/test_digest_chromium.py takes the same screenshot.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from datetime import datetime, timedelta
from email.message import Message
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

from mailflow.commands.init import init_program
from mailflow.outbound.mailer import Recipient
from mailflow.outbound.outbox import OutboxItem
from mailflow.program import participants
from mailflow.program.coordination.review import ReviewItem
from mailflow.runtime import Program, open_program

ZONE = ZoneInfo("America/Montreal")
NOW = datetime(2027, 6, 7, 8, 0, tzinfo=ZONE)  # the Monday after the midpoint survey
WIDTH, HEIGHT = 800, 1400
FIRST = ("Léa", "Noah", "Amina", "Lucas", "Chloé", "Omar", "Maya", "Hugo", "Sara", "Ravi",
         "Inès", "Jonas", "Nadia", "Félix", "Yuki", "Zoé", "Karim", "Emma", "Diego", "Anaïs")
LAST = ("Gagnon", "Smith", "Diallo", "Martin", "Roy", "Haddad", "Chen", "Bernard", "Nguyen",
        "Patel", "Côté", "Weber", "Benali", "Tremblay", "Sato", "Morin", "Saleh", "Wilson",
        "García", "Lefebvre")


def _person(n: int, role: str) -> tuple[str, str]:
    name = f"{FIRST[n % len(FIRST)]} {LAST[(3 * n + (role == 'mentor')) % len(LAST)]}"
    local = unicodedata.normalize("NFKD", name.split()[0].lower()).encode("ascii", "ignore")
    domain = "example.org" if role == "mentor" else "example.com"
    return name, f"{local.decode()}.{n}@{domain}"


def _people(program: Program) -> list[dict]:
    """30 mentees and 14 mentors who applied; 12 pairs matched, 11 introduced, 9 met, and
    13 people answered the midpoint survey."""
    rows = []
    for role, total, chosen in (("mentee", 30, 20), ("mentor", 14, 12)):
        for n in range(total):
            name, address = _person(n, role)
            row: dict = {"email": address, "name": name, "role": role,
                         "language": "fr" if n % 3 == 0 else "en", "created": "2026-12-10",
                         "status": "applicant" if n >= chosen else "selected"}
            if n < chosen:
                row["selected"] = "2027-01-25"
            if role == "mentee" and n < chosen - 2:
                row["choices"] = ["a", "b", "c"]
            if n < 12:
                row.update(status="introduced" if n < 11 else "matched", matched="2027-02-12")
                if n < 11:
                    row["introduced"] = "2027-02-15"
                if n < 9:
                    row["last_meeting"] = "2027-05-2" + str(n % 9)
                if (n < 7 and role == "mentee") or (n < 6 and role == "mentor"):
                    row["surveys"] = {"midpoint": {"1": "4"}}
            if n == 17 and role == "mentee":
                row["status"] = "withdrawn"
            rows.append(row)
    with program.store.transaction():
        participants.insert_many(program.store, rows)
    return rows


def _mailing(program: Program, rule: str, template: str, expects: str, day: datetime,
             people: list[dict]) -> None:
    """One mailing that asked for an answer, sent to ``people`` on ``day``."""
    outbox = program.outbox
    outbox.clock = lambda: day.timestamp()
    for person in people:
        key = f"{rule}|{person['email']}|{day.date()}"
        item = OutboxItem(
            id=f"{rule}-{person['email']}", key=key, recipients=[person["email"]],
            envelope_from=program.config.address, message_id=f"<{rule}.{person['email']}>",
            subject=template, kind="scheduled", participant=person["email"],
            meta={"template": template, "rule": rule, "expects": expects})
        outbox.enqueue(item, b"Subject: demo\r\n\r\nDemo.\r\n")
        outbox.mark_sending(item)
        outbox.mark_sent(item)
    answers = [p for p in people if p.get("choices") or p.get("surveys")
               or str(p.get("last_meeting") or "") >= day.date().isoformat()]
    with program.store.transaction():
        for person in answers:
            program.store.table("inbound").insert({
                "received": (day + timedelta(days=2)).isoformat(), "state": "processed",
                "participant": person["email"], "sender": person["email"], "kind": expects})


def _troubles(program: Program) -> None:
    """A mail the server refused and one whose fate is unknown."""
    outbox = program.outbox
    for n, (address, state) in enumerate((("omar.5@example.com", "failed"),
                                          ("ravi.9@example.org", "unknown"))):
        outbox.clock = lambda n=n: (NOW - timedelta(days=3 - n, hours=5)).timestamp()
        item = OutboxItem(
            id=f"trouble-{n}", key=f"checkin|{address}|{n}", recipients=[address],
            envelope_from=program.config.address, message_id=f"<trouble.{n}>",
            subject="How is your mentorship going?", kind="scheduled", participant=address,
            meta={"template": "meeting_checkin", "rule": "meeting-checkin"})
        outbox.enqueue(item, b"Subject: demo\r\n\r\nDemo.\r\n")
        outbox.mark_sending(item)
        if state == "failed":
            outbox.mark_failed(item, "550 5.1.1 <omar.5@example.com>: mailbox unavailable")
        else:
            outbox.mark_unknown(item, "the connection closed after DATA, before the answer")


def _review(program: Program) -> None:
    items = [
        ReviewItem(created=(NOW - timedelta(days=5, hours=2)).isoformat(),
                   sender="amina.2@example.com", participant="amina.2@example.com",
                   subject="Re: Midpoint survey",
                   problems=["answers 3 and 4 could not be told apart"]),
        ReviewItem(created=(NOW - timedelta(days=2, hours=7)).isoformat(), kind="concern",
                   sender="hugo.7@example.org", participant="hugo.7@example.org",
                   subject="Mentee unreachable", problems=["a question or a call for help"]),
        ReviewItem(created=(NOW - timedelta(hours=4)).isoformat(),
                   sender="l.gagnon@personal.example.net", probably="lea.0@example.com",
                   subject="New address", problems=["unknown sender, looks like Léa Gagnon"]),
    ]
    with program.store.transaction():
        for item in items:
            program.store.table("review").insert(item.to_doc())


def demo_program(root: Path) -> Program:
    """The example cohort on 7 June 2027: a roster, three mailings, review items, trouble."""
    init_program(root)
    program = open_program(root)
    people = _people(program)
    mentees = [p for p in people if p["role"] == "mentee" and p.get("selected")]
    paired = [p for p in people if p.get("matched")]
    _mailing(program, "choices-invitation", "choices_invitation", "choices",
             datetime(2027, 2, 1, 9, 0, tzinfo=ZONE), mentees)
    _mailing(program, "meeting-checkin", "meeting_checkin", "meeting",
             datetime(2027, 5, 17, 9, 0, tzinfo=ZONE), paired)
    _mailing(program, "survey-midpoint", "survey_invitation", "survey:midpoint",
             datetime(2027, 6, 1, 9, 0, tzinfo=ZONE), paired)
    _troubles(program)
    _review(program)
    return program


def digest_message(program: Program, language: str = "en") -> Message:
    """The digest a coordinator gets at NOW, as mailed (text and HTML parts)."""
    program.outbox.clock = lambda: NOW.timestamp()
    coordinator = program.config.coordinators[0]
    context = program.handler.mailings.contexts.build(None, language, NOW, "digest")
    item = program.mailer.queue(
        rule="weekly-digest", occasion=f"demo-{language}", template="digest",
        to=Recipient(coordinator.email, coordinator.name, language), context=context,
        kind="notice", now=NOW)
    if item is None:  # queued before: the same mail
        key = program.mailer.key("weekly-digest", coordinator.email, f"demo-{language}")
        item = next(i for i in program.outbox.items.values() if i.key == key)
    return email.message_from_bytes(program.outbox.message_bytes(item.id), policy=default)


def part(message: Message, subtype: str) -> str:
    """The decoded text of the message's text/``subtype`` part."""
    found = message.get_body(preferencelist=(subtype,))  # type: ignore[attr-defined]
    assert found is not None and found.get_content_subtype() == subtype
    return str(found.get_content())


def chromium() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(html: str, out: Path, browser: str) -> None:
    """Draw ``html`` (a mail's HTML part) as a mail client would, at WIDTH x HEIGHT."""
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "digest.html"
        page.write_text('<!doctype html><html><head><meta charset="utf-8"></head>'
                        '<body style="margin:0">' + html + "</body></html>", encoding="utf-8")
        subprocess.run([browser, "--headless", "--disable-gpu", "--no-sandbox",
                        "--hide-scrollbars", f"--user-data-dir={scratch}/profile",
                        f"--screenshot={out.absolute()}", f"--window-size={WIDTH},{HEIGHT}",
                        page.as_uri()], check=True, capture_output=True, timeout=120)
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no {out}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.digest_screenshot OUT.png", file=sys.stderr)
        return 2
    browser = chromium()
    if browser is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        program = demo_program(Path(scratch) / "program")
        try:
            html = part(digest_message(program), "html")
        finally:
            program.close()
        out = Path(argv[0])
        out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(html, out, browser)
    print(f"wrote {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
