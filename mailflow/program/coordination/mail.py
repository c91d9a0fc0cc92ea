"""Coordinator commands by mail: run in order, each reported in one receipt in the thread.

Only a verified coordinator's mail runs anything (``Reading.authenticated``). The
receipt's idempotency key is the inbound Message-ID, so a re-delivered command neither
runs nor answers twice. A command that changes many people first answers with a
preview; a CONFIRM to that preview's signed reply address, within 7 days and once,
carries it out. The same commands from a coordinator's address without proof do
nothing: the message goes to review, and the coordinators read it in the next batched
review notice (``notices.py``), with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mailflow.errors import MailflowError
from mailflow.inbound.ledger import Ledger
from mailflow.outbound.compose import Attachment
from mailflow.outbound.mailer import Recipient
from mailflow.parsing.reading import Reading
from mailflow.program.calendar import local_time
from mailflow.program.coordination.bulk import CONFIRM_APPROVAL, Malformed, open_proposal
from mailflow.program.coordination.bulk import preview_approval as bulk_preview_approval
from mailflow.program.coordination.registry import REGISTRY, Result, help_text
from mailflow.program.coordination.roster import csv_files
from mailflow.program.coordination.services import Request, Services
from mailflow.store.records import LedgerEntry

log = logging.getLogger(__name__)

RECEIPT_RULE = "command-receipt"
PREVIEWS = "command_previews"
PREVIEW_VALID = timedelta(days=7)


@dataclass(frozen=True)
class Report:
    """One command line and what came of it."""

    line: str
    ok: bool
    text: str


def receipt_language(commands: list[dict[str, Any]], reading: Reading, default: str) -> str:
    """The language of the command words, else of the mail, else the program's."""
    for command in commands:
        if command.get("language") in ("en", "fr"):
            return str(command["language"])
    return reading.language if reading.language in ("en", "fr") else default


class Coordination:
    """Runs a coordinator's mailed commands through the registry and answers each mail once."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def handle(self, reading: Reading, entry: LedgerEntry, now: datetime) -> None:
        """Run the commands of ``reading`` (or refuse them) and queue the receipt."""
        if not reading.authenticated:
            return  # in review: the next notice lists it, nothing of it is done
        services, sender = self.services, reading.sender or ""
        occasion = reading.message_id or entry["key"]
        if services.outbox.has(services.mailer.key(RECEIPT_RULE, sender, occasion)):
            log.info("commands of message %s were answered before; not run again", occasion)
            return
        language = receipt_language(reading.coordinator.commands, reading,
                                    services.config.language)
        files = (self._files(entry) if any(c.get("name") == "import"
                                           for c in reading.coordinator.commands) else ())
        request = Request(now, language, by=sender, files=files,
                          cause=f"coordinator {sender} by mail (message {entry['key']})")
        reports: list[Report] = []
        attachments: list[Attachment] = []
        pending: list[dict[str, Any]] = []
        wants_help = False
        for command in reading.coordinator.commands:
            line = str(command.get("line") or "")
            for result in self._run(command, reading, request, pending):
                reports.append(Report(line, result.ok, result.text))
                attachments.extend(result.attachments)
                wants_help |= result.show_help
        self._answer(reading, entry, request, reports, attachments, pending, wants_help)

    def _files(self, entry: LedgerEntry) -> tuple[tuple[str, bytes], ...]:
        """The CSV files attached to the recorded message (none if its bytes are gone)."""
        try:
            return csv_files(Ledger(self.services.store).raw(entry))
        except (OSError, KeyError) as exc:
            log.warning("message %s: its attachments cannot be read (%s)", entry.get("key"), exc)
            return ()

    def approval_waits(self, proposal_id: str | None) -> bool:
        """Whether APPROVE of this proposal (one made by MATCH by mail) waits for CONFIRM."""
        proposal = open_proposal(self.services, proposal_id or "")
        return bool(proposal and proposal.get(CONFIRM_APPROVAL))

    def preview_approval(self, reading: Reading, entry: LedgerEntry, now: datetime) -> list[str]:
        """APPROVE of such a proposal: its edits applied to the proposal first (re-mailed),
        then a preview of who gets which introduction; CONFIRM makes the pairs. Returns the
        problems of the edits (nothing previewed then)."""
        services, proposal_id = self.services, reading.proposal or ""
        if services.pairing is None:
            return ["matching is not available here"]
        if reading.edits:
            outcome = services.pairing.answer(proposal_id, False, reading.edits,
                                              reading.sender or "", now)
            if outcome.problems:
                return outcome.problems
        proposal = open_proposal(services, proposal_id)
        if proposal is None:
            return [f"proposal {proposal_id} is no longer open"]
        language = reading.language if reading.language in ("en", "fr") \
            else services.config.language
        request = Request(now, language, by=reading.sender or "",
                          cause=f"coordinator {reading.sender} by mail (message "
                                f"{entry['key']})")
        text, args = bulk_preview_approval(services, proposal, request)
        pending = [{"name": "approve-pairs", "args": args, "line": "APPROVE"}]
        report = Report(request.say("APPROVE", "APPROUVER"), True, request.say(
            f"PREVIEW, nothing done yet: {text}", f"APERÇU, rien n'est encore fait : {text}"))
        self._answer(reading, entry, request, [report], [], pending, False)
        return []

    def _answer(self, reading: Reading, entry: LedgerEntry, request: Request,
                reports: list[Report], attachments: list[Attachment],
                pending: list[dict[str, Any]], wants_help: bool) -> None:
        """Queue the receipt in the thread; a preview's pending commands wait for CONFIRM."""
        services, sender, now = self.services, reading.sender or "", request.now
        item = services.mailer.queue(
            rule=RECEIPT_RULE, occasion=reading.message_id or entry["key"],
            template="command_receipt",
            to=Recipient(sender, reading.sender_name, request.language),
            context={"receipt": {
                "subject": reading.subject, "preview": bool(pending),
                "reports": [{"line": r.line, "ok": r.ok, "text": r.text}
                            for r in reports],
                "help": help_text(request.language) if wants_help else "",
                "expires": (now + PREVIEW_VALID).date().isoformat()}},
            kind="reply", in_reply_to=reading.message_id, references=tuple(reading.references),
            attachments=tuple(attachments), now=now,
            meta={"coordinator_preview": "1"} if pending else None)
        if pending and item is not None:
            services.store.table(PREVIEWS).insert({
                "item": item.id, "by": sender.lower(), "created": now.isoformat(),
                "commands": pending, "used": None, "inbound": entry["key"]})

    def _run(self, command: dict[str, Any], reading: Reading, request: Request,
             pending: list[dict[str, Any]]) -> list[Result]:
        """The results of one command line; a preview's arguments are added to ``pending``."""
        name, rest = str(command.get("name")), str(command.get("rest") or "")
        if name == "confirm":
            return self._confirm(reading, request)
        entry = REGISTRY.get(name)
        if entry is None or not entry.listed:
            return [Result(False, request.say("unknown command; the commands are below",
                                              "commande inconnue ; les commandes sont "
                                              "ci-dessous"), show_help=True)]
        try:
            args = entry.parse(rest)
        except Malformed as exc:
            return [Result(False, f"{entry.usage[request.language]}: {exc}", show_help=True)]
        try:
            if entry.many and entry.preview is not None:
                result = entry.preview(self.services, args, request)
                if result.confirm is not None:
                    pending.append({"name": entry.name, "args": result.confirm,
                                    "line": command.get("line")})
                    result = Result(result.ok, request.say(
                        f"PREVIEW, nothing done yet: {result.text}",
                        f"APERÇU, rien n'est encore fait : {result.text}"), result.attachments)
                return [result]
            return [entry.run(self.services, args, request)]
        except MailflowError as exc:
            return [Result(False, str(exc))]

    def _confirm(self, reading: Reading, request: Request) -> list[Result]:
        """CONFIRM to a preview: what it announced is done, once, within 7 days."""
        table, preview = self.services.store.table(PREVIEWS), reading.coordinator.preview
        record = next((r for r in table.all() if r.get("item") == preview), None)
        if preview is None or record is None:
            return [Result(False, request.say(
                "CONFIRM carries out a preview: reply CONFIRM to the preview mail itself",
                "CONFIRMER exécute un aperçu : répondez CONFIRMER au message d'aperçu "
                "lui-même"))]
        if record.get("by") != (reading.sender or "").lower():
            return [Result(False, request.say("this preview was sent to another coordinator",
                                              "cet aperçu a été envoyé à un autre "
                                              "coordinateur"))]
        if record.get("used"):
            used = local_time(record["used"], self.services.config.calendar.zone)
            return [Result(False, request.say(
                f"this preview was already confirmed ({used}): nothing done again",
                f"cet aperçu a déjà été confirmé ({used}) : rien n'est refait"))]
        if request.now - datetime.fromisoformat(record["created"]) > PREVIEW_VALID:
            return [Result(False, request.say(
                "this preview is more than 7 days old: send the command again",
                "cet aperçu date de plus de 7 jours : renvoyez la commande"))]
        table.update({"used": request.now.isoformat(), "confirmed_by": reading.message_id},
                     doc_ids=[record.doc_id])
        results = []
        for pending in record.get("commands") or []:
            entry = REGISTRY[pending["name"]]
            try:
                results.append(entry.run(self.services, dict(pending["args"]), request))
            except MailflowError as exc:
                results.append(Result(False, str(exc)))
        return results
