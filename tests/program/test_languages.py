"""A French participant reads the program in French: survey, invitation, clarification, guide.

The example cohort (``mailflow init``, with the cohort preset's guides) runs through the
scheduler, the handler and the pairing as it does in production; the assertions are on
the mail it queues.
"""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage

from tests.program.year import ZONE, Run

FRENCH_MENTEE, ENGLISH_MENTEE = "mentee1@example.org", "mentee0@example.org"
FRENCH_SELECTED, ENGLISH_SELECTED = "selected1@example.org", "selected0@example.org"


def sent_to(run: Run, address: str, template: str) -> EmailMessage:
    """The one mail of ``template`` queued for ``address``, parsed as its recipient sees it."""
    [item] = [i for i in run.program.outbox.items.values()
              if i.recipients == [address] and i.meta.get("template") == template]
    raw = run.program.outbox.message_bytes(item.id)
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def attachment(message: EmailMessage, filename: str) -> str:
    [found] = [p for p in message.iter_attachments() if p.get_filename() == filename]
    content = found.get_content()
    return content.decode("utf-8") if isinstance(content, bytes) else content


def midpoint_survey(run: Run) -> None:
    run.ticks(datetime(2027, 6, 1, 8, 0, tzinfo=ZONE), datetime(2027, 6, 1, 10, 0, tzinfo=ZONE))


def test_a_french_participant_gets_the_survey_title_and_questions_in_french(run):
    midpoint_survey(run)
    french = sent_to(run, FRENCH_MENTEE, "survey_invitation")
    assert french["Subject"].startswith("Questionnaire de mi-parcours :")
    assert "1. Êtes-vous satisfait·e de votre relation de mentorat (de 1 à 5) ?" in body(french)
    assert "How satisfied" not in body(french)
    english = sent_to(run, ENGLISH_MENTEE, "survey_invitation")
    assert "1. How satisfied are you with your mentoring relationship (1 to 5)?" in body(english)


def test_a_french_participant_gets_the_calendar_invitation_in_french(run):
    run.ticks(datetime(2027, 1, 25, 8, 0, tzinfo=ZONE), datetime(2027, 1, 25, 15, 0, tzinfo=ZONE))
    french = sent_to(run, FRENCH_SELECTED, "training_invitation")
    assert "« Première formation : les bonnes pratiques du mentorat »" in body(french)
    invite = attachment(french, "invite.ics").replace("\r\n ", "")
    assert "SUMMARY;LANGUAGE=fr:Première formation : les bonnes pratiques du mentorat" in invite
    assert "LOCATION;LANGUAGE=fr:Institut Northlake\\, salle A-101" in invite
    english = attachment(sent_to(run, ENGLISH_SELECTED, "training_invitation"), "invite.ics")
    assert "SUMMARY;LANGUAGE=en:First training session: good practices" in english.replace(
        "\r\n ", "")


def reply_to_survey(run: Run, address: str, text: str) -> None:
    """``address`` answers its survey mail, to the signed Reply-To it was given."""
    survey = sent_to(run, address, "survey_invitation")
    now = datetime(2027, 6, 2, 10, 0, tzinfo=ZONE)
    raw = (f"From: Mentee <{address}>\r\nTo: {survey['Reply-To']}\r\n"
           f"Subject: Re: survey\r\nMessage-ID: <answer-{address}>\r\n"
           f"In-Reply-To: {survey['Message-ID']}\r\n"
           "Date: Wed, 02 Jun 2027 10:00:00 -0400\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           f"{text}\r\n").encode()
    run.program.outbox.clock = lambda: now.timestamp()
    with run.program.store.transaction(), run.program.outbox.batch():
        run.program.handler.handle({"key": f"test:{address}"}, raw, now)


def test_a_french_participant_is_told_in_french_why_a_reply_could_not_be_read(run):
    midpoint_survey(run)
    for address in (FRENCH_MENTEE, ENGLISH_MENTEE):
        reply_to_survey(run, address, "1. 9\r\n2. trois\r\n3. oui\r\n")
    french = body(sent_to(run, FRENCH_MENTEE, "clarification"))
    assert "  - question 1 : 9 n'est pas entre 1 et 5" in french
    assert "outside" not in french
    english = body(sent_to(run, ENGLISH_MENTEE, "clarification"))
    assert "  - question 1: 9 is outside 1-5" in english


def test_the_introduction_attaches_the_guide_in_each_persons_language(run):
    now = datetime(2027, 2, 15, 9, 0, tzinfo=ZONE)
    run.program.outbox.clock = lambda: now.timestamp()
    with run.program.store.transaction(), run.program.outbox.batch():
        for pair in (0, 1):
            run.program.pairing.introduce(f"mentor{pair}@example.org",
                                          [f"mentee{pair}@example.org"], f"test:{pair}", now)
    french = attachment(sent_to(run, FRENCH_MENTEE, "introduction"), "guide.md")
    assert french.startswith("# Le mentorat dans la cohorte Northlake")
    english = attachment(sent_to(run, ENGLISH_MENTEE, "introduction"), "guide.md")
    assert english.startswith("# Mentoring in the Northlake cohort")


def test_a_program_with_only_guide_md_attaches_it_to_everyone(run):
    for guide in run.root.glob("guide.*.md"):
        guide.unlink()
    (run.root / "guide.md").write_text("# One guide\n", encoding="utf-8")
    now = datetime(2027, 2, 15, 9, 0, tzinfo=ZONE) + timedelta(hours=1)
    run.program.outbox.clock = lambda: now.timestamp()
    with run.program.store.transaction(), run.program.outbox.batch():
        run.program.pairing.introduce("mentor1@example.org", [FRENCH_MENTEE], "test:1", now)
    assert attachment(sent_to(run, FRENCH_MENTEE, "introduction"), "guide.md") == "# One guide\n"


def test_a_single_language_program_writes_to_a_french_participant_in_its_language(run):
    config = run.root / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  languages: [en, fr]", "  languages: [en]"),
                      encoding="utf-8")
    run.restart()
    midpoint_survey(run)
    survey = sent_to(run, FRENCH_MENTEE, "survey_invitation")
    assert survey["Subject"].startswith("Mid-program survey:")
    assert "1. How satisfied are you with your mentoring relationship (1 to 5)?" in body(survey)
