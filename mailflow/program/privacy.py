"""A participant's data on request: a copy mailed to the registered address (MY DATA), and
erasure once confirmed (DELETE MY DATA), leaving only an anonymous trace.

Erasure removes the record, the timeline, what the ledger and the review list say of the
person, and the raw bytes of their mail in the spool (overwritten in place, so the other
messages' offsets stay right). Their pending mail is cancelled; the coordinators are told.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mailflow.inbound.ledger import Ledger, header_sender
from mailflow.outbound.compose import Attachment
from mailflow.outbound.mailer import Mailer, Recipient
from mailflow.program import participants
from mailflow.program.mailings import Mailings
from mailflow.store import Store
from mailflow.store.records import Participant

log = logging.getLogger(__name__)

ERASED = "erased"
"""What stands where an erased person's address was (a mentor's list of mentees, say)."""


def tombstone(secret: bytes, email: str) -> str:
    """The anonymous trace of an erased address: a keyed hash, not the address."""
    return hmac.new(secret, email.lower().encode(), hashlib.sha256).hexdigest()


def their_data(store: Store, person: Participant) -> dict[str, Any]:
    """Everything the program holds on ``person``: record, timeline, mail in both ways."""
    email = person["email"]
    events = [{k: v for k, v in e.items() if k != "participant"}
              for e in store.table("events").all() if e.get("participant") == email]
    received = [{"received": e.get("received"), "subject": e.get("subject"),
                 "read_as": e.get("kind")} for e in store.table("inbound").all()
                if email in (e.get("sender"), e.get("participant"))]
    return {"record": dict(person), "timeline": events, "messages_from_you": received}


class Privacy:
    """MY DATA and DELETE MY DATA, as the handler meets them."""

    def __init__(self, store: Store, mailer: Mailer, mailings: Mailings, secret: bytes,
                 coordinators: list[tuple[str, str]], writes_to: Callable[[str | None], str]
                 ) -> None:
        self.store, self.mailer, self.mailings = store, mailer, mailings
        self.secret, self.coordinators, self.writes_to = secret, coordinators, writes_to
        self.language = writes_to(None)  # the program's own, for the coordinators

    def send_copy(self, person: Participant, occasion: str, now: datetime) -> None:
        """Mail ``person`` their data, to the registered address only, with a JSON copy."""
        language = self.writes_to(person.get("language"))
        data = their_data(self.store, person)
        context = self.mailings.contexts.build(person, language, now, "your_data")
        context["data"] = {"fields": sorted((k, v) for k, v in person.items()
                                            if k not in ("email",) and v not in (None, "", [])),
                           "events": len(data["timeline"]),
                           "messages": len(data["messages_from_you"])}
        self.mailer.queue(
            rule="my-data", occasion=occasion, template="your_data",
            to=Recipient(person["email"], person.get("name") or "", language,
                         participant=person["email"]),
            context=context, kind="reply", now=now,
            attachments=(Attachment("my-data.json", "application/json", json.dumps(
                data, ensure_ascii=False, indent=2, default=str).encode("utf-8")),))

    def erase(self, person: Participant, occasion: str, now: datetime) -> None:
        """Erase ``person`` for good, with the message ``occasion`` that confirmed it; they
        and the coordinators are told it is done."""
        email, name = person["email"], person.get("name") or ""
        language = self.writes_to(person.get("language"))
        # The mail that says so is queued first: it needs the name the erasure removes.
        self.mailer.queue(
            rule="data-erased", occasion=occasion, template="data_erased",
            to=Recipient(email, name, language),
            context=self.mailings.contexts.build(person, language, now, "data_erased"),
            kind="reply", now=now)
        for address, coordinator in self.coordinators:
            context = self.mailings.contexts.build(person, self.language, now,
                                                   "erasure_notice")
            self.mailer.queue(rule="erasure-notice", occasion=occasion,
                              template="erasure_notice",
                              to=Recipient(address, coordinator, self.language),
                              context=context, kind="notice", now=now)
        with self.store.transaction():
            self._forget(person, occasion, now)
        cancelled = self._cancel_mail(email, self.mailer.key("data-erased", email, occasion))
        self.mailer.outbox.compact(force=True)  # the bytes of mail sent to them go now
        wiped = self._wipe_raw(email)
        log.info("erased a participant's data: %d raw messages overwritten, %d mails cancelled",
                 wiped, cancelled)

    def _forget(self, person: Participant, confirming: str, now: datetime) -> None:
        store, email = self.store, person["email"]
        addresses = {email, *(person.get("aliases") or ())}
        store.table("erased").insert({"trace": tombstone(self.secret, email),
                                      "at": now.isoformat(), "role": person.get("role")})
        store.table("participants").remove(lambda doc: doc.get("email") in addresses)
        store.indexes.pop("participants", None)
        participants.forget_names(store)
        for other in store.table("participants").all():  # a pair's other half keeps no trace
            changes: dict[str, Any] = {}
            if other.get("mentor") in addresses:
                changes["mentor"] = ERASED
            if addresses & set(other.get("mentees") or ()):
                changes["mentees"] = [ERASED if m in addresses else m for m in other["mentees"]]
            if other.get("proposed") in addresses:
                changes["proposed"] = None
            if addresses & set(other.get("choices") or ()):
                changes["choices"] = [c for c in other["choices"] if c not in addresses]
            if changes:
                store.table("participants").update(changes, doc_ids=[other.doc_id])
        store.table("events").remove(lambda e: e.get("participant") in addresses)
        store.table("review").update(
            {"sender": ERASED, "participant": None, "probably": None, "subject": "",
             "problems": [], "text": "", "message_id": None, "references": [],
             "resolved": True, "resolution": "the person's data was erased"},
            lambda r: bool({r.get("sender"), r.get("participant"), r.get("probably")}
                           & addresses))
        theirs = [e for e in store.table("inbound").rows()
                  if e.get("sender") in addresses or e.get("participant") in addresses
                  or e.get("key") == confirming]
        # A second delivery of their mail is recorded as a duplicate, with its own copy
        # of the bytes but no sender: it is theirs when its own From says so. Not by the
        # Message-ID it shares with a first copy: anyone can write any Message-ID.
        ledger, found = Ledger(store), {e.doc_id for e in theirs}
        folded = {a.lower() for a in addresses}
        copies = [e for e in store.table("inbound").rows()
                  if e.get("state") == "duplicate" and e.doc_id not in found
                  and _raw_sender(ledger, e) in folded]
        store.table("inbound").update(
            {"sender": ERASED, "participant": None, "subject": "", "problems": [],
             "message_id": None, "sha256": None, "erased": True},
            doc_ids=[e.doc_id for e in [*theirs, *copies]])

    def _cancel_mail(self, email: str, keep: str) -> int:
        """Pending mail to the erased address is not sent (``keep``, the last word, is)."""
        outbox, count = self.mailer.outbox, 0
        for item in list(outbox.items.live()):  # pending mail is never settled
            if item.state == "pending" and email in item.recipients and item.key != keep:
                outbox.cancel(item, "the person's data was erased")
                count += 1
        return count

    def _wipe_raw(self, email: str) -> int:
        """Overwrite the spooled bytes of the person's mail with zeros, in place."""
        count = 0
        for entry in self.store.table("inbound").all():
            if not entry.get("erased") or not entry.get("spool") or entry.get("wiped"):
                continue
            with contextlib.suppress(FileNotFoundError):  # pruned already: nothing to wipe
                Ledger(self.store).wipe_raw(entry)
            self.store.table("inbound").update({"wiped": True}, doc_ids=[entry.doc_id])
            count += 1
        return count


def _raw_sender(ledger: Ledger, entry: Any) -> str | None:
    """The address in the From of a recorded message's own bytes (lower case), if still kept."""
    try:
        data = ledger.raw(entry)
    except (OSError, KeyError, ValueError):
        return None  # pruned, or never spooled: no bytes left to wipe either
    return header_sender(data)
