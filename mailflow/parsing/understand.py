"""What a message means: the ordered chain of readers, and ``understand`` that runs it.

``understand`` is pure given its context (the configuration, the roster and the
outbox lookups), so ``mailflow parse`` shows exactly what the daemon would conclude.
The readers live in ``mailflow.parsing.readers``, one module per family of mail; each
declares its steps (place, name, reader, kinds). To add a kind of message, add a reader
and its ``Step`` there: ``CHAIN`` and ``KINDS`` follow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from mailflow.parsing import readers
from mailflow.parsing.decode import DecodedMessage
from mailflow.parsing.examine import Context, Letter, attribute, first_look
from mailflow.parsing.readers import Reader, Step
from mailflow.parsing.reading import Reading, guess_language

__all__ = ["CHAIN", "KINDS", "STEPS", "Context", "Reading", "guess_language", "understand"]

log = logging.getLogger(__name__)


def _attribute(letter: Letter, ctx: Context) -> bool:
    attribute(letter, ctx)
    return False


def _ordered(steps: Iterable[Step]) -> tuple[Step, ...]:
    """The steps by place; two steps at one place or under one name are a mistake."""
    ordered = tuple(sorted(steps, key=lambda step: step.place))
    for what in ("place", "name"):
        values = [getattr(step, what) for step in ordered]
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:
            raise ValueError(f"two reader steps share a {what}: {', '.join(twice)}")
    return ordered


# The order is the rule. Machine mail is recognised before anything is read into it;
# authority before content; a command in any thread; then the thread (what our mail
# asked for) decides the reader, and only mail that answers nothing is read by content.
# Second opinions run on every reading the chain made: they may add a doubt or a concern,
# never change what was read. (The order by name: tests/parsing/test_chain_order.py.)
STEPS: tuple[Step, ...] = _ordered((Step(50, "who and which thread", _attribute),
                                    *readers.declared()))
CHAIN: tuple[tuple[str, Reader], ...] = tuple(
    (step.name, step.read) for step in STEPS if not step.second_opinion)
SECOND_OPINIONS: tuple[tuple[str, Reader], ...] = tuple(
    (step.name, step.read) for step in STEPS if step.second_opinion)
# Every kind of message a reading may conclude, in the order of the chain (what the
# rules' ``message:`` condition accepts).
KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for step in STEPS for kind in step.kinds))


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
