"""Whether a message may change a participant's record: evidence, never the From header alone.

Anyone can put a participant's address in From. What ties a message to the person
is a reply to our signed reply address (an HMAC over our mail and their address) or
a DMARC/DKIM pass for their domain from our own server. A thread id is not enough: our
Message-IDs cannot be guessed, but anyone who sees one of our mails can copy it.
Without that evidence, a command waits for a confirmation mailed to the registered
address, and any other change goes to review.
"""

from __future__ import annotations

from datetime import date, datetime

from mailflow.parsing.reading import VERIFIED, Reading
from mailflow.program.calendar import format_date
from mailflow.store.records import Participant

CHANGES = {
    "en": {"stop": "stop sending you optional mail (such as the monthly tips)",
           "start": "send you optional mail again",
           "pause": "pause your mail until {until}",
           "resume": "resume your mail",
           "erase": "delete all your data from the program"},
    "fr": {"stop": "ne plus vous envoyer le courrier facultatif (comme les conseils mensuels)",
           "start": "vous envoyer de nouveau le courrier facultatif",
           "pause": "suspendre vos messages jusqu'au {until}",
           "resume": "reprendre vos messages",
           "erase": "supprimer toutes vos données du programme"},
}
UNVERIFIED = ("was not sent to the reply address we gave this participant, and the From "
              "header alone can be forged; not applied")


def check(reading: Reading, person: Participant | None) -> None:
    """Send to review a reading that would change a registered person's record on From alone."""
    if person is None or reading.needs_review:
        return
    if reading.kind == "application":
        role = person.get("role")
        asked = reading.application.role
        if role and asked and asked != role:
            reading.doubt(f"asks to change the role from {role} to {asked}: "
                          "a coordinator decides")
        elif reading.evidence not in VERIFIED:
            reading.doubt(f"changes the form of someone already registered, but {UNVERIFIED}")
    elif reading.kind in ("choices", "meeting", "survey") and reading.evidence not in VERIFIED:
        reading.doubt(f"this {reading.kind} answer {UNVERIFIED}")


def change_text(pending: str, language: str) -> str:
    """The change awaiting confirmation, in words: 'pause your mail until July 1, 2027'."""
    name, _, until = pending.partition(":")
    texts = CHANGES.get(language, CHANGES["en"])
    when = ""
    if until:
        try:
            day = date.fromisoformat(until)
            when = format_date(datetime(day.year, day.month, day.day), language)
        except ValueError:
            when = until
    return texts.get(name, name).format(until=when)
