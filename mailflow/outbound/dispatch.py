"""Send what the outbox holds: one connection per batch, a rate limit, retries with backoff.

A flush may be given a time ``budget`` and a :class:`Pace` kept between flushes: the daemon
then sends in slices between reading its mailbox, and the rate limit holds across slices
(a rate limit delays mail, never the handling of incoming mail).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mailflow.config.model import OutboxConfig
from mailflow.errors import DeliveryError
from mailflow.outbound.outbox import Outbox, OutboxItem
from mailflow.outbound.transport import Transport

log = logging.getLogger(__name__)


@dataclass
class FlushReport:
    """What one flush did; failures and unknowns are for the coordinators."""

    sent: list[OutboxItem] = field(default_factory=list)
    retried: list[OutboxItem] = field(default_factory=list)
    failed: list[OutboxItem] = field(default_factory=list)
    unknown: list[OutboxItem] = field(default_factory=list)
    connect_error: str | None = None


@dataclass
class Pace:
    """When the next handover may start (``time.monotonic``), kept from one flush to the next."""

    next_at: float = 0.0

    def wait(self) -> float:
        """Seconds until the next handover may start (0 if it may now)."""
        return max(self.next_at - time.monotonic(), 0.0)


def retry_delay(config: OutboxConfig, attempts: int) -> float:
    """Exponential backoff: base, 2×base, 4×base… capped at one hour."""
    delay: float = config.retry_base_seconds * 2.0 ** max(attempts - 1, 0)
    return min(delay, 3600.0)


async def flush(outbox: Outbox, transport: Transport, config: OutboxConfig,
                clock: Callable[[], float] = time.time, limit: int = 500,
                budget: float | None = None, pace: Pace | None = None) -> FlushReport:
    """Hand every due item to ``transport`` over one connection, recording each fate.

    With ``budget`` (seconds), no handover starts after that time has passed, and none
    at all if the rate limit (``pace``) would not allow one before then.
    """
    report = FlushReport()
    pace = pace or Pace()
    deadline = None if budget is None else time.monotonic() + budget
    if deadline is not None and pace.next_at > deadline:
        return report
    due = outbox.due(clock())[:limit]
    if not due:
        return report
    try:
        await transport.open()
    except DeliveryError as exc:
        report.connect_error = str(exc)
        for item in due:
            _retry_or_fail(outbox, config, item, str(exc), clock(), report)
        return report
    interval = 60.0 / config.rate_per_minute
    try:
        for item in due:
            if deadline is not None and pace.next_at > deadline:
                break  # the slice is over: the rest go in the next one
            if interval > 0.001 and pace.wait():
                await asyncio.sleep(pace.wait())
            pace.next_at = time.monotonic() + interval
            outbox.mark_sending(item)
            result = await transport.send(item.envelope_from, item.recipients,
                                          outbox.message_bytes(item.id), item.id)
            if result.outcome == "sent":
                outbox.mark_sent(item, item.attempts + 1)
                report.sent.append(item)
                log.info("sent %s to %s: %s", item.kind, ", ".join(item.recipients), item.subject)
            elif result.outcome == "temporary":
                lost = result.connection or result.detail == "not connected"
                _retry_or_fail(outbox, config, item, result.detail, clock(), report,
                               count_attempt=not lost)
                if lost:
                    break  # the connection is gone: the rest wait for the next one
            elif result.outcome == "permanent":
                outbox.mark_failed(item, result.detail, item.attempts + 1)
                report.failed.append(item)
                log.warning("failed %s to %s: %s", item.id, item.recipients, result.detail)
            else:
                outbox.mark_unknown(item, result.detail)
                report.unknown.append(item)
                log.warning("unknown fate of %s to %s: %s", item.id, item.recipients,
                            result.detail)
                break  # the connection is in an unknown state too
    finally:
        await transport.close()
    return report


def _retry_or_fail(outbox: Outbox, config: OutboxConfig, item: OutboxItem, error: str,
                   now: float, report: FlushReport, count_attempt: bool = False) -> None:
    """Try again later, unless the mail is older than the give-up time or was refused too often.

    A server that cannot be reached says nothing about the mail itself, so connection
    failures (``count_attempt`` false) never count against it: a long outage delays
    mail, and only the age limit, as with any MTA, ends the tries.
    """
    attempts = item.attempts + 1 if count_attempt else item.attempts
    if now - item.created > config.give_up_hours * 3600:
        outbox.mark_failed(item, f"gave up after {config.give_up_hours:g} hours: {error}",
                           attempts)
        report.failed.append(item)
        return
    if count_attempt and attempts >= config.max_attempts:
        outbox.mark_failed(item, f"gave up after {attempts} attempts: {error}", attempts)
        report.failed.append(item)
        return
    delay = retry_delay(config, attempts) if count_attempt else min(
        config.retry_base_seconds * 4, 300.0)
    outbox.mark_retry(item, error, now + delay, attempts)
    report.retried.append(item)
