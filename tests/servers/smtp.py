"""A capturing SMTP server for tests, built on aiosmtpd's threaded ``Controller``.

    server = SmtpServer()          # binds 127.0.0.1 on a free port
    server.start()
    ...send with aiosmtplib to server.host, server.port...
    [msg] = server.wait_for(1)
    msg.mail_from, msg.rcpt_tos, msg.data, msg.message["Subject"]

Fault injection (each rule is consumed in the order it was added):

    server.fail_next(2, code=451)                    # next 2 DATA get 451
    server.fail_next(1, code=550, stage="RCPT")      # next RCPT gets 550
    server.fail_recipient("bob@example.org", 550)    # RCPT to bob always 550
    server.hang_next()                               # next DATA: read, never answered
    server.stop(); server.start()                    # outage, same port
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property
from typing import Any, Literal, overload

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.patience import patient

__all__ = ["CapturedMessage", "Rejection", "SmtpServer"]

Stage = Literal["RCPT", "DATA"]

_DEFAULT_TEXT = {
    4: "4.3.0 Temporary failure (test server)",
    5: "5.7.1 Rejected permanently (test server)",
}


@dataclass(frozen=True)
class CapturedMessage:
    """One message accepted (250) by the server."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    received_at: float = field(default_factory=time.time)

    @cached_property
    def message(self) -> EmailMessage:
        """The parsed message (``email.policy.default``)."""
        msg = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    # Convenience accessors.
    @property
    def subject(self) -> str | None:
        return self.message["Subject"]

    def header(self, name: str) -> str | None:
        return self.message[name]

    def text(self) -> str:
        """The text/plain (else text/html) body as str, with ``\n`` line endings."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content().replace("\r\n", "\n") if part is not None else ""


@dataclass(frozen=True)
class Rejection:
    """A RCPT or DATA command that the server refused (or left hanging)."""

    stage: Stage
    code: int  # 0 for a hang
    mail_from: str
    rcpt_tos: list[str]
    data: bytes | None = None
    at: float = field(default_factory=time.time)


class ThreadSafeList(Sequence[CapturedMessage]):
    """A list guarded by a lock; iteration works on a snapshot."""

    def __init__(self) -> None:
        self._items: list[CapturedMessage] = []
        self._cond = threading.Condition()

    def append(self, item: CapturedMessage) -> None:
        with self._cond:
            self._items.append(item)
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._items.clear()

    def snapshot(self) -> list[CapturedMessage]:
        with self._cond:
            return list(self._items)

    def wait_for(self, count: int, timeout: float) -> list[CapturedMessage]:
        timeout = patient(timeout)  # an upper bound, scaled: see tests/patience.py
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._items) >= count, timeout):
                raise TimeoutError(
                    f"expected at least {count} message(s) within {timeout:g}s, "
                    f"got {len(self._items)}"
                )
            return list(self._items)

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    @overload
    def __getitem__(self, index: int) -> CapturedMessage: ...
    @overload
    def __getitem__(self, index: slice) -> list[CapturedMessage]: ...
    def __getitem__(self, index: int | slice) -> CapturedMessage | list[CapturedMessage]:
        with self._cond:
            return self._items[index]

    def __iter__(self) -> Iterator[CapturedMessage]:
        return iter(self.snapshot())

    def __repr__(self) -> str:
        return f"ThreadSafeList({self.snapshot()!r})"


@dataclass
class _Rule:
    kind: Literal["fail", "hang"]
    stage: Stage
    code: int = 0
    text: str | None = None
    remaining: int | None = None  # None: forever
    recipient: str | None = None  # None: any recipient

    def matches(self, stage: Stage, rcpts: Sequence[str]) -> bool:
        if self.stage != stage or self.remaining == 0:
            return False
        if self.recipient is None:
            return True
        return any(r.lower() == self.recipient for r in rcpts)

    def reply(self) -> str:
        text = self.text or _DEFAULT_TEXT.get(self.code // 100, "Refused (test server)")
        return f"{self.code} {text}"


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        rule = self.owner._take_rule("RCPT", [address])
        if rule is not None:
            self.owner._record(Rejection("RCPT", rule.code, envelope.mail_from or "", [address]))
            return rule.reply()
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        if isinstance(data, str):  # only with decode_data=True, which we do not use
            data = data.encode("utf-8", "surrogateescape")
        mail_from = envelope.mail_from or ""
        rcpts = list(envelope.rcpt_tos)
        self.owner._count_attempt()
        rule = self.owner._take_rule("DATA", rcpts)
        if rule is not None and rule.kind == "hang":
            self.owner._record(Rejection("DATA", 0, mail_from, rcpts, data))
            release = self.owner._release_event()
            await release.wait()  # until release_hung() or stop()
            rule = None
        if rule is not None:
            self.owner._record(Rejection("DATA", rule.code, mail_from, rcpts, data))
            return rule.reply()
        self.owner.messages.append(CapturedMessage(mail_from, rcpts, data))
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    """A Controller that remembers its live sessions so stop() can drop them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def factory(self) -> SMTP:
        smtp = super().factory()
        self.sessions.add(smtp)
        return smtp

    def abort_sessions(self) -> None:
        def _abort() -> None:
            for smtp in list(self.sessions):
                transport = getattr(smtp, "transport", None)
                if transport is not None:
                    transport.abort()

        done = threading.Event()

        def _run() -> None:
            try:
                _abort()
            finally:
                done.set()

        with contextlib.suppress(RuntimeError):  # loop already closed
            self.loop.call_soon_threadsafe(_run)
            done.wait(5)


class SmtpServer:
    """A capturing SMTP server on 127.0.0.1 (free port, kept across stop/start)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        auth: tuple[str, str] | None = None,
        auth_required: bool = False,
    ) -> None:
        """``auth=(user, password)`` enables AUTH PLAIN/LOGIN without TLS."""
        self._host = host
        self._port = port or free_port(host)
        self._auth = auth
        self._auth_required = auth_required
        self.messages = ThreadSafeList()
        self.rejections: list[Rejection] = []
        self.data_attempts = 0  # DATA commands received, accepted or not
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._controller: _Controller | None = None
        self._release: asyncio.Event | None = None

    # ------------------------------------------------------------ properties
    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __repr__(self) -> str:
        return (
            f"<SmtpServer {self.host}:{self.port} running={self.running} "
            f"messages={len(self.messages)}>"
        )

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        if self._controller is not None:
            return
        kwargs: dict[str, Any] = {"enable_SMTPUTF8": True}
        if self._auth is not None:
            kwargs.update(
                authenticator=self._authenticate,
                auth_require_tls=False,
                auth_required=self._auth_required,
            )
        controller = _Controller(
            _Handler(self), hostname=self.host, port=self.port, ready_timeout=10, **kwargs
        )
        # The port may still be held by a just-closed listener: retry briefly.
        deadline = time.monotonic() + 5
        while True:
            try:
                controller.start()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                controller = _Controller(
                    _Handler(self), hostname=self.host, port=self.port, ready_timeout=10, **kwargs
                )
                time.sleep(0.05)
        self._controller = controller

    def stop(self) -> None:
        """Close the listener and drop every open connection (an outage)."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        controller.abort_sessions()  # hung DATA commands die unanswered
        controller.stop(no_assert=True)
        self._release = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------ results
    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[CapturedMessage]:
        """Block until at least ``count`` messages were accepted; return them all.

        Raises TimeoutError after ``timeout`` seconds scaled by the tests' patience
        (see tests/patience.py): a wait is an upper bound, not a speed claim.
        """
        return self.messages.wait_for(count, timeout)

    def clear(self) -> None:
        """Forget captured messages and rejections (fault rules stay)."""
        self.messages.clear()
        with self._lock:
            self.rejections.clear()
            self.data_attempts = 0

    # ------------------------------------------------------------ faults
    def fail_next(
        self, n: int = 1, code: int = 451, *, stage: Stage = "DATA", text: str | None = None
    ) -> None:
        """Answer the next ``n`` DATA (or RCPT) commands with ``code`` (4xx/5xx)."""
        self._add_rule(_Rule("fail", _check_stage(stage), _check_code(code), text, n))

    def fail_recipient(
        self,
        address: str,
        code: int = 550,
        *,
        stage: Stage = "RCPT",
        times: int | None = None,
        text: str | None = None,
    ) -> None:
        """Refuse mail to ``address`` at RCPT (or DATA) ``times`` times (None: always)."""
        self._add_rule(
            _Rule("fail", _check_stage(stage), _check_code(code), text, times, address.lower())
        )

    def hang_next(self, n: int = 1) -> None:
        """Read the next ``n`` messages' DATA fully, then never reply.

        The hung connections stay open until ``release_hung()`` (which then accepts
        those messages, as a slow server would) or ``stop()``. Hung messages are
        recorded in ``rejections`` with code 0.
        """
        self._add_rule(_Rule("hang", "DATA", 0, None, n))

    def release_hung(self) -> None:
        """Let hung DATA commands complete (with 250, the message is captured)."""
        controller, release = self._controller, self._release
        if controller is not None and release is not None:
            with contextlib.suppress(RuntimeError):
                controller.loop.call_soon_threadsafe(release.set)
        self._release = None

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    # ------------------------------------------------------------ internals
    def _add_rule(self, rule: _Rule) -> None:
        with self._lock:
            self._rules.append(rule)

    def _take_rule(self, stage: Stage, rcpts: Sequence[str]) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(stage, rcpts):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    self._rules = [r for r in self._rules if r.remaining != 0]
                    return rule
        return None

    def _record(self, rejection: Rejection) -> None:
        with self._lock:
            self.rejections.append(rejection)

    def _count_attempt(self) -> None:
        with self._lock:
            self.data_attempts += 1

    def _release_event(self) -> asyncio.Event:
        # Called inside the server's loop thread.
        if self._release is None:
            self._release = asyncio.Event()
        return self._release

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self._auth is not None
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self._auth[0]
            and auth_data.password.decode() == self._auth[1]
        )
        return AuthResult(success=ok, handled=False)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _check_stage(stage: str) -> Stage:
    if stage not in ("RCPT", "DATA"):
        raise ValueError(f"stage must be 'RCPT' or 'DATA', not {stage!r}")
    return stage  # type: ignore[return-value]


def _check_code(code: int) -> int:
    if not 400 <= code <= 599:
        raise ValueError(f"code must be a 4xx or 5xx SMTP reply code, not {code}")
    return code
