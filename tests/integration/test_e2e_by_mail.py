"""Each preset end to end where, after ``init`` and ``run``, the coordinator acts only by mail:
IMPORT mentors (a CSV attached), SELECT, MATCH, APPROVE and CONFIRM, EXPORT pairs; in the
cohort, a mentee's question goes to review and the coordinator answers it under the notice."""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime

import pytest

from mailflow.program import participants
from mailflow.program.coordination import review
from tests.integration.presets import at, mails_to, preset_program, reply, start, step, verified

MENTORS = ("name,email,sector,expertise,capacity,languages\r\n"
           "Sofia Rossi,sofia.rossi@example.org,academia,natural language processing,1,"
           "English\r\n"
           "Chen Wei,chen.wei@example.com,industry,computer vision,1,English\r\n")
MENTEES = {"lea.gagnon@example.com": "Léa Gagnon", "noah.smith@example.com": "Noah Smith"}


class Coordinator:
    """A verified coordinator of one preset, writing from their own mail client."""

    def __init__(self, address: str, dovecot, daemon, clock, smtp) -> None:
        self.address, self.domain = address, address.split("@")[1]
        self.dovecot, self.daemon, self.clock, self.smtp = dovecot, daemon, clock, smtp
        self.sent = 0

    def _head(self, to: str, subject: str, extra: str = "") -> str:
        self.sent += 1
        return (verified(self.domain) + f"From: Claire Dubois <{self.address}>\r\nTo: {to}\r\n"
                f"Subject: {subject}\r\n{extra}"
                f"Message-ID: <e2e-{self.sent}@{self.domain}>\r\n"
                f"Date: {format_datetime(self.clock.now)}\r\nMIME-Version: 1.0\r\n")

    def write(self, to: str, body: str, csv_text: str | None = None) -> None:
        """A new mail to the program: the command, and a CSV file if given."""
        if csv_text is None:
            raw = (self._head(to, "Commands")
                   + "Content-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n\r\nClaire\r\n")
        else:
            data = base64.encodebytes(csv_text.encode()).decode().replace("\n", "\r\n")
            raw = (self._head(to, "Mentors")
                   + 'Content-Type: multipart/mixed; boundary="b-e2e"\r\n\r\n--b-e2e\r\n'
                   "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\r\n"
                   + body + "\r\n\r\nClaire\r\n--b-e2e\r\n"
                   'Content-Type: text/csv; charset=UTF-8; name="mentors.csv"\r\n'
                   'Content-Disposition: attachment; filename="mentors.csv"\r\n'
                   "Content-Transfer-Encoding: base64\r\n\r\n" + data + "\r\n--b-e2e--\r\n")
        self.dovecot.append(raw.encode("utf-8"))
        step(self.daemon, self.clock)

    def answer(self, message, body: str) -> None:
        """A reply to one of the program's mails, to its signed Reply-To address."""
        self.sent += 1
        self.dovecot.append(reply(f"Claire Dubois <{self.address}>", message, body,
                                  f"e2e-{self.sent}", extra=verified(self.domain),
                                  when=self.clock.now))
        step(self.daemon, self.clock)

    def last(self, receipt: bool = True):
        """The last mail the program sent this coordinator (a receipt, or else a notice)."""
        return [m for m in mails_to(self.smtp, self.address)
                if m["Subject"].startswith("Re:") == receipt][-1]


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


@dataclass(frozen=True)
class Preset:
    """What differs between presets for this story: dates, the form, the subjects."""

    name: str
    applications: datetime
    selection: datetime
    form: str
    subjects: tuple[str, str, str]  # the form, the acknowledgement, the selection
    mentor_after: tuple[str, ...] = ()  # what the preset's rules send a mentor once introduced
    review_by_reply: bool = False  # a mentee's question goes to review, answered by reply


PRESETS = [
    Preset("cohort", at(2026, 12, 1, 10), at(2027, 1, 20, 10),
           "Affiliation: Northlake\nGoals: plan my career\nSelf-identification: no\n",
           ("How to apply to", "We received your application", "you have been selected"),
           review_by_reply=True),
    Preset("conference", at(2027, 7, 12, 10), at(2027, 8, 3, 10),
           "Affiliation: Northlake\nCareer stage: PhD student\n"
           "Expertise wanted: natural language processing\nPreferred mentor sector: academia\n"
           "Goals: plan my career\n",
           ("How to join the", "We received your application", "registration is confirmed")),
    Preset("rolling", at(2027, 3, 1, 10), at(2027, 3, 2, 10),
           "Affiliation: Northlake\nCareer stage: PhD student\nTopics: plan my career\n",
           ("How to join the", "You are signed up", "registration is confirmed"),
           mentor_after=("Thank you for mentoring",)),
]


def apply_by_mail(program, dovecot, daemon, clock, smtp, form: str) -> None:
    """Each mentee asks how to apply and answers the form, as in a cohort's first weeks."""
    for i, (address, name) in enumerate(MENTEES.items()):
        dovecot.append((f"From: {name} <{address}>\r\nTo: {program.config.address}\r\n"
                        f"Subject: Mentorship\r\nMessage-ID: <ask{i}@example.com>\r\n"
                        f"Date: {format_datetime(clock.now)}\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                        "Hello, how do I apply?\r\n").encode())
    step(daemon, clock)
    for i, (address, name) in enumerate(MENTEES.items()):
        [asked] = mails_to(smtp, address)
        dovecot.append(reply(f"{name} <{address}>", asked,
                             f"Role: mentee\nFull name: {name}\n{form}", f"form{i}",
                             when=clock.now))
    step(daemon, clock)


def run_by_mail(coordinator: Coordinator, program, first_step: datetime) -> list[list[str]]:
    """IMPORT mentors, SELECT, MATCH, APPROVE, the CONFIRMs, EXPORT pairs; the pairs exported."""
    to = program.config.address
    coordinator.clock.now = first_step
    coordinator.write(to, "IMPORT mentors", MENTORS)
    assert "would be added (2)" in text(coordinator.last())
    coordinator.answer(coordinator.last(), "CONFIRM")
    assert "2 mentors imported from mentors.csv" in text(coordinator.last())

    coordinator.write(to, "SELECT northlake-2027 2")
    assert "selected (mail: selection_selected) (2)" in text(coordinator.last())
    coordinator.answer(coordinator.last(), "CONFIRM")
    assert "2 selected, 0 on the waitlist" in text(coordinator.last())

    coordinator.write(to, "MATCH")
    assert "2 pairs" in text(coordinator.last())
    coordinator.answer(coordinator.last(receipt=False), "APPROVE")
    assert "introductions (2)" in text(coordinator.last())
    coordinator.answer(coordinator.last(), "CONFIRM")
    assert "2 pairs made" in text(coordinator.last())

    coordinator.write(to, "EXPORT pairs")
    [attachment] = list(coordinator.last().iter_attachments())
    rows = list(csv.DictReader(io.StringIO(attachment.get_content())))
    return sorted([r["mentee_email"], r["mentor_email"]] for r in rows)


QUESTION = "Could I change mentor please? Our fields are far apart."
ANSWER = "Dear Léa,\nyes: tell us what you hope to learn and we will find someone."


def under_item(notice_text: str, address: str, words: str) -> str:
    """The notice quoted whole, ``words`` written under the item from ``address``."""
    lines = ["> " + line for line in notice_text.splitlines()]
    first = next(i for i, line in enumerate(lines) if line.startswith("> [") and address in line)
    end = next((i for i in range(first + 1, len(lines)) if lines[i].startswith("> [")),
               len(lines))
    return "\n".join(lines[:end] + words.splitlines() + lines[end:])


def review_by_reply(coordinator: Coordinator, program, mentee: str) -> None:
    """``mentee`` writes a question rules cannot answer; the coordinator answers it under
    its item in the review notice, from her mail client."""
    clock = coordinator.clock
    clock.now += timedelta(hours=2)  # past any earlier notice's hour
    coordinator.dovecot.append((
        f"From: {MENTEES[mentee]} <{mentee}>\r\nTo: {program.config.address}\r\n"
        f"Subject: My mentor\r\nMessage-ID: <question@example.com>\r\n"
        f"Date: {format_datetime(clock.now)}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{QUESTION}\r\n\r\nLéa\r\n").encode())
    step(coordinator.daemon, clock)
    notice = [m for m in mails_to(coordinator.smtp, coordinator.address)
              if "Waiting for review" in m["Subject"]][-1]
    assert QUESTION.split("?")[0] in text(notice)
    coordinator.answer(notice, under_item(text(notice), mentee, ANSWER))


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_a_preset_is_run_by_mail_from_the_mentors_csv_to_the_pairs_exported(
        preset, tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / preset.name, preset.name, dovecot, smtp_server,
                             monkeypatch)
    daemon, clock = start(program, preset.applications)
    try:
        apply_by_mail(program, dovecot, daemon, clock, smtp_server, preset.form)
        coordinator = Coordinator(program.config.coordinators[0].email, dovecot, daemon,
                                  clock, smtp_server)
        pairs = run_by_mail(coordinator, program, preset.selection)
        if preset.review_by_reply:
            review_by_reply(coordinator, program, "lea.gagnon@example.com")
            [item] = review.items(program.store, include_resolved=True)
    finally:
        daemon.source.close()
        program.close()
    assert [mentee for mentee, _mentor in pairs] == sorted(MENTEES)
    assert sorted(mentor for _mentee, mentor in pairs) == [
        "chen.wei@example.com", "sofia.rossi@example.org"]
    asked, acknowledged, selected = preset.subjects
    for mentee, mentor in pairs:
        subjects = [m["Subject"] for m in mails_to(smtp_server, mentee)]
        assert subjects[0].startswith(asked)
        assert subjects[1].startswith(acknowledged)
        assert sum(selected in s for s in subjects) == 1
        mentor_name = participants.find(program.store, mentor)["name"]
        assert sum(s.startswith(f"Meet your mentor, {mentor_name}") for s in subjects) == 1
        mentor_mail = [m["Subject"] for m in mails_to(smtp_server, mentor)]
        expected = (f"Meet your mentee, {MENTEES[mentee]}", *preset.mentor_after)
        assert len(mentor_mail) == len(expected)
        assert all(s.startswith(e) for s, e in zip(mentor_mail, expected, strict=True))
        assert participants.find(program.store, mentee)["status"] == "introduced"
    if preset.review_by_reply:
        assert (item.sender, item.resolved, item.resolved_by, item.resolution) == (
            "lea.gagnon@example.com", True, coordinator.address, "answered")
        answer = mails_to(smtp_server, "lea.gagnon@example.com")[-1]
        assert answer["In-Reply-To"] == "<question@example.com>"
        assert "tell us what you hope to learn" in text(answer)
        assert "done" in text(coordinator.last())  # the coordinator's receipt
