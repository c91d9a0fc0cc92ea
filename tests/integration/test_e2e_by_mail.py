"""Each preset end to end where, after ``init`` and ``run``, the coordinator acts only by mail:
IMPORT mentors (a CSV attached), SELECT, MATCH, APPROVE and CONFIRM, EXPORT pairs."""

from __future__ import annotations

import base64
import csv
import io
from datetime import datetime
from email.utils import format_datetime

from mailflow.program import participants
from tests.integration.presets import at, mails_to, preset_program, reply, start, step, verified

MENTORS = ("name,email,expertise,capacity,languages\r\n"
           "Sofia Rossi,sofia.rossi@example.org,natural language processing,1,English\r\n"
           "Chen Wei,chen.wei@example.com,computer vision,1,English\r\n")
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


def apply_by_mail(program, dovecot, daemon, clock, smtp) -> None:
    """Each mentee asks how to apply and answers the form, as in a cohort's first weeks."""
    for i, (address, name) in enumerate(MENTEES.items()):
        dovecot.append((f"From: {name} <{address}>\r\nTo: {program.config.address}\r\n"
                        f"Subject: Mentorship\r\nMessage-ID: <ask{i}@example.com>\r\n"
                        f"Date: {format_datetime(clock.now)}\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                        "Hello, how do I apply?\r\n").encode())
    step(daemon, clock)
    for i, (address, name) in enumerate(MENTEES.items()):
        [form] = mails_to(smtp, address)
        dovecot.append(reply(f"{name} <{address}>", form, f"Role: mentee\nFull name: {name}\n"
                             "Affiliation: Northlake\nGoals: plan my career\n"
                             "Self-identification: no\n", f"form{i}", when=clock.now))
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


def test_a_cohort_is_run_by_mail_from_the_mentors_csv_to_the_pairs_exported(
        tmp_path, dovecot, smtp_server, monkeypatch):
    program = preset_program(tmp_path / "cohort", "cohort", dovecot, smtp_server, monkeypatch)
    daemon, clock = start(program, at(2026, 12, 1, 10))
    try:
        apply_by_mail(program, dovecot, daemon, clock, smtp_server)
        coordinator = Coordinator(program.config.coordinators[0].email, dovecot, daemon,
                                  clock, smtp_server)
        pairs = run_by_mail(coordinator, program, at(2027, 1, 20, 10))
    finally:
        daemon.source.close()
        program.close()
    assert [mentee for mentee, _mentor in pairs] == sorted(MENTEES)
    assert sorted(mentor for _mentee, mentor in pairs) == [
        "chen.wei@example.com", "sofia.rossi@example.org"]
    for mentee, mentor in pairs:
        subjects = [m["Subject"] for m in mails_to(smtp_server, mentee)]
        assert subjects[0].startswith("How to apply to")
        assert subjects[1].startswith("We received your application")
        assert sum("you have been selected" in s for s in subjects) == 1
        mentor_name = participants.find(program.store, mentor)["name"]
        assert sum(s.startswith(f"Meet your mentor, {mentor_name}") for s in subjects) == 1
        mentor_mail = [m["Subject"] for m in mails_to(smtp_server, mentor)]
        assert [s.startswith(f"Meet your mentee, {MENTEES[mentee]}") for s in mentor_mail] \
            == [True]
        assert participants.find(program.store, mentee)["status"] == "introduced"

