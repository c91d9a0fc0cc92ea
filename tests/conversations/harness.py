"""Run a conversation of the corpus through mailflow as mail really arrives, and observe it.

For each case: a fresh program directory of the example (cohort) program, the people of
program.yaml imported and paired by mailflow's own code, our mail queued by the rule that
really sends it (the daemon's scheduler at the calendar's date, or the answer to a
stranger), the reply's placeholders filled from that queued mail, the reply delivered to
the mailbox and one pass of the daemon with its clock at the reply's date. What the
store, the ledger and the outbox then hold is the ``Observation`` that ``judge`` rates.
"""

from __future__ import annotations

import csv
import email
import email.policy
import email.utils
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mailflow import runtime
from mailflow.commands.init import PRESETS
from mailflow.commands.roster import import_csv
from mailflow.config.load import BUILTIN_ROOT, CONFIG_NAME
from mailflow.daemon import Daemon
from mailflow.inbound.maildir import deliver
from mailflow.outbound.outbox import OutboxItem
from mailflow.program import participants
from mailflow.program.coordination import review
from mailflow.runtime import Program
from tests.yaml_files import load_yaml

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "cases"
# Cases written apart from the code, never tuned against: read by test_holdout.py.
HOLDOUT_DIR = HERE / "holdout"
# A second holdout (301 and up), by another writer apart from the code: test_holdout2.py.
HOLDOUT2_DIR = HERE / "holdout2"
PROGRAM_YAML = HERE / "program.yaml"
GUIDES = (PRESETS / "cohort" / "guide.en.md", PRESETS / "cohort" / "guide.fr.md")
# The embedded default outbox (.eml files), without the pace a real server needs.
FAST_OUTBOX = "outbox:\n  rate_per_minute: 1000000\n"
ZONE = ZoneInfo("America/Montreal")
PLAN_FROM = datetime(2026, 11, 1, tzinfo=ZONE)
PLAN_TO = datetime(2027, 12, 31, tzinfo=ZONE)
# The pairs of program.yaml are approved and introduced on the `introductions` date.
INTRODUCED_AT = datetime(2027, 2, 15, 9, 0, tzinfo=ZONE)
# Applicants asked how to apply and were answered with the form at this time (the replies
# of the corpus quote it: "On Tue, Nov 24, 2026 at 10:05 AM ... wrote").
STRANGER_ASKS = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
FORM_SENT = datetime(2026, 11, 24, 10, 5, tzinfo=ZONE)
# Templates sent before the pairs exist: the cohort is selected, nobody is matched yet.
BEFORE_PAIRS = ("choices_invitation", "choices_reminder", "training_invitation")
STRANGER_MAIL = {
    "en": "Hello,\r\n\r\nI would like to take part in the mentorship program as a {role}. "
          "How do I apply?\r\n\r\nBest regards,\r\n{name}\r\n",
    "fr": "Bonjour,\r\n\r\nJe souhaite participer au programme de mentorat comme {role}. "
          "Comment faire pour poser ma candidature ?\r\n\r\nCordialement,\r\n{name}\r\n",
}
ROLE_WORD = {"en": {"mentee": "mentee", "mentor": "mentor"},
             "fr": {"mentee": "mentoré", "mentor": "mentor"}}


@dataclass(frozen=True)
class Case:
    """One conversation: what we sent to whom, the replies, and what is expected."""

    path: Path
    name: str
    ours: dict[str, Any]
    client: str
    description: str
    expect: dict[str, Any]
    replies: tuple[Path, ...]

    @classmethod
    def load(cls, path: Path) -> Case:
        data = load_yaml((path / "case.yaml").read_text(encoding="utf-8"))
        replies = tuple(p for p in (path / "reply.eml", path / "reply2.eml") if p.exists())
        return cls(path, path.name, data["ours"], data["client"], data["description"],
                   data["expect"], replies)

    @property
    def language(self) -> str:
        return str(self.ours["language"])


@dataclass(frozen=True)
class Sent:
    """A mail mailflow queued."""

    template: str
    rule: str
    kind: str
    to: tuple[str, ...]
    subject: str

    @classmethod
    def of(cls, item: OutboxItem) -> Sent:
        return cls(str(item.meta.get("template", "")), str(item.meta.get("rule", "")),
                   item.kind, tuple(item.recipients), item.subject)


@dataclass
class Handled:
    """What the daemon concluded of one delivered reply."""

    key: str
    kind: str
    review: bool
    problems: list[str]
    command: str | None
    pending: str | None


@dataclass
class Observation:
    """Everything the judge looks at after the conversation ran."""

    case: Case
    sender: str
    people: dict[str, dict[str, Any]]           # address -> program.yaml person
    ours: Sent | None = None
    handled: list[Handled] = field(default_factory=list)
    before: dict[str, Any] | None = None         # the sender's record before the first reply
    middle: dict[str, Any] | None = None         # ... after the first of two replies
    after: dict[str, Any] | None = None          # ... after the last reply
    set_fields: list[str] = field(default_factory=list)  # fields written by the replies
    answers: list[Sent] = field(default_factory=list)
    raised: bool = False  # a concern put before the coordinators (a review item says it)
    error: str | None = None

    @property
    def reviewed(self) -> bool:
        return any(h.review for h in self.handled)


def load_cases(names: list[str] | None = None, folder: Path = CASES_DIR) -> list[Case]:
    """Every case of ``folder`` (the corpus by default), in order (or only those whose name
    starts with one given)."""
    cases = [Case.load(p) for p in sorted(folder.iterdir()) if p.is_dir()]
    if names:
        cases = [c for c in cases if any(c.name.startswith(n) for n in names)]
    return cases


def load_people() -> dict[str, Any]:
    return load_yaml(PROGRAM_YAML.read_text(encoding="utf-8"))


def everyone(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["email"].lower(): p for group in ("mentors", "mentees", "applicants")
            for p in data.get(group) or []}


class Clock:
    """The daemon's clock, set by the harness to the moment each step happens."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def build_program(root: Path, extra_config: str = "") -> Program:
    """The example program in ``root``: the repository's config.yaml, and its rules/ and
    templates/ (the built-in ones, which a program without its own folders uses)."""
    root.mkdir(parents=True, exist_ok=True)
    config = (BUILTIN_ROOT / CONFIG_NAME).read_text(encoding="utf-8")
    (root / CONFIG_NAME).write_text(config + "\n" + (extra_config or FAST_OUTBOX),
                                    encoding="utf-8")
    for guide in GUIDES:
        shutil.copy(guide, root / guide.name)
    return runtime.open_program(root)  # templates compile once a process (template_code)


def import_people(program: Program, root: Path, data: dict[str, Any]) -> None:
    """Mentors and mentees as ``mailflow import`` takes them from the coordinators' CSV."""
    columns = ("name", "email", "status", "language", "affiliation", "expertise", "languages")
    for role in ("mentors", "mentees"):
        path = root / f"{role}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for person in data[role]:
                writer.writerow({k: person.get(k, "") for k in columns})
        import_csv(program, role.rstrip("s"), path)


def introduce_pairs(program: Program, data: dict[str, Any]) -> None:
    """The pairs of program.yaml, proposed and approved as a coordinator's APPROVE does."""
    pairs = [(p["mentee"].lower(), p["mentor"].lower()) for p in data.get("pairs") or []]
    proposal = program.pairing.propose_pairs(pairs, INTRODUCED_AT, "pairs.csv")
    coordinator = data["coordinators"][0]["email"]
    with program.store.transaction(), program.outbox.batch():
        outcome = program.pairing.answer(proposal["id"], True, [], coordinator, INTRODUCED_AT)
    assert outcome.applied, outcome.problems


def planned_send(program: Program, case: Case) -> tuple[datetime, str]:
    """When and by which scheduled rule the program sends our mail of ``case``."""
    ours, to = case.ours, case.ours["to"].lower()
    rules = {r.name: r for r in program.scheduler.rules}
    for row in program.scheduler.plan(PLAN_FROM, PLAN_TO):
        if row.to != to or row.template != ours["template"]:
            continue
        actions = rules[row.rule].actions
        if ours["template"].startswith("survey") and not any(
                a.expects and a.expects.encode() == f"survey:{ours.get('survey', 'midpoint')}"
                for a in actions):
            continue
        if ours["template"] == "training_invitation" and not any(
                a.attach_event == ours.get("event", "training_1") for a in actions):
            continue
        return row.when, row.rule
    raise AssertionError(f"{case.name}: no scheduled rule sends {ours['template']} to {to}")


def stranger_mail(person: dict[str, Any], language: str) -> bytes:
    """The first message of someone who asks how to apply."""
    body = STRANGER_MAIL[language].format(role=ROLE_WORD[language][person["role"]],
                                          name=person["name"])
    subject = "Mentorat" if language == "fr" else "Mentorship program"
    return (f"From: {email.utils.formataddr((person['name'], person['email']))}\r\n"
            "To: mentorship@northlake.example.org\r\n"
            f"Subject: {subject}\r\n"
            f"Date: {email.utils.format_datetime(STRANGER_ASKS)}\r\n"
            f"Message-ID: <ask-{person['email'].replace('@', '.')}@mail.example.net>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + body).encode("utf-8")


def fill_placeholders(raw: bytes, ours: bytes, subject: str) -> bytes:
    """The reply as its client sent it, answering the mail we really sent."""
    message = email.message_from_bytes(ours, policy=email.policy.compat32)
    reply_to = email.utils.parseaddr(str(message["Reply-To"]))[1]
    values = {"{{OUR_MESSAGE_ID}}": str(message["Message-ID"]).strip(),
              "{{REPLY_TO}}": reply_to, "{{OUR_DATE}}": str(message["Date"]).strip(),
              "{{OUR_SUBJECT}}": subject}
    for placeholder, value in values.items():
        raw = raw.replace(placeholder.encode(), value.encode("utf-8"))
    return raw


def as_delivered(raw: bytes) -> bytes:
    """What the receiving server's final delivery adds on top: Return-Path and Delivered-To
    (a real server's LMTP adds them itself)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    sender = email.utils.parseaddr(str(message["From"]))[1]
    recipient = email.utils.parseaddr(str(message["To"]))[1]
    return (f"Return-Path: <{sender}>\r\nDelivered-To: {recipient}\r\n").encode() + raw


def reply_moment(raw: bytes, earliest: datetime) -> datetime:
    """When the reply reaches the daemon: two minutes after its Date (never before ours)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    try:
        written = email.utils.parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        written = earliest
    return max(written, earliest) + timedelta(minutes=2)


def record_of(program: Program, address: str) -> dict[str, Any] | None:
    person = participants.find(program.store, address)
    return dict(person) if person is not None else None


Deliver = Callable[[bytes], None]


def run_case(case: Case, root: Path, extra_config: str = "",
             deliver_to: Deliver | None = None,
             after_run: Callable[[], None] | None = None) -> Observation:
    """Run ``case`` in the fresh program directory ``root``; never raises for a case.

    By default mail arrives in the embedded Maildir and leaves as .eml files;
    ``extra_config`` (mailbox/outbox sections) and ``deliver_to`` put real servers in
    their place, and ``after_run`` is called after each pass of the daemon.
    """
    data = load_people()
    people = everyone(data)
    obs = Observation(case, case.ours["to"].lower(), people)
    program = build_program(root, extra_config)
    clock = Clock(PLAN_FROM)
    daemon = Daemon(program, clock=clock)
    try:
        _converse(case, root, program, daemon, clock, data, obs, deliver_to, after_run)
    except Exception as exc:  # a harness or mailflow failure is a finding of this case
        obs.error = f"{exc.__class__.__name__}: {exc}"
    finally:
        daemon.source.close()
        daemon.loop.close()
        program.close()
    return obs


def _converse(case: Case, root: Path, program: Program, daemon: Daemon, clock: Clock,
              data: dict[str, Any], obs: Observation,
              deliver_to: Deliver | None,
              after_run: Callable[[], None] | None) -> None:
    def to_maildir(raw: bytes) -> None:
        deliver(program.config.mailbox.maildir, as_delivered(raw))

    put: Deliver = deliver_to or to_maildir

    def run(at: datetime) -> None:
        clock.now = at
        daemon.run(once=True)
        if after_run is not None:
            after_run()

    import_people(program, root, data)
    template, to = case.ours["template"], obs.sender
    if template == "application_form":
        put(stranger_mail(obs.people[to], case.language))
        rule, at = "application-form", FORM_SENT
    else:
        if template not in BEFORE_PAIRS:
            introduce_pairs(program, data)
        at, rule = planned_send(program, case)
    run(at)  # the daemon's scheduler (or its answer to the stranger) queues and sends ours
    mine = [i for i in program.outbox.items.values()
            if i.recipients == [to] and i.meta.get("rule") == rule
            and i.meta.get("template") == template]
    assert len(mine) == 1, f"{case.name}: {len(mine)} mail(s) of rule {rule} to {to}"
    item = mine[0]
    obs.ours = Sent.of(item)
    ours_raw = program.outbox.message_bytes(item.id)
    seen = set(program.outbox.items)
    obs.before = record_of(program, to)
    handled_keys: list[str] = []
    original = program.handler.handle

    def spy(entry: dict, raw: bytes, now: datetime):  # type: ignore[no-untyped-def]
        outcome = original(entry, raw, now)
        reading = outcome.reading
        obs.handled.append(Handled(entry["key"], reading.kind, outcome.review,
                                   list(reading.problems), reading.command, reading.pending))
        handled_keys.append(entry["key"])
        return outcome

    program.handler.handle = spy  # type: ignore[method-assign]
    earliest = at
    for index, path in enumerate(case.replies):
        raw = fill_placeholders(path.read_bytes(), ours_raw, item.subject)
        earliest = reply_moment(raw, earliest)
        put(raw)
        run(earliest)
        if index == 0 and len(case.replies) > 1:
            obs.middle = record_of(program, to)
    obs.after = record_of(program, to)
    scheduled = {r.name for r in program.scheduler.rules}
    obs.answers = [Sent.of(i) for key, i in program.outbox.items.items()
                   if key not in seen and i.meta.get("rule", "").split("#")[0] not in scheduled]
    obs.raised = any(row.get("inbound") in handled_keys
                     and any(p.startswith(review.CONCERN) for p in row.get("problems") or [])
                     for row in program.store.table("review").all())
    causes = tuple(f"message {k}" for k in handled_keys)
    obs.set_fields = sorted({name for e in program.store.table("events").all()
                             if e["participant"] == to and e["type"] == "set"
                             and any(c in e["cause"] for c in causes)
                             for name in e.get("detail", {})})
