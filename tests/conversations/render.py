"""Render "our mail" of a conversation case with the program's real templates.

``python tests/conversations/render.py CASE_DIR`` writes ``CASE_DIR/ours.txt``: the
subject line, a blank line and the text body as the recipient sees it (then the HTML
part, when the template has one), so that a reply can quote exactly what we sent.
The context is built from ``program.yaml`` and the example program's config.yaml.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from mailflow.config.load import load_config
from mailflow.config.translated import in_language
from mailflow.outbound.templates import Rendered, Templates
from tests.yaml_files import load_yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PROGRAM = HERE / "program.yaml"
HTML_MARK = "----- HTML part -----"

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
# What optional mail (the monthly tips) ends with, as the scheduled rules word it.
UNSUBSCRIBE_HINT = {
    "en": "You receive these tips because you take part in the program. "
          "Reply STOP to receive no more of them.",
    "fr": "Vous recevez ces conseils parce que vous participez au programme. "
          "Répondez STOP pour ne plus les recevoir.",
}
PUBLIC = ("name", "email", "affiliation", "languages", "goals", "expertise")


def format_date(when: datetime, language: str, with_time: bool) -> str:
    """A program date as mail shows it: 'February 10, 2027, 14:00', '10 février 2027 à 14 h 00'."""
    if language == "fr":
        text = f"{when.day} {MONTHS_FR[when.month - 1]} {when.year}"
        return text + (f" à {when.hour} h {when.minute:02d}" if with_time else "")
    text = f"{MONTHS_EN[when.month - 1]} {when.day}, {when.year}"
    return text + (f", {when.hour:02d}:{when.minute:02d}" if with_time else "")


def load_people() -> dict[str, Any]:
    """program.yaml, with every person indexed by address."""
    data = load_yaml(PROGRAM.read_text(encoding="utf-8"))
    people: dict[str, dict[str, Any]] = {}
    for group in ("mentors", "mentees", "applicants"):
        for person in data.get(group) or []:
            people[person["email"].lower()] = person
    data["by_email"] = people
    return data


def public(person: dict[str, Any]) -> dict[str, str]:
    """The fields templates may show of a person (empty when not given)."""
    return {key: str(person.get(key, "")) for key in PUBLIC}


def context_for(case: dict[str, Any], data: dict[str, Any], language: str) -> dict[str, Any]:
    """The variables the scheduled or message rule gives the template of this case."""
    config = load_config(ROOT)
    ours = case["ours"]
    person = data["by_email"][ours["to"].lower()]
    calendar = config.calendar
    dates = {name: format_date(d.when.astimezone(calendar.zone), language,
                               d.when.astimezone(calendar.zone).time() != calendar.send_time)
             for name, d in calendar.dates.items()}
    survey = config.surveys[ours.get("survey", "midpoint")]
    event = calendar.dates[ours.get("event", "training_1")]
    event_when = event.when.astimezone(calendar.zone)
    event_at = format_date(event_when, language, event_when.time() != calendar.send_time)
    pairs = data.get("pairs") or []
    mentor: dict[str, Any] = {}
    mentee: dict[str, Any] = {}
    if person["role"] == "mentor":
        mentor = person
        others = [p["mentee"] for p in pairs if p["mentor"] == person["email"]]
        chosen = ours.get("about") or (others[0] if others else None)
        mentee = data["by_email"].get((chosen or "").lower(), {})
    else:
        mentee = person
        mine = [p["mentor"] for p in pairs if p["mentee"] == person["email"]]
        mentor = data["by_email"].get((ours.get("about") or (mine[0] if mine else "")).lower(), {})
    return {
        "person": {"name": person["name"], "email": person["email"], "role": person["role"]},
        "dates": dates,
        "mentors": [{**public(m), "number": str(n)} for n, m in enumerate(data["mentors"], 1)],
        "mentor": public(mentor),
        "mentee": public(mentee),
        # Texts people read, in the reader's language (config/default_*.yaml, config.yaml).
        "survey": {"title": in_language(survey.title, language),
                   "questions": [{"number": q.number, "text": in_language(q.text, language),
                                  "required": q.required} for q in survey.questions]},
        "event": {"title": in_language(event.title, language),
                  "location": in_language(event.location, language), "when": event_at},
        "forms": {role: [{"key": f.key, "label": in_language(f.label, language),
                          "required": f.required, "help": in_language(f.help, language)}
                         for f in fields]
                  for role, fields in config.forms.items()},
        "missing": [],
        "until": None,
        "unsubscribe_hint": UNSUBSCRIBE_HINT.get(language, UNSUBSCRIBE_HINT["en"])
        if ours["template"].startswith("tips/") else "",
    }


def render_case(case_dir: Path) -> Rendered:
    """Our mail of the case in ``case_dir``, rendered by the real templates."""
    case = load_yaml((case_dir / "case.yaml").read_text(encoding="utf-8"))
    data = load_people()
    config = load_config(ROOT)
    templates = Templates(config.templates_dirs, config.language)
    language = case["ours"].get("language") or data["by_email"][case["ours"]["to"].lower()].get(
        "language", config.language)
    person = data["by_email"][case["ours"]["to"].lower()]
    context = context_for(case, data, language)
    context.update({
        "program": {"name": config.name, "address": config.address},
        "coordinators": [{"name": c.name, "email": c.email} for c in config.coordinators],
        "recipient": {"name": person["name"], "email": person["email"]},
    })
    return templates.render(case["ours"]["template"], language, context)


def ours_text(rendered: Rendered) -> str:
    """The content of ours.txt: subject, blank line, text, then the HTML part if any."""
    text = f"Subject: {rendered.subject}\n\n{rendered.text}"
    if rendered.html:
        text += f"\n{HTML_MARK}\n{rendered.html}"
    return text


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tests/conversations/render.py CASE_DIR", file=sys.stderr)
        return 2
    case_dir = Path(argv[1])
    (case_dir / "ours.txt").write_text(ours_text(render_case(case_dir)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
