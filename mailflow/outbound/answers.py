"""When answers were queued, by mailbox: what the per-address answer budget reads, so
that no loop or reflector can make mailflow answer without end."""

from __future__ import annotations

from mailflow.outbound.items import OutboxItem
from mailflow.outbound.keys import mailbox_key


class AnswerTimes:
    """The times answers (mail of kind 'reply') were queued to each mailbox.

    Every spelling of one mailbox counts as one: case, the domain in Unicode or IDNA
    (fullwidth letters included), and +tags."""

    def __init__(self) -> None:
        self._times: dict[str, list[float]] = {}

    def add(self, item: OutboxItem) -> None:
        """Count ``item`` if it is an answer."""
        if item.kind == "reply":
            for recipient in item.recipients:
                self._times.setdefault(mailbox_key(recipient), []).append(item.created)

    def remove(self, item: OutboxItem) -> None:
        """Forget ``item`` (it was never queued after all)."""
        if item.kind == "reply":
            for recipient in item.recipients:
                times = self._times.get(mailbox_key(recipient), [])
                if item.created in times:
                    times.remove(item.created)

    def since(self, recipient: str, since: float) -> int:
        """How many answers went to ``recipient``'s mailbox since then."""
        return sum(1 for t in self._times.get(mailbox_key(recipient), ()) if t >= since)
