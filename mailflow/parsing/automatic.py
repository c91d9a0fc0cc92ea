"""Tell machine-sent mail (bounces, auto-replies, lists, our own) from mail a person wrote."""

from __future__ import annotations

import re
from collections.abc import Collection

from mailflow.parsing.decode import DecodedMessage

OWN_HEADER = "X-Mailflow-Id"
_DAEMON_LOCAL = re.compile(
    r"^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|microsoftexchange[0-9a-f]*)$"
)
_NOREPLY_LOCAL = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply)([-+_.].*)?$")
_DAEMON_NAMES = re.compile(r"^mail delivery (sub)?system$|^mailer.daemon$", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undelivered mail returned to sender|delivery status notification \(failure\)"
    r"|mail delivery failed|^undeliverable\b|^undelivered\b|returned mail|failure notice"
    r"|delivery failure|delivery has failed|message not delivered|mail delivery system"
    r"|^non remis|non distribuable|échec de (la )?remise|^unzustellbar|^onbestelbaar"
    r"|^no se puede entregar|^non recapitabile|não (foi )?entregue",
    re.IGNORECASE,
)
_OOO_SUBJECT = re.compile(
    r"^\s*(?:"
    r"out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply"
    r"|absence du bureau|r[ée]ponse automatique|message d'absence|absente?\s*(?::|-|$|\()"
    r"|absen(?:ce|te?)\s+(?:du|jusqu|until|from)\b\s*'?\s*(?:au\s+)?\d"
    r"|fuera de la oficina|respuesta autom[áa]tica|ausente\s*(?::|-|$|\()"
    r"|abwesenheitsnotiz|automatische antwort|abwesend\s*(?::|-|$|\()"
    r"|risposta automatica|fuori sede|fuori ufficio"
    r"|resposta autom[áa]tica|fora do escrit[óo]rio"
    r"|afwezig\s*(?::|-|$|\()|automatisch antwoord|niet aanwezig"
    r")",
    re.IGNORECASE,
)
_LIST_PRECEDENCE = frozenset({"auto_reply", "bulk", "list", "junk"})
_ADDRESS = r"<?([^\s<>()\"',;:]+@[^\s<>()\"',;:]+?)>?"
_BOUNCE_TEXT = [
    re.compile(r"^\s*<([^<>\s]+@[^<>\s]+)>:", re.MULTILINE),  # qmail, Postfix
    re.compile(r"your message to\s+" + _ADDRESS + r"\s+couldn'?t be delivered", re.IGNORECASE),
    re.compile(
        r"(?:wasn'?t|was not|could not be|couldn'?t be) delivered to\s+" + _ADDRESS + r"[\s.,]",
        re.IGNORECASE,
    ),
    re.compile(r"message (?:à|a|pour)\s+" + _ADDRESS + r"\s+n'a pas pu", re.IGNORECASE),
    re.compile(r"delivery to the following recipients? failed[^\n]*\n\s*\n?\s*" + _ADDRESS,
               re.IGNORECASE),
]  # fmt: skip
_EXIM_INTRO = re.compile(
    r"could not be delivered to one or more of its recipients|permanent error", re.IGNORECASE
)
_EXIM_RECIPIENT = re.compile(r"^  (?! )<?([^\s<>@]+@[^\s<>:]+?)>?:?(?:\s|$)")
_ORIGINAL_COPY = re.compile(
    r"^-{2,}\s*(below this line is a copy|this is a copy of the message|original message)",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_MSGID = re.compile(r"^[\s>]*message-id:\s*<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE)
_EMBEDDED = frozenset({"message/rfc822", "text/rfc822-headers", "message/global-headers"})


def _local(address: str | None) -> str:
    return (address or "").rsplit("@", 1)[0].lower()


def _from_daemon(msg: DecodedMessage) -> bool:
    return bool(_DAEMON_LOCAL.match(_local(msg.sender))) or bool(
        _DAEMON_NAMES.match(msg.sender_name.strip())
    )


def _dsn_actions(msg: DecodedMessage) -> list[str]:
    return [
        value.split()[0].lower()
        for part in msg.report_parts
        for value in part.values("Action")
        if value.split()
    ]


def _is_bounce(msg: DecodedMessage) -> bool | None:
    """True for a failure report, False for a delay/success report, None when not a DSN."""
    if msg.is_report and (msg.report_type or "") == "delivery-status":
        actions = _dsn_actions(msg)
        return not actions or "failed" in actions
    if (_from_daemon(msg) or msg.return_path == "") and _BOUNCE_SUBJECT.search(msg.subject):
        return "delay" not in msg.subject.lower()
    return None


def _is_auto_reply(msg: DecodedMessage) -> bool:
    auto = (msg.header("Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if any(msg.header(n) is not None for n in ("X-Autoreply", "X-Autorespond",
                                                 "X-MS-Exchange-Inbox-Rules-Loop",
                                                 "List-Id", "List-Unsubscribe")):  # fmt: skip
        return True
    if (msg.header("Precedence") or "").strip().lower() in _LIST_PRECEDENCE:
        return True
    if msg.return_path == "" or msg.is_report:
        return True
    local = _local(msg.sender)
    if _DAEMON_LOCAL.match(local) or _NOREPLY_LOCAL.match(local):
        return True
    return bool(_OOO_SUBJECT.match(msg.subject))


def automatic_kind(msg: DecodedMessage, own_addresses: Collection[str]) -> str | None:
    """'own', 'bounce' or 'auto_reply' for machine-sent mail, None for a person's message.

    Never guarded by a catch-all: an error here must reach the reader chain, which sends
    the message to review unanswered (answering a bounce would be the worse failure).
    """
    own = {a.strip().lower() for a in own_addresses}
    if msg.header(OWN_HEADER) is not None or (msg.sender is not None and msg.sender in own):
        return "own"
    bounce = _is_bounce(msg)
    if bounce:
        return "bounce"
    if bounce is False or _is_auto_reply(msg):
        return "auto_reply"
    return None


def _clean(address: str) -> str:
    return address.strip().strip("<>").rstrip(".,;:").lower()


def _dsn_recipients(msg: DecodedMessage) -> list[str]:
    found: list[str] = []
    for part in msg.report_parts:
        if "delivery-status" not in part.content_type:
            continue
        for block in part.blocks:
            fields = {k.lower(): v for k, v in reversed(block)}
            action = fields.get("action", "failed").split()
            if action and action[0].lower() != "failed":
                continue
            for name in ("original-recipient", "final-recipient"):
                value = fields.get(name, "")
                address = _clean(value.split(";", 1)[-1])
                if "@" in address:
                    found.append(address)
    return found


def _text_recipients(text: str) -> list[str]:
    copy = _ORIGINAL_COPY.search(text)
    text = text[: copy.start()] if copy else text  # never read the bounced message itself
    found = [_clean(m.group(1)) for pattern in _BOUNCE_TEXT for m in pattern.finditer(text)]
    intro = _EXIM_INTRO.search(text)
    if intro:
        for line in text[intro.end() :].split("\n")[1:]:
            match = _EXIM_RECIPIENT.match(line)
            if match:
                found.append(_clean(match.group(1)))
            elif line.strip() and not line.startswith(" "):
                break
    return [a for a in found if "@" in a]


def bounced_recipients(msg: DecodedMessage) -> list[str]:
    """Addresses a bounce says could not be reached: DSN fields first, else the bounce text."""
    found = _dsn_recipients(msg) or _text_recipients(msg.text)
    return list(dict.fromkeys(found))


def bounced_message_ids(msg: DecodedMessage) -> list[str]:
    """Message-IDs of the original message a bounce returns, from its parts or quoted text."""
    ids: list[str] = []
    for part in msg.report_parts:
        if part.content_type in _EMBEDDED:
            for value in part.values("Message-ID"):
                ids.extend(re.findall(r"<([^<>\s]+)>", value) or [value.strip()])
    ids.extend(_QUOTED_MSGID.findall(msg.text))
    return list(dict.fromkeys(i for i in ids if i))


def verp_id(msg: DecodedMessage, local_part: str) -> str | None:
    """The ID in a bounce sent to our VERP address LOCAL+b-ID@domain, if any."""
    pattern = re.compile(re.escape(local_part) + r"\+b-([^@\s<>\"']+)@", re.IGNORECASE)
    for name in ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"):
        for value in msg.header_all(name):
            match = pattern.search(value)
            if match:
                return match.group(1)
    return None
