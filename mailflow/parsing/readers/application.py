"""Application forms, in any thread: a form is read by its lines wherever it comes."""

from __future__ import annotations

import re

from mailflow.parsing.examine import Context, Letter
from mailflow.parsing.forms import read_form
from mailflow.parsing.readers import Step
from mailflow.parsing.reading import Application

_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|wg|rv|i)\s*:", re.IGNORECASE)


def form(letter: Letter, ctx: Context, required: bool = False) -> bool:
    """An application form: in the new text, or typed into our quoted form."""
    reading, reply, person = letter.reading, letter.reply, letter.person
    found = read_form(reply.new_text, reply.quoted, ctx.config.forms, letter.msg.text)
    completing = bool(found.fields) and (person.get("status") if person else None) == "applicant"
    if not (found.found or completing or required):  # an applicant may send one line alone
        return False
    reading.kind = "application"
    reading.application = Application(found.role, found.fields, found.missing)
    for line in found.unknown:
        reading.doubt(f"the form has a line mailflow does not know: {line[:60]!r}")
    for problem in found.problems:
        reading.doubt(problem)
    if _forwarded(letter) and not read_form(reply.new_text, "", ctx.config.forms).found:
        reading.doubt("a forwarded application form: applications are taken only from "
                      "the applicant's own address")
    return True

def _forwarded(letter: Letter) -> bool:
    """A forward, by its subject or an attached message."""
    msg = letter.msg
    return bool(_FORWARD_SUBJECT.match(msg.subject)) or any(
        a.content_type == "message/rfc822" for a in msg.attachments) or (
        "forwarded message" in msg.text.lower())


STEPS = (
    Step(160, "application form", form, ("application",)),
)
