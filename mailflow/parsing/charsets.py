"""Charsets and RFC 2047 encoded words, decoded leniently: real mail often declares them wrongly."""

from __future__ import annotations

import base64
import binascii
import codecs
import re

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
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
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
    problems = [] if problems is None else problems
    value = re.sub(r"\r?\n(?=[ \t])", "", fix_8bit(value)).replace("\r", "").replace("\n", "")
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
