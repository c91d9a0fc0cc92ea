"""What reading one message concluded: the record every reader fills its part of.

The fields are grouped by who fills them: the examination of the message (sender,
thread, authority), then the one reader of the chain that claimed it (see
``mailflow.parsing.understand.CHAIN``; the kinds it may conclude are
``understand.KINDS``). Most readers fill a part of their own (``Application``, ``Bounce``,
``MeetingReport``, ``SurveyAnswers``, ``CoordinatorMail``, ``ReviewDecisions``); the command
fields are still flat. ``to_json`` is the ``mailflow parse --json`` contract: it prints a
``FlatPart``'s fields flat, under the keys they had before the parts, in the same order.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

VERIFIED = ("token", "domain")   # evidence a stranger cannot forge (a thread id can be seen)

_FRENCH = re.compile(r"\b(bonjour|merci|je|vous|nous|suis|pour|avec|mentorat|mentoré|"
                     r"candidature|cordialement|madame|monsieur|à|être|très)\b", re.IGNORECASE)
_ENGLISH = re.compile(r"\b(hello|hi|thanks|thank|i|you|we|am|for|with|mentorship|"
                      r"application|regards|dear|the|would|like)\b", re.IGNORECASE)


@dataclass
class Application:
    """The part the application-form reader fills: the role asked for, the fields read, and
    the required fields still missing (completed with earlier answers before the rules)."""

    role: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


class FlatPart:
    """A reader's part that ``to_json`` prints flat, each field under the key ``JSON`` names."""

    JSON: ClassVar[dict[str, str]] = {}


@dataclass
class Bounce(FlatPart):
    """The part the bounce and feedback readers fill: whose mail failed, and how."""

    JSON: ClassVar[dict[str, str]] = {"recipient": "bounced_recipient", "status": "bounce_status"}

    recipient: str | None = None   # bounce, feedback: the address that failed or complained
    status: str | None = None      # bounce only: "permanent" or "temporary"



@dataclass
class CoordinatorMail(FlatPart):
    """The part a coordinator's command mail fills: its command lines, the preview it confirms."""

    JSON: ClassVar[dict[str, str]] = {"commands": "coordinator_commands", "preview": "preview"}

    # The command lines, in order ({name, rest, line, language}).
    commands: list[dict[str, Any]] = field(default_factory=list)
    preview: str | None = None     # the preview (outbox id) a CONFIRM answers, and only it


@dataclass
class ReviewDecisions(FlatPart):
    """The part a coordinator's answer to a review notice fills: the notice, and the decisions."""

    JSON: ClassVar[dict[str, str]] = {"notice": "review_notice", "actions": "review_actions"}

    notice: int | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)   # ReviewAction.to_json each



@dataclass
class MeetingReport(FlatPart):
    """The part the meeting reader fills: the meeting reported, or one per mentee named."""

    JSON: ClassVar[dict[str, str]] = {"reported": "meeting", "per_mentee": "meetings"}

    reported: dict[str, Any] | None = None                 # {met, date, ...}: one meeting
    per_mentee: list[dict[str, Any]] = field(default_factory=list)   # a mentor's, by mentee


@dataclass
class SurveyAnswers(FlatPart):
    """The part the survey reader fills: which survey, and the answers by question number."""

    JSON: ClassVar[dict[str, str]] = {"key": "survey", "answers": "survey_answers"}

    key: str | None = None
    answers: dict[int, Any] = field(default_factory=dict)   # printed for a survey only


@dataclass
class Reading:
    """The outcome of reading one message (the ``mailflow parse --json`` contract, and more)."""

    kind: str
    # The examination: who wrote, in which thread, with what authority.
    sender: str | None
    participant: str | None = None
    sender_name: str = ""
    subject: str = ""
    message_id: str | None = None
    references: list[str] = field(default_factory=list)
    answers_item: str | None = None
    expects: str | None = None
    authenticated: bool = False
    # What ties the sender to the address: "token" (our signed reply address),
    # "thread" (In-Reply-To one of our mails: attribution, not proof), "domain" (a DMARC/DKIM
    # pass for the sender's domain from our server), or "from" (the From header only).
    evidence: str = "from"
    language: str | None = None
    reply_text: str = ""
    own_mail: bool = False
    probably: str | None = None      # an unknown address that looks like this participant's
    no_answer: bool = False          # reading failed: review, and no mail to the sender
    # Doubts, from anyone: a reading with problems that needs review is never applied.
    needs_review: bool = False
    problems: list[str] = field(default_factory=list)
    # Filled by the reader that claimed the message, by kind.
    choices: list[str] = field(default_factory=list)                 # choices
    meeting: MeetingReport = field(default_factory=MeetingReport)    # meeting
    survey: SurveyAnswers = field(default_factory=SurveyAnswers)     # survey
    command: str | None = None                                       # command
    until: str | None = None                                         # command: pause
    edits: list[tuple[str, str]] = field(default_factory=list)       # command: edit
    proposal: str | None = None                                      # command: approval/YES/NO
    pending: str | None = None                                       # command: to confirm
    application: Application = field(default_factory=Application)    # application
    bounce: Bounce = field(default_factory=Bounce)                   # bounce, feedback
    attendance: dict[str, str] | None = None                         # attendance
    concerns: list[str] = field(default_factory=list)                # coordinator_cc
    coordinator: CoordinatorMail = field(default_factory=CoordinatorMail)  # command 'coordinator'
    review: ReviewDecisions = field(default_factory=ReviewDecisions)      # command 'review'
    # Added by any reading: a question or a call for help that needs a person.
    concern: str | None = None
    # What the thread asked for was not found; decided once concerns are known.
    found_nothing: str | None = None

    def doubt(self, problem: str) -> None:
        """Record ``problem`` and send the message to review: nothing of it is applied."""
        self.problems.append(problem)
        self.needs_review = True

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``mailflow parse --json`` prints."""
        data: dict[str, Any] = {}
        for name, value in asdict(self).items():  # the parts flattened, in the fields' order
            part = getattr(self, name)
            if isinstance(part, FlatPart):
                data.update((part.JSON[key], each) for key, each in value.items())
            else:
                data[name] = value
        application = data.pop("application")  # last, and only for an application
        if self.kind != "survey":
            data.pop("survey_answers")
        for name in ("references", "own_mail", "no_answer", "found_nothing"):
            data.pop(name)
        data["application"] = application if self.kind == "application" else None
        return data


def guess_language(text: str, default: str) -> str:
    """'fr' when the text is clearly French, 'en' when clearly English, else ``default``."""
    french, english = len(_FRENCH.findall(text)), len(_ENGLISH.findall(text))
    if french >= 2 and french > english:
        return "fr"
    if english >= 2 and english > french:
        return "en"
    return default
