"""What a bounce says: which recipients failed, and whether for good or only for now.

Our own reading comes first where it knows the format (a DSN's message/delivery-status
fields); otherwise flufl.bounce (Mailman's detector, which knows dozens of MTAs' text
bounces) is asked, guarded by its own share of the message's time budget, and our text
patterns last. Only syntactically valid addresses are ever reported.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from dataclasses import dataclass, field

from mailflow.budget import BudgetExceeded, time_budget
from mailflow.parsing.decode import DecodedMessage

log = logging.getLogger(__name__)
# flufl.bounce logs every detector it tries at INFO: one line each, for every bounce.
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)

FLUFL_SECONDS = 2.0  # of the message's budget; a detector that takes longer is given up
FLUFL_MAX_BYTES = 512_000  # what a bounce's explanation needs is at its start
PERMANENT, TEMPORARY = "permanent", "temporary"

_LOCAL = r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_ADDRESS = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+[^\W\d_][\w-]*[^\W_]")
_DSN_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}\b")
# A delay, as common MTAs word it: Postfix "Delayed Mail (still being retried)", Exim
# "Warning: message ... delayed 24 hours", Exchange "Delivery delayed:", Gmail "Delivery
# Status Notification (Delay)", Sendmail "Warning: could not send message for past 4 hours".
_DELAY_SUBJECT = re.compile(
    r"delayed mail|still being retried|^\s*warning: message\b.*\bdelayed|delivery delayed"
    r"|\(delay\)|delivery incomplete|warning: could not send message|delays? in deliver"
    r"|delivery delay|message delayed|temporary (delivery )?failure|remise (différée|retardée)"
    r"|zustellung verzögert|retrasad[oa]|entrega (demorada|atrasada|adiada)"
    r"|consegna ritardata|ritardo nella consegna|vertraagde (aflevering|bezorging)",
    re.IGNORECASE)
_TEMPORARY_TEXT = re.compile(
    r"warning (message )?only|do not need to resend|will be retried|will retry"
    r"|still being retried|will keep trying|will continue (to try|trying)|delivery incomplete"
    r"|(has|have) not yet been delivered|no action is required|temporary problem delivering"
    r"|delivery attempts will continue|nouvelle tentative|sera retent[ée]"
    r"|n'a pas encore (pu )?être (remis|distribué)|se volverá a intentar"
    r"|nuovi tentativi|verrà ritentat|nova tentativa|será reenviad|wird erneut versucht"
    r"|opnieuw geprobeerd|(errore|error|erreur|fehler) tempor(?!ar)", re.IGNORECASE)
_PERMANENT_TEXT = re.compile(
    r"permanent(ly)? (error|failure|fatal)|failed permanently|fatal error|(gave|giving) up"
    r"|retry time(out)? (exceeded|expired|not reached for any host after a long)"
    r"|will be deleted from (the )?queue|could not be delivered for \d+ days"
    r"|(?<![\d.])5\.\d{1,3}\.\d{1,3}(?![\d.])|\b55\d[ -]", re.IGNORECASE)
_ORIGINAL_COPY = re.compile(
    r"^-{2,}\s*(below this line is a copy|this is a copy of the message|original message"
    r"|message headers? follow|original message headers)", re.IGNORECASE | re.MULTILINE)


@dataclass
class FluflReading:
    """What flufl.bounce found: failed recipients, and a problem when it failed itself."""

    permanent: list[str] = field(default_factory=list)
    temporary: list[str] = field(default_factory=list)
    problem: str | None = None


def is_address(text: str) -> bool:
    """Whether ``text`` is one whole ``local@domain.tld`` address (``a@e`` is not)."""
    return len(text) <= 254 and _ADDRESS.fullmatch(text) is not None


def clean_address(text: str) -> str | None:
    """``text`` lower-cased without brackets and trailing punctuation, if it is an address."""
    address = text.strip().strip("<>").rstrip(".,;:").strip().lower()
    return address if is_address(address) else None


def dsn_status(msg: DecodedMessage) -> str | None:
    """'permanent' or 'temporary' from a DSN's per-recipient fields; None without any.

    A failure of any recipient is permanent (Action: failed, or a 5.x.x status without
    an action); a delay or a 4.x.x status alone is temporary.
    """
    found: set[str] = set()
    for part in msg.report_parts:
        if "delivery-status" not in part.content_type:
            continue
        for block in part.blocks:
            fields = {k.lower(): v.strip() for k, v in reversed(block)}
            action = (fields.get("action") or "").split()
            status = _DSN_STATUS.match(fields.get("status") or "")
            if action:
                name = action[0].lower()
                if name == "failed":
                    found.add(PERMANENT)
                elif name == "delayed":
                    found.add(TEMPORARY)
            elif status and status.group(1) in "45":
                found.add(PERMANENT if status.group(1) == "5" else TEMPORARY)
    if PERMANENT in found:
        return PERMANENT
    return TEMPORARY if found else None


def text_status(msg: DecodedMessage) -> str | None:
    """'temporary' when the subject or the explanation says delivery goes on, 'permanent'
    when it says it failed for good, None when it says neither."""
    if _DELAY_SUBJECT.search(msg.subject):
        return TEMPORARY
    text = msg.text[:20_000]
    copy = _ORIGINAL_COPY.search(text)
    text = text[: copy.start()] if copy else text  # never the returned message itself
    if _PERMANENT_TEXT.search(text):
        return PERMANENT
    if _TEMPORARY_TEXT.search(text):
        return TEMPORARY
    return None


def _addresses(found: frozenset[bytes] | frozenset[str]) -> list[str]:
    cleaned = (clean_address(a.decode("utf-8", "replace") if isinstance(a, bytes) else a)
               for a in found)
    return sorted({a for a in cleaned if a})


def flufl_scan(msg: DecodedMessage) -> FluflReading:
    """flufl.bounce's reading of the raw message, never raising.

    It runs within FLUFL_SECONDS of the message's own budget: past it, or on any error,
    the problem is returned (to be reviewed) and nothing is taken from it. An outer
    budget that runs out meanwhile is re-armed on leaving and still ends the message.
    """
    if not msg.raw:
        return FluflReading()
    try:
        from flufl.bounce import all_failures

        parsed = email.message_from_bytes(msg.raw[:FLUFL_MAX_BYTES],
                                          policy=email.policy.compat32)
        with time_budget(FLUFL_SECONDS):
            temporary, permanent = all_failures(parsed)
    except BudgetExceeded:
        log.warning("flufl.bounce took too long on message %s", msg.message_id)
        return FluflReading(problem="the bounce detector took too long on this bounce")
    except Exception as exc:
        log.warning("flufl.bounce failed on message %s: %r", msg.message_id, exc)
        return FluflReading(problem=f"the bounce detector failed on this bounce "
                                    f"({exc.__class__.__name__})")
    return FluflReading(permanent=_addresses(permanent), temporary=_addresses(temporary))
