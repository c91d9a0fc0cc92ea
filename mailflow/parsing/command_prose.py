"""Commands asked for in words: "please unsubscribe me", "pause my emails until 1 July",
"désinscrivez-moi", "darme de baja", "podem suspender os emails até…", "send me my data",
"supprimez mes données", or the word alone above a remark ("RESUME / I'm back", "MY DATA").

Only requests count: a question about a command ("how do I pause?"), a negated one ("don't
unsubscribe me") or two different commands in one mail are not read as one. A pause asked
without its end is read with a doubt, so a person asks until when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mailflow.parsing.meeting import fold, written_date

# Each pattern is a request, written on folded text (lower case, no accents).
_STOP = re.compile(
    r"\b(?:please\s+)?unsubscribe\s+me\b|\bplease\s+unsubscribe\b"
    r"|\b(?:want|wish|like|would\s+like|'d\s+like)\s+to\s+(?:unsubscribe|opt\s+out)\b"
    r"|\b(?:remove|take)\s+me\s+(?:from|off)\s+(?:the|this|your|these|all)\b"
    r"|\b(?:stop|quit)\s+(?:sending|emailing|mailing)\s+me\b|\bopt\s+me\s+out\b"
    r"|\b(?:no\s+longer|do\s*n[o']t|do\s+not)\s+(?:want|wish)\s+to\s+(?:receive|get)\b"
    r"|\bdesinscri(?:vez|s|re)[- ]moi\b|\bme\s+desinscrire\b|\bdesabonne(?:z|r)[- ]moi\b"
    r"|\bme\s+desabonner\b|\bne\s+(?:plus|veux\s+plus|souhaite\s+plus)\s+recevoir\b"
    r"|\bretire(?:z|r)[- ]moi\s+de\b|\barrete(?:z|r)\s+de\s+m'envoyer\b"
    r"|\b(?:dar|den|darme|denme)(?:me)?\s+de\s+baja\b|\bdejen\s+de\s+enviarme\b"
    r"|\bno\s+(?:quiero|deseo)\s+(?:recibir|seguir\s+recibiendo)\b|\bquitar?me\s+de\b"
    r"|\bcancelar\s+(?:mi\s+)?suscripcion\b|\bno\s+me\s+(?:envien|envies|manden|mandes|"
    r"escriban)\s+(?:mas\s+)?(?:estos|estas|sus|los|las|mas|correos|mensajes|consejos)\b"
    r"|\bdejen\s+de\s+(?:enviarme|mandarme|escribirme)\b"
    # Portuguese: "quero descadastrar-me", "não quero mais receber", "parem de me enviar".
    r"|\bdescadastr\w*|\bnao\s+(?:quero|desejo)\s+(?:mais\s+)?receber\b"
    r"|\bparem\s+de\s+(?:me\s+)?(?:enviar|mandar)\b|\bcancelar\s+(?:a\s+)?(?:minha\s+)?inscricao\b"
    # Italian: "non inviatemi più", "non voglio più ricevere", "disiscrivetemi".
    r"|\bnon\s+(?:inviar|mandar|scriver|inviate|mandate|scrivete)mi\s+piu\b"
    r"|\bnon\s+(?:voglio|desidero)\s+piu\s+ricevere\b|\bdisiscriv\w*|\bcancellatemi\b"
    r"|\bsmettete(?:la)?\s+di\s+(?:inviarmi|mandarmi|scrivermi)\b"
    r"|\bannullare\s+(?:la\s+)?(?:mia\s+)?iscrizione\b"
    # German: "bitte keine Tipps mehr", "melden Sie mich ab", "nicht mehr erhalten".
    r"|\bbitte\s+keine\s+(?:e-?mails?|mails|nachrichten|tipps|erinnerungen)\s+mehr\b"
    r"|\b(?:senden|schicken)\s+sie\s+(?:mir\s+)?(?:bitte\s+)?keine\s+(?:e-?mails?|mails"
    r"|nachrichten|tipps|erinnerungen)\s+mehr\b|\bich\s+(?:mochte|moechte|will)\s+keine\s+"
    r"(?:e-?mails?|mails|nachrichten|tipps|erinnerungen)\s+mehr\s+(?:erhalten|bekommen)\b"
    r"|\bmelde[nt]?\s+(?:sie\s+)?mich\s+(?:bitte\s+)?ab\b|\bmich\s+(?:bitte\s+)?abmelden\b"
    r"|\bnicht\s+mehr\s+(?:erhalten|bekommen|zugeschickt|zusenden|schicken)\b")
_PAUSE = re.compile(
    r"\bpause\s+(?:my|the|all|these|this|program|me|our|them|sending|mailings?|emails?)\b"
    r"|\bput\s+(?:me|my\s+\w+|the\s+\w+|it|them)\s+on\s+(?:hold|pause)\b"
    r"|\b(?:hold|suspend)\s+(?:my|the|all|these|sending)\b"
    r"|\bsuspend(?:re|ez|iez)\s+(?:les|mes|l'envoi|ma|vos|tout)\b|\b(?:mettre|mettez|mettiez)\b"
    r"[^.!?\n]{0,30}\ben\s+pause\b|\bfaire\s+une\s+pause\b"
    r"|\bpausar\b|\bsuspender\s+(?:los|mis|el|la|todo|temporalmente)\b|\bponer(?:me)?\s+en\s+pausa\b"
    r"|\bsuspender\s+(?:os|as|meus|minhas|o|a|todos|temporariamente)\b"
    r"|\b(?:colocar|por)\s+em\s+pausa\b"
    r"|\bsospende(?:re|te)\s+(?:le|i|gli|l'invio|tutto|temporaneamente)\b"
    r"|\b(?:mettere|mettete|mettermi|metti)\b[^.!?\n]{0,30}\bin\s+pausa\b"
    r"|\b(?:pausieren|aussetzen)\b"
    # "PAUSE until the fifteenth of April, please": the verb and its end (not "a pause until")
    r"|(?:^|(?<=\n)|(?<=[.!?:]\s)|\bplease\s+|\bkindly\s+|\b(?:could|can|would)\s+you\s+)pause\s+"
    r"(?=(?:until|till|jusqu|hasta|bis|fino)\b)")
_RESUME = re.compile(
    r"\b(?:please\s+)?resume\s+(?:my|the|sending|all|mailings?|emails?)\b"
    r"|\b(?:i'?m|i\s+am)\s+back\s+(?:from|at|and|now)\b"
    r"|\b(?:start|begin)\s+(?:sending|the\s+\w+)\s+(?:\w+\s+)?again\b"
    r"|\breceive\s+(?:the\s+|your\s+)?(?:emails?|mails?|messages|tips)\s+again\b"
    r"|\breprendre\s+(?:les|mes|l'envoi)\b|\breprenez\b|\bje\s+suis\s+de\s+retour\b"
    r"|\b(?:de\s+nouveau|a\s+nouveau)\s+recevoir\b|\brecevoir\s+(?:\w+\s+){0,3}(?:de\s+nouveau"
    r"|a\s+nouveau)\b|\breanudar\b|\bestoy\s+de\s+vuelta\b|\bvolver\s+a\s+recibir\b")
# A person's data: a copy ("send me my data", "MES DONNÉES") or its erasure.
_MY_DATA = re.compile(
    r"\b(?:send|give|email|mail)\s+me\s+(?:a\s+copy\s+of\s+)?(?:all\s+)?(?:the\s+)?"
    r"(?:my|personal)\s+(?:personal\s+)?(?:data|information)\b"
    r"|\bwhat\s+(?:personal\s+)?(?:data|information)\s+(?:do\s+you|you)\s+(?:have|hold|keep)\b"
    r"|\bcopy\s+of\s+(?:all\s+)?my\s+(?:personal\s+)?data\b|\bacces\s+a\s+mes\s+donnees\b"
    r"|\benvoye(?:z|r)[- ]moi\s+(?:une\s+copie\s+de\s+)?(?:toutes\s+)?mes\s+donnees\b"
    r"|\bcopie\s+de\s+mes\s+donnees\b|\bquelles\s+donnees\b|\bcopia\s+de\s+mis\s+datos\b"
    r"|\benvi(?:en|ar)(?:me)?\s+mis\s+datos\b|\bque\s+datos\b")
_ERASE = re.compile(
    r"\b(?:delete|erase|remove|wipe)\s+(?:all\s+)?(?:of\s+)?my\s+(?:personal\s+)?"
    r"(?:data|information|details)\b|\bright\s+to\s+(?:be\s+forgotten|erasure)\b"
    r"|\b(?:supprime(?:z|r)?|efface(?:z|r)?)\s+(?:toutes\s+)?(?:mes|les|vos)\s+donnees\b"
    r"|\bdroit\s+(?:a\s+l'oubli|a\s+l'effacement)\b"
    r"|\b(?:borr(?:ar|en)|elimin(?:ar|en)|suprim(?:ir|an))\s+(?:todos\s+)?mis\s+datos\b"
    r"|\bderecho\s+(?:al\s+olvido|de\s+supresion)\b")
# A word before the request that turns it around or makes it a question about it.
_NEGATED = re.compile(r"\b(?:don't|do\s+not|never|not|ne\s+pas|ne|no|pas|how|comment|como|come|wie|"
                      r"should|can\s+i|could\s+i|puis-je|whether)\W+"
                      r"(?:\w+\W+){0,2}$")
# Right before the verb only: "não parem", "non smettete", "bitte nicht abmelden"; a "Non,"
# that answers something ("Non, je ne veux plus recevoir…") negates nothing.
_NOT_BEFORE = re.compile(r"\b(?:nao|non|nicht|nie)\s+$")
# A wish that it not happen, anywhere before the request in its sentence: "não quero que
# parem", "non voglio che mi disiscriviate", "Ich will nicht, dass Sie mich abmelden", "I
# don't want you to pause", "Non ho bisogno di sospendere".
_NOT_WANTED = re.compile(
    r"\b(?:do\s*n[o']t|do\s+not)\s+(?:want|need|wish)\b|\bno\s+need\b"
    r"|\b(?:nao|non)\s+(?:quero|queria|queremos|preciso|voglio|vorrei|vogliamo|ho\s+bisogno"
    r"|serve|desidero)\b|\b(?:will|mochte|moechte|brauche|wollen)\s+nicht\b|\bnicht,?\s+dass\b"
    r"|\bpas\s+besoin\b|\bne\s+(?:veux|voudrais)\s+pas\b|\bno\s+(?:quiero|necesito)\b")
_QUOTES = ('"', "“", "”", "«", "»", "„")
_UNTIL = re.compile(r"\b(?:until|till|til|through|up\s+to|jusqu'?(?:au|a|en)|d'ici\s+(?:le|au)"
                    r"|hasta(?:\s+el)?|ate(?:\s+(?:o|ao|dia))?|back\s+(?:on|in)"
                    r"|fino\s+(?:al|a|all')|bis(?:\s+(?:zum|zur|am|ende))?)"
                    r"\s+(?P<rest>[^\n]{1,60})")
# The word alone on the first line: "RESUME", "Stop.", "Unsubscribe please".
_ALONE = re.compile(r"^\s*(?P<word>stop|unsubscribe|resume|pause|desinscription|desabonnement"
                    r"|baja|arret|delete my data|supprimer mes donnees|effacer mes donnees"
                    r"|borrar mis datos|my data|mes donnees|mis datos)\b"
                    r"\s*,?\s*(?:please|pls|plz|thanks?|thank\s+you|s'il\s+(?:vous|te)\s+plait|svp|stp"
                    r"|merci|por\s+favor|gracias|bitte|danke|obrigad[oa]|per\s+favore|grazie)?"
                    r"\s*[.!]?\s*$")
_ALONE_NAME = {"stop": "stop", "unsubscribe": "stop", "desinscription": "stop",
               "desabonnement": "stop", "baja": "stop", "arret": "stop",
               "resume": "resume", "pause": "pause", "my data": "my_data",
               "mes donnees": "my_data", "mis datos": "my_data", "delete my data": "erase",
               "supprimer mes donnees": "erase", "effacer mes donnees": "erase",
               "borrar mis datos": "erase"}
# What a pause is of: "pause our weekly calls" is the pair's meetings, not our mail.
_MEETINGS = (r"(?:calls?|meetings?|sessions?|catch[- ]?ups?|chats?|video\s+calls?"
             r"|rencontres?|appels?|reunions?|seances?|rendez-vous|reuniones|llamadas|encuentros"
             r"|sesiones|videollamadas|chamadas|reunioes|encontros|sessoes|chiamate|incontri"
             r"|riunioni|videochiamate|sessioni)\b")
_MEETINGS_PAUSED = re.compile(r"^\W*(?:\w+\W+){0,2}?" + _MEETINGS)
_MEETING_NOUN = re.compile(r"\b" + _MEETINGS)  # inside the request: "mettere le chiamate in pausa"
# Our mail, named anywhere in the rest of the sentence: "pause the meeting reminders",
# "pause our calls and my emails" are pauses of our mail too.
_OUR_MAIL = re.compile(r"\b(?:e-?mails?|mails?|messages?|reminders?|notifications?|tips"
                       r"|newsletters?|courriels?|rappels?|correos?|recordatorios?|mensajes?"
                       r"|lembretes?|mensagens?)\b")
_WINDOW = 1500  # a request is made near the top; a long letter is read by a person


@dataclass(frozen=True)
class AskedCommand:
    """A command read from words, the day a pause ends, and what a person should check."""

    name: str                      # stop | pause | resume | my_data | erase
    until: date | None = None
    doubt: str | None = None


def _requests(text: str) -> set[str]:
    found: set[str] = set()
    for name, pattern in (("stop", _STOP), ("pause", _PAUSE), ("resume", _RESUME),
                          ("my_data", _MY_DATA), ("erase", _ERASE)):
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 40):match.start()]
            sentence = re.split(r"[.!?\n]", before)[-1]
            after = re.split(r"[.!?\n]", text[match.end():match.end() + 80])[0]
            if (name == "pause" and _MEETINGS_PAUSED.search(after)
                    and not _OUR_MAIL.search(after)):
                continue
            if name == "pause" and _MEETING_NOUN.search(match[0]) and not _OUR_MAIL.search(
                    match[0] + after):
                continue  # "mettere le nostre chiamate in pausa": the pair's calls
            quoted = sum(sentence.count(q) for q in _QUOTES) % 2 == 1
            if not (_NEGATED.search(sentence + " ") or _NOT_BEFORE.search(sentence)
                    or _NOT_WANTED.search(sentence) or quoted):
                found.add(name)
                break
    return found


def _until(text: str, base: date | None) -> tuple[date | None, str | None]:
    """The end of a pause: the date after "until", else the one date written."""
    match = _UNTIL.search(text)
    for place in ([match["rest"]] if match else []) + [text]:
        found, words, problem = written_date(place, base, past=False)
        if words is not None:
            return found, problem
    return None, None


def read_asked_command(new_text: str, today: date | None) -> AskedCommand | None:
    """The command a participant asks for in words, or None when there is none (or it is
    only a question about one, or a negation, or two commands disagree)."""
    text = fold((new_text or "")[:_WINDOW]).replace("’", "'")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    alone = _ALONE.match(lines[0])
    asked = _requests(text)
    if alone:
        asked.add(_ALONE_NAME[alone["word"]])
    if "pause" in asked and "stop" in asked:
        asked.discard("stop")  # "stop the emails until July": a pause, said with stop
    if "erase" in asked and "stop" in asked:
        asked.discard("stop")  # "remove me from the list and delete my data": erasure
    if len(asked) != 1:
        return None
    [name] = asked
    if name == "stop" and _UNTIL.search(text) and _until(text, today)[0] is not None:
        name = "pause"  # "please stop sending me mail until 1 July"
    if name != "pause":
        return AskedCommand(name)
    until, problem = _until(text, today)
    if until is None:
        return AskedCommand(name, None, problem or "asks for a pause without saying until when")
    if today is not None and until <= today:
        return AskedCommand(name, None, f"asks for a pause until {until}, a day already past")
    return AskedCommand(name, until)
