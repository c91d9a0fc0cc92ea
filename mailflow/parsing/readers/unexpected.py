"""Mail that answers nothing of ours, read by its content, and the second opinions on every
reading (a call for help, nothing found): what no rule can answer goes to a person."""

from __future__ import annotations

import re

from mailflow.parsing.command_prose import read_asked_command
from mailflow.parsing.examine import Context, Letter
from mailflow.parsing.readers import Step
from mailflow.parsing.readers.expected import choices_answer, meeting_answer
from mailflow.text import fold_accents

_HELP = re.compile(
    r"\b(please help|help me|need (some )?(help|advice)|(could|can|would) (you|someone|anyone) "
    r"help|(haven'?t|have not|never) (heard|had an? (answer|reply|response))|no (answer|reply|"
    r"response|news) from|not (responding|answering)|(change|switch) (my )?mentor|(another|a "
    r"different|a new) mentor|problem with (my )?(mentor|mentee)|besoin d'aide|m'aider|"
    r"aidez-moi|changer de mentor|autre mentor|pas de (reponse|nouvelles)|ne repond (pas|"
    r"jamais)|probleme avec|ayuda|cambiar de mentor|otro mentor|sin respuesta)\b")

_THANKS = re.compile(r"\b(thanks?|thank you|merci|gracias|danke|grazie|obrigad[oa])\b")
# A promise to answer later: "I will send my choices tomorrow", "je prends le temps de lire
# les profils ce soir", "te escribo mañana". Nothing to apply and nothing to answer.
_LATER = re.compile(r"\b(?:i(?:'ll|\s+will|\s+am\s+going\s+to)\s+(?:send|reply|get\s+back|answer"
                    r"|write|choose|pick|decide|look|read|think|come\s+back)|get\s+back\s+to\s+you"
                    r"|je\s+(?:vous\s+)?(?:enverrai|envoie|repondrai|reviens|reviendrai|prends\s+le"
                    r"\s+temps|vais\s+(?:lire|choisir|reflechir|envoyer|repondre))"
                    r"|(?:enviare|respondere|te\s+escribo|les\s+escribo|voy\s+a\s+(?:leer|elegir"
                    r"|enviar|pensar)))\b")
_COURTESY = re.compile(r"\b(thanks?|thank|you|merci|gracias|danke|grazie|obrigad[oa]|beaucoup|"
                       r"so|very|much|a|lot|many|mille|fois|muchas|hi|hello|bonjour|hola|dear|"
                       r"cheers|best|regards|cordialement|saludos|received|got|it|noted|ok|okay"
                       r"|recu|bien|note|recibido|entendido|perfect|parfait|perfecto|great"
                       r"|super|genial)\b")

_POLITE = re.compile(r"\b(how are you|hope you|comment allez|j'espere que|como estas|"
                     r"como esta)\b")


def unexpected(letter: Letter, ctx: Context) -> bool:
    """A participant's mail that answers nothing of ours: its content decides."""
    if letter.person is None:
        return False
    if letter.person.get("role") == "mentee" and choices_answer(letter, ctx, required=False):
        return True
    return meeting_answer(letter, ctx, required=False)

def leftover(letter: Letter, ctx: Context) -> bool:
    """What no reader claimed: empty, or a participant's mail for a person to read."""
    reading, msg = letter.reading, letter.msg
    if not reading.reply_text and not msg.subject.strip():
        reading.doubt("empty message")
    elif reading.participant is not None:
        reading.found_nothing = "a participant's message that mailflow does not understand"
    elif letter.item is not None and (documents := [
            a.filename or a.content_type for a in msg.attachments
            if a.content_type.startswith(_DOCUMENTS) or (a.filename or "").lower().endswith(
                (".txt", ".pdf", ".doc", ".docx", ".odt", ".rtf"))]):
        # "I have attached the form": mailflow reads forms written in the mail only.
        reading.doubt(f"an answer to our mail in an attachment mailflow does not read: "
                      f"{', '.join(documents)[:80]}")
    return True


_DOCUMENTS = ("text/", "application/pdf", "application/msword", "application/vnd.openxml",
              "application/vnd.oasis", "application/rtf")

def concern(letter: Letter, ctx: Context) -> bool:
    """A second opinion on every participant's message: a call for help or a question that
    no rule can answer goes to a person, whatever else the message said."""
    reading = letter.reading
    # A stranger's question is read too when it answers our mail (the application form):
    # "may I apply as a master's student?" needs a person, not the form again.
    if (letter.person is None and letter.item is None) or reading.kind in (
            "auto_reply", "bounce", "feedback") or reading.own_mail:
        return False
    # Paragraphs joined, lines of a list kept apart: a sentence never spans list items.
    text = "\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)]))",
                                                          letter.reply.new_text))
    # A call for help is a participant's; a stranger's "a mentor who can help me plan…"
    # is what they hope for: only their questions count.
    found = _HELP.search(fold_accents(text)) if letter.person is not None else None
    sentence = _sentence_at(text, found.start()) if found else None
    if sentence is None:
        ours = _plain_words(letter.reply.quoted)
        questions = [q for q in _questions(text) if not _POLITE.search(fold_accents(q))
                     and not (reading.kind == "command" and read_asked_command(q, None))
                     and not _copied(q, ours)]
        sentence = questions[0] if questions else None
    if sentence:
        reading.concern = sentence.strip()[:300]
        if letter.person is None and reading.kind == "unknown":
            # Not a participant yet: no rule answers a question; a coordinator does.
            reading.kind = "concern"
            reading.doubt(f"asks a coordinator: {reading.concern!r}")
    return False

def _plain_words(text: str) -> str:
    """Folded words only, one space apart: quote marks, numbering and line breaks gone."""
    return " ".join(re.findall(r"[^\W_]+", fold_accents(text)))


def _copied(question: str, ours: str) -> bool:
    """Whether a question is one of ours, copied above its answer ("Combien de fois vous
    êtes-vous rencontrés jusqu'ici ? Deux fois"): the writer's answer, not their question."""
    # The sentence may begin with the answer to the previous question: "4 How many times…?",
    # or run on from it ("Very useful - I'd say 5 How well did your pair work together?"):
    # a short question after at most three words, a longer one (6 words) after any.
    words = _plain_words(question).split()
    return any(" ".join(words[skip:]) in ours for skip in range(max(0, len(words) - 40),
                                                                 len(words))
               if len(words) - skip >= (4 if skip <= 3 else 6))


def _only_thanks(text: str) -> bool:
    """A message that says thanks and nothing else ('Merci beaucoup !', 'Received, thanks'),
    not 'Thanks, but...'."""
    folded = fold_accents(text)
    return bool(_THANKS.search(folded)) and not re.search(r"[a-z]{2,}",
                                                          _COURTESY.sub(" ", folded))

def nothing_found(letter: Letter, ctx: Context) -> bool:
    """A reply that answers nothing our mail asked is a concern when it asks something,
    else it needs a person."""
    reading = letter.reading
    if reading.found_nothing is None:
        return False
    text = fold_accents(reading.reply_text[:600]).replace("’", "'")
    thanks_for_news = (letter.item is not None and letter.expects is None
                       and bool(_THANKS.search(text)))
    if reading.concern is None and (_only_thanks(reading.reply_text) or _LATER.search(text)
                                    or thanks_for_news):
        # A thank-you alone, a promise to answer later, or thanks for mail that asked
        # nothing (a tip): nothing to apply, to ask or to answer (the reminders still go
        # if an answer we asked for never comes).
        reading.kind = "unknown"
        reading.choices, reading.meeting.reported, reading.survey.answers = [], None, {}
        return False
    if reading.concern:
        reading.kind = "concern"
        reading.choices, reading.meeting.reported, reading.survey.answers = [], None, {}
        reading.doubt(f"asks a coordinator: {reading.concern!r}")
    else:
        reading.doubt(reading.found_nothing)
    return False

def _questions(text: str) -> list[str]:
    """The sentences of ``text`` that end with a question mark (linear in the text)."""
    if "?" not in text:
        return []
    return [piece.strip() for piece in re.split(r"(?<=[.!?\n])", text)
            if piece.rstrip().endswith("?") and len(piece.strip()) > 3]

def _sentence_at(text: str, index: int) -> str:
    start = max(text.rfind(mark, 0, index) for mark in (". ", "! ", "? ", "\n")) + 1
    ends = [i for i in (text.find(mark, index) for mark in (".", "!", "?")) if i >= 0]
    return text[start:(min(ends) + 1) if ends else len(text)]


STEPS = (
    Step(170, "unexpected content", unexpected, ("choices", "meeting")),
    Step(180, "anything else", leftover, ("unknown",)),
    Step(190, "a question or a call for help", concern, second_opinion=True),
    Step(200, "nothing of what was asked", nothing_found, ("unknown", "concern"),
         second_opinion=True),
)
