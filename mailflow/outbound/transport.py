"""Hand messages to a mail server (aiosmtplib) or, in the embedded default, to a folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aiosmtplib

from mailflow.config.model import ServerConfig
from mailflow.errors import DeliveryError
from mailflow.store.storage import write_atomic
from mailflow.tls import tls_context


@dataclass(frozen=True)
class SendResult:
    """The fate of one handover: sent, temporary or permanent failure, or unknown."""

    outcome: str            # sent | temporary | permanent | unknown
    detail: str = ""
    # The connection failed before the server said anything about this mail: a fault of
    # the link, not of the mail, so it is not counted as an attempt.
    connection: bool = False


class Transport(Protocol):
    """One connection's worth of sending, reused for a batch."""

    async def open(self) -> None: ...
    async def send(self, envelope_from: str, recipients: list[str], data: bytes,
                   name: str) -> SendResult: ...
    async def close(self) -> None: ...


class SmtpTransport:
    """SMTP through aiosmtplib, with the envelope steps apart so a failure can be placed."""

    def __init__(self, server: ServerConfig) -> None:
        self.server = server
        self.client: aiosmtplib.SMTP | None = None

    async def open(self) -> None:
        server = self.server
        context = tls_context(server) if server.security != "none" else None
        client = aiosmtplib.SMTP(
            hostname=server.host, port=server.port, timeout=server.timeout,
            use_tls=server.security == "ssl", start_tls=server.security == "starttls",
            tls_context=context,
        )
        try:
            await client.connect()
            if server.username and server.password:
                password = server.password.resolve()
                if password is None:
                    raise DeliveryError(f"SMTP password not found in {server.password.describe()}")
                await client.login(server.username, password)
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"cannot connect to SMTP {server.host}:{server.port}: "
                                f"{exc.__class__.__name__}: {exc}") from exc
        self.client = client

    async def send(self, envelope_from: str, recipients: list[str], data: bytes,
                   name: str) -> SendResult:
        client = self.client
        if client is None or not client.is_connected:
            return SendResult("temporary", "not connected", connection=True)
        try:
            await client.mail(envelope_from)
            for recipient in recipients:
                await client.rcpt(recipient)
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            kind = "temporary" if 400 <= exc.code < 500 else "permanent"
            return SendResult(kind, f"{exc.code} {exc.message}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            # No reply code: the link broke (a disconnect, a timeout) before the data.
            return SendResult("temporary", f"{exc.__class__.__name__}: {exc}", connection=True)
        try:
            await client.data(data)
        except aiosmtplib.SMTPResponseException as exc:
            kind = "temporary" if 400 <= exc.code < 500 else "permanent"
            return SendResult(kind, f"{exc.code} {exc.message}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            # The data may have reached the server: resending could deliver it twice.
            return SendResult("unknown", f"{exc.__class__.__name__} after the message data: {exc}")
        return SendResult("sent")

    @property
    def connected(self) -> bool:
        """Whether a session is open (as far as this side knows)."""
        return self.client is not None and self.client.is_connected

    async def alive(self) -> bool:
        """Whether the open session still answers (a NOOP): servers drop idle sessions."""
        if self.client is None or not self.client.is_connected:
            return False
        try:
            await self.client.noop()
        except (aiosmtplib.SMTPException, OSError):
            return False
        return True

    def drop(self) -> None:
        """Forget the session without a word to the server (it broke, or is in doubt)."""
        if self.client is not None:
            self.client.close()
            self.client = None

    async def _reset(self) -> None:
        try:
            if self.client is not None:
                await self.client.rset()
        except (aiosmtplib.SMTPException, OSError):
            pass

    async def close(self) -> None:
        if self.client is not None:
            try:
                await self.client.quit()
            except (aiosmtplib.SMTPException, OSError):
                self.client.close()
            self.client = None


class KeptConnection:
    """An SMTP session kept from one flush to the next: the daemon sends in short slices,
    and a new session per slice would cost a connect (and TLS, and login) every second.

    ``open`` reuses the session if it still answers, else opens a new one; ``close`` (the
    end of a flush) keeps it; a session that broke or whose state is in doubt is dropped,
    and ``close_idle`` ends one unused for ``idle_seconds``. Failures are reported exactly
    as SmtpTransport reports them, so attempt counting does not change.
    """

    def __init__(self, inner: SmtpTransport, idle_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.inner = inner
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.last_used = 0.0
        self.opened = 0  # sessions opened, for tests and benchmarks

    async def open(self) -> None:
        if self.inner.connected and await self.inner.alive():
            return
        self.inner.drop()
        await self.inner.open()
        self.opened += 1
        self.last_used = self.clock()

    async def send(self, envelope_from: str, recipients: list[str], data: bytes,
                   name: str) -> SendResult:
        result = await self.inner.send(envelope_from, recipients, data, name)
        self.last_used = self.clock()
        if result.connection or result.outcome == "unknown":
            self.inner.drop()  # the next flush starts a clean session
        return result

    async def close(self) -> None:
        """The end of one flush: the session stays open for the next."""

    def idle_deadline(self) -> float | None:
        """When the open session is to be closed if unused (``clock`` time), or None."""
        return self.last_used + self.idle_seconds if self.inner.connected else None

    async def close_idle(self) -> bool:
        """Close the session if it has not been used for ``idle_seconds``; True if closed."""
        deadline = self.idle_deadline()
        if deadline is None or self.clock() < deadline:
            return False
        await self.inner.close()
        return True

    async def shutdown(self) -> None:
        """Close the session (QUIT) whatever its age: the daemon stops."""
        await self.inner.close()


class FolderTransport:
    """The embedded default: each mail becomes ``NAME.eml`` in a folder, for a person to read."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    async def send(self, envelope_from: str, recipients: list[str], data: bytes,
                   name: str) -> SendResult:
        header = f"X-Envelope-From: <{envelope_from}>\r\nX-Envelope-To: {', '.join(recipients)}\r\n"
        write_atomic(self.directory / f"{name}.eml", header.encode() + data)
        return SendResult("sent")

    async def close(self) -> None:
        return None
