"""Split a reply into what the person just wrote, the quoted original, and their signature."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WROTE = r"(?:wrote|a\s+écrit|escribió|ha\s+scritto|escreveu|schreef|skrev)\s*:"
# A full attribution line: "On <date>, <name> wrote:" and its translations.
_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"(?:on|le|el|il|em|op|den|am)\b.{0,300}" + _WROTE
    + r"|am\b.{0,200}\bschrieb\b.{0,200}:"
    + r"|.{0,200}<[^<>\s]+@[^<>\s]+>\s*" + _WROTE
    + r")\s*$",
    re.IGNORECASE,
)  # fmt: skip
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|le|el|il|em|op|am)\s+\S", re.IGNORECASE)
_ENDS_WROTE = re.compile(_WROTE + r"\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|message d'origine|mensaje original"
    r"|ursprüngliche nachricht|original-nachricht|messaggio originale|mensagem original"
    r"|oorspronkelijk bericht|forwarded message|message transféré|mensaje reenviado"
    r"|weitergeleitete nachricht|messaggio inoltrato)\s*-{2,}"
    r"|begin forwarded message\s*:|début du message réexpédié\s*:"
    r"|inicio del mensaje reenviado\s*:)\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{20,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|de|von|da|van)\s?:\*?\s+\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|envoyé|enviado|gesendet|inviato|verzonden|to|à|para|an|a|aan"
    r"|subject|objet|asunto|betreff|oggetto|assunto|onderwerp)\s?:\*?",
    re.IGNORECASE,
)
_SENT_FIRST = re.compile(r"^\s*\*?(?:sent|date|datum|envoyé|enviado|gesendet|inviato)\s?:\*?\s+\S",
                         re.IGNORECASE)
_QUOTED = re.compile(r"^\s*>")
_DELIMITER = re.compile(r"^--\s?$")
_MOBILE = re.compile(
    r"^\s*(?:sent from my \w+|sent from (?:outlook|yahoo mail|mail) for \w+"
    r"|sent from outlook|get outlook for \w+|envoyé de mon \w+|envoyé depuis mon \w+"
    r"|envoyé à partir de outlook pour \w+|enviado desde mi \w+|enviado do meu \w+"
    r"|von meinem \w+ gesendet|inviato da(?:l mio)? \w+|verzonden vanaf mijn \w+"
    r"|sent from samsung mobile|sent from my android device).{0,60}$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:best|best regards|best wishes|kind regards|warm regards|warmly|regards|thanks"
    r"|thank you|many thanks|thanks again|cheers|sincerely|yours|all the best|take care"
    r"|cordialement|bien cordialement|bien à vous|bien à toi|merci|merci beaucoup|amitiés"
    r"|bonne journée|à bientôt|salutations|saludos|un saludo|atentamente|gracias"
    r"|un abrazo|mit freundlichen grüßen|viele grüße|beste grüße|grüße|danke"
    r"|cordiali saluti|saluti|grazie|atenciosamente|abraços|obrigad[oa]"
    r"|met vriendelijke groet|groeten|bedankt)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_MAX_SIGNATURE_LINES = 4
_SHORT = 60


@dataclass(frozen=True)
class Reply:
    """A reply split into new text, quoted original and signature (all stripped)."""

    new_text: str
    quoted: str
    signature: str


def _is_attribution(lines: list[str], index: int) -> int:
    """How many lines (1-3) the attribution starting at `index` spans, or 0."""
    line = lines[index]
    if _QUOTED.match(line) or len(line) > 400:
        return 0
    if _ATTRIBUTION.match(line):
        return 1
    if not _ATTRIBUTION_START.match(line) and "<" not in line:
        return 0
    joined = line
    for extra in (1, 2):  # Gmail wraps long "On ... wrote:" lines
        if index + extra >= len(lines) or not lines[index + extra].strip():
            return 0
        joined = joined.rstrip() + " " + lines[index + extra].strip()
        if _ENDS_WROTE.search(joined) or joined.rstrip().endswith(":"):
            return extra + 1 if _ATTRIBUTION.match(joined) else 0
    return 0


def _header_block(lines: list[str], index: int) -> bool:
    """True when a "From:" line is followed by more original-message header lines, or a
    "Gesendet:"/"Date:" line by a "Von:"/"From:" and another (web.de and GMX begin so)."""
    following = [line for line in lines[index + 1 : index + 6] if line.strip()][:3]
    if _SENT_FIRST.match(lines[index]) and following and _HEADER_FROM.match(following[0]):
        return sum(1 for line in following[1:] if _HEADER_NEXT.match(line)) >= 1
    if not _HEADER_FROM.match(lines[index]):
        return False
    return sum(1 for line in following if _HEADER_NEXT.match(line)) >= 2 or (
        bool(following) and re.match(r"^\s*\*?(sent|envoyé|gesendet)\s?:", following[0], re.I)
        is not None
    )


def _hard_cut(lines: list[str]) -> int:
    """Index of the first line after which everything is the quoted original (len if none)."""
    for index, line in enumerate(lines):
        if _QUOTED.match(line):
            continue
        if _SEPARATOR.match(line) or _header_block(lines, index):
            return index
        if _UNDERSCORES.match(line):
            following = [entry for entry in lines[index + 1 : index + 4] if entry.strip()]
            if following and _HEADER_FROM.match(following[0]):
                return index
        span = _is_attribution(lines, index)
        if span:
            rest = [entry for entry in lines[index + span :] if entry.strip()]
            if rest and not _QUOTED.match(rest[0]):
                return index  # an attribution followed by unquoted original text
    return len(lines)


def _classify(lines: list[str]) -> list[bool]:
    """For each line, True when it is quoted material (quote marks, attribution, original)."""
    cut = _hard_cut(lines)
    quoted = [index >= cut for index in range(len(lines))]
    index = 0
    while index < cut:
        if _QUOTED.match(lines[index]):
            quoted[index] = True
        else:
            span = _is_attribution(lines, index)
            for offset in range(span):
                quoted[index + offset] = True
            index += max(span, 1) - 1
        index += 1
    return quoted


def _signature_start(block: list[str]) -> int | None:
    """Where the signature starts in the last block of new text, or None (be conservative)."""
    content = [i for i, line in enumerate(block) if line.strip()]
    if not content:
        return None
    for index in content:
        if _DELIMITER.match(block[index]):
            return index
    for index in content:
        if _MOBILE.match(block[index]) and len([i for i in content if i > index]) <= 3:
            return index
    for index in content[1:]:  # never the first line: "Thanks," alone is the message
        if not _SIGN_OFF.match(block[index]):
            continue
        after = [block[i].strip() for i in content if i > index]
        if 1 <= len(after) <= _MAX_SIGNATURE_LINES and all(
            len(line) <= _SHORT and not line.endswith("?") for line in after
        ):
            return index
    return None


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line.rstrip())
    return "\n".join(out).strip()


def marked_lines(text: str) -> list[tuple[str, bool]]:
    """Each line of a reply, with True when it is quoted material: quote marks, an
    attribution, or the original a client appended unquoted (Outlook's header block)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return list(zip(lines, _classify(lines), strict=True))


def is_sign_off(line: str) -> bool:
    """Whether ``line`` is only a closing formula ('Best regards,', 'Cordialement')."""
    return bool(_SIGN_OFF.match(line))


def split_reply(text: str) -> Reply:
    """Split a plain-text reply into new text, quoted original and signature; never raises."""
    try:
        lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        quoted = _classify(lines)
        new_indexes = [i for i, q in enumerate(quoted) if not q]
        blocks: list[list[int]] = []  # runs of new lines, split where quoted lines sit
        for index in new_indexes:
            if blocks and blocks[-1][-1] == index - 1:
                blocks[-1].append(index)
            else:
                blocks.append([index])
        signature: list[int] = []
        with_content = [b for b in blocks if any(lines[i].strip() for i in b)]
        if with_content:
            last = with_content[-1]
            start = _signature_start([lines[i] for i in last])
            if start is not None:
                signature = last[start:]
        sig_set = set(signature)
        new_parts: list[str] = []
        for block in blocks:
            kept = [lines[i] for i in block if i not in sig_set]
            if any(line.strip() for line in kept):
                new_parts.append(_tidy(kept))
        return Reply(
            new_text="\n\n".join(new_parts),
            quoted=_tidy([line for line, q in zip(lines, quoted, strict=True) if q]),
            signature=_tidy([lines[i] for i in signature]),
        )
    except Exception:  # conservative: everything is new text
        return Reply(new_text=(text or "").strip(), quoted="", signature="")
