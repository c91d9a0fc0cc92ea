"""From choices to introductions: propose a matching, let the coordinators approve it, introduce.

Nothing is applied until a verified coordinator answers the proposal with APPROVE
(edited pairs 'Léa Gagnon -> Chen Wei' are checked against capacities and conflicts
first); only then are the pairs made and the introductions sent.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from mailflow.config.model import Config
from mailflow.csv_cells import SafeWriter
from mailflow.outbound.compose import Attachment
from mailflow.outbound.mailer import Mailer, Recipient
from mailflow.parsing.expects import Expects
from mailflow.parsing.names import RosterEntry, candidates
from mailflow.program import lifecycle, participants
from mailflow.program.affinity import suggested_choices
from mailflow.program.mailings import Mailings
from mailflow.store import Store
from mailflow.store.records import Participant, Proposal

GROUP_SIZE = 4


@dataclass
class Outcome:
    """What a coordinator's answer did, and what could not be done."""

    applied: bool = False
    problems: list[str] = field(default_factory=list)


def _capacity(person: Participant, mode: str) -> int:
    raw = str((person.get("fields") or {}).get("capacity") or "").strip()
    digits = re.match(r"\d+", raw)
    default = GROUP_SIZE if mode == "group" else 1
    value = int(digits.group(0)) if digits else default
    return max(1, min(value, 2)) if mode == "traditional" else max(1, value)


def _exclusions(store: Store, mentors: list[Participant], mentees: list[Participant]
                ) -> set[tuple[str, str]]:
    """(mentee, mentor) pairs a mentor declared a conflict with (field 'conflicts')."""
    roster = [RosterEntry(p["email"], p.get("name") or p["email"]) for p in mentees]
    excluded = set()
    for mentor in mentors:
        text = str((mentor.get("fields") or {}).get("conflicts") or "")
        for written in filter(None, (w.strip() for w in re.split(r"[;,\n]", text))):
            for entry in candidates(written, roster):
                excluded.add((entry.email, mentor["email"]))
    return excluded


class Pairing:
    """Proposals, approvals and introductions for one program."""

    def __init__(self, config: Config, store: Store, mailer: Mailer, mailings: Mailings) -> None:
        self.config, self.store, self.mailer, self.mailings = config, store, mailer, mailings

    def people(self, role: str, status: str = "selected") -> list[Participant]:
        return [p for p in participants.everyone(self.store)
                if p.get("role") == role and p.get("status") == status]

    def propose(self, now: datetime, mode: str = "traditional") -> Proposal:
        """Compute the best matching of selected mentees and mentors and mail it for approval."""
        # Imported here: scipy and numpy weigh 55 MB that the daemon need not carry.
        from mailflow.program import matching

        mentees, mentors = self.people("mentee"), self.people("mentor")
        result = matching.match(
            [matching.MenteePrefs(p["email"], list(p.get("choices") or [])[:3]
                                  or suggested_choices(p, mentors)) for p in mentees],
            [matching.MentorCap(p["email"], _capacity(p, mode)) for p in mentors],
            _exclusions(self.store, mentors, mentees),
            mode="group" if mode == "group" else "traditional")
        # A mentee who named nobody is matched on a machine suggestion: never shown as
        # her choice.
        suggested = sorted(p["email"] for p in mentees if not p.get("choices"))
        ranks = {e: r for e, r in result.rank_of.items() if e not in suggested}
        return self._propose(result.pairs, now, mode=mode, ranks=ranks, suggested=suggested,
                             flagged=result.flagged, unmatched=result.unmatched)

    def _propose(self, pairs: list[tuple[str, str]], now: datetime, **details: object
                 ) -> Proposal:
        """Store a proposal and mail it to the coordinators for approval, in one transaction."""
        proposal = cast(Proposal, {
            "id": f"{now:%Y%m%d%H%M%S}", "state": "proposed", "created": now.isoformat(),
            "pairs": [list(p) for p in pairs], "ranks": {}, "flagged": [], "unmatched": [],
            "suggested": [], **details})
        with self.store.transaction(), self.mailer.outbox.batch():
            self.store.table("proposals").insert(proposal)
            self._send_proposal(proposal, now)
        return proposal

    def propose_pairs(self, pairs: list[tuple[str, str]], now: datetime,
                      source: str) -> Proposal:
        """A proposal of pairs decided elsewhere (a spreadsheet), mailed for approval."""
        problems = []
        for mentee, mentor in pairs:
            for email, role in ((mentee, "mentee"), (mentor, "mentor")):
                person = participants.find(self.store, email)
                if person is None or person.get("role") != role:
                    problems.append(f"{email} is not a {role} of the program")
                elif person.get("status") != "selected":
                    problems.append(f"{email} is {person.get('status')}, not selected")
        if problems:
            raise lifecycle.TransitionError(f"{source}: " + "; ".join(problems))
        return self._propose(pairs, now, mode="imported", source=source)

    def _name(self, email: str) -> str:
        return (participants.find(self.store, email) or {"email": email}).get("name") or email

    def rows(self, proposal: Proposal) -> list[dict[str, Any]]:
        """The proposal as table rows: mentee, mentor, and the rank of that mentor."""
        ranks = proposal.get("ranks") or {}
        suggested = set(proposal.get("suggested") or [])
        rows = [{"mentee": self._name(a), "mentee_email": a, "mentor": self._name(b),
                 "mentor_email": b,
                 "rank": "suggested" if a in suggested else ranks.get(a) or "-"}
                for a, b in proposal["pairs"]]
        rows += [{"mentee": self._name(a), "mentee_email": a, "mentor": "(none)",
                  "mentor_email": "", "rank": "-"} for a in proposal.get("unmatched", [])]
        return rows

    def csv_text(self, proposal: Proposal) -> str:
        """The proposal as CSV, for a spreadsheet."""
        out = io.StringIO()
        columns = ["mentee", "mentee_email", "mentor", "mentor_email", "rank"]
        writer = SafeWriter(out)
        writer.writerow(columns)
        for row in self.rows(proposal):
            writer.writerow([row[c] for c in columns])
        return out.getvalue()

    def _send_proposal(self, proposal: Proposal, now: datetime) -> None:
        context = {"proposal": {
            "id": proposal["id"], "mode": proposal["mode"], "rows": self.rows(proposal),
            "flagged": [self._name(e) for e in proposal.get("flagged", [])],
            "unmatched": [self._name(e) for e in proposal.get("unmatched", [])]}}
        attachment = Attachment(f"pairs-{proposal['id']}.csv", "text/csv",
                                self.csv_text(proposal).encode("utf-8"),
                                params=(("charset", "utf-8"),))
        for coordinator in self.config.coordinators:
            self.mailer.queue(
                rule="match-proposal", occasion=f"proposal:{proposal['id']}:"
                f"{len(proposal.get('revisions', []))}", template="match_proposal",
                to=Recipient(coordinator.email, coordinator.name, self.config.language),
                context=context, kind="notice", now=now, attachments=(attachment,),
                meta=Expects("approval", proposal["id"]).meta())

    def answer(self, proposal_id: str, approve: bool, edits: list[tuple[str, str]],
               coordinator: str, now: datetime) -> Outcome:
        """Apply a coordinator's answer: edits checked first; APPROVE makes and introduces pairs."""
        table = self.store.table("proposals")
        proposal = next((cast(Proposal, dict(p) | {"doc_id": p.doc_id}) for p in table.all()
                         if p["id"] == proposal_id), None)
        outcome = Outcome()
        if proposal is None or proposal["state"] != "proposed":
            outcome.problems.append(f"proposal {proposal_id} is no longer open")
            return outcome
        pairs = {a: b for a, b in proposal["pairs"]}
        for mentee, mentor in pairs.items():
            for email in (mentee, mentor):
                status = participants.status_of(self.store, email)
                if status not in ("selected", "matched"):
                    outcome.problems.append(f"{self._name(email)} is now {status}: change or "
                                            "remove the pair before approving")
        if outcome.problems:
            return outcome
        if edits:
            self._edit(pairs, edits, proposal, outcome)
            if outcome.problems:
                return outcome
        cause = f"coordinator {coordinator}, proposal {proposal_id}"
        if approve:
            self._apply(pairs, proposal, cause, now)
            table.update({"state": "approved", "pairs": [list(p) for p in pairs.items()],
                          "approved_by": coordinator, "approved": now.isoformat()},
                         doc_ids=[proposal["doc_id"]])
            outcome.applied = True
        else:
            revisions = [*proposal.get("revisions", []), {"by": coordinator, "edits": edits}]
            unmatched = [e for e in proposal.get("unmatched", []) if e not in pairs]
            table.update({"pairs": [list(p) for p in pairs.items()], "revisions": revisions,
                          "unmatched": unmatched}, doc_ids=[proposal["doc_id"]])
            proposal.update({"pairs": [list(p) for p in pairs.items()],
                             "revisions": revisions, "unmatched": unmatched})
            self._send_proposal(proposal, now)
        return outcome

    def _edit(self, pairs: dict[str, str], edits: list[tuple[str, str]], proposal: Proposal,
              outcome: Outcome) -> None:
        mentees = [RosterEntry(p["email"], p.get("name") or p["email"])
                   for p in self.people("mentee")]
        mentors = {p["email"]: p for p in self.people("mentor")}
        roster = [RosterEntry(e, p.get("name") or e) for e, p in mentors.items()]
        excluded = _exclusions(self.store, list(mentors.values()), self.people("mentee"))
        for mentee_text, mentor_text in edits:
            found_mentee, found_mentor = (candidates(mentee_text, mentees),
                                          candidates(mentor_text, roster))
            for text, found, role in ((mentee_text, found_mentee, "mentee"),
                                      (mentor_text, found_mentor, "mentor")):
                if len(found) != 1:
                    names = " or ".join(e.name for e in found)
                    outcome.problems.append(
                        f"'{text}' could be {names}" if found else
                        f"'{text}' is not a selected {role}")
            if len(found_mentee) == 1 and len(found_mentor) == 1:
                mentee, mentor = found_mentee[0].email, found_mentor[0].email
                if (mentee, mentor) in excluded:
                    outcome.problems.append(f"{found_mentor[0].name} declared a conflict with "
                                            f"{found_mentee[0].name}")
                pairs[mentee] = mentor
        load: dict[str, int] = {}
        for mentor in pairs.values():
            load[mentor] = load.get(mentor, 0) + 1
        for mentor, count in load.items():
            capacity = _capacity(mentors.get(mentor, {"email": mentor}), proposal["mode"])
            if count > capacity:
                outcome.problems.append(f"{self._name(mentor)} would have {count} mentees "
                                        f"(capacity {capacity})")

    def _apply(self, pairs: dict[str, str], proposal: Proposal, cause: str, now: datetime) -> None:
        at = now.isoformat()
        for mentee, mentor in pairs.items():
            for email in (mentee, mentor):
                if participants.status_of(self.store, email) == "selected":
                    participants.move(self.store, email, "matched", cause, at)
            participants.set_fields(self.store, mentee, {"mentor": mentor}, cause, at)
            found = participants.find(self.store, mentor)
            current = (found.get("mentees") if found else None) or []
            participants.set_fields(self.store, mentor,
                                    {"mentees": [*current, mentee]}, cause, at)
        occasion = f"proposal:{proposal['id']}"
        groups: dict[str, list[str]] = {}
        for mentee, mentor in pairs.items():
            groups.setdefault(mentor, []).append(mentee)
        if proposal.get("mode") == "group":
            for mentor, members in groups.items():
                self.introduce(mentor, members, f"{occasion}:group:{mentor}", now, group=True)
        else:
            for mentee, mentor in pairs.items():
                self.introduce(mentor, [mentee], f"{occasion}:{mentee}", now)
        for mentee, mentor in pairs.items():
            for email in (mentee, mentor):
                if participants.status_of(self.store, email) == "matched":
                    participants.move(self.store, email, "introduced", cause, at)

    def introduce(self, mentor: str, mentees: list[str], occasion: str, now: datetime,
                  group: bool = False) -> None:
        """One introduction mail to each of a pair (or a group), with the guide attached."""
        template = "introduction_group" if group else "introduction"
        contexts = self.mailings.contexts
        for email in (mentor, *mentees) if group else (*mentees, mentor):
            person: Participant = {**(participants.find(self.store, email) or {"email": email})}
            language = self.config.writes_to(person.get("language"))
            guide = self.guide(language)
            context = contexts.build(person, language, now, template)
            context["mentor"] = contexts.public_of(mentor)
            if group:
                context["group"] = [contexts.public_of(m) for m in mentees]
            else:
                context["mentee"] = contexts.public_of(mentees[0])
            self.mailer.queue(
                rule="introduction", occasion=occasion, template=template,
                to=Recipient(email, person.get("name") or "", language, participant=email),
                context=context, kind="scheduled", now=now,
                attachments=(guide,) if guide else ())

    def guide(self, language: str) -> Attachment | None:
        """The program's guide in ``language`` (guide.LANG.md in the program directory;
        guide.md, or the default language's, when there is none in it), if there is one."""
        root = Path(self.config.root)
        found = [p for p in (root / f"guide.{language}.md",
                             root / f"guide.{self.config.language}.md", root / "guide.md")
                 if p.is_file()]
        if not found:
            return None
        path = found[0]
        return Attachment("guide.md", "text/markdown", path.read_bytes(),
                          params=(("charset", "utf-8"),))

    def propose_pair(self, mentee: str, mentor: str, now: datetime) -> None:
        """Rolling programs: propose one mentee to one mentor, who answers YES or NO by mail."""
        at, cause = now.isoformat(), "coordinator (mailflow propose)"
        found = {email: participants.find(self.store, email) for email in (mentee, mentor)}
        for email, person in found.items():
            if person is None:
                raise lifecycle.TransitionError(f"no participant with the address {email}")
        with self.store.transaction():
            for email in (mentee, mentor):
                participants.move(self.store, email, "matched", cause, at)
            participants.set_fields(self.store, mentee, {"mentor": mentor}, cause, at)
            mentees = [*((found[mentor] or {"email": mentor}).get("mentees") or []), mentee]
            participants.set_fields(self.store, mentor, {"mentees": mentees, "proposed": at},
                                    cause, at)
