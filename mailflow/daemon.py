"""The long-running service: take mail in, act on it, send what the outbox holds, repeat.

Order of durability, which is what makes a kill -9 harmless at any line:
1. the ledger records a batch (raw bytes, then entries) before anything acts on it;
2. handling queues mail in the outbox under idempotency keys, then commits the store
   changes and marks the entries processed, in one atomic write per batch;
3. only then is mail sent; each handover is journalled before and after.
After a crash, entries still ``received`` are handled again: their mail keys are
already in the outbox, so nothing is queued twice.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import schedule

from mailflow.budget import BudgetExceeded, time_budget
from mailflow.errors import MailboxError
from mailflow.inbound.imap import ImapSource
from mailflow.inbound.ledger import RawMessage
from mailflow.inbound.maildir import MaildirSource
from mailflow.outbound.dispatch import FlushReport, flush
from mailflow.outbound.mailer import Recipient
from mailflow.outbound.transport import FolderTransport, SmtpTransport, Transport
from mailflow.runtime import Program

log = logging.getLogger("mailflow.daemon")
MAX_BACKOFF = 60.0
TICK_SECONDS = 60
# Longest a single message may take to handle; past it, it is set aside for review.
# A module constant for now (not yet a config.yaml key).
MESSAGE_BUDGET_SECONDS = 5.0


def make_source(program: Program) -> ImapSource | MaildirSource:
    """The configured mailbox: IMAP, or the local Maildir of the embedded default."""
    mailbox = program.config.mailbox
    return ImapSource(mailbox) if mailbox.imap else MaildirSource(mailbox.maildir)


def make_transport(program: Program) -> Transport:
    """The configured sender: SMTP, or the folder of .eml files of the embedded default."""
    outbox = program.config.outbox
    return SmtpTransport(outbox.smtp) if outbox.smtp else FolderTransport(outbox.directory)


class Daemon:
    """Runs one program until stopped; survives mailbox and SMTP outages."""

    def __init__(self, program: Program, *, dry_run: bool = False,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.program = program
        self.source = make_source(program)
        self.transport = make_transport(program)
        self.dry_run = dry_run
        self.clock = clock
        self.stop = threading.Event()
        self.loop = asyncio.new_event_loop()
        # The schedule library is only the clock tick; what fires is decided by the
        # scheduler from the program's rules and the injected clock.
        self.jobs = schedule.Scheduler()
        self.jobs.every(TICK_SECONDS).seconds.do(self.tick)

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the daemon at the next safe point."""
        def _stop(signum: int, _frame: object) -> None:
            log.info("received signal %s, stopping", signum)
            self.stop.set()
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    def run(self, once: bool = False) -> None:
        """Serve until stopped (or, with ``once``, until nothing is left to do)."""
        backoff = 1.0
        self.process_unfinished()
        while not self.stop.is_set():
            try:
                self.source.connect()
                log.info("connected to the mailbox (%s)", self.source.name)
                backoff = 1.0
                self.tick()
                while not self.stop.is_set():
                    self.ingest()
                    self.jobs.run_pending()
                    self.send()
                    if once:
                        return
                    self.source.wait(self._wait_seconds(), self.stop)
            except MailboxError as exc:
                if once:
                    raise
                log.warning("mailbox unavailable: %s; retrying in %.0f s", exc, backoff)
                self.source.close()
                self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception:
                if once:
                    raise
                # A bug or a full disk: keep serving after a pause rather than die for good.
                log.exception("unexpected error; carrying on in %.0f s", backoff)
                self.source.close()
                self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        self.source.close()
        log.info("stopped")

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` (interruptible), still sending what the outbox holds."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                self.send()
            except Exception:
                log.exception("sending failed")
            self.stop.wait(min(1.0, max(deadline - time.monotonic(), 0)))

    def tick(self) -> int:
        """Fire the scheduled rules that are due now; a failure is logged, never fatal."""
        try:
            fired = self.program.scheduler.tick(self.clock())
        except Exception:
            log.exception("the scheduled rules could not run; trying again at the next tick")
            return 0
        if fired:
            log.info("scheduled rules fired %d time(s)", fired)
        return fired

    def _wait_seconds(self) -> float:
        due = self.program.outbox.next_due()
        wait = float(self.program.config.mailbox.idle_renew_seconds)
        idle = self.jobs.idle_seconds
        if idle is not None:
            wait = min(wait, max(idle, 0.2))
        if due is not None and not self.dry_run:
            wait = min(wait, max(due - time.time(), 0.2))
        return wait

    def process_unfinished(self) -> None:
        """Handle entries recorded before a crash but never handled."""
        entries = self.program.ledger.unfinished()
        if entries:
            log.info("handling %d message(s) recorded before the last stop", len(entries))
            self._handle_batch(entries, [])

    def ingest(self) -> int:
        """Take in everything new from the mailbox; returns how many messages were recorded."""
        count = 0
        for batch in self.source.fetch_new(self.program.ledger):
            entries = self.program.ledger.record(batch, self.clock().isoformat())
            count += len(entries)
            self._handle_batch(entries, batch)
            self.send()
        return count

    def _handle_batch(self, entries: list[dict], batch: list[RawMessage]) -> None:
        todo = [e for e in entries if e["state"] == "received"]
        for entry in entries:
            if entry["state"] == "duplicate":
                log.info("message %s: duplicate of %s, not acted on", entry["key"],
                         entry["duplicate_of"])
        store, outbox = self.program.store, self.program.outbox
        slow: set[str] = set()  # keys of messages that ran out of time: never handled again
        try:
            # Exits inner first: the outbox journal is durable before the store commits.
            with store.transaction(), outbox.batch():
                results = [self._handle_in_budget(entry, slow) for entry in todo]
        except (Exception, BudgetExceeded) as exc:
            if isinstance(exc, BudgetExceeded):
                log.warning("a message took too long; handling the batch's messages one by one")
            else:
                log.exception("a batch failed; handling its messages one by one")
            results = []
            for entry in todo:
                if entry["key"] in slow:
                    with store.transaction():
                        self._set_aside(entry, self._too_slow())
                    results.append((entry, True))
                    continue
                try:
                    with store.transaction(), outbox.batch():
                        results.append(self._handle_in_budget(entry, slow))
                except BudgetExceeded:
                    with store.transaction():
                        self._set_aside(entry, self._too_slow())
                    results.append((entry, True))
                except Exception as exc:
                    log.exception("message %s could not be handled; kept for review",
                                  entry["key"])
                    with store.transaction():
                        self._set_aside(
                            entry,
                            f"mailflow could not handle this message ({exc.__class__.__name__})")
                    results.append((entry, True))
        review = {entry["key"]: flagged for entry, flagged in results}
        self.source.mark_done([(m, review.get(m.key, False)) for m in batch])

    def _handle_in_budget(self, entry: dict, slow: set[str]) -> tuple[dict, bool]:
        """_handle within MESSAGE_BUDGET_SECONDS; a message past it is added to ``slow``."""
        try:
            with time_budget(MESSAGE_BUDGET_SECONDS):
                return self._handle(entry)
        except BudgetExceeded:
            log.warning("message %s took longer than %g s; set aside for review", entry["key"],
                        MESSAGE_BUDGET_SECONDS)
            slow.add(entry["key"])
            raise

    @staticmethod
    def _too_slow() -> str:
        return f"took longer than {MESSAGE_BUDGET_SECONDS:g} s to read; set aside"

    def _handle(self, entry: dict) -> tuple[dict, bool]:
        program = self.program
        outcome = program.handler.handle(entry, program.ledger.raw(entry), self.clock())
        reading = outcome.reading
        state = "review" if outcome.review else "processed"
        program.ledger.finish(entry, state, {
            "kind": reading.kind, "sender": reading.sender, "participant": reading.participant,
            "subject": reading.subject, "problems": reading.problems,
            "rules": sorted({d.rule for d in outcome.decisions}),
        })
        log.info("message %s from %s: %s%s%s", entry["key"], reading.sender or "?", reading.kind,
                 " -> " + ", ".join(sorted({d.rule for d in outcome.decisions}))
                 if outcome.decisions else "", " (review)" if outcome.review else "")
        return entry, outcome.review

    def _set_aside(self, entry: dict, problem: str) -> None:
        """Mark the entry handled (so never again) and put it before a person with `problem`."""
        self.program.ledger.finish(entry, "error", {"problems": [problem]})
        self.program.store.table("review").insert({
            "inbound": entry["key"], "sender": None, "subject": None, "problems": [problem],
            "created": self.clock().isoformat(), "resolved": False,
        })

    def send(self) -> FlushReport | None:
        """Hand due mail to the server; failures are reported to the coordinators once."""
        if self.dry_run:
            return None
        program = self.program
        report = self.loop.run_until_complete(
            flush(program.outbox, self.transport, program.config.outbox))
        if report.connect_error:
            log.warning("outbox: %s; %d mail(s) wait", report.connect_error,
                        len(report.retried))
        for item in report.failed + report.unknown:
            if item.kind == "notice":
                continue  # never report a failed report: that way lies a loop
            for coordinator in program.config.coordinators:
                program.mailer.queue(
                    rule="delivery-problem", occasion=item.id, template="delivery_problem",
                    to=Recipient(coordinator.email, coordinator.name, program.config.language),
                    context={"item": {"to": ", ".join(item.recipients), "subject": item.subject,
                                      "state": item.state, "error": item.error or ""}},
                    kind="notice")
        program.outbox.compact()
        return report
