"""Signed reply tokens: ``program+TOKEN@domain`` ties a reply to the mail it answers.

A token is the outbox id of the mail we sent followed by an HMAC over that id and the
recipient, so it cannot be forged or moved to another person: a reply is attributed
through its token only when the token verifies for the address that wrote it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

MAC_LENGTH = 8
_TOKEN_RE = re.compile(rf"^[a-z2-7]{{24}}[a-z2-7]{{{MAC_LENGTH}}}$")


def _mac(secret: bytes, item_id: str, recipient: str) -> str:
    digest = hmac.new(secret, f"{item_id}\0{recipient.lower()}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:MAC_LENGTH]


def make_token(secret: bytes, item_id: str, recipient: str) -> str:
    """The token for the outbox item ``item_id`` sent to ``recipient``."""
    return item_id + _mac(secret, item_id, recipient)


def reply_address(local: str, domain: str, token: str) -> str:
    """The sub-address replies should go to."""
    return f"{local}+{token}@{domain}"


def token_from_address(address: str, local: str) -> str | None:
    """The token in ``local+TOKEN@...``, or None."""
    user = address.lower().split("@", 1)[0]
    if not user.startswith(local.lower() + "+"):
        return None
    token = user[len(local) + 1:]
    return token if _TOKEN_RE.match(token) else None


def verify_token(secret: bytes, token: str, sender: str) -> str | None:
    """The outbox id the token names when it was issued to ``sender``; None otherwise."""
    item_id, mac = token[:-MAC_LENGTH], token[-MAC_LENGTH:]
    if hmac.compare_digest(mac, _mac(secret, item_id, sender)):
        return item_id
    return None
