"""A participant who writes that they must leave the program: a request, never a command.

"I have to withdraw from the program", "je dois me retirer du programme": nothing is
changed on the words alone (a person may only be thinking aloud, or write in someone's
name); the coordinators confirm the withdrawal, and the writer is told it was passed on.
A question ("do I have to withdraw if I move?") is not a request.
"""

from __future__ import annotations

import re

from mailflow.text import fold_accents

_LEAVE = (r"(?:withdraw(?=\s+(?:from|my\s+(?:application|participation|candidacy))\b|\s*[.!,;:]"
          r"|\s*$)|leave\s+(?:the|this)\s+(?:mentorship\s+)?program(?:me)?|drop\s+out"
          r"|quit\s+(?:the|this)\s+(?:mentorship\s+)?program(?:me)?|step\s+(?:down|back|away)"
          r"\s+from\s+(?:the|this)\s+program(?:me)?)")
_PARTIR = (r"(?:me\s+retirer|quitter\s+le\s+programme|abandonner(?:\s+le\s+programme)?"
           r"|arreter\s+le\s+programme|renoncer\s+au\s+programme)")
_SALIR = r"(?:retirarme|dejar\s+el\s+programa|abandonar\s+el\s+programa|salir\s+del\s+programa)"
# Folded to lower case without accents before matching ("désolée" -> "desolee").
_ASKS = re.compile(
    rf"\b(?:i\s+(?:have|need|must|want|would\s+like|'d\s+like|wish|will\s+have)\s+to\s+{_LEAVE}"
    rf"|i\s+(?:must|will|'ll)\s+{_LEAVE}"
    rf"|i(?:\s+am|'m)\s+(?:going\s+to\s+|forced\s+to\s+|afraid\s+i\s+(?:have|must)\s+to\s+)?"
    rf"(?:withdrawing(?:\s+from)?|leaving|quitting|dropping\s+out\s+of)\s+(?:the|this)\s+"
    rf"(?:mentorship\s+)?program"
    rf"|please\s+(?:withdraw|remove)\s+me\s+from"
    rf"|je\s+(?:dois|vais|souhaite|voudrais|veux|prefere|suis\s+obligee?\s+de)\s+{_PARTIR}"
    rf"|je\s+me\s+retire\b|retirez[\s-]+moi\s+du\s+programme"
    rf"|(?:tengo\s+que|debo|quiero|voy\s+a)\s+{_SALIR}|me\s+retiro\s+del\s+programa)")


def asks_to_leave(text: str) -> str | None:
    """The sentence of ``text`` in which its writer says they leave the program, or None.

    Only the new text of a reply is given; a sentence that asks (ends with '?') is not a
    request to leave."""
    # Folded one character at a time, so that places in it are places in ``text``.
    folded = "".join(f if len(f := fold_accents(c)) == 1 else c.lower() for c in text)
    for match in _ASKS.finditer(folded):
        end = min((i for i in (folded.find(mark, match.end()) for mark in ".!?\n")
                   if i >= 0), default=len(folded))
        if folded[end:end + 1] == "?":
            continue
        start = max(folded.rfind(mark, 0, match.start()) for mark in ".!?\n") + 1
        return text[start:end + 1].strip()
    return None
