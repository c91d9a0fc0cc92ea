"""What a template may use: one builder for every mail, and nothing private of anyone else.

Replies to messages, scheduled mail, introductions and selection results all take
their context from ``TemplateContext.build``; only fields marked shareable of other
people ever reach it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from mailflow.config.model import Config
from mailflow.config.translated import in_language
from mailflow.parsing.expects import Expects
from mailflow.parsing.reading import Reading
from mailflow.program import participants
from mailflow.program.calendar import format_date
from mailflow.program.clarify import clarification_context
from mailflow.program.reasons import reason_in
from mailflow.store import Store

UNSUBSCRIBE_HINT = {
    "en": "You receive these tips because you take part in the program. "
          "Reply STOP to receive no more of them.",
    "fr": "Vous recevez ces conseils parce que vous participez au programme. "
          "Répondez STOP pour ne plus les recevoir.",
}
PUBLIC_FIELDS = ("affiliation", "languages", "goals", "expertise")
SUBJECT_ECHO = 40
_RE_PREFIX = re.compile(r"^(\s*(re|aw|sv|antw|tr|réf|ref|fwd?|wg)\s*(\[\d+\])?\s*:\s*)+",
                        re.IGNORECASE)
_LINKISH = re.compile(r"\S*(?:://|www\.|@)\S*|\S+\.(?:[a-z]{2,})(?:/\S*)?\b", re.IGNORECASE)


def form_context(config: Config, language: str | None = None) -> dict[str, Any]:
    """The application forms as templates see them, labelled in ``language``."""
    lang = language or config.language
    return {role: [{"key": f.key, "label": in_language(f.label, lang), "required": f.required,
                    "help": in_language(f.help, lang)}
                   for f in fields] for role, fields in config.forms.items()}


def labels_in(config: Config, labels: list[str], language: str) -> list[str]:
    """Missing-field labels (kept as first written) as a reader of ``language`` reads them."""
    by_label = {label: field.label for form in config.forms.values() for field in form
                for label in field.labels}
    return [in_language(by_label.get(label, label), language) for label in labels]


def safe_echo(subject: str) -> str:
    """A stranger's words (name, subject) as we may echo them: no links or addresses, at
    most 40 characters, so the program never carries an attacker's message to a victim."""
    text = _LINKISH.sub("", subject)
    text = " ".join(text.split())
    return text if len(text) <= SUBJECT_ECHO else text[:SUBJECT_ECHO - 1].rstrip() + "…"


def unlinked(text: str) -> str:
    """A field written by mail as others may read it: links and addresses taken out."""
    return " ".join(_LINKISH.sub("[link removed]", text).split(" "))


class TemplateContext:
    """Builds template contexts from the store and the configuration."""

    def __init__(self, config: Config, store: Store,
                 digest: Callable[[datetime], Mapping[str, object]] | None = None) -> None:
        self.config = config
        self.store = store
        self.digest = digest

    def build(self, person: Mapping[str, Any] | None, language: str, now: datetime,
              template: str, *, expects: Expects | None = None, event: str | None = None,
              optional: bool = False, reading: Reading | None = None) -> dict[str, Any]:
        """Everything ``template`` may use when sent to ``person`` (None: coordinators)."""
        person = person or {}  # a participant, a sample's made-up one, or nobody
        calendar = self.config.calendar
        context: dict[str, Any] = {
            "person": {"name": person.get("name") or "", "email": person.get("email") or "",
                       "role": person.get("role")},
            "dates": {name: format_date(d.when, language, with_time=d.when.time()
                                        != calendar.send_time)
                      for name, d in calendar.dates.items()},
            "unsubscribe_hint": UNSUBSCRIBE_HINT.get(language, "") if optional else "",
            "missing": labels_in(self.config, list(
                (person.get("application") or {}).get("missing") or []), language),
            "until": person.get("paused_until") or "",
            "forms": form_context(self.config, language),
        }
        if reading is not None:
            context.update(self._about_message(reading, person, language))
            if template == "clarification":
                context.update(clarification_context(self.config, reading, person or None,
                                                     language))
        if template.startswith("choices"):
            mentors = [self.public(p) for p in self.store.table("participants").all()
                       if p.get("role") == "mentor" and p.get("approved") is not False
                       and p.get("status") not in ("withdrawn", "not_selected")]
            # Numbered, so "9, 3 and 11" can be answered; the numbers travel with the mail.
            context["mentors"] = [{**m, "number": str(n)} for n, m in enumerate(mentors, 1)]
        if expects is not None and expects.kind == "survey" and expects.about:
            survey = self.config.surveys[expects.about]
            context["survey"] = {
                "title": in_language(survey.title, language)
                or survey.key.replace("_", " ").capitalize(),
                "questions": [{"number": q.number, "text": in_language(q.text, language),
                               "required": q.required} for q in survey.questions]}
        if event:
            date = calendar.dates[event]
            context["event"] = {"title": in_language(date.title, language) or date.name,
                                "location": in_language(date.location, language),
                                "when": format_date(date.when, language, with_time=True)}
        mentor, mentee = self.pair_of(person)
        if mentor is not None:
            context["mentor"] = mentor
        if mentee is not None:
            context["mentee"] = mentee
        if template == "digest" and self.digest is not None:
            context["digest"] = self.digest(now)
        return context

    def _about_message(self, reading: Reading, person: Mapping[str, Any], language: str
                       ) -> dict[str, Any]:
        """What an answer to a message may say about it: what was read and what was not."""
        known = bool(person) or reading.authenticated
        return {
            # What an unknown sender wrote in their name or subject is theirs to choose:
            # it is never echoed back beyond a short, link-free form.
            "person": {"name": (person.get("name") or reading.sender_name or "") if known
                       else safe_echo(reading.sender_name),
                       "email": reading.sender,
                       "role": person.get("role") or reading.application.role},
            "missing": labels_in(self.config, reading.application.missing, language),
            # One "Re:" in the thread: the prefixes clients add are taken off first.
            "subject": _RE_PREFIX.sub("", reading.subject if known
                                      else safe_echo(reading.subject)),
            "concern": reading.concern or "",
            "probably": bool(reading.probably),
            # Why the message could not be read, said in the reader's language.
            "problems": [reason_in(problem, language) for problem in reading.problems],
            "bounced": reading.bounce.recipient,
            "until": reading.until or "",
            "choices": [(participants.find(self.store, email) or {"email": email}).get("name")
                        or email for email in reading.choices],
        }

    def public(self, person: Mapping[str, Any]) -> dict[str, str]:
        """What may be shown of a person to others: the form fields marked shareable."""
        fields = person.get("fields") or {}
        shareable = {f.key for form in self.config.forms.values() for f in form if f.shareable}
        shown = {key: "" for key in (*PUBLIC_FIELDS, *shareable)}
        by_mail = person.get("source") == "mail"
        shown.update({key: unlinked(str(fields.get(key) or "")) if by_mail
                      else str(fields.get(key) or "") for key in shareable})
        return {**shown, "name": person.get("name") or "", "email": person.get("email") or ""}

    def public_of(self, email: str) -> dict[str, str]:
        """The public record of the participant with this address (empty when unknown)."""
        found = participants.find(self.store, email)
        return self.public(found if found is not None else {})

    def pair_of(self, person: Mapping[str, Any]
                ) -> tuple[dict[str, str] | None, dict[str, str] | None]:
        """The public records of a person's mentor and mentee (the latest proposed)."""
        if person.get("role") == "mentee" and person.get("mentor"):
            other = participants.find(self.store, person["mentor"])
            return (self.public(other) if other else None), self.public(person)
        if person.get("role") == "mentor" and person.get("mentees"):
            other = participants.find(self.store, person["mentees"][-1])
            return self.public(person), (self.public(other) if other else None)
        return None, None
