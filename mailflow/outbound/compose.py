"""Build well-behaved outgoing messages: threading, encoding, RFC 3834 marks, bounce address."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime, formataddr
from typing import Any

from mailflow.errors import DeliveryError
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


def bounce_address(local: str, domain: str, token: str) -> str:
    """The envelope sender (Return-Path) that ties a bounce back to our mail: ``token`` is
    the outbox id signed for the recipient (``mailflow.reply_tokens.make_token``)."""
    return f"{local}+b-{token}@{domain}"


def message_id_for(item_id: str, domain: str) -> str:
    """A Message-ID on the program's domain (without brackets), not guessable from its key.

    Replies are tied to our mail by In-Reply-To and References; a Message-ID derived
    from a guessable key alone would let anyone claim to answer a given mail.
    """
    return f"mf-{item_id}.{secrets.token_hex(6)}@{domain}"


# Nothing from mail or the store may bring a control character into a header: CR and LF
# would start a new header, NUL is refused by servers or truncates the value downstream.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MSG_ID = re.compile(r"[!-;=?-~]+@[!-;=?-~]+")  # id-left@id-right: printable, no <, >, space

_UTF8_QP = Charset("utf-8")
_UTF8_QP.header_encoding = QP
_UTF8_QP.body_encoding = QP


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail: the program's guide, a calendar invitation."""

    filename: str
    content_type: str
    data: bytes
    params: tuple[tuple[str, str], ...] = ()


def ascii_address(address: str) -> str:
    """The address with its domain in IDNA (``müller.de`` -> ``xn--mller-kva.de``).

    A non-ASCII local part needs SMTPUTF8, which mailflow does not speak: such an
    address is refused where it enters (import, config), and here as a last resort.
    """
    if _CONTROL.search(address) or any(c.isspace() for c in address):
        raise DeliveryError(f"{address!r}: an address with a control character or a space "
                            "cannot be put in a header; correct it in the store")
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise DeliveryError(f"{address}: a non-ASCII local part needs SMTPUTF8, "
                            "which mailflow does not use; ask for another address")
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError as exc:
        raise DeliveryError(f"{address}: the domain cannot be encoded ({exc})") from exc


def _clean(value: str) -> str:
    """One line of text with every control character (NUL, CR, LF...) made a space."""
    return one_line(_CONTROL.sub(" ", str(value)))


# Folding breaks a header's line only between words: a longer word would make a line
# over RFC 5322's 998 octets, so text holding one is sent as RFC 2047 encoded words.
_LONGEST_WORD = 900


def _unfoldable(value: str) -> bool:
    return any(len(word) > _LONGEST_WORD for word in value.split())


_NAME_BYTES = 400  # one encoded word (or quoted string) of it stays well within a line


def _address(name: str, address: str) -> str:
    """``Name <addr>``, the name RFC 2047-encoded when it is not ASCII. A name too long for a
    line is cut: split into several encoded words, Python's parser would read a space
    between each two."""
    name, address = _clean(name), ascii_address(address)
    written = formataddr((name, address), charset="utf-8")
    if _unfoldable(written):
        name = name.encode("utf-8")[:_NAME_BYTES].decode("utf-8", "ignore")
        written = formataddr((name, address), charset="utf-8")
    return written


def _text(value: str) -> str:
    """A header value, RFC 2047-encoded when it is not ASCII or has a word too long for a line."""
    value = _clean(value)
    if value.isascii() and not _unfoldable(value):
        return value
    return Header(value, _UTF8_QP).encode()


def _msg_id(value: str | None) -> str | None:
    """A Message-ID (without brackets) fit for a header, or None when it could break one
    (or make a line longer than 998 octets)."""
    return (value if value and len(value) <= _LONGEST_WORD and _MSG_ID.fullmatch(value)
            else None)


def _part(text: str, subtype: str) -> MIMEText:
    return MIMEText(text, subtype, _UTF8_QP)  # type: ignore[arg-type]  # a Charset works too


class _WirePolicy(Compat32):
    """compat32 with lines up to RFC 5322's limit (folding a long single token, a
    List-Unsubscribe URL, would only push it onto a continuation line); a header that is
    one short ASCII line is written as it is, which is what compat32's folding makes of
    it too, without building a Header object for each (a third of composing a mail)."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        if (isinstance(value, str) and len(name) + 2 + len(value) <= WIRE_LINE
                and _ONE_PLAIN_LINE.fullmatch(value)):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE_LINE = 998
_ONE_PLAIN_LINE = re.compile(r"[\t\x20-\x7e]*")  # no control character: some end a line
WIRE = _WirePolicy(max_line_length=WIRE_LINE)  # the policy our mail is written with


def _boundary(kind: str, item_id: str) -> str:
    """A MIME boundary no part can hold: every part is quoted-printable or base64, whose
    text never has "=_" in it. Set here, the generator does not search the whole text
    for a free one (a regular expression compiled anew per mail)."""
    return f"=_mf_{kind}_" + "".join(c for c in item_id if c.isascii() and c.isalnum())[:40]


_TOKEN = re.compile(r"[!#$%&'*+.^`|~0-9A-Za-z-]{1,64}")  # RFC 2045's token, not too long
_PARAM_BYTES = 300  # at most 900 octets once RFC 2231 writes each byte as %XX


def _content_type(value: str) -> tuple[str, str]:
    """The attachment's type, or application/octet-stream when it is not a plain type/subtype
    (a line end would start a header of the part) or one that may not be base64-encoded:
    a message/ or multipart/ part is read as its own message or parts, not as the data."""
    maintype, _, subtype = value.partition("/")
    if (_TOKEN.fullmatch(maintype) and _TOKEN.fullmatch(subtype)
            and maintype.lower() not in ("message", "multipart")):
        return maintype, subtype
    return "application", "octet-stream"


def _param(value: str) -> str:
    """A parameter value (a filename) on one line, short enough for a line even in RFC 2231's
    %XX form; a cut name keeps its extension."""
    value = _clean(value)
    if len(value.encode("utf-8")) <= _PARAM_BYTES:
        return value
    stem, dot, extension = value.rpartition(".")
    if not dot or len(extension) > 16:
        stem, dot, extension = value, "", ""
    room = _PARAM_BYTES - len(dot + extension) * 4
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore") + dot + extension


def compose(envelope: Envelope, rendered: Rendered, item_id: str, domain: str,
            now: datetime | None = None,
            attachments: tuple[Attachment, ...] = (), message_id: str | None = None) -> Message:
    """A message with text (and HTML) parts, attachments, and every header a good citizen sends.

    Built with the compat32 API: the header registry of ``email.policy.default``
    parses every header it is given and was a third of the cost of answering a message.
    """
    body: Message = _part(rendered.text, "plain")
    if rendered.html:
        body = MIMEMultipart("alternative", boundary=_boundary("alt", item_id),
                             _subparts=[body, _part(rendered.html, "html")])
    if attachments:
        msg: Message = MIMEMultipart("mixed", boundary=_boundary("mix", item_id),
                                     _subparts=[body])
        for attachment in attachments:
            maintype, subtype = _content_type(attachment.content_type)
            params = {k: value for k, v in attachment.params
                      if _TOKEN.fullmatch(k) and (value := _param(v))}
            part = MIMEBase(maintype, subtype, **params)  # type: ignore[arg-type]  # MIME params
            part.set_payload(attachment.data)
            encode_base64(part)
            filename = _param(attachment.filename)  # an empty one would be written bare
            part.add_header("Content-Disposition", "attachment",
                            **({"filename": filename} if filename else {}))
            msg.attach(part)
    else:
        msg = body
    msg["From"] = _address(envelope.from_name, envelope.from_address)
    msg["To"] = _address(envelope.to_name, envelope.to_address)
    if envelope.reply_to:
        msg["Reply-To"] = _address(envelope.from_name, envelope.reply_to)
    msg["Subject"] = _text(rendered.subject)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    own_id = message_id or message_id_for(item_id, domain)
    if _msg_id(own_id) is None:
        raise DeliveryError(f"{own_id!r}: not a Message-ID that fits in a header")
    msg["Message-ID"] = f"<{own_id}>"
    answered = _msg_id(envelope.in_reply_to)
    if answered:
        msg["In-Reply-To"] = f"<{answered}>"
        refs = [r for r in envelope.references if r != answered and _msg_id(r)][-10:]
        msg["References"] = " ".join(f"<{r}>" for r in [*refs, answered])
    msg["Auto-Submitted"] = AUTO_SUBMITTED[envelope.kind]
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Mailflow-Id"] = _text(item_id)
    msg["Content-Language"] = _text(rendered.language)
    for name, value in envelope.extra_headers.items():
        msg[name] = _text(value)
    return msg
