"""Render every template a program will send against a sample context, before it runs.

``mailflow check`` uses this so that an undefined variable (a template naming a
calendar date the program does not define, a misspelt field) is found at start-up
with the template's file, not by ``select`` or the scheduler months later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mailflow.config.model import LANGUAGES, Config
from mailflow.errors import MailflowError
from mailflow.outbound.templates import Templates
from mailflow.parsing.reading import Application, Reading
from mailflow.program.actions import Action
from mailflow.program.context import TemplateContext
from mailflow.program.rules import Rule
from mailflow.program.scheduled import ScheduledRule

# Templates the program sends by itself, whatever the rules say.
BUILT_IN = ("clarification", "confirm_change", "answer_budget", "delivery_problem",
            "review_notice", "review_answer", "concern_received",
            "match_proposal", "match_approved", "match_problems", "introduction",
            "introduction_group", "selection_selected", "selection_waitlisted",
            "selection_not_selected", "your_data", "confirm_erasure", "data_erased",
            "erasure_notice")
SAMPLE_PERSON: dict[str, Any] = {
    "email": "lea.gagnon@example.org", "name": "Léa Gagnon", "role": "mentee",
    "status": "selected", "fields": {"goals": "a research career"},
    "application": {"complete": False, "missing": ["Goals"]}}


def _extras(contexts: TemplateContext) -> dict[str, Any]:
    """What particular mails add to the common context (proposals, notices, groups...)."""
    public = contexts.public(SAMPLE_PERSON)
    return {
        "mentor": public, "mentee": public, "group": [public], "choices": ["Chen Wei"],
        "problems": ["the sample problem"], "bounced": "lea.gagnon@example.org",
        "proposal": {"id": "sample", "mode": "traditional", "unmatched": [], "flagged": [],
                     "rows": [{"mentee": "Léa Gagnon", "mentor": "Chen Wei", "rank": 1}]},
        "item": {"to": "lea.gagnon@example.org", "subject": "Sample", "state": "failed",
                 "error": "550 no such user", "name": "sample"},
        "change": {"text": "stop sending you optional mail"},
        "address": "lea.gagnon@example.org", "day": 3, "week": 3,
        "limits": {"day": 3, "week": 10}, "waitlist_position": 1, "answered": True,
        "data": {"fields": [("name", "Léa Gagnon"), ("role", "mentee")], "events": 3,
                 "messages": 2},
        "notice": {"number": 1, "single": True, "entries": [{
            "number": 1, "kind": "concern", "sender": "lea.gagnon@example.org",
            "who": "lea.gagnon@example.org", "probably": "", "subject": "Sample",
            "problems": ["the sample problem"], "text": "Could someone call me?",
            "proposed": "nothing: a person answers", "age": "5 min"}]},
        "answer": {"text": "The coordinator's answer.", "subject": "Sample"},
    }


def template_uses(rules: list[Rule], scheduled: list[ScheduledRule],
          templates: Templates) -> dict[str, tuple[str, Action | None]]:
    """template name -> (where it is sent from, the action sending it)."""
    used: dict[str, tuple[str, Action | None]] = {name: ("mailflow itself", None)
                                                  for name in BUILT_IN}
    names = templates.names()
    every: list[Rule | ScheduledRule] = [*rules, *scheduled]
    for rule in every:
        for action in rule.actions:
            if action.template is None:
                continue
            found = ([t for t in sorted(names) if t.startswith(action.template.rstrip("/") + "/")]
                     if action.type == "send_next" else [action.template])
            for name in found:
                used[name] = (f"rule {rule.name} ({rule.source})", action)
    return {name: where for name, where in used.items() if name in names}


def render_problems(config: Config, templates: Templates, contexts: TemplateContext,
                    rules: list[Rule], scheduled: list[ScheduledRule]
                    ) -> tuple[list[str], list[str]]:
    """Every template the program sends, in each language it has, rendered: the failures
    of templates its rules send (errors), and of those mailflow sends on a command
    (warnings: a program without a calendar may never select or match)."""
    now = datetime.now(UTC)
    reading = Reading(kind="unknown", sender=SAMPLE_PERSON["email"], subject="Sample",
                      problems=["the sample problem"],
                      application=Application(missing=["Goals"]))
    problems: list[str] = []
    warnings: list[str] = []
    for name, (where, action) in sorted(template_uses(rules, scheduled, templates).items()):
        for language in LANGUAGES:
            if templates.language_for(name, language) != language:
                continue
            context = {**contexts.build(
                SAMPLE_PERSON, language, now, name, reading=reading, optional=True,
                expects=action.expects if action else None,
                event=action.attach_event if action else None), **_extras(contexts)}
            try:
                templates.render(name, language, {
                    **context, "program": {"name": config.name, "address": config.address},
                    "coordinators": [{"name": c.name, "email": c.email}
                                     for c in config.coordinators],
                    "recipient": {"name": "Léa Gagnon", "email": SAMPLE_PERSON["email"]}})
            except MailflowError as exc:
                (warnings if action is None else problems).append(f"{exc} (sent by {where})")
    return problems, warnings
