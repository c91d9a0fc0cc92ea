"""flush() in slices: a time budget ends a slice, and the rate limit holds across slices."""

from __future__ import annotations

import asyncio
import time

from mailflow.outbound.dispatch import Pace, flush
from tests.unit.test_dispatch import NOW, FakeTransport, config, outbox_with

RATE = 600  # a handover every 0.1 s


def sliced(outbox, transport, cfg, budget: float, pace: Pace):
    return asyncio.run(flush(outbox, transport, cfg, clock=lambda: NOW, budget=budget,
                             pace=pace))


def test_a_slice_stops_handing_over_once_its_budget_is_spent(tmp_path):
    outbox = outbox_with(tmp_path, *[f"k{i}" for i in range(20)])
    transport = FakeTransport()
    report = sliced(outbox, transport, config(tmp_path, rate_per_minute=RATE), 0.25, Pace())
    assert 1 <= len(report.sent) < 20
    assert len(outbox.due(NOW)) == 20 - len(report.sent)


def test_the_rate_limit_holds_from_one_slice_to_the_next(tmp_path):
    outbox = outbox_with(tmp_path, *[f"k{i}" for i in range(6)])
    transport, pace = FakeTransport(), Pace()
    cfg = config(tmp_path, rate_per_minute=RATE)
    first = len(sliced(outbox, transport, cfg, 0.15, pace).sent)
    sliced(outbox, transport, cfg, 0.15, pace)
    gap = transport.send_times[first] - transport.send_times[first - 1]
    assert gap >= 60 / RATE - 0.01


def test_a_slice_that_the_rate_limit_would_leave_empty_does_not_connect(tmp_path):
    outbox = outbox_with(tmp_path, "k0")
    transport = FakeTransport()
    pace = Pace(next_at=time.monotonic() + 5)
    report = sliced(outbox, transport, config(tmp_path, rate_per_minute=RATE), 1.0, pace)
    assert report.sent == [] and transport.opened == 0
    assert len(outbox.due(NOW)) == 1
