"""Every coordinator command: its words, its arguments, whether it changes many people,
and the one function that runs it and says what it did (the text of the receipt).

The commands that change many at once live in ``bulk``. Adding a command is one
``Entry`` here (and its word in
``mailflow.parsing.commands.COORDINATOR_WORDS``), plus its test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from mailflow.errors import MailflowError
from mailflow.outbound.compose import Attachment
from mailflow.program import lifecycle
from mailflow.program.coordination import bulk, changes, views
from mailflow.program.coordination.bulk import Malformed
from mailflow.program.coordination.people import resolve
from mailflow.program.coordination.services import Request, Services
from mailflow.program.scheduled import Offsets, load_scheduled
from mailflow.store.records import Participant

MAX_PLAN_DAYS = 400
Args = dict[str, str]


@dataclass(frozen=True)
class Result:
    """What a command did (or why not), in the requester's language; files to attach;
    for a command that waits for CONFIRM, the arguments CONFIRM will run it with;
    ``show_help`` when the command was not understood."""

    ok: bool
    text: str
    attachments: tuple[Attachment, ...] = ()
    confirm: Args | None = None
    show_help: bool = False


Runner = Callable[[Services, Args, Request], Result]


@dataclass(frozen=True)
class Entry:
    """A coordinator command. ``many``: it changes many people or mails many, so by mail
    it first answers with ``preview`` and runs only on CONFIRM."""

    name: str
    usage: dict[str, str]
    summary: dict[str, str]
    run: Runner
    parse: Callable[[str], Args] = field(default=lambda rest: {})
    many: bool = False
    preview: Runner | None = None
    listed: bool = True  # False: run only by CONFIRM of a preview made elsewhere


def _nothing(rest: str) -> Args:
    if rest:
        raise Malformed(f"takes no argument (found {rest!r})")
    return {}


def _person(rest: str) -> Args:
    if not rest:
        raise Malformed("names nobody (an address or a name is needed)")
    return {"person": rest}


_UNTIL = re.compile(r"^(?P<who>.+?)\s+(?:until|till|jusqu'au|jusqu au|au)\s+"
                    r"(?P<until>\S+)$", re.IGNORECASE)


def _person_until(rest: str) -> Args:
    match = _UNTIL.match(rest.replace("’", "'"))
    if match is None:
        return _person(rest)
    try:
        until = date.fromisoformat(match["until"].rstrip("."))
    except ValueError:
        raise Malformed(f"{match['until']!r} is not a date such as 2027-05-01") from None
    return {"person": match["who"], "until": until.isoformat()}


def _person_address(rest: str) -> Args:
    words = rest.split()
    if len(words) < 2 or "@" not in words[-1]:
        raise Malformed("needs a person, then the address to link (LINK Léa lea@home.example)")
    return {"person": " ".join(words[:-1]), "address": words[-1].strip("<>").lower()}


_BETWEEN = re.compile(r"\s*(?:->|→|\bto\b|\bà\b)\s*", re.IGNORECASE)


def _two_people(rest: str) -> Args:
    words = rest.split()
    if len(words) == 2:
        return {"mentee": words[0], "mentor": words[1]}
    parts = [p for p in _BETWEEN.split(rest, maxsplit=1) if p.strip()]
    if len(parts) != 2:
        raise Malformed("needs a mentee then a mentor: two addresses, or two names "
                        "separated by '->' (PROPOSE Léa Gagnon -> Chen Wei)")
    return {"mentee": parts[0].strip(), "mentor": parts[1].strip()}


def _days(rest: str) -> Args:
    if not rest:
        return {"days": "30"}
    if not rest.isdigit() or not 0 < int(rest) <= MAX_PLAN_DAYS:
        raise Malformed(f"takes a number of days from 1 to {MAX_PLAN_DAYS} (found {rest!r})")
    return {"days": rest}


_EXPORTS = {"participants": "participants", "pairs": "pairs", "paires": "pairs",
            "binomes": "pairs", "binômes": "pairs", "duos": "pairs"}


def _export_what(rest: str) -> Args:
    what = _EXPORTS.get(rest.lower().strip("."))
    if what is None:
        raise Malformed("exports 'participants' or 'pairs'")
    return {"what": what}


def _one(services: Services, args: Args, key: str, request: Request) -> Participant:
    named = resolve(services.store, args[key])
    if named.person is None:
        raise MailflowError(named.problem(request.language))
    return named.person


def _label(person: Participant) -> str:
    return f"{person.get('name') or ''} <{person['email']}>".strip()


def run_help(services: Services, args: Args, request: Request) -> Result:
    return Result(True, help_text(request.language))


def run_status(services: Services, args: Args, request: Request) -> Result:
    return Result(True, views.status_text(services))


def run_review(services: Services, args: Args, request: Request) -> Result:
    return Result(True, views.review_text(services, request.now))


def run_show(services: Services, args: Args, request: Request) -> Result:
    return Result(True, views.show_text(services, _one(services, args, "person", request)))


def run_plan(services: Services, args: Args, request: Request) -> Result:
    if services.plan is None:
        return Result(False, request.say("the plan is not available here",
                                         "le plan n'est pas disponible ici"))
    zone = services.config.calendar.zone
    start = request.now.astimezone(zone)
    end = start + timedelta(days=int(args["days"]))
    rows = services.plan(start, end)
    return Result(True, views.plan_lines(rows, zone, start.date().isoformat(),
                                         end.date().isoformat(), False))


def run_export(services: Services, args: Args, request: Request) -> Result:
    what = args["what"]
    text = (views.export_pairs(services) if what == "pairs"
            else views.export_participants(services, "csv"))
    rows = max(text.count("\n") - 1, 0)
    name = f"{what}-{request.now.date().isoformat()}.csv"
    attachment = Attachment(name, "text/csv", text.encode("utf-8"),
                            params=(("charset", "utf-8"),))
    return Result(True, request.say(f"{name} attached ({rows} rows)",
                                    f"{name} en pièce jointe ({rows} lignes)"), (attachment,))


def run_pause(services: Services, args: Args, request: Request) -> Result:
    person = _one(services, args, "person", request)
    until = args.get("until")
    changes.pause(services, person, until, request.cause, request.now.isoformat())
    when = until or request.say("RESUME", "REPRENDRE")
    return Result(True, request.say(f"{_label(person)}: no scheduled mail until {when}",
                                    f"{_label(person)} : plus de courrier prévu jusqu'à "
                                    f"{when}"))


def run_resume(services: Services, args: Args, request: Request) -> Result:
    person = _one(services, args, "person", request)
    changes.resume(services, person, request.cause, request.now.isoformat())
    return Result(True, request.say(f"{_label(person)}: scheduled mail resumed",
                                    f"{_label(person)} : le courrier prévu reprend"))


def run_link(services: Services, args: Args, request: Request) -> Result:
    person = _one(services, args, "person", request)
    changes.link(services, person, args["address"], request.cause, request.now.isoformat())
    return Result(True, request.say(f"mail from {args['address']} is now {_label(person)}'s",
                                    f"le courrier de {args['address']} est désormais "
                                    f"attribué à {_label(person)}"))


def preview_withdraw(services: Services, args: Args, request: Request) -> Result:
    person = _one(services, args, "person", request)
    plan = changes.withdrawal(services, person["email"])
    text = request.say(f"{_label(person)} ({plan.was}) would be withdrawn",
                       f"{_label(person)} ({plan.was}) serait retiré(e) du programme")
    if plan.offered:
        text += request.say(f"; the freed place would go to {plan.offered}, who would get "
                            "the selection mail",
                            f"; la place libérée irait à {plan.offered}, qui recevrait le "
                            "message de sélection")
    return Result(True, text, confirm={"person": person["email"]})


def run_withdraw(services: Services, args: Args, request: Request) -> Result:
    person = _one(services, args, "person", request)
    offered = changes.withdraw(services, person["email"], request.now, request.cause)
    text = request.say(f"{_label(person)} withdrawn", f"{_label(person)} retiré(e)")
    if offered:
        text += request.say(f"; the place goes to {offered}, who is told",
                            f"; la place va à {offered}, qui en est informé(e)")
    return Result(True, text)


def _asks_mentors(services: Services) -> bool:
    """Whether a scheduled rule of the program fires after a proposal is recorded."""
    config = services.config
    rules = load_scheduled(config.rules_dir, None, config.calendar, strict=False)
    return any(isinstance(rule.trigger, Offsets) and rule.trigger.date == "proposed"
               and rule.trigger.direction == "after" for rule in rules)


def run_propose(services: Services, args: Args, request: Request) -> Result:
    mentee = _one(services, args, "mentee", request)
    mentor = _one(services, args, "mentor", request)
    if services.pairing is None:
        return Result(False, request.say("proposals are not available here",
                                         "les propositions ne sont pas disponibles ici"))
    if not _asks_mentors(services):  # the receipt must be true: someone asks the mentor
        return Result(False, request.say(
            "no rule of this program mails a proposal to the mentor (a rule 'at: {after: "
            "proposed}', as the rolling preset's proposal-to-mentor): use MATCH",
            "aucune règle de ce programme n'envoie la proposition au mentor (une règle "
            "« at: {after: proposed} », comme proposal-to-mentor du préréglage rolling) : "
            "utilisez APPARIER"))
    for person in (mentee, mentor):  # checked before the first write: all or nothing
        lifecycle.check(person["email"], person.get("status"), "matched")
    services.pairing.propose_pair(mentee["email"], mentor["email"], request.now)
    return Result(True, request.say(
        f"{_label(mentee)} proposed to {_label(mentor)}, who is asked YES or NO",
        f"{_label(mentee)} proposé(e) à {_label(mentor)}, à qui on demande OUI ou NON"))


def preview_import(services: Services, args: Args, request: Request) -> Result:
    text, confirm = bulk.preview_import(services, args, request)
    return Result(True, text, confirm=confirm)


def run_import(services: Services, args: Args, request: Request) -> Result:
    return Result(True, bulk.run_import(services, args, request))


def preview_select(services: Services, args: Args, request: Request) -> Result:
    text, confirm = bulk.preview_select(services, args, request)
    return Result(True, text, confirm=confirm)


def run_select(services: Services, args: Args, request: Request) -> Result:
    return Result(True, bulk.run_select(services, args, request))


def run_match(services: Services, args: Args, request: Request) -> Result:
    return Result(True, bulk.run_match(services, args, request))


def run_approval(services: Services, args: Args, request: Request) -> Result:
    return Result(True, bulk.run_approval(services, args, request))


REGISTRY: dict[str, Entry] = {e.name: e for e in (
    Entry("help", {"en": "HELP", "fr": "AIDE"},
          {"en": "this list", "fr": "cette liste"}, run_help, _nothing),
    Entry("status", {"en": "STATUS", "fr": "ÉTAT"},
          {"en": "participants, mail in and out, what waits for review",
           "fr": "participants, courrier reçu et envoyé, ce qui attend une personne"},
          run_status, _nothing),
    Entry("review", {"en": "REVIEW", "fr": "REVUE"},
          {"en": "the messages waiting for a person, with the reasons",
           "fr": "les messages qui attendent une personne, avec les raisons"},
          run_review, _nothing),
    Entry("show", {"en": "SHOW person", "fr": "VOIR personne"},
          {"en": "one person's record and timeline",
           "fr": "la fiche et l'historique d'une personne"}, run_show, _person),
    Entry("plan", {"en": "PLAN [days]", "fr": "PLAN [jours]"},
          {"en": "every mail the rules will send (default: 30 days)",
           "fr": "tout le courrier que les règles enverront (30 jours par défaut)"},
          run_plan, _days),
    Entry("export", {"en": "EXPORT participants|pairs", "fr": "EXPORTER participants|paires"},
          {"en": "a CSV file attached", "fr": "un fichier CSV en pièce jointe"},
          run_export, _export_what),
    Entry("pause", {"en": "PAUSE person [until 2027-05-01]",
                    "fr": "SUSPENDRE personne [jusqu'au 2027-05-01]"},
          {"en": "no scheduled mail to them (until the date, or RESUME)",
           "fr": "plus de courrier prévu pour elle (jusqu'à la date, ou REPRENDRE)"},
          run_pause, _person_until),
    Entry("resume", {"en": "RESUME person", "fr": "REPRENDRE personne"},
          {"en": "their scheduled mail again", "fr": "son courrier prévu reprend"},
          run_resume, _person),
    Entry("link", {"en": "LINK person address", "fr": "LIER personne adresse"},
          {"en": "mail from a second address is theirs",
           "fr": "le courrier d'une deuxième adresse est le sien"}, run_link, _person_address),
    Entry("withdraw", {"en": "WITHDRAW person", "fr": "RETIRER personne"},
          {"en": "withdraw them; the place goes to the waitlist (a preview first, then "
                 "CONFIRM)",
           "fr": "la retirer ; la place va à la liste d'attente (un aperçu d'abord, puis "
                 "CONFIRMER)"},
          run_withdraw, _person, many=True, preview=preview_withdraw),
    Entry("propose", {"en": "PROPOSE mentee -> mentor", "fr": "PROPOSER mentoré -> mentor"},
          {"en": "propose a mentee to a mentor, who answers YES or NO",
           "fr": "proposer un mentoré à un mentor, qui répond OUI ou NON"},
          run_propose, _two_people),
    Entry("import", {"en": "IMPORT mentors|mentees", "fr": "IMPORTER mentors|mentorés"},
          {"en": "add or update people from the CSV file attached (a preview first, then "
                 "CONFIRM)",
           "fr": "ajouter ou mettre à jour des personnes d'après le fichier CSV joint (un "
                 "aperçu d'abord, puis CONFIRMER)"},
          run_import, bulk.parse_import, many=True, preview=preview_import),
    Entry("select", {"en": "SELECT seed places [reserved]",
                     "fr": "SÉLECTIONNER graine places [réservées]"},
          {"en": "the selection lottery and everyone's mail (a preview first, then CONFIRM)",
           "fr": "le tirage au sort et le message de chacun (un aperçu d'abord, puis "
                 "CONFIRMER)"},
          run_select, bulk.parse_select, many=True, preview=preview_select),
    Entry("match", {"en": "MATCH [group]", "fr": "APPARIER [groupe]"},
          {"en": "propose pairs for approval; the approval previews the introductions, "
                 "then CONFIRM",
           "fr": "proposer des paires à approuver ; l'approbation montre un aperçu des "
                 "présentations, puis CONFIRMER"},
          run_match, bulk.parse_match),
    Entry("approve-pairs", {"en": "APPROVE", "fr": "APPROUVER"},
          {"en": "a matching proposal", "fr": "une proposition d'appariement"},
          run_approval, _nothing, many=True, listed=False),
)}


def help_text(language: str) -> str:
    """One line per command, in ``language``; then how a preview is confirmed."""
    lang = "fr" if language == "fr" else "en"
    listed = [e for e in REGISTRY.values() if e.listed]
    width = max(len(e.usage[lang]) for e in listed)
    lines = [f"  {e.usage[lang]:{width}}  {e.summary[lang]}" for e in listed]
    lines.append("")
    lines.append("A person is an address or a name; several commands, one a line, run in order."
                 if lang == "en" else
                 "Une personne est une adresse ou un nom ; plusieurs commandes, une par ligne, "
                 "sont exécutées dans l'ordre.")
    lines.append("CONFIRM, in reply to a preview, carries it out (within 7 days, once)."
                 if lang == "en" else
                 "CONFIRMER, en réponse à un aperçu, l'exécute (dans les 7 jours, une fois).")
    return "\n".join(lines)
