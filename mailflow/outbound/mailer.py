"""Turn "send template T to person P for occasion O" into a queued, idempotent mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from mailflow.config.model import Config
from mailflow.outbound.compose import (
    WIRE,
    Attachment,
    Envelope,
    ascii_address,
    bounce_address,
    compose,
    message_id_for,
)
from mailflow.outbound.keys import idempotency_key, outbox_id
from mailflow.outbound.outbox import Outbox, OutboxItem
from mailflow.outbound.templates import Templates
from mailflow.reply_tokens import make_token, reply_address


@dataclass(frozen=True)
class Recipient:
    """Who a mail is for, and in which language."""

    email: str
    name: str = ""
    language: str | None = None
    participant: str | None = None


class Mailer:
    """Renders, composes and queues mail; the idempotency key is (rule, recipient, occasion)."""

    def __init__(self, config: Config, templates: Templates, outbox: Outbox,
                 secret: bytes) -> None:
        self.config = config
        self.templates = templates
        self.outbox = outbox
        self.secret = secret

    @staticmethod
    def key(rule: str, recipient: str, occasion: str) -> str:
        """The idempotency key of a mail."""
        return idempotency_key(rule, recipient, occasion)

    def queue(self, *, rule: str, occasion: str, template: str, to: Recipient,
              context: dict[str, Any], kind: str = "reply", in_reply_to: str | None = None,
              references: tuple[str, ...] = (), meta: dict[str, Any] | None = None,
              attachments: tuple[Attachment, ...] = (),
              headers: dict[str, str] | None = None,
              now: datetime | None = None, unsubscribe: bool = False) -> OutboxItem | None:
        """Queue one mail; None when this key was queued before (nothing is sent twice)."""
        key = self.key(rule, to.email, occasion)
        if self.outbox.has(key):
            return None
        item_id = outbox_id(key)
        config = self.config
        rendered = self.templates.render(template, to.language, {
            **context,
            "program": {"name": config.name, "address": config.address},
            "coordinators": [{"name": c.name, "email": c.email} for c in config.coordinators],
            "recipient": {"name": to.name, "email": to.email},
        })
        token = make_token(self.secret, item_id, to.email)
        reply_to = reply_address(config.local_part, config.domain, token)
        headers = dict(headers or {})
        if unsubscribe:
            # RFC 2369: a mail to the signed reply address with STOP opts out. With a web
            # endpoint, RFC 8058's one-click POST does the same (unsubscribe_endpoint.py).
            mailto = f"<mailto:{reply_to}?subject=STOP>"
            url = config.outbox.unsubscribe_url
            if url:
                query = urlencode({"to": reply_to, "from": to.email})
                headers["List-Unsubscribe"] = f"<{url}?{query}>, {mailto}"
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            else:
                headers["List-Unsubscribe"] = mailto
        envelope = Envelope(
            from_name=config.name, from_address=config.address,
            to_name=to.name, to_address=to.email, kind=kind,
            reply_to=reply_to,
            in_reply_to=in_reply_to, references=references, extra_headers=headers,
        )
        message_id = message_id_for(item_id, config.domain)
        message = compose(envelope, rendered, item_id, config.domain, now=now,
                          attachments=attachments, message_id=message_id)
        item = OutboxItem(
            id=item_id, key=key, recipients=[ascii_address(to.email)],
            # The return address is signed for the recipient: a bounce that silences
            # someone's mail must have come back from the mail we sent them.
            envelope_from=bounce_address(config.local_part, config.domain, make_token(
                self.secret, item_id, ascii_address(to.email))),
            message_id=message_id, subject=rendered.subject,
            kind=kind, participant=to.participant,
            # The language it was written in: a reply too short to tell is read as in it.
            meta={"template": template, "rule": rule, "language": rendered.language,
                  **(meta or {})},
        )
        self.outbox.enqueue(item, message.as_bytes(policy=WIRE))
        return item
