"""flush(): every due item is handed to the transport once, and its fate is recorded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from mailflow.config.model import OutboxConfig, ServerConfig
from mailflow.errors import DeliveryError
from mailflow.outbound.dispatch import flush, retry_delay
from mailflow.outbound.outbox import Outbox, outbox_id
from mailflow.outbound.transport import SendResult, SmtpTransport
from tests.unit.outbox_helpers import make_item

NOW = 1_000_000.0


class FakeTransport:
    """Records what it is given and answers with scripted outcomes (default: sent)."""

    def __init__(self, outcomes: Iterable[SendResult] = (), open_error: str | None = None):
        self.outcomes = list(outcomes)
        self.open_error = open_error
        self.sent: list[tuple[str, list[str], bytes, str]] = []
        self.send_times: list[float] = []
        self.opened = self.closed = 0

    async def open(self) -> None:
        self.opened += 1
        if self.open_error:
            raise DeliveryError(self.open_error)

    async def send(self, envelope_from: str, recipients: list[str], data: bytes,
                   name: str) -> SendResult:
        self.sent.append((envelope_from, recipients, data, name))
        self.send_times.append(time.monotonic())
        return self.outcomes.pop(0) if self.outcomes else SendResult("sent")

    async def close(self) -> None:
        self.closed += 1


def config(tmp_path, **overrides) -> OutboxConfig:
    values = {"smtp": None, "directory": tmp_path, "rate_per_minute": 100_000,
              "max_attempts": 3, "retry_base_seconds": 30.0, **overrides}
    return OutboxConfig(**values)


def outbox_with(tmp_path, *keys: str) -> Outbox:
    outbox = Outbox(tmp_path / "outbox")
    for key in keys:
        outbox.enqueue(make_item(key, recipient=f"{key}@example.org"), f"mail {key}".encode())
    return outbox


def run_flush(outbox, transport, cfg, now: float = NOW):
    return asyncio.run(flush(outbox, transport, cfg, clock=lambda: now))


def item(outbox, key):
    return outbox.items[outbox_id(key)]


def test_sent_item_is_handed_over_with_its_envelope_and_marked_sent(tmp_path):
    outbox = outbox_with(tmp_path, "a")
    transport = FakeTransport()

    report = run_flush(outbox, transport, config(tmp_path))

    a = item(outbox, "a")
    assert transport.sent == [(a.envelope_from, ["a@example.org"], b"mail a", a.id)]
    assert (a.state, a.attempts) == ("sent", 1)
    assert report.sent == [a]
    assert (transport.opened, transport.closed) == (1, 1)


def test_batch_uses_one_connection_for_all_due_items(tmp_path):
    outbox = outbox_with(tmp_path, "a", "b", "c")
    transport = FakeTransport()

    report = run_flush(outbox, transport, config(tmp_path))

    assert len(report.sent) == 3
    assert (transport.opened, transport.closed) == (1, 1)


def test_nothing_due_opens_no_connection(tmp_path):
    outbox = outbox_with(tmp_path)
    transport = FakeTransport()

    run_flush(outbox, transport, config(tmp_path))

    assert transport.opened == 0


def test_sent_items_are_not_sent_again_by_the_next_flush(tmp_path):
    outbox = outbox_with(tmp_path, "a")
    run_flush(outbox, FakeTransport(), config(tmp_path))
    transport = FakeTransport()

    run_flush(outbox, transport, config(tmp_path))

    assert transport.sent == []


def test_temporary_failure_is_retried_after_the_base_delay(tmp_path):
    outbox = outbox_with(tmp_path, "a")

    report = run_flush(outbox, FakeTransport([SendResult("temporary", "451 try later")]),
                       config(tmp_path))

    a = item(outbox, "a")
    assert (a.state, a.attempts, a.error) == ("pending", 1, "451 try later")
    assert a.next_try == NOW + 30.0
    assert report.retried == [a]
    assert outbox.due(NOW + 29.0) == []
    assert outbox.due(NOW + 30.0) == [a]


def test_repeated_temporary_failures_back_off_exponentially(tmp_path):
    outbox = outbox_with(tmp_path, "a")
    run_flush(outbox, FakeTransport([SendResult("temporary", "451")]), config(tmp_path))
    later = item(outbox, "a").next_try

    run_flush(outbox, FakeTransport([SendResult("temporary", "451")]), config(tmp_path), later)

    a = item(outbox, "a")
    assert a.attempts == 2
    assert a.next_try == later + 60.0


def test_retry_delay_doubles_and_is_capped_at_one_hour(tmp_path):
    cfg = config(tmp_path)

    assert [retry_delay(cfg, n) for n in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert retry_delay(cfg, 50) == 3600.0


def test_temporary_failure_at_max_attempts_fails_the_item(tmp_path):
    outbox = outbox_with(tmp_path, "a")
    now = NOW
    for _ in range(3):
        report = run_flush(outbox, FakeTransport([SendResult("temporary", "451 busy")]),
                           config(tmp_path), now)
        now = item(outbox, "a").next_try

    a = item(outbox, "a")
    assert (a.state, a.attempts) == ("failed", 3)
    assert a.error == "gave up after 3 attempts: 451 busy"
    assert report.failed == [a]
    assert outbox.due(10**12) == []


def test_permanent_failure_fails_the_item_and_the_batch_goes_on(tmp_path):
    outbox = outbox_with(tmp_path, "a", "b")
    transport = FakeTransport([SendResult("permanent", "550 no such user")])

    report = run_flush(outbox, transport, config(tmp_path))

    assert (item(outbox, "a").state, item(outbox, "a").error) == ("failed", "550 no such user")
    assert item(outbox, "b").state == "sent"
    assert [i.key for i in report.failed] == ["a"]


def test_unknown_outcome_is_not_retried_and_stops_the_batch(tmp_path):
    outbox = outbox_with(tmp_path, "a", "b")
    transport = FakeTransport([SendResult("unknown", "timeout after DATA")])

    report = run_flush(outbox, transport, config(tmp_path))

    assert item(outbox, "a").state == "unknown"
    assert [name for *_, name in transport.sent] == [outbox_id("a")]
    assert item(outbox, "b").state == "pending"
    assert report.unknown == [item(outbox, "a")]
    assert outbox.due(10**12) == [item(outbox, "b")]
    assert transport.closed == 1


def test_connect_error_retries_every_due_item_later_without_sending(tmp_path):
    outbox = outbox_with(tmp_path, "a", "b")
    transport = FakeTransport(open_error="cannot connect to SMTP smtp.example.org:587")

    report = run_flush(outbox, transport, config(tmp_path))

    assert transport.sent == []
    assert report.connect_error == "cannot connect to SMTP smtp.example.org:587"
    for key in ("a", "b"):
        assert item(outbox, key).state == "pending"
        assert item(outbox, key).attempts == 0  # the server, not the mail, failed
        assert item(outbox, key).next_try == NOW + 120.0
    assert len(report.retried) == 2


def test_a_long_outage_never_fails_mail_younger_than_the_give_up_age(tmp_path):
    outbox = outbox_with(tmp_path, "a")
    now = item(outbox, "a").created
    for _ in range(50):  # far more failed connections than max_attempts
        run_flush(outbox, FakeTransport(open_error="refused"), config(tmp_path), now)
        now = item(outbox, "a").next_try

    assert item(outbox, "a").state == "pending"


def test_mail_older_than_the_give_up_age_fails(tmp_path):
    outbox = outbox_with(tmp_path, "a")
    later = item(outbox, "a").created + 73 * 3600

    run_flush(outbox, FakeTransport(open_error="refused"), config(tmp_path), later)

    assert item(outbox, "a").state == "failed"
    assert "gave up after 72 hours" in item(outbox, "a").error


def test_not_connected_stops_the_batch_and_retries_the_item(tmp_path):
    outbox = outbox_with(tmp_path, "a", "b")
    transport = FakeTransport([SendResult("temporary", "not connected")])

    run_flush(outbox, transport, config(tmp_path))

    assert len(transport.sent) == 1
    assert item(outbox, "a").state == item(outbox, "b").state == "pending"


def test_fates_recorded_by_flush_survive_reopening_the_outbox(tmp_path):
    outbox = outbox_with(tmp_path, "a", "b")
    run_flush(outbox, FakeTransport([SendResult("sent"), SendResult("permanent", "550")]),
              config(tmp_path))
    outbox.close()

    again = Outbox(tmp_path / "outbox")

    assert item(again, "a").state == "sent"
    assert item(again, "b").state == "failed"


def test_rate_limit_spaces_sends_by_the_allowed_interval(tmp_path):
    outbox = outbox_with(tmp_path, "a", "b", "c")
    transport = FakeTransport()

    run_flush(outbox, transport, config(tmp_path, rate_per_minute=1200))  # one per 50 ms

    first, *_, last = transport.send_times
    assert len(transport.send_times) == 3
    assert last - first >= 0.09


def test_four_lost_connections_then_a_451_do_not_use_up_five_attempts(tmp_path):
    outbox = outbox_with(tmp_path, "a")
    cfg = config(tmp_path, max_attempts=5)
    now = NOW
    for outcome in [SendResult("temporary", "not connected")] * 4 + [
            SendResult("temporary", "451 4.3.0 try later")]:
        run_flush(outbox, FakeTransport([outcome]), cfg, now)
        now = item(outbox, "a").next_try

    report = run_flush(outbox, FakeTransport(), cfg, now)

    assert (item(outbox, "a").state, item(outbox, "a").attempts) == ("sent", 2)
    assert report.sent == [item(outbox, "a")]


class DroppedSessions:
    """Real SMTP, whose server drops the first ``drops`` sessions just after they open."""

    def __init__(self, smtp_server, drops: int) -> None:
        self.server = smtp_server
        self.inner = SmtpTransport(ServerConfig(host=smtp_server.host, port=smtp_server.port,
                                                security="none", timeout=5))
        self.drops = drops

    async def open(self) -> None:
        await self.inner.open()
        if self.drops:
            self.drops -= 1
            self.server.restart()  # every open session is aborted, as a crashed server does

    async def send(self, envelope_from, recipients, data, name) -> SendResult:
        return await self.inner.send(envelope_from, recipients, data, name)

    async def close(self) -> None:
        await self.inner.close()


def test_disconnects_from_a_real_server_are_not_counted_as_attempts(tmp_path, smtp_server):
    outbox = outbox_with(tmp_path, "a")
    cfg = config(tmp_path, max_attempts=5)
    transport = DroppedSessions(smtp_server, drops=4)
    smtp_server.fail_next(1, code=451)
    now = NOW
    for _ in range(6):
        run_flush(outbox, transport, cfg, now)
        now = item(outbox, "a").next_try

    a = item(outbox, "a")
    assert (a.state, a.attempts, a.error) == ("sent", 2, None)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["a@example.org"]]
