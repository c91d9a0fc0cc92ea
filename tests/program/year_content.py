"""A year of each preset, run by the daemon on its own Maildir and folder, with scripted people.

Each preset's year is a story told by mail: strangers write in English or French, apply
with the form, are selected or waitlisted, choose mentors, are introduced, report
meetings, answer surveys; one withdraws, one pauses. Mail goes in through the daemon's
own path (the Maildir, ``Daemon.ingest``) and everything that leaves is kept as it was
rendered, with the simulated time it was sent. ``python -m tests.program.year_content``
prints, per preset, how many mails of each template go out in each language.
"""

from __future__ import annotations

import email
import email.policy
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from mailflow.commands.init import init_program
from mailflow.commands.selection import approve_mentor, select, withdraw
from mailflow.daemon import Daemon
from mailflow.inbound.maildir import deliver
from mailflow.runtime import Program, open_program
from tests.program.year import ZONE

HOUR = timedelta(hours=1)
AUTHSERV = "mx.northlake.example.org"
FRENCH_LABELS = {
    "name": "Nom complet", "affiliation": "Laboratoire", "languages": "Langues",
    "goals": "Objectifs", "expertise": "Domaines d'expertise", "capacity": "Nombre de mentorés",
    "career_stage": "Étape de carrière", "expertise_wanted": "Expertise recherchée",
    "sector": "Secteur", "mentor_sector": "Secteur du mentor souhaité",
    "self_identification": "Auto-identification",
    "prior_participation": "Participation antérieure", "availability": "Disponibilité",
}


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


@dataclass(frozen=True)
class Person:
    """Someone of the story: the language they write in is the one they must be written to."""

    name: str
    email: str
    role: str
    language: str


@dataclass(frozen=True)
class Sent:
    """One mail that left, as rendered, with the simulated time it was queued."""

    when: datetime
    to: str
    template: str
    rule: str
    subject: str
    text: str
    message: email.message.EmailMessage


@dataclass
class Year:
    """One preset's program, its daemon and its clock, run hour by hour."""

    preset: str
    root: Path
    program: Program
    daemon: Daemon
    now: datetime
    people: dict[str, Person] = field(default_factory=dict)
    stories: dict[str, str] = field(default_factory=dict)  # email -> how it ended
    reported_days: set[date] = field(default_factory=set)  # days people wrote they met
    _count: int = 0

    @classmethod
    def open(cls, root: Path, preset: str, start: datetime) -> Year:
        init_program(root, preset)
        config = root / "config.yaml"
        # The rate limit paces real SMTP servers in wall-clock time; a simulated year
        # would only sleep through it (as the other harnesses, tests/integration/program.py).
        config.write_text(config.read_text() + f"\nmailbox:\n  authserv_id: {AUTHSERV}\n"
                          "outbox:\n  rate_per_minute: 100000\n")
        program = open_program(root)
        year = cls(preset, root, program, None, start)  # type: ignore[arg-type]
        year.daemon = Daemon(program, clock=lambda: year.now)
        year.daemon.source.connect()
        return year

    def close(self) -> None:
        self.daemon.source.close()
        self.program.close()

    # --- time -------------------------------------------------------------------
    def step(self, when: datetime | None = None) -> None:
        """One round of the daemon at ``when``: mail in, scheduled rules, mail out."""
        if when is not None:
            self.now = when
        self.daemon.ingest()
        self.daemon.tick()
        self.daemon.send()

    def until(self, end: datetime) -> None:
        """Hour by hour up to ``end``, as a running daemon would see it."""
        while self.now + HOUR <= end:
            self.step(self.now + HOUR)
        if self.now < end:
            self.step(end)

    # --- mail ----------------------------------------------------------------------
    def sent(self) -> list[Sent]:
        """Every mail queued so far, rendered, in the order it was queued."""
        found = []
        for item in sorted(self.program.outbox.items.values(), key=lambda i: i.created):
            message = email.message_from_bytes(self.program.outbox.message_bytes(item.id),
                                               policy=email.policy.default)
            body = message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            found.append(Sent(datetime.fromtimestamp(item.created, ZONE), item.recipients[0],
                              item.meta.get("template", ""), item.meta.get("rule", ""),
                              str(message["Subject"] or ""), text, message))
        return found

    def last(self, address: str, template: str | None = None) -> Sent:
        mails = [s for s in self.sent() if s.to == address
                 and (template is None or s.template == template)]
        assert mails, f"no {template or 'mail'} to {address}"
        return mails[-1]

    def write(self, person: Person, body: str, reply_to: Sent | None = None,
              subject: str = "", headers: str = "") -> None:
        """``person`` writes (a reply to ``reply_to``, or a first mail); the daemon reads it."""
        self._count += 1
        to = (reply_to.message["Reply-To"].addresses[0].addr_spec if reply_to
              else self.program.config.address)
        subject = subject or (f"Re: {reply_to.subject}" if reply_to else "Mentorship")
        threading = (f"In-Reply-To: {reply_to.message['Message-ID']}\r\n"
                     f"References: {reply_to.message['Message-ID']}\r\n" if reply_to else "")
        raw = (f"From: {person.name} <{person.email}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
               f"Message-ID: <story-{self.preset}-{self._count}@mail.example.net>\r\n"
               f"{threading}{headers}Date: {format_datetime(self.now)}\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
               "\r\n" + body.replace("\n", "\r\n") + "\r\n")
        deliver(self.program.config.mailbox.maildir, raw.encode("utf-8"))
        self.step()

    def coordinator_writes(self, body: str, reply_to: Sent) -> None:
        """The first coordinator answers, from a verified domain, as their server stamps it."""
        coordinator = self.program.config.coordinators[0]
        domain = coordinator.email.split("@")[1]
        stamp = (f"Authentication-Results: {AUTHSERV}; dkim=pass header.d={domain}; "
                 f"dmarc=pass header.from={domain}\r\n"
                 f"Received: from out.{domain} by {AUTHSERV} (Postfix) with ESMTPS id 1\r\n")
        self.write(Person(coordinator.name, coordinator.email, "coordinator",
                          self.program.config.language), body, reply_to, headers=stamp)

    def language_of(self, address: str) -> str:
        """The language the recipient reads: theirs in the story; the program's otherwise."""
        person = self.people.get(address)
        return person.language if person else self.program.config.language

    # --- the steps every preset's story shares --------------------------------------
    def apply(self, person: Person, values: dict[str, str], greeting: bool = True) -> None:
        """Write to the program in one's language, then send back the filled-in form
        (under a line of greeting, or, without ``greeting``, the bare form)."""
        self.people[person.email] = person
        first = {"en": "Hello, I would like to take part in the mentorship program. "
                       "How do I apply?",
                 "fr": "Bonjour, je souhaite participer au programme de mentorat. "
                       "Comment puis-je poser ma candidature ?"}[person.language]
        self.write(person, first, subject={"en": "Mentorship", "fr": "Mentorat"}[person.language])
        form = self.last(person.email, "application_form")
        fields = self.program.config.forms[person.role]
        hello = {"en": "Hello, here is my application.",
                 "fr": "Bonjour, voici ma candidature."}[person.language] if greeting else ""
        lines = [hello, "", ("Role: " if person.language == "en" else "Rôle : ")
                 + (person.role if person.language == "en" else
                    {"mentee": "mentoré", "mentor": "mentor"}[person.role])]
        for spec in fields:
            value = person.name if spec.key == "name" else values.get(spec.key, "")
            if not value:
                continue
            label = spec.label if person.language == "en" else FRENCH_LABELS[spec.key]
            lines.append(f"{label}{' :' if person.language == 'fr' else ':'} {value}")
        self.write(person, "\n".join(lines), form)

    def draw(self, places: int, seed: str) -> tuple[list[str], list[str]]:
        """The coordinators' lottery (``mailflow select``): the selected and the waitlist."""
        for person in self.people.values():
            if person.role == "mentor":
                approve_mentor(self.program, person.email, self.now)
        result = select(self.program, places=places, reserved=0, seed=seed, now=self.now)
        self.step()
        return result.selected, result.waitlist

    def withdraw(self, address: str) -> None:
        """The coordinators withdraw someone (``mailflow withdraw``)."""
        withdraw(self.program, address, self.now, "coordinator (mailflow withdraw)")
        self.step()

    def approve_matching(self, propose: Callable[[datetime], object]) -> None:
        """The team proposes a matching, and a coordinator APPROVEs it by mail a day later."""
        propose(self.now)
        self.step()
        proposal = self.last(self.program.config.coordinators[0].email, "match_proposal")
        self.step(self.now + timedelta(days=1))
        self.coordinator_writes("APPROVE", proposal)


MONTHS = {name: i + 1 for i, names in enumerate((
    ("january", "janvier"), ("february", "février"), ("march", "mars"), ("april", "avril"),
    ("may", "mai"), ("june", "juin"), ("july", "juillet"), ("august", "août"),
    ("september", "septembre"), ("october", "octobre"), ("november", "novembre"),
    ("december", "décembre"))) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# Days as mail presents them to people: "February 10, 2027" / "February 10" (en),
# "10 février 2027" / "1er mars" (fr). ISO days are the digest's log, not prose.
DATE = re.compile(
    rf"\b(?:(?P<en_month>{_MONTH})\s+(?P<en_day>\d{{1,2}})(?:,?\s+(?P<en_year>\d{{4}}))?"
    rf"|(?P<fr_day>\d{{1,2}})(?:er)?\s+(?P<fr_month>{_MONTH})(?:\s+(?P<fr_year>\d{{4}}))?)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A calendar day written in a mail, and the words just before it."""

    day: date
    written: str
    before: str


def dates_in(text: str, sent: datetime) -> list[Mention]:
    """The days a mail names; a day written without its year is the one nearest the sending."""
    found = []
    for match in DATE.finditer(text):
        month = MONTHS[(match["en_month"] or match["fr_month"]).lower()]
        number = int(match["en_day"] or match["fr_day"])
        year = match["en_year"] or match["fr_year"]
        days = []
        for candidate in [int(year)] if year else [sent.year - 1, sent.year, sent.year + 1]:
            try:
                days.append(date(candidate, month, number))
            except ValueError:
                continue
        if days:
            day = min(days, key=lambda d: abs((d - sent.date()).days))
            found.append(Mention(day, match[0], " ".join(text[:match.start()].split()[-6:])))
    return found


def run_preset(preset: str, root: Path) -> Year:
    """The whole year of ``preset``, told by its story (see tests/program/year_stories.py)."""
    from tests.program.year_stories import STORIES
    return STORIES[preset](root)


def table(year: Year) -> list[tuple[str, str, int]]:
    """(template, language, count) of every mail the year sent, most frequent first."""
    counts = Counter((s.template, year.language_of(s.to)) for s in year.sent())
    return sorted(((t, lang, n) for (t, lang), n in counts.items()),
                  key=lambda row: (-row[2], row[0], row[1]))


def main() -> int:
    """Print, per preset, the mail sent over the year: count per template and language."""
    from tests.program.year_stories import STORIES
    for preset in STORIES:
        with tempfile.TemporaryDirectory() as tmp:
            year = run_preset(preset, Path(tmp) / preset)
            rows = table(year)
            print(f"\n## {preset}: {sum(n for _, _, n in rows)} mails")
            print(f"{'template':36} {'lang':4} {'count':>5}")
            for template, language, count in rows:
                print(f"{template:36} {language:4} {count:5}")
            year.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
