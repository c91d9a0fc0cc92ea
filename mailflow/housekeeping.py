"""``mailflow compact`` and the daemon's housekeeping: keep state/ bounded over a long program.

Three things grow with every message: the outbox journal (the bytes of every mail sent),
the raw-mail spool and the ledger rows. Compaction rewrites the first without sent bytes
(and mail sent more than ``retention.sent_mail_days`` ago as the id of its key alone),
removes spool months past ``retention.raw_mail_days`` (and every handled one
``retention.raw_mail_after_end_days`` after the program's end; the months that ended are
packed, see inbound/packed.py), reduces ledger rows past ``retention.ledger_days`` and
summarises timelines and resolved review items, and removes firings, past
``retention.history_days``;
what is not handled yet or waits for review is always kept, and a review item nobody
answered is closed as expired after ``review.close_unanswered_days``. The store's change
log is folded into its snapshot once it holds an eighth of it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailflow.program import history
from mailflow.program.coordination import review
from mailflow.runtime import Program


@dataclass
class Compacted:
    """What one compaction did."""

    journal_before: int = 0
    journal_after: int = 0
    journal_rewritten: bool = False
    spool_files: int = 0
    spool_bytes: int = 0
    rows_summarised: int = 0
    history_rows: int = 0
    review_closed: int = 0
    review_summarised: int = 0
    store_folded: bool = False
    packed_files: int = 0
    packed_saved: int = 0

    def text(self) -> str:
        """One line per part, for people."""
        journal = (f"outbox journal: {self.journal_before / 1024:.0f} KiB -> "
                   f"{self.journal_after / 1024:.0f} KiB" if self.journal_rewritten
                   else "outbox journal: left as it is")
        return "\n".join([
            journal,
            f"raw mail: {self.spool_files} spool file(s) past the retention removed "
            f"({self.spool_bytes / 1024:.0f} KiB); {self.packed_files} month(s) packed "
            f"({self.packed_saved / 1024:.0f} KiB saved)",
            f"ledger: {self.rows_summarised} old handled row(s) reduced to their Message-ID "
            "and state",
            f"history: {self.history_rows} old event(s) summarised and firing(s) removed",
            f"review: {self.review_closed} unanswered item(s) closed as expired, "
            f"{self.review_summarised} old resolved item(s) summarised",
            "store: change log folded into the snapshot" if self.store_folded
            else "store: change log left as it is",
        ])


END_DATE = "program_end"  # the calendar date the program ends on


def purge_after_end(end: datetime | None, days: int | None, now: datetime) -> bool:
    """Whether all handled raw mail goes, whatever its age: ``days`` after the program's
    ``end`` (never when the program has no end date or the setting is unset)."""
    return end is not None and days is not None and now >= end + timedelta(days=days)


def compact_program(program: Program, now: datetime, force: bool = True,
                    daily: bool = True) -> Compacted:
    """Compact the outbox journal (only if it has grown, unless ``force``), prune, summarise.

    ``daily`` False leaves out what reads whole tables (pruning, summaries, expiry): their
    rules count in days, and at every hour they cost a year-old program more than the
    mail it reads. Raises StateWriteError when state/ cannot be written; what was done
    before stays done, and the old journal stays whole and in use.
    """
    outbox, ledger = program.outbox, program.ledger
    retention = program.config.retention
    done = Compacted()
    done.journal_before = outbox.journal_path.stat().st_size if outbox.journal_path.exists() \
        else 0
    done.journal_rewritten = outbox.compact(
        force=force, archive_before=(now - timedelta(days=retention.sent_mail_days)).timestamp())
    done.journal_after = outbox.journal_path.stat().st_size if outbox.journal_path.exists() \
        else 0
    if not daily:
        done.store_folded = program.store.storage.fold_if_grown()
        return done
    end = program.config.calendar.dates.get(END_DATE)
    everything = purge_after_end(end.when if end else None,
                                 retention.raw_mail_after_end_days, now)
    done.spool_files, done.spool_bytes = ledger.prune_raw(now, retention.raw_mail_days,
                                                          everything)
    done.packed_files, done.packed_saved = ledger.pack_closed(now)
    done.review_closed = review.close_unanswered(program.store, now,
                                                 program.config.review.close_unanswered_days)
    done.review_summarised = review.summarise_resolved(program.store, now,
                                                       retention.history_days)
    done.rows_summarised = ledger.summarise(now, retention.ledger_days)
    done.history_rows = (history.summarise_events(program.store, now, retention.history_days)
                         + history.remove_old_firings(program.store, now,
                                                      retention.history_days))
    done.store_folded = program.store.storage.fold_if_grown()
    return done


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_THRESHOLD = 128 * 1024  # glibc's default, kept fixed


def keep_large_buffers_apart() -> None:
    """Keep every allocation of 128 KiB or more in a mapping of its own, freed whole.

    glibc raises this threshold to the size of each large block freed, so after the
    first snapshot fold or store read (buffers of megabytes) such buffers come from the
    heap, between long-lived objects, where their space is never handed back: a
    year-old program read back held 110 MB instead of 81. Fixing the threshold keeps
    them apart. Elsewhere than glibc it does nothing.
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "mallopt"):
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except OSError:
        return


def release_memory() -> None:
    """Hand the memory freed since the last housekeeping back to the system.

    A daemon that runs for months frees more than it keeps (mail read, digests, a folded
    snapshot), but glibc keeps freed pages for reuse, so its RSS only ever grows towards
    the largest moment it had; ``malloc_trim`` returns them. Elsewhere than glibc it does
    nothing.
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        return
