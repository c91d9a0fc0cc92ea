"""A time budget for one piece of work: past it, the work is interrupted by BudgetExceeded.

The daemon reads each message under one, so that no message, however hostile, holds up the
others. It relies on SIGALRM, which only the main thread receives: elsewhere (or on a
platform without SIGALRM) `time_budget` is a documented no-op and the work runs unbounded.
Python runs signal handlers between bytecodes, so work inside one long C call is
interrupted only when that call returns; the parsing code keeps its C calls short.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class BudgetExceeded(BaseException):
    """The work took longer than its budget.

    A BaseException, like KeyboardInterrupt, on purpose: the parsing code turns every
    Exception into a recorded problem and carries on (decode_message even starts the same
    work again the slow way), so an Exception would be swallowed and the time spent twice.
    Store transactions and outbox batches roll back on any BaseException, so interrupted
    handling leaves nothing half-done; the daemon catches it by name around one message.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than {seconds:g} s")
        self.seconds = seconds


def _supported() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise BudgetExceeded in the block once it has run `seconds`; a no-op off the main thread.

    Budgets nest: an inner one never outlasts the outer one, which is re-armed with the
    time it has left when the inner block ends.
    """
    if seconds <= 0 or not _supported():
        yield
        return
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    limit = min(seconds, outer_left) if outer_left > 0 else seconds

    def _expired(_signum: int, _frame: FrameType | None) -> None:
        raise BudgetExceeded(limit)

    signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left > 0:  # the outer budget goes on with what it has left (at least a tick)
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6))
