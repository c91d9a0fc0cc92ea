"""``mailflow compact`` and the daemon's housekeeping: keep state/ bounded over a long program.

Three things grow with every message: the outbox journal (the bytes of every mail sent),
the raw-mail spool and the ledger rows. Compaction rewrites the first without sent bytes,
removes spool months past ``retention.raw_mail_days`` (and every handled one
``retention.raw_mail_after_end_days`` after the program's end) and reduces ledger rows past
``retention.ledger_days``; what is not handled yet or waits for review is always kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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

    def text(self) -> str:
        """One line per part, for people."""
        journal = (f"outbox journal: {self.journal_before / 1024:.0f} KiB -> "
                   f"{self.journal_after / 1024:.0f} KiB" if self.journal_rewritten
                   else "outbox journal: left as it is")
        return "\n".join([
            journal,
            f"raw mail: {self.spool_files} spool file(s) past the retention removed "
            f"({self.spool_bytes / 1024:.0f} KiB)",
            f"ledger: {self.rows_summarised} old handled row(s) reduced to their Message-ID "
            "and state",
        ])


END_DATE = "program_end"  # the calendar date the program ends on


def purge_after_end(end: datetime | None, days: int | None, now: datetime) -> bool:
    """Whether all handled raw mail goes, whatever its age: ``days`` after the program's
    ``end`` (never when the program has no end date or the setting is unset)."""
    return end is not None and days is not None and now >= end + timedelta(days=days)


def compact_program(program: Program, now: datetime, force: bool = True) -> Compacted:
    """Compact the outbox journal (only if it has grown, unless ``force``), prune, summarise.

    Raises StateWriteError when state/ cannot be written; what was done before stays done,
    and the old journal stays whole and in use.
    """
    outbox, ledger = program.outbox, program.ledger
    retention = program.config.retention
    done = Compacted()
    done.journal_before = outbox.journal_path.stat().st_size if outbox.journal_path.exists() \
        else 0
    done.journal_rewritten = outbox.compact(force=force)
    done.journal_after = outbox.journal_path.stat().st_size if outbox.journal_path.exists() \
        else 0
    end = program.config.calendar.dates.get(END_DATE)
    everything = purge_after_end(end.when if end else None,
                                 retention.raw_mail_after_end_days, now)
    done.spool_files, done.spool_bytes = ledger.prune_raw(now, retention.raw_mail_days,
                                                          everything)
    done.rows_summarised = ledger.summarise(now, retention.ledger_days)
    return done
