"""Building outbox items for the outbox and dispatch tests."""

from __future__ import annotations

from mailflow.outbound.outbox import OutboxItem, outbox_id


def make_item(key: str, recipient: str = "lea@example.org", **fields: object) -> OutboxItem:
    """An outbox item for idempotency key ``key``, as the mailer would build it."""
    item_id = outbox_id(key)
    return OutboxItem(
        id=item_id, key=key, recipients=[recipient],
        envelope_from=f"mentorship+b-{item_id}@northlake.example.org",
        message_id=f"mf-{item_id}@northlake.example.org", subject=f"About {key}",
        kind="reply", **fields,  # type: ignore[arg-type]
    )
