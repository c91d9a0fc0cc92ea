"""Build well-behaved outgoing messages: threading, encoding, RFC 3834 marks, bounce address."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from mailflow.outbound.templates import Rendered, one_line

AUTO_SUBMITTED = {
    "reply": "auto-replied", "scheduled": "auto-generated", "notice": "auto-generated",
}


@dataclass(frozen=True)
class Envelope:
    """Who a mail is from and to, and what it answers."""

    from_name: str
    from_address: str
    to_name: str
    to_address: str
    kind: str = "reply"                      # reply | scheduled | notice
    reply_to: str | None = None
    in_reply_to: str | None = None           # Message-ID answered, without brackets
    references: tuple[str, ...] = ()
    extra_headers: dict[str, str] = field(default_factory=dict)


def bounce_address(local: str, domain: str, item_id: str) -> str:
    """The envelope sender (Return-Path) that ties a bounce back to outbox item ``item_id``."""
    return f"{local}+b-{item_id}@{domain}"


def message_id_for(item_id: str, domain: str) -> str:
    """A Message-ID on the program's domain, stable for an outbox item (without brackets)."""
    return f"mf-{item_id}@{domain}"


def _address(name: str, address: str) -> Address:
    local, _, domain = address.partition("@")
    return Address(display_name=one_line(name), username=local, domain=domain)


def compose(envelope: Envelope, rendered: Rendered, item_id: str, domain: str,
            now: datetime | None = None) -> EmailMessage:
    """An EmailMessage with text (and HTML) parts and every header a good citizen sends."""
    msg = EmailMessage()
    msg["From"] = _address(envelope.from_name, envelope.from_address)
    msg["To"] = _address(envelope.to_name, envelope.to_address)
    if envelope.reply_to:
        msg["Reply-To"] = _address(envelope.from_name, envelope.reply_to)
    msg["Subject"] = one_line(rendered.subject)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = f"<{message_id_for(item_id, domain)}>"
    if envelope.in_reply_to:
        msg["In-Reply-To"] = f"<{envelope.in_reply_to}>"
        refs = [r for r in envelope.references if r != envelope.in_reply_to][-10:]
        msg["References"] = " ".join(f"<{r}>" for r in [*refs, envelope.in_reply_to])
    msg["Auto-Submitted"] = AUTO_SUBMITTED[envelope.kind]
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Mailflow-Id"] = item_id
    for name, value in envelope.extra_headers.items():
        msg[name] = one_line(value)
    msg.set_content(rendered.text, cte="quoted-printable")
    if rendered.html:
        msg.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    msg["Content-Language"] = rendered.language  # after set_content, which drops Content-*
    return msg
