"""Decode raw incoming mail into a DecodedMessage; never raises, records problems instead.

Hostile mail is read in bounded work: past the limits below (MIME depth, parts, headers,
header size, text size) the rest is ignored and a problem recorded, so it goes to review.
"""

from __future__ import annotations

import email.errors
import email.policy
import quopri
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesParser
from email.policy import Policy
from email.utils import unquote
from itertools import islice
from typing import Any

from mailflow.parsing.charsets import (
    addresses,
    clean_mime_header,
    decode_bytes,
    decode_words,
    dsn_blocks,
    fix_8bit,
    lenient_bytes,
    mime_params,
    msgids,
    parse_date,
    unique,
)
from mailflow.parsing.html_text import html_to_text, quote_lines, unflow

LARGE_PART = 1_000_000  # bytes; larger attachments are measured without decoding them
MAX_DEPTH = 40  # MIME levels (multiparts and attached messages)
MAX_PARTS = 500  # MIME parts in all
MAX_HEADERS = 500  # header fields of one part
MAX_HEADER_CHARS = 64_000  # one header field's value
MAX_TEXT_CHARS = 1_000_000  # body text of all the parts together
MAX_HTML_CHARS = 300_000  # HTML turned into text, all the parts together (about a second)
_FEED_BYTES = 4096  # parser input between two checks of depth and parts
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DEFECTS = {
    "malformed MIME structure": (
        "StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect",
        "MultipartInvariantViolationDefect", "NoBoundaryInMultipartDefect",
        "InvalidMultipartContentTransferEncodingDefect",
    ),
    "malformed headers": (
        "FirstHeaderLineIsContinuationDefect", "MissingHeaderBodySeparatorDefect",
        "MisplacedEnvelopeHeaderDefect",
    ),
    "broken base64": (
        "InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect",
    ),
}  # fmt: skip
_HEADER_PARTS = frozenset({"text/rfc822-headers", "message/global-headers"})
_STATUS_PARTS = frozenset({"message/delivery-status", "message/global-delivery-status",
                           "message/disposition-notification"})  # fmt: skip


@dataclass(frozen=True)
class Attachment:
    """A non-body part, described but never decoded into text."""

    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True)
class ReportPart:
    """A machine-readable part (delivery status or embedded headers), kept for bounce analysis."""

    content_type: str
    blocks: list[list[tuple[str, str]]] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        """All values of field `name` across blocks, case-insensitive, in order."""
        wanted = name.lower()
        return [v for block in self.blocks for k, v in block if k.lower() == wanted]


@dataclass(frozen=True)
class DecodedMessage:
    """Everything later stages need from one incoming mail, decoded to plain Python values."""

    message_id: str | None = None
    sender: str | None = None
    sender_name: str = ""
    reply_to: list[str] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    return_path: str | None = None
    text: str = ""
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw_headers: list[tuple[str, str]] = field(default_factory=list)  # undecoded, for trust
    is_report: bool = False
    report_type: str | None = None
    report_parts: list[ReportPart] = field(default_factory=list)
    calendar: str | None = None
    problems: list[str] = field(default_factory=list)
    # The bytes as received, for readers that need the MIME tree (a bounce's second reader).
    raw: bytes = field(default=b"", repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """First value of header `name` (case-insensitive), or None."""
        values = self.header_all(name)
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        """All values of header `name` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


def _raw_headers(part: Message, problems: list[str] | None = None) -> list[tuple[str, str]]:
    """The first MAX_HEADERS header fields of `part`, each cut at MAX_HEADER_CHARS."""
    try:
        items = list(part.raw_items())
    except Exception:
        return []
    cut = [(str(k), str(v)[:MAX_HEADER_CHARS]) for k, v in items[:MAX_HEADERS]]
    if problems is not None and len(items) > MAX_HEADERS:
        problems.append(f"more than {MAX_HEADERS} header fields, those beyond ignored")
    if problems is not None and any(len(v) == MAX_HEADER_CHARS for _, v in cut):
        problems.append(f"header field longer than {MAX_HEADER_CHARS} characters, cut")
    return cut


def _parse_bounded(data: bytes, policy: Policy, problems: list[str]) -> Message:
    """Parse `data`, stopping (the rest ignored, a problem recorded) past the depth or parts limit.

    The parser's work per line grows with the depth, and deep enough it overflows the
    stack: it is fed a little at a time and its open-message stack is looked at in between.
    """
    created = 0
    factory = policy.message_factory or Message

    def count_part(*args: Any, **kwargs: Any) -> Message:
        nonlocal created
        created += 1
        return factory(*args, **kwargs)

    parser = BytesFeedParser(count_part, policy=policy)
    created = 0  # the parser calls the factory once to probe it
    for start in range(0, len(data), _FEED_BYTES):
        parser.feed(data[start : start + _FEED_BYTES])
        if created > MAX_PARTS:
            problems.append(f"more than {MAX_PARTS} MIME parts, parts beyond ignored")
            break
        if len(getattr(parser, "_msgstack", ())) > MAX_DEPTH:
            problems.append(f"MIME nested more than {MAX_DEPTH} deep, deeper parts ignored")
            break
    return parser.close()


@dataclass
class _Meta:
    ctype: str
    params: dict[str, str]
    disposition: str | None
    filename: str | None


def _compat_meta(part: Message) -> _Meta:
    """Content metadata through compat32, which tolerates headers the default policy chokes on."""
    compat = Message(policy=email.policy.compat32)
    for key, value in _raw_headers(part):
        compat[key] = value
    return _meta_of(compat)


def _meta_of(part: Message) -> _Meta:
    params: dict[str, str] = {}
    for key in ("charset", "format", "delsp", "report-type"):
        value = part.get_param(key)
        if isinstance(value, tuple):
            value = value[2]
        if value:
            params[key] = str(value).lower()
    filename = part.get_filename()
    return _Meta(
        part.get_content_type(),
        params,
        part.get_content_disposition(),
        decode_words(filename) if filename else None,
    )


class _Fallback(Exception):
    """The fast compat32 reading cannot vouch for this message: decode it the slow way."""


def _check_clean(message: Message) -> Message:
    """`message` itself, if all its MIME headers read the same under both policies."""
    for part in message.walk():
        for key, value in islice(part.raw_items(), MAX_HEADERS):
            if not clean_mime_header(key, value[:MAX_HEADER_CHARS]):
                raise _Fallback
    return message


def _fast_meta(part: Message) -> _Meta:
    """_meta_of for a part whose MIME headers passed _check_clean, parsing each header once."""
    ctype_value, cd_value = part.get("content-type"), part.get("content-disposition")
    ctype, ct = mime_params(ctype_value) if ctype_value is not None else ("", {})
    disposition, cd = mime_params(cd_value) if cd_value is not None else (None, {})
    params = {k: ct[k].lower() for k in ("charset", "format", "delsp", "report-type") if ct.get(k)}
    filename = cd.get("filename", ct.get("name"))
    filename = unquote(filename).strip() if filename is not None else None  # as get_filename
    return _Meta(
        ctype if ctype_value is not None else part.get_default_type(),
        params,
        disposition,
        decode_words(filename) if filename else None,
    )


def _part_meta(part: Message, problems: list[str]) -> _Meta:
    """Content type, parameters, disposition and filename of a part, never raising."""
    try:
        return _meta_of(part)
    except Exception:
        problems.append("malformed MIME headers, read with compat32")
    try:
        return _compat_meta(part)
    except Exception:
        return _Meta("text/plain", {}, None, None)


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            return data
    except Exception:
        pass
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _encoded_size(part: Message) -> int:
    """Decoded size of a part, estimated from its encoded form when it is large."""
    raw = part.get_payload()
    if not isinstance(raw, str):
        return 0
    if len(raw) <= LARGE_PART:
        return len(_payload_bytes(part))
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte != "base64":
        return len(raw) - raw.count("\n") - 2 * raw.count("=")
    stripped = raw.rstrip()
    chars = len(raw) - sum(raw.count(c) for c in "\r\n\t ")
    return chars * 3 // 4 - (len(stripped) - len(stripped.rstrip("=")))


def _embedded_messages(part: Message, fast: bool, problems: list[str]) -> list[Message]:
    """The message(s) inside a message/* part, parsing it when the parser left it encoded."""
    payload = part.get_payload()
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if isinstance(payload, list) and cte not in ("base64", "quoted-printable"):
        return [m for m in payload if isinstance(m, Message)]
    if isinstance(payload, list):  # the parser read the still-encoded text as a message body
        encoded = "".join(str(m.get_payload()) for m in payload if isinstance(m, Message))
        data = (
            lenient_bytes("B", encoded)
            if cte == "base64"
            else quopri.decodestring(encoded.encode("utf-8", "surrogateescape"))
        )
    else:
        data = _payload_bytes(part)
    if fast:
        return [_check_clean(_parse_bounded(data, email.policy.compat32, problems))]
    return [_parse_bounded(data, email.policy.default, problems)]


class _Walker:
    """Walks the MIME tree once, collecting body text, HTML, attachments and report parts."""

    def __init__(self, problems: list[str], fast: bool) -> None:
        self.problems = problems
        self.fast = fast
        self.metas: dict[int, tuple[Message, _Meta]] = {}
        self.html: str | None = None
        self.calendar: str | None = None
        self.attachments: list[Attachment] = []
        self.report_parts: list[ReportPart] = []
        self.parts = 0
        self.text_left = MAX_TEXT_CHARS
        self.html_left = MAX_HTML_CHARS

    def text_of(self, message: Message, depth: int = 0) -> str:
        """Readable text of a whole message: new text first, forwarded messages quoted after."""
        forwarded: list[str] = []
        text, _ = self.walk(message, depth, forwarded)
        pieces = [text.strip("\n")] if text.strip() else []
        pieces.extend(forwarded)
        return "\n\n".join(pieces)

    def walk(self, part: Message, depth: int, forwarded: list[str]) -> tuple[str, str]:
        """(text, source) of one part; source is "plain", "html" or "" when it has no text."""
        if depth > MAX_DEPTH:
            self.problems.append("MIME nesting too deep")
            return "", ""
        self.parts += 1
        if self.parts > MAX_PARTS:
            self.problems.append(f"more than {MAX_PARTS} MIME parts, parts beyond ignored")
            return "", ""
        meta = self.meta(part)
        ctype = meta.ctype
        if ctype == "message/rfc822" or (part.is_multipart() and ctype.startswith("message/")):
            inner = _embedded_messages(part, self.fast, self.problems)
            return self._embedded(inner, depth, forwarded, meta)
        if part.is_multipart():
            children = [c for c in (part.get_payload() or []) if isinstance(c, Message)]
            if ctype == "multipart/alternative":
                return self._alternative(children, depth, forwarded)
            if ctype == "multipart/report":
                children = [c for c in children if not self._report_child(c)]
            if ctype == "multipart/related":
                for extra in children[1:]:  # inline images and the like
                    self._attach(extra)
                children = children[:1]
            results = [self.walk(child, depth + 1, forwarded) for child in children]
            texts = [t for t, _ in results if t.strip()]
            source = "plain" if any(s == "plain" for _, s in results) else ""
            source = source or ("html" if any(s == "html" for _, s in results) else "")
            return "\n\n".join(t.strip("\n") for t in texts), source
        if ctype.startswith("multipart/"):
            self.problems.append("malformed MIME structure")
            ctype = "text/plain"
        is_attachment = meta.disposition == "attachment" or (
            meta.filename is not None and meta.disposition != "inline"
        )
        if ctype in _STATUS_PARTS or ctype in _HEADER_PARTS:
            self._report_child(part)
            return "", ""
        if ctype == "text/calendar":
            if self.calendar is None:
                self.calendar = self._decode(part, meta)
            if is_attachment:
                self._attach(part)
            return "", ""
        if is_attachment or ctype not in ("text/plain", "text/html"):
            self._attach(part)
            return "", ""
        text = self._decode(part, meta)
        if ctype == "text/html":
            if len(text) > self.html_left:
                self.problems.append(f"HTML beyond {MAX_HTML_CHARS} characters ignored")
                text = text[: self.html_left]
            self.html_left -= len(text)
            if self.html is None:
                self.html = text
            text = html_to_text(text)
        if len(text) > self.text_left:
            self.problems.append(f"text beyond {MAX_TEXT_CHARS} characters ignored")
            text = text[: self.text_left]
        self.text_left -= len(text)
        if ctype == "text/html":
            return text, "html"
        if meta.params.get("format") == "flowed":
            text = unflow(text, meta.params.get("delsp") == "yes")
        return text, "plain"

    def meta(self, part: Message) -> _Meta:
        """Content metadata of `part`, read once per part on the fast path."""
        if not self.fast:
            return _part_meta(part, self.problems)
        if id(part) not in self.metas:  # keeps `part` alive, so its id is not reused
            self.metas[id(part)] = (part, _fast_meta(part))
        return self.metas[id(part)][1]

    def _alternative(
        self, children: list[Message], depth: int, forwarded: list[str]
    ) -> tuple[str, str]:
        results = [self.walk(child, depth + 1, forwarded) for child in children]
        for wanted in ("plain", "html", ""):
            for text, source in results:
                if source == wanted and text.strip():
                    return text, source
        return "", ""

    def _embedded(
        self, children: list[Message], depth: int, forwarded: list[str], meta: _Meta
    ) -> tuple[str, str]:
        """A forwarded message/rfc822: headers kept for reports, text quoted after the new text."""
        for inner in children:
            headers = [(k, decode_words(v)) for k, v in _raw_headers(inner, self.problems)]
            self.report_parts.append(ReportPart(meta.ctype, [headers]))
            summary = [f"{k}: {v}" for k, v in headers if k.lower() in ("from", "date", "subject")]
            body = self.text_of(inner, depth + 1)
            forwarded.append(quote_lines("\n".join([*summary, "", body]).strip("\n")))
        return "", ""

    def _report_child(self, part: Message) -> bool:
        """Record a machine-readable part; True if `part` is one (and so not body text)."""
        ctype = self.meta(part).ctype
        if ctype in _STATUS_PARTS:
            payload = part.get_payload()
            if isinstance(payload, list):  # the parser splits delivery-status into blocks
                blocks = [
                    [(k, decode_words(v)) for k, v in _raw_headers(b)]
                    for b in payload
                    if isinstance(b, Message)
                ]
            else:
                text = decode_bytes(_payload_bytes(part), "utf-8", self.problems)
                blocks = dsn_blocks(text.replace("\r\n", "\n"))
            self.report_parts.append(ReportPart(ctype, blocks))
            return True
        if ctype in _HEADER_PARTS:
            text = decode_bytes(_payload_bytes(part), "utf-8", self.problems)
            inner = BytesParser(policy=email.policy.compat32).parsebytes(
                text.encode("utf-8", "surrogateescape"), headersonly=True
            )
            headers = [(k, decode_words(v)) for k, v in _raw_headers(inner)]
            self.report_parts.append(ReportPart(ctype, [headers]))
            return True
        if ctype == "message/rfc822":
            for inner in _embedded_messages(part, self.fast, self.problems):
                headers = [(k, decode_words(v)) for k, v in _raw_headers(inner)]
                self.report_parts.append(ReportPart(ctype, [headers]))
            return True
        return False

    def _attach(self, part: Message) -> None:
        meta = self.meta(part)
        self.attachments.append(Attachment(meta.filename, meta.ctype, _encoded_size(part)))

    def _decode(self, part: Message, meta: _Meta) -> str:
        text = decode_bytes(_payload_bytes(part), meta.params.get("charset"), self.problems)
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _defect_problems(message: Message) -> list[str]:
    names: set[str] = set()
    try:
        for part in message.walk():
            names.update(type(d).__name__ for d in getattr(part, "defects", []))
    except Exception:
        return ["malformed MIME structure"]
    return [problem for problem, kinds in _DEFECTS.items() if names & set(kinds)]


def _parse(raw: bytes, problems: list[str], fast: bool) -> Message:
    if fast:
        return _check_clean(_parse_bounded(raw, email.policy.compat32, problems))
    try:
        return _parse_bounded(raw, email.policy.default, problems)
    except Exception:
        problems.append("message unreadable with the default policy, read with compat32")
    return _parse_bounded(raw, email.policy.compat32, problems)


# One mailbox written plainly: an optional name of ASCII words (no ", (, :, ;, ,, \ or
# '=?'), then <local@domain> or a bare local@domain. Anything else takes the full parser.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_MAILBOX = re.compile(
    rf"(?:(?P<name>(?:{_ATOM}|\.)(?:[ \t]*(?:{_ATOM}|\.))*)[ \t]*)?"
    rf"<(?P<angle>{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>"
    rf"|(?P<bare>{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def _mailboxes(value: str) -> list[tuple[str, str]] | None:
    """The (name, address) mailboxes of one raw address field, parsed as RFC 5322 says.

    The structure is parsed before any RFC 2047 word is decoded (policy.default), so an
    encoded word can never produce address syntax. None for groups, defects, or anything
    that is not a plain list of ``local@domain`` mailboxes.
    """
    plain = None if "=?" in value else _PLAIN_MAILBOX.fullmatch(value.strip())
    if plain is not None:  # no quote, comment, group, list or encoded word: nothing to parse
        name, address = plain.group("name") or "", plain.group("angle") or plain.group("bare")
        return [(" ".join(name.split()), address.lower())]
    try:
        parsed = email.policy.default.header_factory("from", fix_8bit(value))
        groups = parsed.groups
    except Exception:
        return None
    # An obsolete phrase ('Dr. Who', a period in a name) is common and harmless: only
    # other defects make the field unreadable.
    defects = [d for d in parsed.defects if not isinstance(d, email.errors.ObsoleteHeaderDefect)]
    if defects or any(g.display_name is not None for g in groups):
        return None
    boxes = [a for g in groups for a in g.addresses]
    if not boxes or any(not a.username or not a.domain or "[" in a.domain for a in boxes):
        return None
    return [(" ".join(_CONTROL.sub(" ", a.display_name).split()), a.addr_spec.lower())
            for a in boxes]


def _sender(from_values: list[str], sender_values: list[str],
            problems: list[str]) -> tuple[str, str] | None:
    """The author, when the From header names exactly one mailbox; else None (reviewed).

    Several From fields or mailboxes, a group, or a From without an address have no single
    author a DMARC check can vouch for; a Sender naming someone else is kept as a problem.
    """
    boxes = _mailboxes(from_values[0]) if len(from_values) == 1 else None
    if boxes is None or len(boxes) != 1:
        if from_values:
            problems.append("the From header does not name exactly one address")
        return None
    if sender_values:
        other = _mailboxes(sender_values[0]) if len(sender_values) == 1 else None
        if other is None or len(other) != 1 or other[0][1] != boxes[0][1]:
            problems.append("a Sender header names someone other than the From address")
    return boxes[0]


def _decode(raw: bytes, problems: list[str], fast: bool) -> DecodedMessage:
    message = _parse(raw, problems, fast)
    raw_headers = _raw_headers(message, problems)
    headers = [(k, decode_words(v, problems)) for k, v in raw_headers]

    by_name: dict[str, list[int]] = {}
    for index, (key, _) in enumerate(raw_headers):
        by_name.setdefault(key.lower(), []).append(index)

    def raw_all(name: str) -> list[str]:
        return [raw_headers[i][1] for i in by_name.get(name, ())]

    def first(name: str) -> str | None:
        return headers[by_name[name][0]][1] if name in by_name else None

    author = _sender(raw_all("from"), raw_all("sender"), problems)
    return_path = None
    for value in raw_all("return-path")[:1]:
        return_path = value.strip().strip("<>").strip().lower()
    walker = _Walker(problems, fast)
    text = walker.text_of(message).strip("\n")
    problems.extend(_defect_problems(message))
    meta = walker.meta(message)
    if not text.strip():
        problems.append("empty body")
    message_ids = msgids(raw_all("message-id"))
    return DecodedMessage(
        message_id=message_ids[0] if message_ids else None,
        sender=author[1] if author else None,
        sender_name=author[0] if author else "",
        reply_to=unique([a for _, a in addresses(raw_all("reply-to"))]),
        to=unique([a for _, a in addresses(raw_all("to"))]),
        cc=unique([a for _, a in addresses(raw_all("cc"))]),
        subject=" ".join((first("subject") or "").split()),
        date=parse_date(first("date"), problems),
        in_reply_to=msgids(raw_all("in-reply-to")),
        references=msgids(raw_all("references")),
        return_path=return_path,
        text=text,
        html=walker.html,
        attachments=walker.attachments,
        headers=headers,
        raw_headers=raw_headers,
        is_report=meta.ctype == "multipart/report",
        report_type=meta.params.get("report-type"),
        report_parts=walker.report_parts,
        calendar=walker.calendar,
        problems=unique(problems),
    )


def decode_message(raw: bytes) -> DecodedMessage:
    """Decode raw RFC 5322 bytes into a DecodedMessage; never raises, problems are recorded."""
    try:
        return replace(_decode(bytes(raw), [], fast=True), raw=bytes(raw))
    except Exception:  # _Fallback, or anything unforeseen: the default policy decides
        pass
    problems: list[str] = []
    try:
        return replace(_decode(bytes(raw), problems, fast=False), raw=bytes(raw))
    except Exception as exc:  # the contract: a bad message becomes problems, never a crash
        problems.append(f"undecodable message ({type(exc).__name__})")
        return DecodedMessage(problems=unique(problems),
                              raw=raw if isinstance(raw, bytes) else b"")
