"""The batched review notice: at most one per ``review.notice_minutes``, run by the tick.

Each notice lists, numbered, the review items new since the previous one; each item is in
exactly one notice. Every coordinator gets a copy through the outbox (idempotency key:
the notice's number), whose signed reply address ties an answer to that notice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from mailflow.outbound.mailer import Recipient
from mailflow.outbound.outbox import outbox_id
from mailflow.parsing.expects import Expects
from mailflow.program.context import unlinked
from mailflow.program.coordination import review
from mailflow.program.coordination.review import Notice, ReviewItem
from mailflow.program.coordination.services import Services

log = logging.getLogger(__name__)

NOTICE_RULE = "review-notice"
NOTICE_TEMPLATE = "review_notice"


def last_sent(services: Services) -> datetime | None:
    """When the previous notice was queued, if one was."""
    sent = review.notices(services.store)
    return datetime.fromisoformat(sent[-1].sent) if sent else None


def send_due(services: Services, now: datetime) -> Notice | None:
    """Queue the notice of the items waiting, when the last one is old enough; the caller
    holds the store transaction and the outbox batch, so the notice and its mail go
    together or not at all."""
    store, config = services.store, services.config
    every = timedelta(minutes=config.review.notice_minutes)
    batch = review.batch_due(review.items(store), last_sent(services), now, every)
    if not batch or not config.coordinators:
        return None
    number = len(review.notices(store)) + 1
    occasion = f"notice:{number}"
    keys = {c.email: services.mailer.key(NOTICE_RULE, c.email, occasion)
            for c in config.coordinators}
    earlier = next((services.outbox.items.get(outbox_id(k)) for k in keys.values()
                    if services.outbox.has(k)), None)
    if earlier is not None:
        # Queued before a crash the store did not see through: that mail's items it is.
        ids = [int(i) for i in (earlier.meta or {}).get("review_item_ids") or []]
        batch = [i for i in (review.get(store, x) for x in ids) if i is not None]
    language = config.language
    context = {"notice": {"number": number, "single": len(batch) == 1,
                          "entries": [item_context(item, n, now)
                                      for n, item in enumerate(batch, start=1)]}}
    for coordinator in config.coordinators:
        services.mailer.queue(
            rule=NOTICE_RULE, occasion=occasion, template=NOTICE_TEMPLATE,
            to=Recipient(coordinator.email, coordinator.name, language),
            context=context, kind="notice", now=now,
            meta={**Expects("review", str(number)).meta(), "review_items": len(batch),
                  "review_item_ids": [i.id for i in batch]})
    mails = {email.lower(): outbox_id(key) for email, key in keys.items()}
    listed = Notice(number, now.isoformat(), tuple(i.id for i in batch), mails)
    review.record_notice(store, listed)
    log.info("review notice %d: %d item(s) to %d coordinator(s)", number, len(batch),
             len(mails))
    return listed


def item_context(item: ReviewItem, number: int, now: datetime) -> dict[str, Any]:
    """What the notice shows of one item (links in a stranger's words taken out)."""
    return {"number": number, "kind": item.kind, "sender": item.sender or "?",
            "who": item.who, "probably": item.probably or "",
            "subject": unlinked(item.subject or ""), "problems": item.problems,
            "text": unlinked(item.text).strip(), "proposed": item.proposed,
            "age": review.age(item.created, now)}
