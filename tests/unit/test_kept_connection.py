"""KeptConnection: one SMTP session across the daemon's sending slices, closed when idle."""

from __future__ import annotations

import asyncio

from mailflow.config.model import OutboxConfig, ServerConfig
from mailflow.outbound.dispatch import flush
from mailflow.outbound.outbox import Outbox, outbox_id
from mailflow.outbound.transport import KeptConnection, SmtpTransport
from tests.unit.outbox_helpers import make_item

NOW = 1_000_000.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def kept(smtp_server, clock=None, idle: float = 60.0) -> KeptConnection:
    inner = SmtpTransport(ServerConfig(host=smtp_server.host, port=smtp_server.port,
                                       security="none", timeout=5))
    return KeptConnection(inner, idle, **({"clock": clock} if clock else {}))


def config(tmp_path, **overrides) -> OutboxConfig:
    values = {"smtp": None, "directory": tmp_path, "rate_per_minute": 100_000,
              "max_attempts": 5, "retry_base_seconds": 30.0, **overrides}
    return OutboxConfig(**values)


def queue(outbox: Outbox, *keys: str) -> None:
    for key in keys:
        outbox.enqueue(make_item(key, recipient=f"{key}@example.org"), f"mail {key}".encode())


def test_flushes_one_after_another_share_one_session(tmp_path, smtp_server):
    outbox, transport = Outbox(tmp_path / "outbox"), kept(smtp_server)
    loop = asyncio.new_event_loop()
    try:
        for key in ("a", "b", "c"):
            queue(outbox, key)
            loop.run_until_complete(flush(outbox, transport, config(tmp_path), clock=lambda: NOW))
        assert transport.opened == 1
        assert [m.rcpt_tos for m in smtp_server.messages] == [
            ["a@example.org"], ["b@example.org"], ["c@example.org"]]
    finally:
        loop.run_until_complete(transport.shutdown())
        loop.close()


def test_a_session_the_server_dropped_between_flushes_is_replaced_before_sending(
        tmp_path, smtp_server):
    outbox, transport = Outbox(tmp_path / "outbox"), kept(smtp_server)
    loop = asyncio.new_event_loop()
    try:
        queue(outbox, "a")
        loop.run_until_complete(flush(outbox, transport, config(tmp_path), clock=lambda: NOW))
        smtp_server.restart()  # every open session is aborted, as an idle timeout does
        queue(outbox, "b")

        report = loop.run_until_complete(
            flush(outbox, transport, config(tmp_path), clock=lambda: NOW))

        b = outbox.items[outbox_id("b")]
        assert report.sent == [b] and (b.state, b.attempts, b.error) == ("sent", 1, None)
        assert transport.opened == 2
    finally:
        loop.run_until_complete(transport.shutdown())
        loop.close()


def test_lost_sessions_between_flushes_never_count_as_attempts(tmp_path, smtp_server):
    outbox, transport = Outbox(tmp_path / "outbox"), kept(smtp_server)
    loop = asyncio.new_event_loop()
    cfg = config(tmp_path, max_attempts=2)
    try:
        queue(outbox, "a")
        now = NOW
        for _ in range(4):  # the session opens, then dies before the mail is handed over
            loop.run_until_complete(transport.open())
            smtp_server.restart()
            transport.inner.alive = _trusting  # type: ignore[method-assign]
            loop.run_until_complete(flush(outbox, transport, cfg, clock=lambda n=now: n))
            now = outbox.items[outbox_id("a")].next_try
        smtp_server.fail_next(1, code=451)
        loop.run_until_complete(flush(outbox, transport, cfg, clock=lambda n=now: n))
        now = outbox.items[outbox_id("a")].next_try

        loop.run_until_complete(flush(outbox, transport, cfg, clock=lambda n=now: n))

        a = outbox.items[outbox_id("a")]
        assert (a.state, a.attempts, a.error) == ("sent", 2, None)
        assert [m.rcpt_tos for m in smtp_server.messages] == [["a@example.org"]]
    finally:
        loop.run_until_complete(transport.shutdown())
        loop.close()


async def _trusting() -> bool:
    """An aliveness check that believes a dead session is alive (the drop comes later)."""
    return True


def test_the_session_is_closed_after_the_idle_time_and_not_before(tmp_path, smtp_server):
    clock = Clock()
    transport, loop = kept(smtp_server, clock, idle=60.0), asyncio.new_event_loop()
    try:
        loop.run_until_complete(transport.open())
        clock.now += 59.0
        assert loop.run_until_complete(transport.close_idle()) is False
        assert transport.idle_deadline() == 160.0

        clock.now += 1.0
        assert loop.run_until_complete(transport.close_idle()) is True

        assert transport.idle_deadline() is None and not transport.inner.connected
    finally:
        loop.close()


def test_a_handover_restarts_the_idle_time(tmp_path, smtp_server):
    clock = Clock()
    outbox = Outbox(tmp_path / "outbox")
    transport, loop = kept(smtp_server, clock, idle=60.0), asyncio.new_event_loop()
    try:
        loop.run_until_complete(transport.open())
        clock.now += 50.0
        queue(outbox, "a")
        loop.run_until_complete(flush(outbox, transport, config(tmp_path), clock=lambda: NOW))
        clock.now += 50.0

        assert loop.run_until_complete(transport.close_idle()) is False
        assert transport.inner.connected
    finally:
        loop.run_until_complete(transport.shutdown())
        loop.close()
