"""The program mailbox over IMAP: catch-up by UID on every connect, then IDLE.

Correctness rests on the ledger (UIDVALIDITY, last UID, Message-ID), never on flags:
flags and the processed folder are for the people who look at the mailbox.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mailflow.config.model import MailboxConfig
from mailflow.errors import MailboxError
from mailflow.inbound.ledger import Ledger, RawMessage
from mailflow.tls import tls_context

log = logging.getLogger(__name__)
BATCH = 100
PROCESSED_KEYWORD = "$MailflowProcessed"
MAILBOX_ERRORS: tuple[type[BaseException], ...] = (
    IMAPClientError, OSError, socket.timeout, ssl.SSLError, EOFError)


class ImapSource:
    """One IMAP folder read through imapclient."""

    def __init__(self, config: MailboxConfig) -> None:
        assert config.imap is not None
        self.config = config
        self.server = config.imap
        self.name = f"imap:{config.folder}"
        self.client: IMAPClient | None = None
        self.uidvalidity: int | None = None
        self.can_move = False

    def connect(self) -> None:
        """Log in and select the folder; raises MailboxError with the reason."""
        server = self.server
        password = server.password.resolve() if server.password else None
        if password is None:
            where = server.password.describe() if server.password else "password_env"
            raise MailboxError(f"IMAP password not found in {where}")
        context = tls_context(server) if server.security != "none" else None
        try:
            client = IMAPClient(server.host, port=server.port, ssl=server.security == "ssl",
                                ssl_context=context, timeout=server.timeout)
            if server.security == "starttls":
                client.starttls(context)
            client.login(server.username, password)
            selected = client.select_folder(self.config.folder)
            self.can_move = client.has_capability("MOVE")
            if self.config.processed_folder and not client.folder_exists(
                    self.config.processed_folder):
                client.create_folder(self.config.processed_folder)
        except MAILBOX_ERRORS as exc:
            raise MailboxError(f"IMAP {server.host}:{server.port}: "
                               f"{exc.__class__.__name__}: {exc}") from exc
        self.client = client
        self.uidvalidity = int(selected[b"UIDVALIDITY"])

    def fetch_new(self, ledger: Ledger) -> Iterator[list[RawMessage]]:
        """Every message above the last UID taken in, in batches, oldest first."""
        assert self.client is not None and self.uidvalidity is not None
        first_day = self.config.since or datetime.now(UTC).date()
        ledger.set_uidvalidity(self.name, self.uidvalidity, first_day.isoformat())
        state = ledger.mailbox(self.name)
        last = state.get("last_uid", 0)
        # Mail a former state of this program handled carries our keyword, and mail older
        # than this state's first run was there before it: neither is answered again.
        criteria: list[Any] = ["UID", f"{last + 1}:*", "UNKEYWORD", PROCESSED_KEYWORD]
        with contextlib.suppress(TypeError, ValueError):
            criteria += ["SINCE", date.fromisoformat(state.get("since") or "")]
        try:
            # NOOP lets the server bring this session's view of the folder up to date;
            # Dovecot answers SEARCH from that view, which IDLE alone refreshes otherwise.
            self.client.noop()
            uids = sorted(u for u in self.client.search(criteria) if u > last)
            for start in range(0, len(uids), BATCH):
                chunk = uids[start:start + BATCH]
                fetched = self.client.fetch(chunk, ["BODY.PEEK[]"])
                batch = []
                for uid in chunk:
                    if uid not in fetched or b"BODY[]" not in fetched[uid]:
                        # Stop here rather than let a later UID move past this one.
                        log.warning("IMAP returned no body for UID %s; trying again later", uid)
                        break
                    batch.append(RawMessage(self.name, f"{self.name}:{self.uidvalidity}:{uid}",
                                            fetched[uid][b"BODY[]"], uid))
                if batch:
                    yield batch
                if len(batch) < len(chunk):
                    return
        except MAILBOX_ERRORS as exc:
            raise MailboxError(f"IMAP fetch: {exc.__class__.__name__}: {exc}") from exc

    def mark_done(self, done: list[tuple[RawMessage, bool]]) -> None:
        """File handled messages for people, one command per kind; failures only log."""
        if self.client is None:
            return
        review = [m.uid for m, flagged in done if flagged and m.uid is not None]
        handled = [m.uid for m, flagged in done if not flagged and m.uid is not None]
        try:
            if review:  # handled too (never again), and flagged for a person
                self.client.add_flags(review, [b"\\Flagged", PROCESSED_KEYWORD.encode()])
            if handled and self.config.processed_folder:
                if self.can_move:
                    self.client.move(handled, self.config.processed_folder)
                else:
                    self.client.copy(handled, self.config.processed_folder)
                    self.client.delete_messages(handled)
                    self.client.uid_expunge(handled)
            elif handled:
                self.client.add_flags(handled, [b"\\Seen", PROCESSED_KEYWORD.encode()])
        except MAILBOX_ERRORS as exc:
            log.info("could not file %d message(s): %s", len(done), exc)

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """IDLE until the server announces something, ``timeout`` passes or ``stop`` is set."""
        assert self.client is not None
        deadline = time.monotonic() + min(timeout, self.config.idle_renew_seconds)
        if self._announced_while_busy():
            return
        try:
            self.client.idle()
            try:
                while not stop.is_set() and time.monotonic() < deadline:
                    responses = self.client.idle_check(timeout=0.5)
                    if any(r[1] in (b"EXISTS", b"RECENT") for r in responses if len(r) > 1):
                        return
                    if any(r and r[0] == b"BYE" for r in responses):
                        raise MailboxError("IMAP server said BYE")
            finally:
                self.client.idle_done()
        except MAILBOX_ERRORS as exc:
            raise MailboxError(f"IMAP IDLE: {exc.__class__.__name__}: {exc}") from exc

    def _announced_while_busy(self) -> bool:
        """Whether the server announced new mail in the reply to an earlier command.

        Dovecot reports new mail (``* N EXISTS``) in the reply to whatever command runs
        when it arrives, e.g. the STORE that flags a processed message. imaplib keeps
        such untagged replies aside, and IDLE would then wait without knowing.
        """
        untagged = getattr(getattr(self.client, "_imap", None), "untagged_responses", None)
        if not isinstance(untagged, dict):
            return False
        return bool(untagged.pop("EXISTS", None)) | bool(untagged.pop("RECENT", None))

    def close(self) -> None:
        """Log out, or just drop the connection if that fails."""
        if self.client is None:
            return
        try:
            self.client.logout()
        except MAILBOX_ERRORS:
            with contextlib.suppress(*MAILBOX_ERRORS):
                self.client.shutdown()
        self.client = None
