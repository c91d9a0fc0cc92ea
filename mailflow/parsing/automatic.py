"""Tell machine-sent mail (bounces, auto-replies, lists, our own) from mail a person wrote."""

from __future__ import annotations

import re
from collections.abc import Collection

from mailflow.parsing.bounces import clean_address
from mailflow.parsing.decode import DecodedMessage
from mailflow.parsing.feedback import is_feedback

OWN_HEADER = "X-Mailflow-Id"
_DAEMON_LOCAL = re.compile(
    r"^(mailer-daemon|mailerdaemon|mail-daemon|postmaster|microsoftexchange[0-9a-f]*)$"
)
_NOREPLY_LOCAL = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply)([-+_.].*)?$")
# List servers answer for their lists: Mailman (LIST-bounces, -owner, -request), Sympa,
# LISTSERV, Majordomo, ezmlm (LIST-return-...), Google Groups' owners.
_LIST_SERVER_LOCAL = re.compile(
    r"^(.+-(bounces?|owner|request|admin|return(-.*)?)|owner-.+|listserv|majordomo|sympa"
    r"|mailman|ezmlm|lyris)$")
_DAEMON_NAMES = re.compile(r"^mail delivery (sub)?system$|^mailer.daemon$|^postmaster$"
                           r"|mail delivery (service|system)|^courier mail server",
                           re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undelivered mail returned to sender|delivery status notification"
    r"|mail delivery failed|\bundeliverable\b|\bundelivered\b|returned mail|failure notice"
    r"|delivery failure|delivery has failed|message not delivered|mail delivery system"
    r"|non-?delivery|nondeliverable|could not (be )?deliver|unable to deliver|mail failure"
    r"|returned to sender|mail system error|delivery (notification|problem|report)"
    r"|delivery (delayed|incomplete)|delayed mail|^\s*warning: message\b.*\bdelayed"
    r"|warning: could not send message|delays? in deliver|mail delivery status"
    r"|(permanent|temporary) (delivery )?failure|message (status|rejected|blocked)"
    r"|^\s*rejected\b|was rejected|not (be )?delivered"
    r"|^non remis|non distribuable|échec de (la )?remise|^unzustellbar|^onbestelbaar"
    r"|^no se puede entregar|^non recapitabile|não (foi )?entregue"
    r"|entrega (retrasada|demorada|atrasada|adiada)|no (se ha podido|se pudo|pudo) entregar"
    r"|mensaje no entregado|(error|fallo|falla) (de|en la) entrega|falha na entrega"
    r"|remise (différée|retardée)|distribution différée|zustellung (verzögert|fehlgeschlagen)"
    r"|nicht zustellbar|mancato recapito|consegna (ritardata|non riuscita|fallita)"
    r"|vertraagde (aflevering|bezorging)|niet (afgeleverd|bezorgd)",
    re.IGNORECASE,
)
# A subject that says a machine answered: enough on its own.
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:"
    r"automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|out of office autoreply"
    r"|r[ée]ponse automatique|respuesta autom[áa]tica|automatische antwort"
    r"|risposta automatica|resposta autom[áa]tica|automatisch antwoord"
    r"|automatiskt svar|automatisk svar|automaattinen vastaus|odpowied[źz] automatyczna"
    r"|автоответ|автоматический ответ|自動返信|自動応答|自动回复|自動回覆|자동 응답"
    r"|ticket received|\[?(?:request|ticket|case) (?:received|#?\d+)"
    r")",
    re.IGNORECASE,
)
# A subject a person might also write ("Out of office in February: can I still…?"):
# a machine's only when the text asks nothing.
_ABSENCE_SUBJECT = re.compile(
    r"^\s*(?:"
    r"out of (?:the )?office|absence du bureau|message d'absence|absente?\s*(?::|-|$|\()"
    r"|absen(?:ce|te?)\s+(?:du|jusqu|until|from)\b\s*'?\s*(?:au\s+)?\d"
    r"|fuera de la oficina|ausente\s*(?::|-|$|\()"
    r"|abwesenheitsnotiz|abwesend\s*(?::|-|$|\()"
    r"|fuori sede|fuori ufficio|fora do escrit[óo]rio"
    r"|afwezig\s*(?::|-|$|\()|niet aanwezig"
    r"|nieobecno[śs][ćc]|poza biurem|fr[åa]nvarande|inte p[åa] kontoret|frav[æa]r"
    r"|ikke p[åa] kontoret|poissa toimistolta|nep[řr][íi]tomnost|mimo kancel[áa][řr]"
    r"|ofis d[ıi][şs]ında|不在|부재|отсутств|в отпуске"
    r")|\bis out of (?:the )?office\b|\bn'est pas au bureau\b|\bist abwesend\b",
    re.IGNORECASE,
)
# Words only a machine writes of itself, in the first lines of the text.
_MACHINE_TEXT = re.compile(
    r"this is an? auto(?:matic(?:ally generated)?|mated|-generated)\s+(?:reply|response|"
    r"message|e-?mail|notification|acknowledge?ment)"
    r"|\b(?:auto-?generated|automatically generated|automated) (?:reply|response|message)"
    r"|please do not reply (?:to|directly to) this (?:e-?mail|message)"
    r"|(?:we|we've|we have) received your (?:request|message|e-?mail|enquiry|inquiry)"
    r"[^.\n]{0,80}(?:ticket|reference|case|request) (?:number|id|#)"
    r"|your (?:request|ticket) (?:#|number |id )?\s*\d+ has been (?:received|created|opened)"
    r"|(?:verify|confirm) (?:that )?you are (?:a )?(?:human|real person|not a robot)"
    r"|(?:click|follow) the link below to (?:verify|confirm) (?:your|that)"
    r"|ceci est une? (?:r[ée]ponse|message) automatique|message g[ée]n[ée]r[ée] automatiquement"
    r"|merci de ne pas r[ée]pondre [àa] ce (?:message|courriel)"
    r"|esta es una respuesta autom[áa]tica|mensaje generado autom[áa]ticamente"
    r"|dies ist eine automatische (?:antwort|nachricht)|automatisch generierte nachricht"
    r"|questa [èe] una risposta automatica|esta [ée] uma resposta autom[áa]tica"
    r"|dit is een automatisch (?:antwoord|bericht)",
    re.IGNORECASE,
)
_MACHINE_HEADERS = ("X-Autoreply", "X-Autorespond", "X-MS-Exchange-Inbox-Rules-Loop",
                    "List-Id", "List-Unsubscribe", "X-Zendesk-From-Account-Id",
                    "X-Freshdesk-Ticket-Id", "X-RT-Loop-Prevention", "X-OTRS-Loop",
                    "X-Helpdesk-Ticket", "X-Challenge")
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
    # Gmail: the address on the same line, or alone on one of the next lines.
    re.compile(r"delivery to the following recipients? failed[^\n:]*:?[ \t]*\n?\s*\n?\s*"
               r"<?([^\s<>()\"',;:]+@[^\s<>()\"',;:]+)", re.IGNORECASE),
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
    local = _local(msg.sender)
    return bool(_DAEMON_LOCAL.match(local) or _LIST_SERVER_LOCAL.match(local)) or bool(
        _DAEMON_NAMES.search(msg.sender_name.strip())
    )


def _dsn_actions(msg: DecodedMessage) -> list[str]:
    return [
        value.split()[0].lower()
        for part in msg.report_parts
        for value in part.values("Action")
        if value.split()
    ]


def _is_bounce(msg: DecodedMessage) -> bool | None:
    """True for a failed or delayed delivery, False for a success report (delivered,
    relayed, expanded), None when it is neither."""
    if msg.is_report and (msg.report_type or "") == "delivery-status":
        actions = _dsn_actions(msg)
        return not actions or bool({"failed", "delayed"} & set(actions))
    machine = _from_daemon(msg) or msg.return_path == "" or (
        (msg.header("Auto-Submitted") or "").strip().lower().startswith("auto-"))
    if machine and msg.header("X-Failed-Recipients") is not None:
        return True  # Exim names the failed recipients in a header of its own
    if machine and _BOUNCE_SUBJECT.search(msg.subject):
        return True
    return None


def _is_auto_reply(msg: DecodedMessage) -> bool:
    return _machine_marks(msg) or by_subject_only(msg)


def _machine_marks(msg: DecodedMessage) -> bool:
    """Headers, a sender or words that only a machine writes."""
    auto = (msg.header("Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if any(msg.header(n) is not None for n in _MACHINE_HEADERS):
        return True
    if (msg.header("Precedence") or "").strip().lower() in _LIST_PRECEDENCE:
        return True
    if msg.return_path == "" or msg.is_report:
        return True
    local = _local(msg.sender)
    if _DAEMON_LOCAL.match(local) or _NOREPLY_LOCAL.match(local):
        return True
    if _MACHINE_TEXT.search(msg.text[:2000]):
        return True
    prefix = _AUTO_SUBJECT.match(msg.subject)
    # "Automatic reply: <the subject answered>": the prefix is the machine's, a question
    # mark after it the answered mail's; without the colon, a "?" makes it a person's.
    return prefix is not None and (msg.subject[prefix.end():].lstrip().startswith(":")
                                   or "?" not in msg.subject)


def by_subject_only(msg: DecodedMessage) -> bool:
    """An absence subject ("Out of office", "Nieobecność w biurze") and nothing else: a
    machine's unless the subject or the text asks something. A person may write that
    subject too, so such mail is never answered and goes to review (see readers)."""
    if _machine_marks(msg):
        return False
    absence = _ABSENCE_SUBJECT.search(msg.subject) or _AUTO_SUBJECT.match(msg.subject)
    return bool(absence) and "?" not in msg.subject + msg.text[:2000]


def automatic_kind(msg: DecodedMessage, own_addresses: Collection[str]) -> str | None:
    """'own', 'feedback', 'bounce' or 'auto_reply' for machine-sent mail, None for a person's.

    Never guarded by a catch-all: an error here must reach the reader chain, which sends
    the message to review unanswered (answering a bounce would be the worse failure).
    """
    own = {a.strip().lower() for a in own_addresses}
    if msg.header(OWN_HEADER) is not None or (msg.sender is not None and msg.sender in own):
        return "own"
    if is_feedback(msg):
        return "feedback"
    bounce = _is_bounce(msg)
    if bounce:
        return "bounce"
    if bounce is False or _is_auto_reply(msg):
        return "auto_reply"
    return None


def _clean(address: str) -> str:
    return clean_address(address) or ""


def dsn_recipients(msg: DecodedMessage) -> list[str]:
    """The recipients a DSN reports as failed; if none failed, those it reports delayed."""
    found: dict[str, list[str]] = {"failed": [], "delayed": []}
    for part in msg.report_parts:
        if "delivery-status" not in part.content_type:
            continue
        for block in part.blocks:
            fields = {k.lower(): v for k, v in reversed(block)}
            action = (fields.get("action", "failed").split() or ["failed"])[0].lower()
            if action not in found:
                continue
            for name in ("original-recipient", "final-recipient"):
                address = _clean(fields.get(name, "").split(";", 1)[-1])
                if address:
                    found[action].append(address)
    return found["failed"] or found["delayed"]


def text_recipients(text: str) -> list[str]:
    """Recipients a text bounce names, in the words of common MTAs (ours, not flufl's)."""
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
    return [a for a in found if a]


_HEADER_LINE = re.compile(r"^\s*(?:from|to|subject|date|message-id|received|return-path|von|an|"
                          r"betreff|de|à|a|para|asunto|objet|oggetto|da|onderwerp|van|aan)"
                          r"\s?:", re.IGNORECASE | re.MULTILINE)
_ANY_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def lone_address(msg: DecodedMessage, own_domain: str) -> str | None:
    """The one address a bounce's own words name (before any copy of the original or a
    header block), not ours nor the reporting server's: the recipient, in any language.
    None when there are none or several."""
    text = msg.text[:5000]
    cut = min((m.start() for m in (_ORIGINAL_COPY.search(text), _HEADER_LINE.search(text))
               if m is not None), default=len(text))
    found = {a for a in (_clean(m.group(0)) for m in _ANY_ADDRESS.finditer(text[:cut]))
             if a and a != (msg.sender or "").lower()
             and not a.endswith("@" + own_domain.lower())
             and _local(a) not in ("postmaster", "mailer-daemon", "abuse")}
    return found.pop() if len(found) == 1 else None


def bounced_recipients(msg: DecodedMessage) -> list[str]:
    """Addresses a bounce says could not be reached: DSN fields first, else the bounce text."""
    found = dsn_recipients(msg) or text_recipients(msg.text)
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
