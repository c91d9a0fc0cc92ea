"""The long-running service: take mail in, act on it, send what the outbox holds, repeat.

Order of durability, which is what makes a kill -9 harmless at any line:
1. the ledger records a batch (raw bytes, then entries) before anything acts on it;
2. handling queues mail in the outbox under idempotency keys, then commits the store
   changes and marks the entries processed, in one atomic write per batch;
3. only then is mail sent; each handover is journalled before and after.
After a crash, entries still ``received`` are handled again: their mail keys are
already in the outbox, so nothing is queued twice. A write to state/ that fails (a full
disk) aborts the whole batch the same way: the daemon says so once, pauses, and handles
those entries again once state/ can be written.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from mailflow.budget import BudgetExceeded, time_budget
from mailflow.errors import MailboxError
from mailflow.housekeeping import compact_program, keep_large_buffers_apart, release_memory
from mailflow.inbound.imap import ImapSource
from mailflow.inbound.ledger import RawMessage
from mailflow.inbound.maildir import MaildirSource
from mailflow.outbound.dispatch import FlushReport, Pace, flush
from mailflow.outbound.mailer import Recipient
from mailflow.outbound.outbox import OutboxItem
from mailflow.outbound.transport import FolderTransport, KeptConnection, SmtpTransport, Transport
from mailflow.program.coordination import review
from mailflow.program.scheduler import CHUNK
from mailflow.runtime import Program
from mailflow.store import StateWriteError
from mailflow.store.records import LedgerEntry

log = logging.getLogger(__name__)
MAX_BACKOFF = 60.0
STATE_RETRY_MAX = 10.0  # a freed disk is noticed within this many seconds
# Longest one pass spends handing mail over before it reads the mailbox again; with a
# rate limit a mass mailing is sent in such slices, and incoming mail never waits for it.
SEND_SLICE_SECONDS = 1.0
# The SMTP session is kept across slices and closed after this long without a handover
# (servers drop idle sessions after a few minutes; RFC 5321 asks them to wait 5).
SMTP_IDLE_SECONDS = 60.0
# Longest a single message may take to handle; past it, it is set aside for review.
# A module constant for now (not yet a config.yaml key).
MESSAGE_BUDGET_SECONDS = 5.0
# Rewritten on every pass of the loop (at least once a scheduler tick): the daemon's time and
# pid, so that `mailflow status --check` can tell a daemon that is gone or stuck.
HEARTBEAT_NAME = "heartbeat"


def write_heartbeat(state_dir: Path, when: datetime) -> None:
    """Replace state/heartbeat with ``when`` (no fsync: losing one beat to a crash is harmless)."""
    path = state_dir / HEARTBEAT_NAME
    tmp = path.with_name(f".{HEARTBEAT_NAME}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"time": when.isoformat(), "pid": os.getpid()}, handle)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()  # a full disk: do not hold on to a half-written copy
        raise
COMPACT_EVERY = timedelta(hours=1)  # housekeeping of state/, on the program's clock
HOUSEKEEPING_EVERY = timedelta(days=1)  # ... and the part of it that reads whole tables
WAKE_SECONDS = 0.2  # how soon a CLI command spooled while waiting for mail is noticed


def make_source(program: Program) -> ImapSource | MaildirSource:
    """The configured mailbox: IMAP, or the local Maildir of the embedded default."""
    mailbox = program.config.mailbox
    return ImapSource(mailbox) if mailbox.imap else MaildirSource(mailbox.maildir)


def make_transport(program: Program) -> Transport:
    """The configured sender: SMTP, or the folder of .eml files of the embedded default."""
    outbox = program.config.outbox
    if outbox.smtp:
        return KeptConnection(SmtpTransport(outbox.smtp), SMTP_IDLE_SECONDS)
    return FolderTransport(outbox.directory)


class Commands(Protocol):
    """CLI commands handed to the daemon (mailflow.commands.spool): run between batches."""

    def pending(self) -> bool: ...

    def serve(self) -> int: ...


class _Wake(threading.Event):
    """What ends a wait for mail: ``stop``, or a CLI command waiting to be run."""

    def __init__(self, stop: threading.Event, pending: Callable[[], bool]) -> None:
        super().__init__()
        self._stop, self._pending = stop, pending

    def is_set(self) -> bool:
        return self._stop.is_set() or self._pending()

    def wait(self, timeout: float | None = None) -> bool:
        """Like Event.wait, looking for a command every WAKE_SECONDS."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            left = WAKE_SECONDS if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return False
            self._stop.wait(min(left, WAKE_SECONDS))
        return True


class Daemon:
    """Runs one program until stopped; survives mailbox and SMTP outages."""

    def __init__(self, program: Program, *, dry_run: bool = False,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 commands: Commands | None = None) -> None:
        keep_large_buffers_apart()  # a process that runs for months: see housekeeping.py
        self.program = program
        self.commands = commands
        self.source = make_source(program)
        self.transport = make_transport(program)
        self.dry_run = dry_run
        self.clock = clock
        program.outbox.clock = self.now  # one clock: the outbox, dispatch and the rules
        self.stop = threading.Event()
        self.wake = _Wake(self.stop, commands.pending if commands else lambda: False)
        self.unwritable: int | None = None  # errno of the state write failure waited out
        self._writes = 0
        self._logged: set[str] = set()  # repeated failures are logged once
        self.loop = asyncio.new_event_loop()
        # A plain ticker: what fires is decided by the scheduler from the program's rules
        # and the injected clock; this only says how often to ask it (on the wall clock,
        # which a simulated clock does not drive).
        self.tick_seconds = program.config.scheduler.tick_seconds
        self.next_tick = time.monotonic() + self.tick_seconds
        self.next_compaction: datetime | None = None  # the first quiet point compacts
        self.next_housekeeping: datetime | None = None  # ... and does the daily part
        self.pace = Pace()  # the rate limit, across the slices of sending
        program.scheduler.prepare()
        self.once = False  # run --once: every chunk and all due mail in one pass

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the daemon at the next safe point."""
        def _stop(signum: int, _frame: object) -> None:
            log.info("received signal %s, stopping", signum)
            self.stop.set()
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    def now(self) -> float:
        """The injected clock as a Unix timestamp, for the outbox and dispatch."""
        return self.clock().timestamp()

    def run(self, once: bool = False) -> None:
        """Serve until stopped (or, with ``once``, until nothing is left to do)."""
        try:
            self._serve(once)
        finally:
            self.release_connection(force=True)

    def _serve(self, once: bool) -> None:
        backoff = state_backoff = 1.0
        self.once = once
        try:
            self.process_unfinished()  # even while the mailbox cannot be reached
        except StateWriteError as exc:
            if once:
                raise
            self._state_unwritable(exc)
        connected = False
        while not self.stop.is_set():
            self.beat()  # also while the mailbox or state/ is out: the daemon is alive
            try:
                if not connected:  # a pause for state/ keeps the mailbox connection
                    self.source.connect()
                    log.info("connected to the mailbox (%s)", self.source.name)
                    connected = True
                backoff = 1.0
                self.process_unfinished()  # what a failed write left, filed in the mailbox
                self.serve_commands()
                self.report_problems(list(self.program.outbox.items.live()))
                self.tick()
                while not self.stop.is_set():
                    self.ingest()
                    self.serve_commands()  # between batches: the one writer runs them
                    if time.monotonic() >= self.next_tick or self.program.scheduler.backlog:
                        self.tick()  # a mass mailing goes on, one chunk per pass
                    self.send()
                    self.release_connection()
                    self.compact()
                    self._state_check()
                    if self.unwritable is None:
                        state_backoff = 1.0
                    self.beat()
                    if once:
                        return
                    wait = self._wait_seconds()
                    if wait > 0:  # more to do at once: read the mailbox and go on
                        self.source.wait(wait, self.wake)
            except StateWriteError as exc:
                if once:
                    raise
                self._state_unwritable(exc)
                self._pause(state_backoff)
                state_backoff = min(state_backoff * 2, STATE_RETRY_MAX)
            except MailboxError as exc:
                if once:
                    raise
                log.warning("mailbox unavailable: %s; retrying in %.0f s", exc, backoff)
                self.source.close()
                connected = False
                self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception:
                if once:
                    raise
                # A bug or a full disk: keep serving after a pause rather than die for good.
                log.exception("unexpected error; carrying on in %.0f s", backoff)
                self.source.close()
                connected = False
                self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        self.source.close()
        log.info("stopped")

    def beat(self) -> None:
        """Write state/heartbeat with the injected clock; a failure is logged once."""
        try:
            write_heartbeat(self.program.config.state_dir, self.clock())
        except OSError as exc:
            self._log_once(f"{self.program.config.state_dir / HEARTBEAT_NAME} cannot be "
                           f"written ({exc.strerror or exc})")

    def serve_commands(self) -> None:
        """Run the CLI commands spooled in state/commands (a failed write: raised)."""
        if self.commands is not None and self.commands.pending():
            self.commands.serve()

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` (interruptible), still sending what the outbox holds."""
        deadline = time.monotonic() + seconds
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                self.send()
                self.serve_commands()
                self._state_check()
            except StateWriteError as exc:
                self._state_unwritable(exc)
            except Exception as exc:
                self._log_once(f"sending failed ({exc.__class__.__name__}: {exc})")
            self.stop.wait(min(1.0, max(deadline - time.monotonic(), 0)))

    def _writes_done(self) -> int:
        return self.program.store.storage.writes + self.program.outbox.writes

    def _state_unwritable(self, exc: StateWriteError) -> None:
        """Say once that state/ cannot be written; quiet while it stays so."""
        if self.unwritable != exc.errno:
            log.error("%s: nothing more is marked processed and no mail is sent until it "
                      "can be written (free some space); trying again every few seconds", exc)
        self.unwritable = exc.errno
        self._writes = self._writes_done()

    def _state_check(self) -> None:
        """After a pause for state/, say once that writes go through again."""
        if self.unwritable is not None and self._writes_done() > self._writes:
            log.info("the program state can be written again; carrying on")
            self.unwritable = None

    def _log_once(self, message: str) -> None:
        if message not in self._logged:
            self._logged.add(message)
            log.error("%s; not repeated while it lasts", message)

    def tick(self) -> int:
        """Fire the scheduled rules that are due now; a failure is logged, never fatal."""
        self.next_tick = time.monotonic() + self.tick_seconds
        scheduler = self.program.scheduler
        try:
            fired = scheduler.tick(self.clock(), limit=CHUNK)
            while self.once and scheduler.backlog:
                fired += scheduler.tick(self.clock(), limit=CHUNK)
        except StateWriteError as exc:
            self._state_unwritable(exc)  # they fire at a later tick: nothing was recorded
            return 0
        except Exception:
            log.exception("the scheduled rules could not run; trying again at the next tick")
            return 0
        if fired:
            log.info("scheduled rules fired %d time(s)", fired)
        return fired

    def _wait_seconds(self) -> float:
        """How long to wait for new mail: 0 while a mailing is expanded or mail can go now."""
        if self.program.scheduler.backlog or self.wake.is_set():
            return 0.0
        due = self.program.outbox.next_due()
        wait = float(self.program.config.mailbox.idle_renew_seconds)
        wait = min(wait, max(self.next_tick - time.monotonic(), 0.2))
        if due is not None and not self.dry_run:
            if due <= self.now() and self.pace.wait() < SEND_SLICE_SECONDS:
                return 0.0  # the next slice waits out the rate limit itself
            wait = min(wait, max(due - self.now(), self.pace.wait(), 0.2))
        idle = self.transport.idle_deadline() if isinstance(self.transport, KeptConnection) \
            else None
        if idle is not None:  # wake up to close the SMTP session once it is idle
            wait = min(wait, max(idle - time.monotonic(), 0.2))
        return wait

    def process_unfinished(self) -> None:
        """Handle entries recorded but never handled (a crash, a write that failed)."""
        entries = self.program.ledger.unfinished()
        if entries:
            log.log(logging.DEBUG if self.unwritable else logging.INFO,
                    "handling %d message(s) recorded but not handled yet", len(entries))
            self._handle_batch(entries, [m for m in map(self._in_source, entries) if m])

    def _in_source(self, entry: LedgerEntry) -> RawMessage | None:
        """The entry as the connected source knows it, so it can be filed; else None."""
        uidvalidity = getattr(self.source, "uidvalidity", None)
        prefix = f"{self.source.name}:" + (f"{uidvalidity}:" if uidvalidity else "")
        if entry.get("source") != self.source.name or not entry["key"].startswith(prefix):
            return None
        return RawMessage(entry["source"], entry["key"], b"", entry.get("uid"))

    def ingest(self) -> int:
        """Take in everything new from the mailbox; returns how many messages were recorded."""
        count = 0
        for batch in self.source.fetch_new(self.program.ledger):
            entries = self.program.ledger.record(batch, self.clock().isoformat())
            count += len(entries)
            self._handle_batch(entries, batch)
            self.send()
        return count

    def _handle_batch(self, entries: list[LedgerEntry], batch: list[RawMessage]) -> None:
        todo = [e for e in entries if e["state"] == "received"]
        for entry in entries:
            if entry["state"] == "duplicate":
                log.info("message %s: duplicate of %s, not acted on", entry["key"],
                         entry["duplicate_of"])
        store, outbox = self.program.store, self.program.outbox
        results: list[tuple[LedgerEntry, bool]] = []
        slow: set[str] = set()  # keys of messages that ran out of time: never handled again
        try:
            # Exits inner first: the outbox journal is durable before the store commits.
            with store.transaction(), outbox.batch():
                results = [self._handle_in_budget(entry, slow) for entry in todo]
        except StateWriteError:
            raise  # all of it waits for the disk: nothing is set aside for that
        except (Exception, BudgetExceeded) as exc:
            if isinstance(exc, BudgetExceeded):
                log.warning("a message took too long; handling the batch's messages one by one")
            else:
                log.exception("a batch failed; handling its messages one by one")
            results = []
            try:
                for entry in todo:
                    results.append(self._handle_alone(entry, slow))
            finally:
                self._file(todo, results, batch)
            return
        self._file(todo, results, batch)

    def _handle_alone(self, entry: LedgerEntry, slow: set[str]) -> tuple[LedgerEntry, bool]:
        """One message in a transaction of its own; one that fails or is too slow is set aside."""
        store, outbox = self.program.store, self.program.outbox
        if entry["key"] in slow:
            with store.transaction():
                self._set_aside(entry, self._too_slow())
            return entry, True
        try:
            with store.transaction(), outbox.batch():
                return self._handle_in_budget(entry, slow)
        except StateWriteError:
            raise
        except BudgetExceeded:
            with store.transaction():
                self._set_aside(entry, self._too_slow())
            return entry, True
        except Exception as exc:
            log.exception("message %s could not be handled; kept for review", entry["key"])
            with store.transaction():
                self._set_aside(
                    entry, f"mailflow could not handle this message ({exc.__class__.__name__})")
            return entry, True

    def _file(self, todo: list[LedgerEntry], results: list[tuple[LedgerEntry, bool]],
              batch: list[RawMessage]) -> None:
        """File the messages done with in the mailbox; the unhandled wait for the next try."""
        review = {entry["key"]: flagged for entry, flagged in results}
        waiting = {entry["key"] for entry in todo} - review.keys()
        self.source.mark_done([(m, review.get(m.key, False)) for m in batch
                               if m.key not in waiting])

    def _handle_in_budget(self, entry: LedgerEntry, slow: set[str]) -> tuple[LedgerEntry, bool]:
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

    def _handle(self, entry: LedgerEntry) -> tuple[LedgerEntry, bool]:
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

    def _set_aside(self, entry: LedgerEntry, problem: str) -> None:
        """Mark the entry handled (so never again) and put it before a person with `problem`."""
        self.program.ledger.finish(entry, "error", {"problems": [problem]})
        review.open_item(self.program.store, review.ReviewItem(
            created=self.clock().isoformat(), inbound=entry["key"], problems=[problem],
            proposed="nothing: mailflow could not read it"))

    def send(self) -> FlushReport | None:
        """Hand due mail to the server; failures are reported to the coordinators once."""
        if self.dry_run:
            return None
        program = self.program
        report = self.loop.run_until_complete(
            flush(program.outbox, self.transport, program.config.outbox, clock=self.now,
                  budget=None if self.once else SEND_SLICE_SECONDS, pace=self.pace))
        if report.connect_error:
            log.warning("outbox: %s; %d mail(s) wait", report.connect_error,
                        len(report.retried))
        self.report_problems(report.failed + report.unknown)
        return report

    def release_connection(self, force: bool = False) -> None:
        """Close the kept SMTP session once idle for SMTP_IDLE_SECONDS (or now, ``force``)."""
        transport = self.transport
        if not isinstance(transport, KeptConnection):
            return
        try:
            if force:
                self.loop.run_until_complete(transport.shutdown())
            else:
                self.loop.run_until_complete(transport.close_idle())
        except Exception as exc:  # closing a session must never stop the daemon
            log.debug("closing the SMTP session: %s", exc)

    def compact(self) -> None:
        """At a quiet point, at most once per COMPACT_EVERY: keep state/ bounded (what
        reads whole tables, once per HOUSEKEEPING_EVERY).

        A failure (a full disk) leaves the old journal in use and is tried again at the
        next time; it never pauses the daemon by itself.
        """
        now = self.clock()
        due = self.next_compaction
        # A clock put back behind the last compaction makes it due, not a wait of that long.
        if self.unwritable is not None or (due and due - COMPACT_EVERY <= now < due):
            return
        self.next_compaction = now + COMPACT_EVERY
        after = self.next_housekeeping
        daily = after is None or now >= after or now < after - HOUSEKEEPING_EVERY  # or went back
        lived_a_day = after is not None  # this process did a daily pass before
        reloaded = False
        try:
            done = compact_program(self.program, now, force=False, daily=daily)
            if daily and lived_a_day:  # its documents together in memory again
                reloaded = self.program.store.reload()
        except StateWriteError as exc:
            log.warning("state/ could not be compacted (%s); trying again in an hour", exc)
            return
        if daily:
            self.next_housekeeping = now + HOUSEKEEPING_EVERY
        worked = bool(done.journal_rewritten or done.spool_files or done.rows_summarised
                      or done.history_rows or done.store_folded or done.packed_files
                      or done.review_closed or done.review_summarised)
        if worked:
            log.info("state/ compacted: %s", done.text().replace("\n", "; "))
        if worked or reloaded or not self.once:  # a run --once that freed nothing exits
            release_memory()

    def report_problems(self, items: Iterable[OutboxItem]) -> None:
        """Tell the coordinators, once per item, of mail that failed or whose fate is unknown.

        Idempotent (the notice's key is the item's id), so it also runs at start-up for
        what a crash left ``unknown``.
        """
        program = self.program
        with program.outbox.batch():
            for item in items:
                if item.kind == "notice" or item.state not in ("failed", "unknown"):
                    continue  # never report a failed report: that way lies a loop
                for coordinator in program.config.coordinators:
                    program.mailer.queue(
                        rule="delivery-problem", occasion=item.id, template="delivery_problem",
                        to=Recipient(coordinator.email, coordinator.name,
                                     program.config.language),
                        context={"item": {"to": ", ".join(item.recipients),
                                          "subject": item.subject, "state": item.state,
                                          "error": item.error or ""}},
                        kind="notice")
