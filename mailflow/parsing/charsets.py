"""Charsets, RFC 2047 encoded words and header fields, read leniently: real mail is often wrong."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime

_FALLBACKS = ("utf-8", "cp1252", "latin-1")
_OFTEN_MISLABELLED = frozenset(
    {"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso-8859-15", "windows-1252",
     "cp1252"}
)  # fmt: skip
_ALIASES = {
    "x-mac-roman": "mac_roman", "macintosh": "mac_roman", "gb2312": "gb18030", "gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8", "windows-874": "cp874", "utf8": "utf-8", "x-user-defined": "",
    "unknown-8bit": "", "x-unknown": "", "unknown": "", "default": "",
}  # fmt: skip
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?(.*?)\?=")
_MSGID = re.compile(r"<([^<>\s]+)>")
_TOKEN = r"[A-Za-z0-9!#$&+\-.^_`{|}~]+"
_PARAM = rf";[ \t\r\n]*[A-Za-z0-9._-]+=(?:{_TOKEN}|\"[ !#-:<-\[\]-~]*\")[ \t\r\n]*"
# MIME headers both email policies read identically (no comments, encoded words, RFC 2231 or
# 8-bit): only messages whose MIME headers all look like this take the fast compat32 path.
_CLEAN = {
    "content-type": re.compile(rf"{_TOKEN}/{_TOKEN}[ \t\r\n]*(?:{_PARAM})*;?[ \t\r\n]*"),
    "content-disposition": re.compile(rf"{_TOKEN}[ \t\r\n]*(?:{_PARAM})*;?[ \t\r\n]*"),
    "content-transfer-encoding": re.compile(_TOKEN),
}


def decode_bytes(data: bytes, charset: str | None, problems: list[str]) -> str:
    """Decode bytes by their declared charset, falling back to utf-8/cp1252/latin-1; never fails."""
    declared = (charset or "").strip().strip("\"'").lower().split("*")[0]
    name = _ALIASES.get(declared, declared)
    if data.isascii():
        return data.decode("ascii")
    if not name or name in _OFTEN_MISLABELLED:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return text  # mislabelled utf-8 is common and harmless: not a problem
    if name:
        try:
            codecs.lookup(name)
            return data.decode(name)
        except (LookupError, UnicodeError, ValueError):
            pass
    for fallback in _FALLBACKS:
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        label = declared or "none"
        problems.append(f"undecodable charset {label!r}, decoded as {fallback}")
        return text
    return data.decode("latin-1")  # unreachable: latin-1 accepts every byte


def fix_8bit(value: str) -> str:
    """Turn raw 8-bit header bytes (surrogate-escaped by the parser) into real characters."""
    if value.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    return decode_bytes(raw, None, [])


def lenient_bytes(encoding: str, payload: str) -> bytes:
    """Bytes of one encoded word's payload, tolerating bad padding and stray characters."""
    data = payload.encode("utf-8", "surrogateescape")
    if encoding in "Qq":
        data = data.replace(b"_", b" ")
        return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
    data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    try:
        return base64.b64decode(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return b""


def decode_words(value: str, problems: list[str] | None = None) -> str:
    """Unfold a header value and decode its RFC 2047 encoded words, even malformed ones."""
    value = fix_8bit(value)
    if "=?" not in value and "\n" not in value and "\r" not in value:
        return value  # the common case: nothing to unfold or decode
    problems = [] if problems is None else problems
    value = re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "")
    out: list[str] = []
    run: list[tuple[str, bytes]] = []  # adjacent words, joined so split characters survive

    def flush() -> None:
        if run:
            out.append(decode_bytes(b"".join(b for _, b in run), run[0][0], problems))
            run.clear()

    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        adjacent = bool(run) and not between.strip()  # whitespace between words is dropped
        if not adjacent:
            flush()
            out.append(between)
        elif run[0][0].lower() != match.group(1).lower():
            flush()
        run.append((match.group(1), lenient_bytes(match.group(2), match.group(3))))
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def addresses(values: list[str]) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs from raw address header values."""
    unfolded = [re.sub(r"\s*\r?\n\s*", " ", fix_8bit(v)) for v in values]
    pairs: list[tuple[str, str]] = []
    for name, addr in getaddresses(unfolded):
        addr = addr.strip().strip("<>").lower()
        if addr:
            pairs.append((" ".join(decode_words(name).split()), addr))
    return pairs


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def msgids(values: list[str]) -> list[str]:
    ids: list[str] = []
    for value in values:
        found = _MSGID.findall(value)
        ids.extend(found or [w.strip("<>,;") for w in value.split() if "@" in w])
    return unique([i for i in ids if i])


def parse_date(value: str | None, problems: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(" ".join(value.split()))
    except (TypeError, ValueError, IndexError, OverflowError):
        problems.append("unparseable Date header")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def dsn_blocks(text: str) -> list[list[tuple[str, str]]]:
    """Field blocks of a delivery-status body: groups of 'Name: value' lines split by blanks."""
    blocks: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
        elif line[:1] in " \t" and current:
            current[-1] = (current[-1][0], current[-1][1] + " " + line.strip())
        elif ":" in line:
            key, _, value = line.partition(":")
            current.append((key.strip(), value.strip()))
    if current:
        blocks.append(current)
    return blocks


def mime_params(value: str) -> tuple[str, dict[str, str]]:
    """(first item, parameters) of a header clean_mime_header accepts, as Message.get_param
    reads them: names lower-cased, values unquoted, the first of a repeated name wins."""
    head, *items = value.replace("\r", "").replace("\n", "").split(";")
    params: dict[str, str] = {}
    for item in items:
        name, _, val = item.partition("=")
        val = val.strip()
        params.setdefault(name.strip().lower(), val[1:-1] if val[:1] == '"' else val)
    return head.strip().lower(), params


def clean_mime_header(name: str, value: str) -> bool:
    """False for a MIME header the default email policy might read differently from compat32."""
    pattern = _CLEAN.get(name.lower())
    return pattern is None or (pattern.fullmatch(value) is not None and "=?" not in value)
