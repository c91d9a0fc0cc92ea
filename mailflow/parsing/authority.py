"""Decide whether a coordinator's mail is really theirs: DMARC or DKIM pass, by our own MTA.

A From header proves nothing, and neither does an ``Authentication-Results`` header the
sender wrote. The rule, applied to the raw (undecoded) header block, top to bottom:

1. Our receiving server is the one named by the configured ``authserv_id``; its own
   ``Received:`` line is the first (topmost) one whose ``by`` clause names that host.
   Everything below that line came with the message, so could be forged. A message
   with no such line (no ``Received:`` at all, or none by our server) is never trusted.
2. Only ``Authentication-Results`` fields *above* that line, whose authserv-id is the
   configured one, count (RFC 8601 sections 4 and 7.1: a compliant MTA prepends its
   results above its trace header). Results a server inserts *below* its own Received
   (OpenDKIM and OpenDMARC releases that insert at index 1, Gmail) cannot be told apart
   from a sender's forgery at the same place, so they do not count.
   ``ARC-Authentication-Results`` never count: they are seals for later hops.
3. The fields are read by ``authres`` (an RFC 8601 parser: quoted strings, comments,
   several results, ptypes), never by pattern matching; a trusted field it cannot parse
   makes the message unauthenticated (we cannot tell what our own server said).
4. An explicit non-pass wins: DMARC counts only if every trusted ``dmarc`` result is
   ``pass`` for the From domain; aligned DKIM counts only if no trusted ``dkim`` result
   for that domain (or naming no domain) is anything but ``pass``, and no DMARC result
   says ``fail``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import authres

_BY_HOST = re.compile(r"\bby\s+([a-z0-9][a-z0-9.\-]*)", re.IGNORECASE)
_FOLD = re.compile(r"\r?\n(?=[ \t])")
# The dmarc result that means "no aligned identifier passed" and so vetoes DKIM too.
_DMARC_VETO = {"fail"}


def _unfold(value: str) -> str:
    return _FOLD.sub("", value).replace("\r", " ").replace("\n", " ")


def _names_our_server(received: str, authserv_id: str) -> bool:
    """Whether a Received value has a ``by`` clause naming our server.

    Leniency is safe here: matching earlier (even inside a comment) only shrinks the
    trusted block, and the first line our server wrote is always above anything forged.
    """
    ours = authserv_id.lower().rstrip(".")
    return any(host.lower().rstrip(".") == ours for host in _BY_HOST.findall(received))


def trusted_results(headers: list[tuple[str, str]], authserv_id: str | None) -> list[str]:
    """The Authentication-Results values above our server's own Received line (raw, unfolded).

    ``headers`` are the message's raw header fields in order; empty when no Received
    line names our server, so nothing can be trusted.
    """
    if not authserv_id:
        return []
    trusted: list[str] = []
    for name, value in headers:
        lower = name.strip().lower()
        if lower == "received" and _names_our_server(_unfold(value), authserv_id):
            return trusted
        if lower == "authentication-results":
            trusted.append(_unfold(value))
    return []


def _props(result: authres.core.AuthenticationResult, ptype: str, name: str) -> list[str]:
    return [str(p.value).strip().strip('"').lower().rstrip(".")
            for p in result.properties if p.type.lower() == ptype and p.name.lower() == name]


def _our_results(headers: Iterable[str], authserv_id: str
                 ) -> list[authres.core.AuthenticationResult] | None:
    """Every result in the headers written under our authserv-id; None if one is unreadable."""
    results: list[authres.core.AuthenticationResult] = []
    for header in headers:
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(header)
        except Exception:  # authres raises its own SyntaxError and others on bad input
            return None
        if str(parsed.authserv_id or "").lower().rstrip(".") == authserv_id.lower():
            results.extend(parsed.results)
    return results


def authenticated_domain_pass(headers: Iterable[str], authserv_id: str | None,
                              from_address: str) -> bool:
    """True when the trusted results show DMARC or aligned DKIM pass, and no trusted fail."""
    if not authserv_id or "@" not in from_address:
        return False
    domain = from_address.rsplit("@", 1)[1].lower().rstrip(".")
    results = _our_results(headers, authserv_id.rstrip("."))
    if not results:
        return False
    dmarc = [r for r in results if str(r.method).lower() == "dmarc"]
    dkim = [r for r in results if str(r.method).lower() == "dkim"]

    def passed(result: authres.core.AuthenticationResult, ptype: str, name: str) -> bool:
        return str(result.result).lower() == "pass" and _props(result, ptype, name) == [domain]

    dmarc_ok = bool(dmarc) and all(passed(r, "header", "from") for r in dmarc)
    if dmarc_ok:
        return True
    if any(str(r.result).lower() in _DMARC_VETO for r in dmarc):
        return False
    relevant = [r for r in dkim if domain in _props(r, "header", "d")
                or not _props(r, "header", "d")]
    return bool(relevant) and all(passed(r, "header", "d") for r in relevant)
