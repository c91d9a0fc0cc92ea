"""What a message means: the ordered chain of readers, and ``understand`` that runs it.

``understand`` is pure given its context (the configuration, the roster and the
outbox lookups), so ``mailflow parse`` shows exactly what the daemon would conclude.
To add a kind of message, write a reader in ``mailflow.parsing.readers`` and give it
its place in ``CHAIN``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from mailflow.parsing import readers
from mailflow.parsing.decode import DecodedMessage
from mailflow.parsing.examine import Context, Letter, attribute, first_look
from mailflow.parsing.reading import KINDS, Reading, guess_language

__all__ = ["CHAIN", "KINDS", "Context", "Reading", "guess_language", "understand"]

log = logging.getLogger(__name__)

Reader = Callable[[Letter, Context], bool]


def _attribute(letter: Letter, ctx: Context) -> bool:
    attribute(letter, ctx)
    return False


# The order is the rule. Machine mail is recognised before anything is read into it;
# authority before content; a command in any thread; then the thread (what our mail
# asked for) decides the reader, and only mail that answers nothing is read by content.
CHAIN: tuple[tuple[str, Reader], ...] = (
    ("own mail", readers.own_mail),
    ("bounce", readers.bounce),
    ("feedback report", readers.feedback),
    ("no sender", readers.no_sender),
    ("who and which thread", _attribute),
    ("auto-reply", readers.auto_reply),
    ("answer to our event invitation", readers.attendance),
    ("answer to a review notice", readers.review_answer),
    ("coordinator's approval", readers.approval),
    ("coordinator's mail", readers.coordinator),
    ("confirmation", readers.confirmation),
    ("command", readers.command),
    ("request to leave the program", readers.leaving),
    ("mentor's YES or NO", readers.acceptance),
    ("expected answer", readers.expected),
    ("application form", readers.form),
    ("unexpected content", readers.unexpected),
    ("anything else", readers.leftover),
)
# Second opinions run on every reading the chain made: they may add a doubt or a concern,
# never change what was read.
SECOND_OPINIONS: tuple[tuple[str, Reader], ...] = (
    ("a question or a call for help", readers.concern),
    ("nothing of what was asked", readers.nothing_found),
)


def understand(msg: DecodedMessage, ctx: Context) -> Reading:
    """Read ``msg`` with the first reader of the chain that claims it; never raises.

    A reader that fails sends the message to review with the reason: an error is
    never taken for "a person wrote this", so a failure is never answered.
    """
    letter = first_look(msg)
    reading = letter.reading
    for name, reader in CHAIN:
        try:
            if reader(letter, ctx):
                break
        except Exception as exc:
            log.exception("reader %r failed on message %s", name, msg.message_id)
            reading.kind = "unknown"
            reading.doubt(f"mailflow could not read this message ({name}: "
                          f"{exc.__class__.__name__}); nothing was applied or answered")
            reading.no_answer = True
            return reading
    for name, reader in SECOND_OPINIONS:
        try:
            reader(letter, ctx)
        except Exception as exc:
            log.exception("second opinion %r failed on message %s", name, msg.message_id)
            reading.doubt(f"mailflow could not finish reading this message ({name}: "
                          f"{exc.__class__.__name__})")
    return reading
