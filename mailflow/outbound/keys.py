"""The keys mail is known by: its idempotency key, that key's stable id, and one key for
every spelling of a mailbox.

The one place these formats are written: the outbox, the firings table and the answer
budget all key on them, and if two spellings drifted apart a mail could go out twice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib


def idempotency_key(rule: str, recipient: str, occasion: str) -> str:
    """The key under which a mail is queued once: (rule, recipient, occasion)."""
    return f"{rule}|{recipient.lower()}|{occasion}"


def mailbox_key(address: str) -> str:
    """One key for every spelling of a mailbox: case, IDNA or Unicode domain, +tag."""
    local, _, domain = address.strip().lower().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")  # nameprep: fullwidth -> ASCII too
    return f"{local.split('+', 1)[0]}@{domain}"


def outbox_id(key: str) -> str:
    """The stable id of an idempotency key: lower-case base32, safe in addresses and file names."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()[:15]
    return base64.b32encode(digest).decode("ascii").lower()
