"""Decide whether a coordinator's mail is really theirs: DMARC or DKIM pass, by our own MTA.

A From header proves nothing. Only an ``Authentication-Results`` header whose authserv-id
is the one configured (added by our receiving server, which strips forged copies) counts,
and only a ``dmarc=pass`` for the From domain or a ``dkim=pass`` whose ``header.d`` is it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_RESULT = re.compile(r"\b(dmarc|dkim)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_PROP = re.compile(r"header\.(from|d|i)\s*=\s*\"?([^\s;\"]+)", re.IGNORECASE)


def _strip_comments(value: str) -> str:
    previous = None
    while previous != value:
        previous, value = value, re.sub(r"\([^()]*\)", "", value)
    return value


def authenticated_domain_pass(headers: Iterable[str], authserv_id: str | None,
                              from_address: str) -> bool:
    """True when a trusted Authentication-Results shows DMARC or aligned DKIM pass."""
    if not authserv_id or "@" not in from_address:
        return False
    domain = from_address.rsplit("@", 1)[1].lower()
    for header in headers:
        value = _strip_comments(header).strip()
        server = value.split(";", 1)[0].strip().split()[0].lower() if value else ""
        if server != authserv_id.lower():
            continue
        for method, result, props in _RESULT.findall(value):
            if result.lower() != "pass":
                continue
            found = {name.lower(): val.lower().lstrip("@").split("@")[-1]
                     for name, val in _PROP.findall(props)}
            if method.lower() == "dmarc" and found.get("from") == domain:
                return True
            if method.lower() == "dkim" and found.get("d") == domain:
                return True
    return False


def trusted_results(headers: list[tuple[str, str]]) -> list[str]:
    """The Authentication-Results our own server can have added: those above its Received.

    Headers are prepended on the way, so what our receiving server adds sits above
    the Received line of the hop that handed it the message; an Authentication-Results
    further down came with the message and may be forged (RFC 8601, section 5).
    """
    trusted, received = [], 0
    for name, value in headers:
        lower = name.lower()
        if lower == "received":
            received += 1
            if received > 1:
                break
        elif lower == "authentication-results":
            trusted.append(value)
    return trusted
