"""The coordinator commands that change many people at once: IMPORT a CSV, SELECT by
lottery, MATCH, and the approval of a MATCH proposal. Each previews first (who, which
mail) and runs on CONFIRM exactly what it previewed, with the CLI's own code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import cast

from mailflow.errors import MailflowError
from mailflow.program import participants
from mailflow.program.coordination import roster, selecting
from mailflow.program.coordination.services import Request, Services
from mailflow.store import Store
from mailflow.store.records import Proposal

Args = dict[str, str]
MAX_PLACES = 10_000
CONFIRM_APPROVAL = "confirm_approval"  # a proposal whose APPROVE waits for CONFIRM

_ROLES = {"mentors": "mentor", "mentor": "mentor", "mentees": "mentee", "mentee": "mentee",
          "mentores": "mentee", "mentore": "mentee", "mentorees": "mentee",
          "mentoree": "mentee"}
_MODES = {"": "traditional", "group": "group", "groups": "group", "groupe": "group",
          "groupes": "group"}


class Malformed(ValueError):
    """The arguments of a command line could not be read; the message says what is wrong."""


def _fold(text: str) -> str:
    return text.lower().strip(" .").replace("é", "e").replace("è", "e")


def parse_import(rest: str) -> Args:
    """``mentors`` or ``mentees`` (FR: mentors, mentorés)."""
    role = _ROLES.get(_fold(rest))
    if role is None:
        raise Malformed("imports 'mentors' or 'mentees', from the CSV file attached")
    return {"role": role}


def parse_select(rest: str) -> Args:
    """``seed places [reserved]``: the seed announced, the number of places, the reserved."""
    words = rest.split()
    if len(words) not in (2, 3) or not all(w.isdigit() for w in words[1:]):
        raise Malformed("needs the seed, the number of places, then the reserved places if "
                        "any (SELECT spring-2027 12 3)")
    places, reserved = int(words[1]), int(words[2]) if len(words) == 3 else 0
    if not 0 < places <= MAX_PLACES or reserved > places:
        raise Malformed(f"places from 1 to {MAX_PLACES}, and no more reserved places than "
                        f"places (found {places} and {reserved})")
    return {"seed": words[0], "places": str(places), "reserved": str(reserved)}


def parse_match(rest: str) -> Args:
    """Nothing (pairs), or ``group`` (FR: groupe)."""
    mode = _MODES.get(_fold(rest))
    if mode is None:
        raise Malformed("takes nothing, or 'group' for groups of mentees per mentor")
    return {"mode": mode}


def _label(store: Store, email: str) -> str:
    person = participants.find(store, email) or {"email": email}
    return f"{person.get('name') or ''} <{email}>".strip()


def _list(title: str, names: list[str]) -> str:
    return f"\n{title} ({len(names)}):" + "".join(f"\n  {n}" for n in names) if names else ""


def _csv_file(request: Request) -> tuple[str, bytes]:
    if len(request.files) != 1:
        raise MailflowError(request.say(
            f"attach exactly one CSV file (found {len(request.files)})",
            f"joignez exactement un fichier CSV ({len(request.files)} trouvé(s))"))
    return request.files[0]


def preview_import(services: Services, args: Args, request: Request) -> tuple[str, Args]:
    """Who the attached file would add and change; its errors raise, naming every one."""
    name, data = _csv_file(request)
    read = roster.read_roster(roster.decode(data, name), name)
    read.check()
    added, changed = roster.roster_plan(services.store, read)
    digest = roster.digest(data)
    text = request.say(f"{name} (sha256 {digest[:12]}): {len(read.rows)} {args['role']}s",
                       f"{name} (sha256 {digest[:12]}) : {len(read.rows)} {args['role']}s")
    text += _list(request.say("would be added", "seraient ajouté(e)s"), added)
    text += _list(request.say("would be changed", "seraient modifié(e)s"), changed)
    return text, {"role": args["role"], "file": name, "sha256": digest,
                  "data": base64.b64encode(data).decode("ascii")}


def run_import(services: Services, args: Args, request: Request) -> str:
    """Import the very file the preview showed (its hash checked), all or nothing."""
    if "data" in args:
        name, data = args["file"], base64.b64decode(args["data"])
        if roster.digest(data) != args["sha256"]:
            raise MailflowError(request.say("the file is not the one previewed: nothing "
                                            "imported", "le fichier n'est pas celui de "
                                            "l'aperçu : rien n'est importé"))
    else:
        name, data = _csv_file(request)
    read = roster.read_roster(roster.decode(data, name), name)
    read.check()
    added, changed = roster.roster_plan(services.store, read)
    count = roster.apply_roster(services.store, read, args["role"], request.now.isoformat())
    return request.say(f"{count} {args['role']}s imported from {name}",
                       f"{count} {args['role']}s importé(e)s de {name}") + \
        _list(request.say("added", "ajouté(e)s"), added) + \
        _list(request.say("changed", "modifié(e)s"), changed)


def preview_select(services: Services, args: Args, request: Request) -> tuple[str, Args]:
    """Who the draw would select, waitlist and leave out, and which mail each would get."""
    store = services.store
    draw = selecting.select(services, int(args["places"]), int(args["reserved"]),
                            args["seed"], request.now, dry_run=True)
    if not draw.order:
        raise MailflowError(request.say("no complete application to draw from",
                                        "aucune candidature complète à tirer au sort"))
    places = {p.email: p.place for p in draw.order}
    mentors = selecting.mentors_to_select(store)
    text = request.say(f"draw with seed hash {draw.seed_hash[:16]}",
                       f"tirage, empreinte de la graine {draw.seed_hash[:16]}")
    text += _list(request.say("selected (mail: selection_selected)",
                              "sélectionné(e)s (message : selection_selected)"),
                  [f"{_label(store, e)} ({places[e]})" for e in draw.selected])
    text += _list(request.say("waitlisted (mail: selection_waitlisted, with their position)",
                              "en liste d'attente (message : selection_waitlisted, avec le "
                              "rang)"),
                  [f"{i}. {_label(store, e)}" for i, e in enumerate(draw.waitlist, 1)])
    text += _list(request.say("not selected, application incomplete (no mail)",
                              "non sélectionné(e)s, candidature incomplète (aucun message)"),
                  [_label(store, e) for e in selecting.left_out(store)])
    text += _list(request.say("mentors selected (mail: selection_selected)",
                              "mentors sélectionné(e)s (message : selection_selected)"),
                  [_label(store, e) for e in mentors])
    return text, {**args, "entrants": selecting.entrants_digest(store)}


def run_select(services: Services, args: Args, request: Request) -> str:
    """The draw the preview showed, if the entrants are still the same."""
    if args.get("entrants", selecting.entrants_digest(services.store)) != \
            selecting.entrants_digest(services.store):
        raise MailflowError(request.say(
            "the applicants changed since the preview: send SELECT again for a new preview",
            "les candidatures ont changé depuis l'aperçu : renvoyez SÉLECTIONNER"))
    draw = selecting.select(services, int(args["places"]), int(args["reserved"]),
                            args["seed"], request.now)
    return request.say(
        f"seed hash {draw.seed_hash}: {len(draw.selected)} selected, {len(draw.waitlist)} "
        "on the waitlist; everyone's mail is queued",
        f"empreinte {draw.seed_hash} : {len(draw.selected)} sélectionné(e)s, "
        f"{len(draw.waitlist)} en liste d'attente ; les messages sont en file")


def run_match(services: Services, args: Args, request: Request) -> str:
    """Propose a matching and mail it to the coordinators; its APPROVE will need CONFIRM."""
    if services.pairing is None:
        raise MailflowError(request.say("matching is not available here",
                                        "l'appariement n'est pas disponible ici"))
    proposal = services.pairing.propose(request.now, args["mode"])
    table = services.store.table("proposals")
    ids = [p.doc_id for p in table.all() if p["id"] == proposal["id"]]
    table.update({CONFIRM_APPROVAL: True}, doc_ids=ids)
    unmatched = len(proposal.get("unmatched") or [])
    return request.say(
        f"proposal {proposal['id']} mailed to the coordinators: {len(proposal['pairs'])} "
        f"pairs, {unmatched} unmatched; answer it APPROVE (or with changes), then CONFIRM "
        "the preview of the introductions",
        f"proposition {proposal['id']} envoyée aux coordinateurs : "
        f"{len(proposal['pairs'])} paires, {unmatched} sans mentor ; répondez-y APPROUVER "
        "(ou avec des changements), puis CONFIRMER l'aperçu des présentations")


def pairs_digest(pairs: list[list[str]]) -> str:
    """What an approval preview showed: CONFIRM makes these pairs or nothing."""
    return hashlib.sha256(json.dumps(sorted(map(list, pairs))).encode()).hexdigest()


def open_proposal(services: Services, proposal_id: str) -> Proposal | None:
    """The proposal ``proposal_id`` while it waits for approval, else None."""
    return next((cast(Proposal, dict(p)) for p in services.store.table("proposals").all()
                 if p["id"] == proposal_id and p.get("state") == "proposed"), None)


def preview_approval(services: Services, proposal: Proposal, request: Request) -> tuple[str, Args]:
    """Who gets which mail when the pairs of ``proposal`` are made."""
    store, pairs = services.store, proposal["pairs"]
    template = "introduction_group" if proposal.get("mode") == "group" else "introduction"
    lines = []
    for mentee, mentor in pairs:
        lines.append(request.say(
            f"{_label(store, mentee)} and {_label(store, mentor)}: each gets {template}",
            f"{_label(store, mentee)} et {_label(store, mentor)} : chacun(e) reçoit "
            f"{template}"))
    text = request.say(f"approval of proposal {proposal['id']}: {len(pairs)} pairs made",
                       f"approbation de la proposition {proposal['id']} : {len(pairs)} "
                       "paires formées")
    text += _list(request.say("introductions", "présentations"), lines)
    return text, {"proposal": proposal["id"], "pairs": pairs_digest(pairs)}


def run_approval(services: Services, args: Args, request: Request) -> str:
    """Make the previewed pairs and send the introductions, if the proposal is unchanged."""
    proposal = open_proposal(services, args["proposal"])
    if proposal is None or services.pairing is None:
        raise MailflowError(request.say(f"proposal {args['proposal']} is no longer open",
                                        f"la proposition {args['proposal']} n'est plus "
                                        "ouverte"))
    if pairs_digest(proposal["pairs"]) != args["pairs"]:
        raise MailflowError(request.say(
            "the proposal changed since the preview: answer APPROVE to the new one",
            "la proposition a changé depuis l'aperçu : répondez APPROUVER à la nouvelle"))
    outcome = services.pairing.answer(proposal["id"], True, [], request.by, request.now)
    if outcome.problems:
        raise MailflowError("; ".join(outcome.problems))
    return request.say(f"{len(proposal['pairs'])} pairs made; their introductions are queued",
                       f"{len(proposal['pairs'])} paires formées ; leurs présentations sont "
                       "en file")
