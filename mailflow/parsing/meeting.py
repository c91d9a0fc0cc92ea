"""Read whether a mentor and mentee have met, and when, from a reply or a calendar answer.

``met`` is about the past: True (they met), False (not yet, including "we are meeting next
week"), None (not said or contradictory). A future meeting's date goes to ``planned``, never
to ``date``. An iCalendar REPLY only says a meeting is planned: accepting an invitation is not
meeting, so it fills ``partstat``, ``accepted`` and ``event_date`` and leaves ``met`` alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from mailflow.text import fold_accents

_MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1, "february": 2, "feb": 2, "fevrier": 2,
    "fevr": 2, "fev": 2, "march": 3, "mar": 3, "mars": 3, "april": 4, "apr": 4, "avril": 4,
    "avr": 4, "may": 5, "mai": 5, "june": 6, "jun": 6, "juin": 6, "july": 7, "jul": 7,
    "juillet": 7, "juil": 7, "august": 8, "aug": 8, "aout": 8, "september": 9, "sep": 9,
    "sept": 9, "septembre": 9, "october": 10, "oct": 10, "octobre": 10, "november": 11,
    "nov": 11, "novembre": 11, "december": 12, "dec": 12, "decembre": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12, "janeiro": 1, "fevereiro": 2, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "dezembro": 12, "januar": 1, "februar": 2, "marz": 3,
    "juni": 6, "juli": 7, "oktober": 10, "dezember": 12, "gennaio": 1, "febbraio": 2,
    "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "settembre": 9, "ottobre": 10,
    "dicembre": 12,
}  # fmt: skip
_WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonntag": 6, "segunda-feira": 0, "terca-feira": 1, "quarta-feira": 2, "quinta-feira": 3,
    "sexta-feira": 4, "monday": 0, "lundi": 0, "tuesday": 1, "mardi": 1, "wednesday": 2,
    "mercredi": 2,
    "thursday": 3, "jeudi": 3, "friday": 4, "vendredi": 4, "saturday": 5, "samedi": 5,
    "sunday": 6, "dimanche": 6, "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3,
    "viernes": 4, "sabado": 5, "domingo": 6, "lunedi": 0, "martedi": 1, "mercoledi": 2,
    "giovedi": 3, "venerdi": 4, "sabato": 5, "domenica": 6,
}  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = "(?:" + "|".join(_WEEKDAYS) + ")"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|er)?"
_YEAR = r"(?:,?\s*(?P<year>(?:19|20)\d\d))?"
_ISO = re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b")
_DAY_MONTH = re.compile(r"\b(?P<day>" + _DAY + r")\s+(?:of\s+|de\s+)?"
                        r"(?P<month>" + _MONTH + r")(?!\w)" + _YEAR)
# German writers put a dot after the day: "am 15. Juni", "bis 3. März" (German months only:
# "page 5. May I ask" is not a date).
_DAY_DOT_MONTH = re.compile(
    r"\b(?P<day>[12]\d|3[01]|0?[1-9])\.\s*(?P<month>januar|februar|marz|mai|juni|juli|oktober"
    r"|dezember)\b" + _YEAR)
# Spelled as in English ("room 12. April joined us"): only after a German preposition.
_DAY_DOT_MONTH_AFTER = re.compile(
    r"\b(?:am|zum|bis|vom|ab|seit|den|dem)\s+(?P<day>[12]\d|3[01]|0?[1-9])\.\s*"
    r"(?P<month>april|august|september|november)\b" + _YEAR)
# Portuguese March, "marco" once folded, only after "de": alone it is the name Marco.
_DAY_DE_MARCO = re.compile(r"\b(?P<day>" + _DAY + r")\s+de\s+(?P<month>marco)\b" + _YEAR)
# Not a count: "el mar 3 veces" (the sea, three times), "may 2 times".
_MONTH_DAY = re.compile(r"\b(?P<month>" + _MONTH + r")\s+(?:the\s+)?(?P<day>" + _DAY + r")\b"
                        r"(?!\s+(?:times?|veces|vez|fois|days?|jours?|dias|tage|giorni|weeks?"
                        r"|semaines?|semanas|hours?|heures?|months?|mois|meses|years?|ans)\b)"
                        + _YEAR)
_NUMERIC = re.compile(r"(?<![\d/.-])(?:(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d\d))?"
                      r"|(?P<a2>\d{1,2})[.-](?P<b2>\d{1,2})[.-](?P<y2>\d{4}))(?![\d/]|[.-]\d)")
# Day and month with dots, as German, Danish or Polish writers put them: "am 11.03.",
# "11.03.27". Dots are not a month-first habit, so the day comes first.
_DOTTED = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?:(?P<y>\d\d)(?![\d.])|(?!\d))")
# Digits written as a date of some form: what is left when no date was read is a question.
_DATE_LIKE = re.compile(r"(?<![\d.,])\d{1,4}\s?[./-]\s?\d{1,2}(?:\s?[./-]\s?\d{1,4})?(?![\d,])")


def _only_past_reading(a: int, b: int, year: int | None, base: date | None) -> date | None:
    """The one reading of "a/b" (month/day or day/month) on or before ``base`` in its
    year, when the other is still to come: "9/3" on 17 March is the 9th of March, as
    3 September has not come; None when both (or neither) are past."""
    if base is None or year not in (None, base.year, base.year % 100):
        return None
    readings = set()
    for month, day in ((a, b), (b, a)):
        try:
            readings.add(date(base.year, month, day))
        except ValueError:
            continue
    past = [d for d in readings if d <= base]
    if len(past) != 1 or len(readings) != 2:
        return None
    [future] = readings - set(past)
    if year is None and (base - future.replace(year=base.year - 1)).days <= _LAST_YEAR_REACH:
        return None  # "1/12" on 20 January: last 1 December is as likely as 12 January
    return past[0]


_LAST_YEAR_REACH = 120  # days: a reading this close in the year before is still plausible


def _unread_date(text: str) -> str | None:
    """Digits that look like a date ("2027/03/11", "11-3") when no date was read; "at
    10.30" is a time (a dotted pair is day.month, and no month is over 12)."""
    for match in _DATE_LIKE.finditer(text):
        parts = [int(p) for p in re.findall(r"\d+", match[0])]
        if len(parts) == 3 or "." not in match[0] or parts[1] <= 12:
            return match[0]
    return None


_AGO = re.compile(r"\b(?P<n>\d{1,2}|a|one|two|three|un|une|deux|trois)\s+(?P<unit>days?|jours?"
                  r"|weeks?|semaines?)\s+ago\b|\bil\s+y\s+a\s+(?P<n2>\d{1,2}|un|une|deux|trois)"
                  r"\s+(?P<unit2>jours?|semaines?)\b")
_NUMBERS = {"a": 1, "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3, "trois": 3}
_RELATIVE_DAYS = [
    # The day before yesterday: English, French, Spanish ("anteayer", "antier"), Portuguese,
    # German, Italian; then yesterday and today in the same languages.
    (re.compile(r"\b(?:the\s+day\s+before\s+yesterday|avant[\s-]hier|anteayer|antier"
                r"|antes\s+de\s+ayer|anteontem|vorgestern|l'altro\s*ieri|altroieri)\b"), -2),
    (re.compile(r"\b(?:yesterday|hier|ayer|ontem|gestern|ieri)\b"), -1),
    (re.compile(r"\b(?:today|this\s+morning|this\s+afternoon|tonight|aujourd'hui|ce\s+matin"
                r"|cet\s+apres[\s-]midi|ce\s+soir)\b"), 0),
    (re.compile(r"\b(?:the\s+day\s+after\s+tomorrow|apres[\s-]demain)\b"), 2),
    (re.compile(r"\b(?:tomorrow|demain)\b"), 1),
]  # fmt: skip
_VAGUE = re.compile(r"\b(?:last|next|this)\s+(?:week|month)\b|\b(?:la\s+semaine|le\s+mois)\s+"
                    r"(?:derniere|dernier|prochaine|prochain)\b|\bcette\s+semaine\b"
                    r"|\bce\s+mois[\s-]ci\b|\b(?:earlier|later)\s+this\s+week\b")
_LAST_WEEKDAY = re.compile(r"\b(?:last\s+(?P<en>" + _WEEKDAY + r")|(?P<fr>" + _WEEKDAY
                           + r")\s+(?:dernier|pasado)|el\s+pasado\s+(?P<es>" + _WEEKDAY
                           + r"))\b")
_NEXT_WEEKDAY = re.compile(r"\b(?:(?:next|this|coming)\s+(?P<en>" + _WEEKDAY + r")|(?P<fr>"
                           + _WEEKDAY + r")\s+(?:prochain|que\s+viene)|ce\s+(?P<ce>" + _WEEKDAY
                           + r")|el\s+proximo\s+(?P<es>" + _WEEKDAY + r"))\b")
_BARE_WEEKDAY = re.compile(r"\b(?:on\s+)?(?P<day>" + _WEEKDAY + r")\b")

_MEETING_NOUN = (r"(?:(?:first|second|initial|1st)\s+)?(?:meeting|call|video\s+call|session|chat"
                 r"|conversation|coffee|talk|zoom|teams\s+call)")
_REUNION = (r"(?:(?:premier|premiere|1er|1re)\s+)?(?:rendez-vous|rdv|reunion|rencontre|appel"
            r"|echange|seance|entretien|visio|discussion|cafe)")
_NEGATIVE = re.compile(
    r"\bnot\s+(?:really\s+|quite\s+)?yet\b|\b(?:had|have|has)\s+(?:had\s+)?no\s+(?:real\s+)?"
    + _MEETING_NOUN + r"|\b(?:have\s*n[o']t|haven't|has\s*n[o']t|did\s*n[o']t|didn't|have\s+not"
    r"|did\s+not|not)\s+(?:yet\s+)?(?:been\s+able\s+to\s+)?(?:met|meet|had|spoken|talked)\b"
    r"|\b(?:have\s*n[o']t|haven't|not)\s+(?:yet\s+)?managed\s+to\s+(?:meet|talk|speak)\b"
    r"|\btodavia\s+no\b|\baun\s+no\b|\bno\s+(?:he|hemos)\s+podido\b"
    r"|\bno\s+nos\s+hemos\s+(?:reunido|visto|conocido)\b"
    r"|\bno\s+meeting\s+yet\b|\bpas\s+encore\b"
    r"|\bne\s+(?:nous\s+)?(?:sommes|s'est|avons|a)\s+(?:pas|jamais)"
    r"|\bn'(?:avons|a|ai)\s+(?:pas|jamais)\b|\bpas\s+(?:pu\s+)?(?:nous\s+)?(?:rencontr|vu)"
    r"|^\s*(?:no|non|nope)\s*(?:[,.!;]|$)"
    # "We never met", "Nunca nos reunimos", "Jamás nos vimos", "On s'est jamais vus",
    # "No nos reunimos aún", "No tuvimos la reunión", "Toujours pas de réunion".
    r"|\b(?:have\s+|had\s+)?never\s+(?:yet\s+)?(?:met|had|spoken|talked|been\s+able)\b"
    r"|\b(?:nunca|jamas)\s+(?:nos\s+|he\s+|hemos\s+)*(?:reun|vi|vimos|vemos|conoc|habl|tuv)"
    r"|\bjamais\s+(?:vus?|rencontre|parle|eu)\b"
    r"|\bno\s+(?:nos\s+(?:reunimos|vimos|conocimos)|tuvimos|hemos\s+(?:hablado|tenido))\b"
    r"|\b(?:pas|aucune?)\s+(?:de\s+|d')?" + _REUNION + r"\b"
    # "We met? No." — a lone no after a question answers it.
    r"|\?\s*(?:no|non|nope)\s*(?:[,.!;]|$)"
)
# Only mail so far: "we have only exchanged emails", "on s'est seulement écrit", "solo
# hemos intercambiado correos": not met, unless the text also says they met (then the
# mail came before or after).
_ONLY_MAIL = re.compile(
    r"\bonly\s+(?:(?:exchanged|swapped|traded|sent)\s+(?:a\s+few\s+|some\s+)?(?:e-?mails"
    r"|messages|texts)|e-?mailed|(?:been\s+)?in\s+touch\s+(?:by|via|over)\s+e?-?mail"
    r"|written|texted|corresponded)\b"
    r"|\b(?:seulement|juste|uniquement)\s+(?:echange\s+(?:des|quelques)\s+(?:e-?mails|mails"
    r"|courriels|messages)|ecrit)\b|\bsolo\s+(?:nos\s+)?(?:hemos\s+)?(?:intercambiado|escrito)"
    r"\s+(?:correos|mensajes|e-?mails)\b")
# Words that leave it open whether a meeting took place: cancelled, moved, only planned,
# talked about. With them a person reads the report (never "they met").
_UNSETTLED = re.compile(
    r"\b(?:cancel+(?:ed|led)?|called\s+off|postponed?|re-?scheduled?|pushed\s+back"
    r"|fell\s+through|did\s*n[o']t\s+happen|never\s+happened"
    r"|(?:was|were)\s+(?:supposed\s+to|scheduled|planned|set\s+for|booked)"
    r"|annulee?s?|reportee?s?|deplacee?s?|etait\s+prevue?|devait|devions"
    r"|cancelad[oa]s?|pospuest[oa]s?|aplazad[oa]s?|suspendid[oa]s?|estaba\s+previst[oa]"
    r"|ibamos\s+a|iba\s+a)\b"
    r"|\b(?:spoke|spoken|talked|discussed|hablamos|hemos\s+hablado|parle|discute)\s+"
    r"(?:about\s+|of\s+|de\s+|d')?(?:meeting|getting\s+together|a\s+(?:meeting|call)"
    r"|when\s+to\s+meet|scheduling|reunirnos|vernos|una\s+reunion|nous\s+(?:rencontrer|voir)"
    r"|se\s+(?:voir|rencontrer))\b"
)
# Spanish present and preterite are one form: "nos reunimos" is "we met" or "we meet",
# "hablamos" also a sign-off ("hablamos pronto"). Read as met only with a past date.
_PRESENT_OR_PAST = re.compile(r"\b(?<!no )(?<!nunca )(?<!jamas )(?:nos\s+reunimos|hablamos)\b")
_FUTURE = re.compile(
    r"\b(?:we\s*(?:are|'re|will|'ll|plan\s+to|are\s+going\s+to)|going\s+to)\s+(?:be\s+)?"
    r"(?:meet|meeting|talk|speak|have|see)|\b(?:is|are)\s+(?:scheduled|planned|booked|set)\b"
    r"|\bnous\s+(?:allons|devons|prevoyons\s+de)\s+nous\s+(?:rencontrer|voir|parler)"
    r"|\bnous\s+nous\s+(?:verrons|rencontrerons|parlerons)\b|\bon\s+(?:va|doit)\s+se\s+"
    r"(?:voir|rencontrer|parler)|\bon\s+se\s+(?:voit|verra|retrouve)\b"
    r"|\b(?:est|sont)\s+(?:prevue?s?|planifiee?s?)\b"
    r"|\bnos\s+(?:vemos|veremos|reuniremos)\b|\bvamos\s+a\s+(?:vernos|reunirnos|hablar)\b"
)
_POSITIVE = re.compile(
    r"\bwe(?:\s+have|'ve)?\s+(?:already\s+|finally\s+|just\s+)?(?:met|spoke|talked)\b"
    r"|\b(?<!no )(?<!nunca )(?<!jamas )(?:me\s+reuni|ya\s+nos\s+reunimos|nos\s+vimos"
    r"|nos\s+conocimos|ya\s+hablamos"
    r"|nos\s+hemos\s+(?:reunido|visto|conocido)|(?:ya\s+)?tuvimos\s+(?:nuestra|una|la)\s+"
    r"(?:primera\s+)?(?:reunion|llamada|videollamada|charla|sesion))\b"
    r"|\bwe(?:\s+have|'ve)?\s+(?:already\s+|finally\s+|just\s+)?had\s+(?:our|a|an|the)\s+"
    + _MEETING_NOUN + r"|\b(?:our|the)\s+" + _MEETING_NOUN + r"\s+(?:was|went|took)\b"
    r"|\bnous\s+nous\s+sommes\s+(?:deja\s+|enfin\s+|bien\s+)?(?:rencontre|vu|parle)"
    r"|\bon\s+s'est\s+(?:deja\s+|enfin\s+|bien\s+)?(?:rencontre|vu|parle|appele)"
    r"|\b(?:nous\s+avons|on\s+a)\s+(?:deja\s+|enfin\s+|bien\s+)?eu\s+(?:notre|une|un|le|la)\s+"
    + _REUNION + r"|\b(?:notre|le|la)\s+" + _REUNION
    + r"\s+(?:a\s+eu\s+lieu|s'est\s+bien|etait|a\s+ete)"
)
_YES = re.compile(r"^\s*(?:yes|yep|yeah|oui|absolutely|indeed|tout\s+a\s+fait|claro"
                  r"|(?:si|sim|ja)(?=\s*[,.!]|\s*$))\b", re.MULTILINE)


# The type, under a name the field ``MeetingReading.date`` does not shadow in the class body.
_Day = date


@dataclass
class MeetingReading:
    """Whether they met (past), when, any planned meeting, and a calendar answer's status."""

    met: bool | None = None
    date: date | None = None  # when they met; only ever a past (or same-day) date
    found: bool = False  # the text or calendar speaks about meeting at all
    problems: list[str] = field(default_factory=list)
    planned: _Day | None = None  # a future meeting's date ("we are meeting on March 3")
    date_text: str | None = None  # the words the date was read from, for a human to check
    partstat: str | None = None  # ACCEPTED, DECLINED, TENTATIVE... from an iCalendar REPLY
    accepted: bool | None = None  # True accepted, False declined, None tentative or no REPLY
    event_date: _Day | None = None  # DTSTART of the answered event (date as written)


def fold(text: str) -> str:
    """Lowercase, accent-free text with straight apostrophes and single spaces."""
    return re.sub(r"[ \t]+", " ", fold_accents(text))


def _year_for(day: int, month: int, year: int | None, base: date | None,
              past: bool) -> tuple[date | None, str | None]:
    """A full date: a missing year is the one that puts the date on the right side of ``base``."""
    try:
        if year is not None:
            return date(year if year > 99 else 2000 + year, month, day), None
        if base is None:
            return None, "a date without a year, and no message date to place it"
        candidate = date(base.year, month, day)
        if past and candidate > (_shift(base, 60) or date.max):  # "December 20" written in January
            candidate = date(base.year - 1, month, day)
        elif not past and candidate < (_shift(base, -60) or date.min):
            candidate = date(base.year + 1, month, day)
        return candidate, None
    except (ValueError, OverflowError):
        return None, f"{day}/{month} is not a real date"


# A day of the month alone: "we had coffee on the 3rd" (the nearest such day on the
# side of the message the sentence is about).
_ORDINAL_DAY = re.compile(r"\b(?:on\s+)?the\s+(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b")
# A weekday with its day of the month: "jeudi 11", "Thursday the 11th", "el jueves 11".
_WEEKDAY_DAY = re.compile(r"\b(?P<weekday>" + _WEEKDAY + r"),?\s+(?:the\s+|le\s+)?"
                          r"(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|er)?\b(?![:.,]?\d)"
                          # "Thursday 4 pm", "jeudi 14 h", "Tuesday, 2 hours": a time, not a day
                          r"(?!\s*(?:[ap]\.?m\b|h\b|hrs?\b|hours?\b|heures?\b|horas?\b|uhr\b"
                          r"|o'clock\b|min))")


def _day_of_month(text: str, base: date | None, past: bool
                  ) -> tuple[date | None, str | None, str | None]:
    match = _WEEKDAY_DAY.search(text) or _ORDINAL_DAY.search(text)
    if match is None:
        return None, None, None
    if base is None:
        return None, match[0], f"'{match[0]}' needs the message date"
    day, year, month = int(match["day"]), base.year, base.month
    weekday = _WEEKDAYS[match["weekday"]] if "weekday" in match.re.groupindex else None
    for _ in range(3):  # the nearest month that has this day, on the right side of base
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if (weekday is not None and candidate is not None and candidate.weekday() == weekday
                and month == base.month and (candidate > base if past else candidate < base)):
            return None, match[0], (f"'{match[0]}' is {candidate.isoformat()}, on the wrong "
                                    "side of the message's date")
        if candidate is not None and (candidate <= base if past else candidate >= base):
            if weekday is not None and candidate.weekday() != weekday:
                return None, match[0], (f"'{match[0]}': the {day} of the months around the "
                                        "message is another day of the week")
            return candidate, match[0], None
        month += -1 if past else 1
        if month == 0:
            year, month = year - 1, 12
        elif month == 13:
            year, month = year + 1, 1
    return None, match[0], f"'{match[0]}' is not a day of the months around the message"


def _explicit_date(text: str, base: date | None, past: bool, day_first: bool = False
                   ) -> tuple[date | None, str | None, str | None]:
    """(date, words, problem) for a written date; ``day_first`` for writers who put it
    first. The words are the writer's ("the first of May"), though read as digits."""
    rewritten = _day_words_as_digits(text)
    found, words, problem = _explicit_in(rewritten, base, past, day_first)
    if words is not None and rewritten != text and (at := rewritten.find(words)) >= 0:
        words = " ".join(text[at:at + len(words)].split())
    return found, words, problem


def _explicit_in(text: str, base: date | None, past: bool, day_first: bool
                 ) -> tuple[date | None, str | None, str | None]:
    match = _ISO.search(text)
    if match:
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"])), match[0], None
        except ValueError:
            return None, match[0], f"'{match[0]}' is not a real date"
    for pattern in (_DAY_MONTH, _DAY_DOT_MONTH, _DAY_DOT_MONTH_AFTER, _DAY_DE_MARCO, _MONTH_DAY):
        match = pattern.search(text)
        if match:
            day = int(re.match(r"\d+", match["day"]).group(0))  # type: ignore[union-attr]
            month = _MONTHS.get(match["month"].rstrip("."), 3)  # 3: "de marco"
            year = int(match["year"]) if match["year"] else None
            found, problem = _year_for(day, month, year, base, past)
            return found, match[0].strip(), problem
    match = _DOTTED.search(text)
    if match and 1 <= int(match["m"]) <= 12:  # "at 10.30." is a time
        year = 2000 + int(match["y"]) if match["y"] else None
        found, problem = _year_for(int(match["d"]), int(match["m"]), year, base, past)
        return found, match[0], problem
    match = _NUMERIC.search(text)
    if match:
        a, b = int(match["a"] or match["a2"]), int(match["b"] or match["b2"])
        year = int(match["y"] or match["y2"]) if match["y"] or match["y2"] else None
        words = match[0]
        if a > 12 and 1 <= b <= 12:
            day, month = a, b
        elif b > 12 and 1 <= a <= 12:
            day, month = b, a
        elif a == b and 1 <= a <= 12:
            day = month = a
        elif day_first and 1 <= a <= 12 and 1 <= b <= 12:
            day, month = a, b
        elif a <= 12 and b <= 12:
            only = _only_past_reading(a, b, year, base) if past else None
            if only is None:
                return None, words, (f"'{words}' could be day/month or month/day; "
                                     "the date is left unset")
            return only, words, None
        else:
            return None, words, f"'{words}' is not a date"
        found, problem = _year_for(day, month, year, base, past)
        return found, words, problem
    return _day_of_month(text, base, past)


_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
          "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
          "seventeenth", "eighteenth", "nineteenth")
_ORDINAL_WORDS = {word: n for n, word in enumerate(_UNITS, 1)} | {
    "twentieth": 20, "thirtieth": 30, "thirty-first": 31, "thirty first": 31,
    "premier": 1, "primero": 1, "primo": 1} | {
    f"twenty{joint}{word}": 20 + n for n, word in enumerate(_UNITS[:9], 1) for joint in "- "}
_ORDINAL_WORD = "(?:" + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True)) + ")"
# A day written as a word beside its month: "the fifteenth of April", "March the first",
# "le premier mai", "primero de mayo".
# Before the month: after "the"/"le" or before "of"/"de" ("our first May meeting" is no
# day); after it: "March the first", or "until March first" after a preposition ("May the
# second meeting", "met with August first" are no days).
_WORD_BEFORE_MONTH = re.compile(
    r"(?:(?<=\bthe\s)|(?<=\ble\s)|(?<=\bau\s)|(?<=\bdu\s)|(?<=\bal\s)|(?<=\bil\s))(?P<w>"
    + _ORDINAL_WORD + r")(?=\s+(?:of\s+|de\s+)?" + _MONTH + r"(?!\w))"
    r"|\b(?P<w2>" + _ORDINAL_WORD + r")(?=\s+(?:of|de)\s+" + _MONTH + r"(?!\w))")
_AFTER_ORDINAL = r"\b(?!\s+(?!and\b|at\b|or\b|in\b|for\b|to\b|until\b)[a-z])"
_WORD_AFTER_MONTH = re.compile(
    r"\b(?P<m>" + _MONTH + r")\s+the\s+(?P<w>" + _ORDINAL_WORD + r")" + _AFTER_ORDINAL
    + r"|\b(?:on|until|till|by|since|from|before|after|through)\s+(?P<m2>" + _MONTH
    + r")\s+(?P<w2>" + _ORDINAL_WORD + r")" + _AFTER_ORDINAL)
_DEGREE = re.compile(r"\b(\d{1,2})°")  # Italian "1° giugno"


def _day_words_as_digits(text: str) -> str:
    """Folded ``text`` with a day written in words beside its month as digits, padded to
    the words' length so that what a pattern finds can be cut from the writer's text."""
    def before(m: re.Match[str]) -> str:
        word = m["w"] or m["w2"]
        return f"{_ORDINAL_WORDS[word]}th".ljust(len(word))

    def after(m: re.Match[str]) -> str:
        word = m["w"] or m["w2"]
        return m[0][:m.start("w" if m["w"] else "w2") - m.start()] + str(
            _ORDINAL_WORDS[word]).ljust(len(word))

    text = _DEGREE.sub(lambda m: m[1] + " ", text)
    return _WORD_AFTER_MONTH.sub(after, _WORD_BEFORE_MONTH.sub(before, text))


def written_date(text: str, base: date | None, past: bool, day_first: bool = False
                 ) -> tuple[date | None, str | None, str | None]:
    """(date, words, problem) for the first date written in ``text``, exact or relative
    ("1 July 2027", "le 15 août", "next Monday", "the fifteenth of April"); ``text`` is
    folded here."""
    folded = fold(text)
    found = _explicit_date(folded, base, past, day_first)
    return found if found[1] is not None else _relative_date(folded, base, past)


def _shift(base: date, days: int) -> date | None:
    """``base`` moved by ``days``, or None beyond the calendar's ends."""
    try:
        return base + timedelta(days=days)
    except OverflowError:
        return None


def _relative_date(text: str, base: date | None, past: bool
                   ) -> tuple[date | None, str | None, str | None]:
    """(date, words, problem) for "yesterday", "last Tuesday", "il y a 3 jours" and the like."""
    found: tuple[int | None, str] | None = None
    for pattern, offset in _RELATIVE_DAYS:
        match = pattern.search(text)
        if match:
            found = (offset, match[0])
            break
    match = _AGO.search(text)
    if found is None and match:
        count = match["n"] or match["n2"]
        unit = match["unit"] or match["unit2"]
        number = int(count) if count.isdigit() else _NUMBERS[count]
        found = (-number * (7 if unit.startswith(("week", "semaine")) else 1), match[0])
    if found is None:
        for pattern, direction in ((_LAST_WEEKDAY, -1), (_NEXT_WEEKDAY, 1), (_BARE_WEEKDAY, 0)):
            match = pattern.search(text)
            if match:
                name = next(g for g in match.groups() if g)
                if base is None:
                    return None, match[0], f"'{match[0]}' needs the message date"
                step = direction or (-1 if past else 1)
                delta = (_WEEKDAYS[name] - base.weekday()) % 7 if step > 0 else -(
                    (base.weekday() - _WEEKDAYS[name]) % 7)
                if delta == 0 and direction != 0:
                    delta = 7 * step
                return _shift(base, delta), match[0].strip(), None
    if found is None:
        return None, None, None
    days, words = found
    if base is None:
        return None, words, f"'{words}' needs the message date"
    return _shift(base, days or 0), words, None


def _past_days(text: str, base: date | None) -> set[date]:
    """Every day written with its month ("February 25", "11 mars") on or before ``base``."""
    days: set[date] = set()
    for pattern in (_DAY_MONTH, _DAY_DOT_MONTH, _DAY_DOT_MONTH_AFTER, _DAY_DE_MARCO, _MONTH_DAY):
        for match in pattern.finditer(text):
            day = int(re.match(r"\d+", match["day"]).group(0))  # type: ignore[union-attr]
            year = int(match["year"]) if match["year"] else None
            found, _ = _year_for(day, _MONTHS.get(match["month"].rstrip("."), 3), year, base,
                                 True)
            if found is not None and (base is None or found <= base):
                days.add(found)
    return days


def _calendar_reply(calendar: str, reading: MeetingReading) -> None:
    """Fill the calendar fields from an iCalendar REPLY (METHOD:REPLY with a PARTSTAT)."""
    lines = re.sub(r"\r?\n[ \t]", "", calendar.replace("\r\n", "\n")).split("\n")
    method = next((line.split(":", 1)[1].strip().upper() for line in lines
                   if line.upper().startswith("METHOD:")), None)
    if method != "REPLY":
        return
    in_event = False
    for line in lines:
        upper = line.strip().upper()
        if upper == "BEGIN:VEVENT":
            in_event = True
        elif upper == "END:VEVENT":
            in_event = False
        elif in_event and upper.startswith("ATTENDEE") and reading.partstat is None:
            match = re.search(r";PARTSTAT=([A-Z-]+)", upper)
            if match:
                reading.partstat = match.group(1)
        elif in_event and upper.startswith("DTSTART") and reading.event_date is None:
            match = re.search(r":(\d{4})(\d\d)(\d\d)", line)
            if match:
                try:
                    reading.event_date = date(*(int(x) for x in match.groups()))
                except ValueError:
                    reading.problems.append("the calendar reply has an invalid start date")
    if reading.partstat is None:
        return
    reading.found = True
    reading.accepted = {"ACCEPTED": True, "DECLINED": False}.get(reading.partstat)


def _stated(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` is said, not asked: "We met?" is a question, not a report."""
    return any(not re.match(r"[^.!?\n,;]*\?", text[m.end():]) for m in pattern.finditer(text))


def _classify(text: str) -> tuple[bool | None, bool, str | None]:
    """(met, future, problem) from the words alone; a bare "yes" yields to stronger words."""
    negative, future = bool(_NEGATIVE.search(text)), bool(_FUTURE.search(text))
    positive = _stated(_POSITIVE, text)
    negative = negative or (not positive and bool(_ONLY_MAIL.search(text)))
    if _UNSETTLED.search(text) and negative and not positive:
        return False, future, None  # "Not yet: she cancelled, we are rescheduling"
    if _UNSETTLED.search(text):
        return None, future, ("says a meeting was cancelled, moved, only planned or talked "
                              "about: whether they met is for a person to read")
    if negative and positive:
        return None, future, "says both that they met and that they have not"
    if negative:
        return False, future, None
    if positive:
        return True, future, None
    if future:
        return False, True, None
    if _YES.search(text):
        return True, False, None
    if _stated(_PRESENT_OR_PAST, text):
        return True, False, None  # only with a past date: see _read_text
    return None, False, None


def read_meeting(new_text: str, message_date: datetime | None,
                 calendar: str | None, day_first: bool = False) -> MeetingReading:
    """Whether and when they met, from a reply's new text and any calendar part; never raises."""
    reading = MeetingReading()
    try:
        if calendar:
            _calendar_reply(calendar, reading)
        _read_text(fold(new_text or ""), message_date.date() if message_date else None, reading,
                   day_first)
    except Exception as error:  # conservative: a human looks at it
        reading.problems.append(f"could not read the meeting answer ({type(error).__name__})")
    return reading


def _read_text(text: str, base: date | None, reading: MeetingReading,
               day_first: bool = False) -> None:
    met, future, problem = _classify(text)
    if problem:
        reading.problems.append(problem)
    if met is None and not future and not problem:
        return
    reading.found = True
    reading.met = met
    past = met is True
    when, words, date_problem = _explicit_date(text, base, past, day_first)
    if when is None and words is None:
        when, words, date_problem = _relative_date(text, base, past)
        if when is None and words is None and _VAGUE.search(text):
            reading.date_text = _VAGUE.search(text)[0]  # type: ignore[index]
    if words:
        reading.date_text = words
    elif met is True and (unread := _unread_date(text)):  # "2027/03/11": none read
        date_problem = f"'{unread}' looks like a date that could not be read"
    if date_problem:
        reading.problems.append(date_problem)
    tentative = met is True and not _stated(_POSITIVE, text) and not _YES.search(text)
    if tentative and (when is None or base is None or when > base):
        reading.problems.append("'nos reunimos' and 'hablamos' say 'we met' or 'we meet': "
                                "without a date in the past it is not read")
        reading.met = None
        return
    if when is None:
        return
    if met is True and len(_past_days(text, base)) > 1:
        reading.problems.append("names more than one past day ('twice: February 25 and March "
                                "11'): which one to record is for a person")
        return
    if met is True and base is not None and when < (_shift(base, -366) or date.min):
        reading.problems.append(f"says they met on {when.isoformat()}, more than a year before "
                                "the message")  # "March 4, 2019": a slip a person corrects
        return
    if met is True:
        if base is not None and when > base and future:  # "we met, and meet again on May 3"
            reading.planned = when
        elif base is not None and when > base:
            reading.problems.append(f"says they met on {when.isoformat()}, after the message "
                                    "was sent")
        else:
            reading.date = when
    elif met is False and future:
        reading.planned = when
