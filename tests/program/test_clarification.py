"""The clarification says what we expected of that person in that thread, in their language,
with the reason in plain words, as one "Re:" (issue 12 item 3).

Each reading is the one the readers make of an unreadable answer of its kind; the mail is
queued and rendered as the rule 'ask-to-clarify' does, through the real templates.
"""

from __future__ import annotations

import email
from datetime import datetime
from email import policy

import pytest

from mailflow.outbound.mailer import Recipient
from mailflow.parsing.reading import Application, Reading
from mailflow.program import participants
from tests.program.year import ZONE, Run

NOW = datetime(2027, 4, 6, 10, 0, tzinfo=ZONE)
COORDINATOR = "claire.dubois@northlake.example.org"
# One of each language in the example roster (tests/program/year.py), and applicants.
MENTEE = {"en": "mentee0@example.org", "fr": "mentee1@example.org"}
MENTOR = {"en": "mentor0@example.org", "fr": "mentor1@example.org"}
SELECTED = {"en": "selected0@example.org", "fr": "selected1@example.org"}
APPLICANT = {"en": "applicant0@example.org", "fr": "applicant.fr@example.org"}
CHOICES_HOWTO = {"en": "1. First choice", "fr": "1. Premier choix"}


def clarification(run: Run, sender: str, kind: str, expects: str | None,
                  problems: list[str], subject: str = "Re: Our mail", **read: object) -> str:
    """The clarification ``sender`` gets for this reading: its subject line and its text."""
    person = participants.find(run.program.store, sender)
    reading = Reading(kind=kind, sender=sender, participant=person["email"] if person else None,
                      subject=subject, message_id=f"<{kind}-{sender}>", expects=expects,
                      needs_review=True, problems=problems, **read)  # type: ignore[arg-type]
    language = run.program.config.writes_to((person or {}).get("language"))
    contexts = run.program.handler.mailings.contexts
    context = contexts.build(dict(person) if person else None, language, NOW, "clarification",
                             reading=reading)
    item = run.program.mailer.queue(
        rule="ask-to-clarify", occasion=f"{kind}:{sender}:{subject}", template="clarification",
        to=Recipient(sender, "", language, participant=reading.participant),
        context=context, kind="reply", in_reply_to=reading.message_id, now=NOW)
    assert item is not None
    message = email.message_from_bytes(run.program.outbox.message_bytes(item.id),
                                       policy=policy.default)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return f"Subject: {message['Subject']}\n{' '.join(text.split())}"


@pytest.fixture
def program(run: Run) -> Run:
    with run.program.store.transaction():
        participants.insert(run.program.store, {
            "email": APPLICANT["fr"], "name": "Candidate", "role": "mentee",
            "status": "applicant", "language": "fr"})
    return run


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_mentee_whose_choices_could_not_be_read_is_shown_how_to_write_them(program, language):
    text = clarification(program, SELECTED[language], "choices", "choices",
                         ["'Sofia' could be Sofia Rossi or Sophie Ross"])
    assert CHOICES_HOWTO[language] in text
    assert {"en": "- 'Sofia' could be Sofia Rossi or Sophie Ross",
            "fr": "- « Sofia » peut désigner Sofia Rossi ou Sophie Ross"}[language] in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_unclear_meeting_answer_is_asked_yes_or_no_on_the_meeting(program, language):
    text = clarification(program, MENTEE[language], "meeting", "meeting",
                         ["could not tell whether the meeting took place"])
    assert {"en": "yes, March 12 not yet", "fr": "oui, le 12 mars pas encore"}[language] in text
    assert {"en": "- could not tell whether the meeting took place",
            "fr": "- nous n'avons pas pu savoir si la rencontre a eu lieu"}[language] in text
    assert CHOICES_HOWTO[language] not in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_unclear_survey_answer_is_shown_the_surveys_questions_in_its_language(program,
                                                                                language):
    text = clarification(program, MENTEE[language], "survey", "survey:midpoint",
                         ["question 1: 9 is outside 1-5"])
    assert {"en": "1. How satisfied are you with your mentoring relationship (1 to 5)?",
            "fr": "1. Êtes-vous satisfait·e de votre relation de mentorat (de 1 à 5) ?"}[
        language] in text
    assert {"en": "- question 1: 9 is outside 1-5",
            "fr": "- question 1 : 9 n'est pas entre 1 et 5"}[language] in text
    assert CHOICES_HOWTO[language] not in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_form_with_a_line_we_do_not_know_is_asked_for_its_missing_fields(program, language):
    text = clarification(program, APPLICANT[language], "application", "form",
                         ["the form has a line mailflow does not know: 'Team: vision'"],
                         application=Application(missing=["Goals"]))
    assert {"en": 'one per line as "Field: your answer"', "fr": "« Champ : votre réponse »"}[
        language] in text
    assert {"en": "We still need: Goals:", "fr": "Il nous manque encore : Objectifs :"}[
        language] in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_mentor_unsure_about_a_proposal_is_asked_yes_or_no_not_for_choices(program, language):
    text = clarification(program, MENTOR[language], "command", f"acceptance:{MENTEE[language]}",
                         ["could not tell whether this is a YES or a NO"])
    assert {"en": "YES or NO on the first line", "fr": "OUI ou NON en première ligne"}[
        language] in text
    assert CHOICES_HOWTO[language] not in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_reply_to_a_confirmation_request_is_asked_for_the_confirmation(program, language):
    text = clarification(program, MENTEE[language], "unknown", "confirm:stop",
                         ["a participant's message that mailflow does not understand"])
    assert {"en": "with the word CONFIRM", "fr": "par le mot CONFIRMER"}[language] in text
    assert {"en": "- a participant's message that mailflow does not understand",
            "fr": "- nous n'avons pas compris ce message"}[language] in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_pause_without_its_end_is_asked_for_the_day_it_ends(program, language):
    text = clarification(program, MENTEE[language], "command", None,
                         ["a pause needs the day it ends"], command="pause")
    assert {"en": "PAUSE until 2027-09-01", "fr": "PAUSE jusqu'au 2027-09-01"}[language] in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_coordinator_unclear_about_a_proposal_is_asked_to_approve_or_edit(program, language):
    config = program.root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  language: en", f"  language: {language}"), encoding="utf-8")
    program.restart()
    text = clarification(program, COORDINATOR, "coordinator_cc", "approval:p1",
                         ["a participant's message that mailflow does not understand"])
    assert {"en": "the word APPROVE on its own line", "fr": "le mot APPROUVER seul"}[
        language] in text


def test_a_mentor_writing_in_a_thread_that_asked_a_mentee_for_choices_is_not_told_choices(
        program):
    text = clarification(program, MENTOR["fr"], "unknown", "choices",
                         ["a participant's message that mailflow does not understand"])
    assert CHOICES_HOWTO["fr"] not in text
    assert "en réécrivant simplement votre réponse" in text


def test_an_unsubscribe_in_a_choices_thread_is_not_told_how_to_write_choices(program):
    text = clarification(program, SELECTED["en"], "command", "choices",
                         ["'stop' is a command here, but other words say otherwise"],
                         command="stop")
    assert CHOICES_HOWTO["en"] not in text


def test_a_question_in_a_choices_thread_is_told_it_went_to_a_coordinator(program):
    text = clarification(program, SELECTED["fr"], "concern", "choices",
                         ["asks a coordinator: 'Qui est le mentor le plus proche ?'"],
                         concern="Qui est le mentor le plus proche ?")
    assert "« Qui est le mentor le plus proche ? »" in text
    assert CHOICES_HOWTO["fr"] not in text


def test_a_coordinator_writing_in_a_choices_thread_is_not_told_how_to_write_choices(program):
    text = clarification(program, COORDINATOR, "coordinator_cc", "choices",
                         ["a participant's message that mailflow does not understand"])
    assert CHOICES_HOWTO["en"] not in text


@pytest.mark.parametrize("subject", ["Re: Re: Choose your mentors", "RE : TR: Choose your mentors",
                                     "Re[2]: AW: Choose your mentors"])
def test_the_clarification_is_one_re_in_the_thread(program, subject):
    text = clarification(program, SELECTED["en"], "choices", "choices",
                         ["no mentor name found in the reply"], subject=subject)
    assert text.startswith("Subject: Re: Choose your mentors\n")
