"""Answers to what our mail asked (choices, a survey, a meeting report, a form): the thread
decides the reader, so a reply is read for what it answers, whatever else it quotes."""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

from mailflow.parsing.choices import read_choices
from mailflow.parsing.examine import Context, Letter, bounded_text, split_sign_off
from mailflow.parsing.meeting import read_meeting
from mailflow.parsing.names import mentioned
from mailflow.parsing.readers import Step
from mailflow.parsing.readers.application import form
from mailflow.parsing.survey import read_survey
from mailflow.text import fold_accents

# Only at the head of the words about one mentee: "not met" must stay a negation.
_MET_SOMEONE = re.compile(r"^\W*(?:yes\W+)?(?:i\s+)?(?:have\s+|'ve\s+)?(?:already\s+)?met(?=\s)")
# "Camille and I had our first call": the pair, as "we" — only after the mentee's own name
# ("my colleague and I met" is not the mentee).
_PAIR_SUBJECT = r"\b(?:{names})\s+(and\s+i|et\s+moi|y\s+yo)\b"
_PAIR_WORD = {"and i": "we", "et moi": "nous", "y yo": "nosotros"}
# Words just before a mentee named after another that undo the verb both would share:
# "Met Noor on March 4 but not Ivan", "vu Noor, pas Ivan", "instead of Ivan", "no con Ivan".
_SET_APART = re.compile(r"\b(?:not|no|non|pas|ni|nor|never|jamais|nunca|without|sans|sin|except"
                        r"|sauf|excepto|instead\s+of|rather\s+than|plutot\s+que|en\s+lugar\s+de"
                        r"|unlike|but|mais|pero)\W*(?:\w+\W+){0,2}$")
# After a mentee's name that shares the first one's verb: "…, con Ivan no", "Emily pas encore".
_NOT_HIM = re.compile(r"\b(?:not|no|non|pas|ni|nor|never|jamais|nunca|todavia|aun|yet|encore)\b")
# After a mentee's name, words that say the rest is about someone else: "Noor's colleague".
_POSSESSIVE = r"(?:'s?\b|\s+(?:'s|s)\b)"
_SEEN_SOMEONE = re.compile(r"^\W*(?:oui\W+)?(?:j'ai\s+)?(?:deja\s+)?(?:vu|rencontre)(?=\s)")


def expected(letter: Letter, ctx: Context) -> bool:
    """The thread decides: a reply to our mail is read for what that mail asked."""
    expects = letter.expects
    if letter.person is None or expects is None:
        return False
    if expects.kind == "choices":
        return choices_answer(letter, ctx, required=True)
    if expects.kind == "survey":
        return _survey(letter, ctx, expects.about)
    if expects.kind == "meeting":
        return meeting_answer(letter, ctx, required=True)
    if expects.kind == "form":
        return form(letter, ctx, required=True)
    return False

def choices_answer(letter: Letter, ctx: Context, required: bool) -> bool:
    """A mentee's choices of mentors; without ``required``, only when some are found."""
    roster = ctx.mentors()
    found = read_choices(letter.reply.new_text, roster, _numbered(letter))
    if not (found.found or required):
        return False
    reading = letter.reading
    reading.kind = "choices"
    reading.choices = found.choices if not found.problems else []
    reading.problems.extend(found.problems)
    # The completeness net: every mentor the new text names must be in the reading.
    chosen = set(found.choices)
    named = set(mentioned(letter.reply.new_text, roster)) if found.choices else set()
    left_out = [e.name for e in roster if e.email not in chosen and e.name in named]
    if found.choices and left_out:
        reading.doubt(f"the reply also names {', '.join(left_out)}, which is not among the "
                      "choices read")
    if not found.problems and not found.choices:
        reading.found_nothing = "no mentor name found in the reply"
    reading.needs_review |= bool(found.problems)
    return True

def _numbered(letter: Letter) -> list[str] | None:
    """The mentors' addresses in the order our answered mail numbered them, if it did."""
    numbered = (getattr(letter.item, "meta", None) or {}).get("numbered")
    if isinstance(numbered, list) and all(isinstance(a, str) for a in numbered):
        return numbered
    return None

def _survey(letter: Letter, ctx: Context, key: str | None) -> bool:
    surveys = ctx.config.surveys
    survey = surveys.get(key or next(iter(surveys), ""))
    if survey is None:
        return False
    reading, msg = letter.reading, letter.msg
    # Answers above the quote, when they are complete; else the whole text, where answers
    # typed under the quoted questions are read in place. (A quote without '>' marks,
    # as Outlook and Yahoo send it, holds our questions and our example answers.)
    # The questions' words as we sent them: in the language of our mail.
    sent_in = (getattr(letter.item, "meta", None) or {}).get("language") or reading.language
    answers = read_survey(letter.reply.new_text, letter.reply.quoted, survey, sent_in)
    if not answers.found or answers.problems:
        name = letter.person.get("name") if letter.person else None
        whole, _ = split_sign_off(bounded_text(msg.text)[0], [name or "", msg.sender_name])
        in_place = read_survey(whole, "", survey, sent_in)
        # The whole text holds the quote too: it replaces a reading only when it is clean.
        if in_place.found and (not answers.found or not in_place.problems):
            answers = in_place
    reading.kind = "survey"
    reading.survey.key = survey.key
    reading.survey.answers = answers.answers
    reading.problems.extend(answers.problems)
    if not answers.problems and not answers.answers:
        reading.found_nothing = "no answer to the survey's questions found"
    elif answers.answers and answers.missing and not answers.problems and not answers.numbered:
        # Answers found without their numbers, and a required one not: perhaps the rest
        # was not read. (With numbers, a number left out is a question skipped.)
        reading.doubt("no answer read to required question(s) "
                      + ", ".join(str(n) for n in answers.missing))
    reading.needs_review |= bool(answers.problems)
    return True

# What may stand beside a name and a day in "con Hannah el 2 de marzo por Teams y con":
# links, places and means of meeting; any other word ("is off until", "wrote to say")
# makes the clause about something else.
_BESIDE_A_DAY = frozenset({
    "with", "and", "on", "by", "via", "at", "the", "a", "an", "in", "for", "also", "too", "both",
    "con", "y", "e", "el", "la", "los", "de", "del", "en", "por", "et", "avec", "le", "les",
    "au", "aux", "un", "une", "par", "aussi", "mit", "und", "am", "im", "per", "il", "lo",
    "zoom", "teams", "video", "call", "videocall", "videollamada", "videochamada", "visio",
    "appel", "llamada", "chamada", "phone", "telephone", "telefono", "skype", "meet",
    "presencial", "person", "lab", "labo", "office", "bureau", "cafe", "coffee", "campus",
    "over", "through", "sur", "uber", "em", "na", "pelo", "pela", "online", "whatsapp",
    "facetime", "google", "webex", "jitsi", "lunch", "dejeuner", "almuerzo", "dinner", "cena",
    "deux", "dos", "ambos", "ambas", "two", "them", "of", "us", "all", "our", "notre", "nuestra",
})
_TIME_WORD = re.compile(r"^(?:\d{1,2}(?::\d\d)?|[ap]m|h|uhr)$")


def _only_a_day(clause: str, day_words: str | None, names: list[str]) -> bool:
    """Whether ``clause`` says no more than a name, a day and how they met."""
    rest = fold_accents(clause).lower()
    for words in (day_words or "", *names):
        rest = rest.replace(words.lower(), " ") if words else rest
    return all(w in _BESIDE_A_DAY or _TIME_WORD.match(w)
               for w in re.findall(r"[\w:']+", rest))


def per_mentee(letter: Letter, ctx: Context, mentees: list[str]) -> list[dict[str, Any]] | None:
    """One meeting fact per mentee a mentor's report names, read from the words about
    that mentee alone; None when any part is unclear."""
    names: dict[str, list[str]] = {}
    for email in mentees:
        person = ctx.participant(email) or {"email": email}
        full = fold_accents(person.get("name") or "").strip()
        names[email] = [n for n in {full, full.split(" ")[0] if full else ""} if len(n) > 1]
    text = fold_accents(letter.reply.new_text)
    if any(re.search(rf"\b{re.escape(word)}{_POSSESSIVE}", text)
           for words in names.values() for word in words):
        return None  # "I met Noor's colleague": about someone else; a person reads it
    facts: dict[str, dict[str, Any]] = {}
    sentences = re.split(r"(?<=[.!?;])\s+|\n+", text)
    spotted = [sorted((m.start(), email) for email, words in names.items() for word in words
                      for m in re.finditer(rf"\b{re.escape(word)}\b", sentence))
               for sentence in sentences]
    # "Sí, con los dos. Con Hannah el 2 de marzo y con Mathieu ayer": a yes said of both,
    # in words that name neither, holds for each clause that only gives a day.
    said: set[bool | None] | None = None  # read once, and only if a clause needs it

    def said_yes() -> bool:
        nonlocal said
        if said is None:
            said = {read_meeting(sentence, letter.msg.date, None).met
                    for sentence, spots in zip(sentences, spotted, strict=True) if not spots}
        return True in said and False not in said

    for sentence, spots in zip(sentences, spotted, strict=True):
        spots = [s for i, s in enumerate(spots) if i == 0 or s[1] != spots[i - 1][1]]
        lead = sentence[:spots[0][0]] if spots else ""  # "vu " of "vu Julien ... et Emily ..."
        previous: bool | None = None
        for index, (start, email) in enumerate(spots):
            end = spots[index + 1][0] if index + 1 < len(spots) else len(sentence)
            if index and lead.strip() and (_SET_APART.search(sentence[spots[index - 1][0]:start])
                                           or _NOT_HIM.search(sentence[start:end])):
                return None  # the shared verb may not hold for this one: a person reads it
            clause = sentence[0:end] if index == 0 else lead + sentence[start:end]
            # "Met Tomás on March 4": said of one mentee, as "we met" is of a pair.
            clause = _MET_SOMEONE.sub(" we met ", _SEEN_SOMEONE.sub(" nous nous sommes vus ",
                                                                   clause))
            # "Priya: yes, a call on Thursday 11 March": the name as a label, then the answer.
            if names[email]:
                label = "|".join(map(re.escape, names[email]))
                clause = re.sub(rf"^\W*(?:{label})\s*[:\-–—]\s*", "", clause)
                clause = re.sub(_PAIR_SUBJECT.format(names=label),
                                lambda m: _PAIR_WORD[m.group(1)], clause)
            found = read_meeting(clause, letter.msg.date, None,
                                 day_first=letter.reading.language == "fr")
            if found.met is None and not found.problems and said_yes():
                dated = read_meeting("yes, " + clause, letter.msg.date, None,
                                     day_first=letter.reading.language == "fr")
                if dated.date is not None and _only_a_day(clause, dated.date_text,
                                                          names[email]):
                    found = dated
            met = found.met if found.met is not None else (previous if found.date else None)
            if met is None or found.problems or email in facts:
                return None
            facts[email] = {"with": email, "met": met,
                            "date": found.date.isoformat() if met and found.date else None}
            previous = met
    return list(facts.values()) or None

def meeting_answer(letter: Letter, ctx: Context, required: bool) -> bool:
    """Whether and when they met; without ``required``, only when the text says so."""
    reading, msg = letter.reading, letter.msg
    found = read_meeting(letter.reply.new_text, msg.date, msg.calendar,
                         day_first=reading.language == "fr")
    if not (found.found or required):
        return False
    reading.kind = "meeting"
    reading.meeting.reported = meeting_json(found.met, found.date, found.accepted,
                                            found.event_date)
    mentees = (letter.person.get("mentees") if letter.person else None) or []
    if letter.person and letter.person.get("role") == "mentor" and len(mentees) > 1:
        # One fact for a mentor of several would be about nobody in particular: a fact
        # for each mentee named, or a person decides. Read apart, "met Priya, not yet
        # Tomás" is no contradiction.
        facts = per_mentee(letter, ctx, mentees)
        if facts:
            reading.meeting.reported, reading.meeting.per_mentee = None, facts
            return True
        reading.doubt(f"this mentor has {len(mentees)} mentees and the report does not "
                      "say clearly which one each part is about")
    reading.problems.extend(found.problems)
    if not found.problems and found.met is None and found.accepted is None:
        reading.found_nothing = "could not tell whether the meeting took place"
    reading.needs_review |= bool(found.problems)
    return True

def meeting_json(met: bool | None, when: date | None, accepted: bool | None,
                 event_date: date | None) -> dict[str, Any]:
    """The contract's meeting object: an accepted invitation is planned, not held."""
    if accepted is not None:
        return {"met": False, "date": event_date.isoformat() if accepted and event_date
                else None}
    return {"met": met, "date": when.isoformat() if met and when else None}


def answer_in_auto_reply(letter: Letter, ctx: Context) -> bool:
    """An out-of-office that also answers what our mail asked ("away until the 19th; my
    choices: 1. …"): nothing is applied or answered from a machine's mail, so a person
    reads what it seems to say."""
    reading = letter.reading
    if reading.kind != "auto_reply" or reading.own_mail or letter.expects is None:
        return False
    trial = copy.deepcopy(letter)
    trial.reading.problems, trial.reading.needs_review = [], False
    if not expected(trial, ctx):
        return False
    seen = trial.reading
    said = (f"choices {', '.join(seen.choices)}" if seen.choices
            else "survey answers" if seen.survey.answers
            else "a meeting report" if (seen.meeting.reported or {}).get("met") is not None
            or seen.meeting.per_mentee
            else "application fields" if seen.application and seen.application.fields
            else None)
    if said:
        reading.doubt(f"an automatic reply that also seems to answer our mail ({said}): "
                      "nothing was applied")
    return False


STEPS = (
    Step(150, "expected answer", expected, ("choices", "survey", "meeting", "application")),
    Step(195, "an answer inside an automatic reply", answer_in_auto_reply,
         second_opinion=True),
)
