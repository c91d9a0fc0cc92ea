"""Read answers to a survey defined as data, numbered or typed under the quoted questions.

Answers are never guessed: a value that does not fit its question (a scale value out of range,
a word where yes/no is expected) is a problem and the question stays missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from mailflow.config.model import Question as Question
from mailflow.config.model import Survey as Survey
from mailflow.config.translated import in_language
from mailflow.text import fold_accents

Answer = str | int | bool
_NUMBERED = re.compile(
    r"^\s*(?:(?:q|question)\s*(?P<q>\d{1,2})\s*[.):\-–—]?|(?P<n>\d{1,2})(?:\s*[.):\-–—]|(?=\t)))\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_SCALE = re.compile(r"^(?P<v>-?\d{1,9}(?:[.,]\d{1,9})?)\s*(?:(?:/|out\s+of|sur)\s*(?P<of>\d{1,9}))?"
                    r"(?:\W|$)", re.IGNORECASE)
# A rating closing a few words: "Very useful - I'd say 5", "Really well, 4", "Très
# satisfaite, 5 sur 5". Only when no other digit comes before it. (Possessive blanks: a
# run of them that leads nowhere is given up once, not tried every way.)
_TRAILING = re.compile(r"^(?P<words>[^\d]{0,60}?)(?:^|[\s,;:\-–—(])(?P<v>\d{1,2})\s*+"
                       r"(?:(?:/|out\s+of|sur|de|von|su)\s*+(?P<of>\d{1,2}))?\s*+[.!)]?\s*+$",
                       re.IGNORECASE)
_NUMBER_WORD_ALTERNATIVE = "|".join((
    "zero", "one", "two", "three", "four", "five", "quatre", "cinq", "trois", "deux", "cuatro",
    "cinco", "dos", "tres", "quattro", "cinque", "drei", "vier"))
# A second number offered beside the first: "3 or 4", "3-4", "4 à 5", "3 oder 4", "3, 4",
# "3 (maybe 4)", "4 or more", "4 and a half"; not "4 - 2 meetings so far" nor "4 - one of
# the best" (a count or a remark after a dash).
_ALTERNATIVE = re.compile(
    r"^[ \t]*+(?:[,;][ \t]*+)?(?:"
    r"(?:or|ou|o|oder|to|a|bis|y|e|et|and|u|ó)\b[ \t]*+(?:(?:maybe|perhaps|possibly|peut-etre"
    r"|quizas?)[ \t]++)?(?:\d|" + _NUMBER_WORD_ALTERNATIVE + r")\b"
    r"|[-–—~][ \t]*+\d{1,2}(?![\d%])(?![ \t]*+[^\W\d_])"
    r"|(?:\.\.|→|->|&)[ \t]*+\d"
    r"|\(?[ \t]*+(?:maybe|perhaps|possibly|probably|if\s+not|or\s+even|voire|peut-etre|quizas"
    r"|tal\s+vez|forse|vielleicht)[ \t]++(?:\d|" + _NUMBER_WORD_ALTERNATIVE + r")\b"
    r"|(?:or|ou|o|oder)\s+(?:more|above|plus|mas|piu|mehr)\b"
    r"|(?:and\s+a\s+half|et\s+demi|e\s+mezzo|y\s+medio|und\s+(?:ein\s+)?halb|½)"
    r"|\d{1,2}[ \t]*+(?:$|[.;!?)]))", re.IGNORECASE)
_HEDGED = re.compile(r"\b(?:not|no|non|pas|never|nicht|kein\w*|nunca|jamais|neither|between"
                     r"|entre|or|ou|o|oder|rather\s+than|instead|plutot|than|que|almost|nearly"
                     r"|about|around|roughly|approximately|presque|environ|casi|quasi|fast"
                     r"|circa)\b")
# Numbers written as words, as people answer a scale: "four", "quatre sur cinq", "cuatro".
# Not "um" (a hesitation, and Portuguese one), "due" or "sei" (English and Portuguese words).
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4,
    "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "cero": 0, "uno": 1, "una": 1,
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "uma": 1, "dois": 2, "duas": 2, "quatro": 4, "sete": 7,
    "oito": 8, "nove": 9, "dez": 10, "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "tre": 3,
    "quattro": 4, "cinque": 5, "sette": 7, "otto": 8, "dieci": 10,
}  # fmt: skip
_NUMBER_WORD = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_SPELLED = re.compile(r"^(?P<v>" + _NUMBER_WORD + r")\b(?:\s+(?P<of>sur|out\s+of|of|de|von|su)"
                      r"\s+(?P<high>" + _NUMBER_WORD + r")\b)?"
                      # the number is the answer, not a word of a sentence ("un peu", "due to")
                      r"(?=\s*(?:$|[.,;:!()/\-–—]))", re.IGNORECASE)


def _digits(text: str) -> str:
    """A scale answer written in words with its words turned to digits: "Quatre sur cinq." is
    "4 sur 5."; anything else is returned as it is."""
    folded = fold_accents(text.strip()).lower()
    match = _SPELLED.match(folded)
    if match is None:
        return text
    digits = str(_NUMBER_WORDS[match["v"]])
    if match["high"]:  # "tres de diez" is 3/10, which the scale then refuses
        digits += f"/{_NUMBER_WORDS[match['high']]}"
    return digits + folded[match.end():]


_YES = frozenset({"yes", "y", "yeah", "yep", "sure", "absolutely", "definitely", "certainly",
                  "of course", "oui", "o", "ouais", "bien sur", "absolument", "tout a fait",
                  "certainement", "evidemment", "volontiers", "affirmative", "si", "claro",
                  "por supuesto", "sin duda", "desde luego", "ja", "sim"})
_NO = frozenset({"no", "n", "nope", "not really", "not at all", "non", "pas vraiment",
                 "pas du tout", "absolument pas", "certainly not", "definitely not",
                 "para nada", "en absoluto", "nein", "nao"})


def yes_or_no(text: str) -> bool | None:
    """True or False when a short answer starts with a yes or a no in any language read
    here ("Oui", "Nope", "Sí, una vez"); None otherwise."""
    return _yes_no(text)


def as_digits(text: str) -> str | None:
    """The whole number an answer is, in digits ("two", "deux", "2."), or None when the
    answer is anything else ("1 or 2", "two at most")."""
    digits = _digits(text).strip().rstrip(".!")
    return digits if re.fullmatch(r"\d{1,3}", digits) else None


@dataclass
class SurveyReading:
    """Valid answers by question number, required questions still unanswered, and problems."""

    answers: dict[int, Answer] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    found: bool = False  # the text answers this survey at all
    numbered: bool = False  # the answers carry their question numbers (a gap is a skip)


def fold(text: str) -> str:
    """Lowercase, accent-free, punctuation-free text, for comparing words."""
    text = fold_accents(text)
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


def _strip_question(rest: str, question: Question) -> str:
    """The answer part of "How useful was it? 4" or of a bare answer."""
    folded_question = fold(question.text)
    before = rest.split("?", 1)[0]
    if "?" in rest and fold(before).split()[:2] == folded_question.split()[:2]:
        rest = rest[rest.index("?") + 1 :]  # "Would you recommend it? Yes"
    elif folded_question and fold(rest).startswith(folded_question):
        if "?" in rest:
            rest = rest[rest.rindex("?") + 1 :]
        elif ":" in rest:
            rest = rest[rest.index(":") + 1 :]
        else:
            return ""
    return rest.strip().lstrip(":-–—>").strip()


def _yes_no(text: str) -> bool | None:
    """True or False when the answer starts with a yes or no (English, French, Spanish…)."""
    words = fold(text).split()
    for size in (3, 2, 1):
        start = " ".join(words[:size])
        if len(words) >= size and start in _YES:
            return True
        if len(words) >= size and start in _NO:
            return False
    return None


def value_for(question: Question, text: str) -> tuple[Answer | None, str | None]:
    """(value, problem) for one written answer; the value is None when it does not fit."""
    text = text.strip()
    label = f"question {question.number}"
    if not text:
        return None, None
    if question.kind == "text":
        return text, None
    if question.kind == "yesno":
        answer = _yes_no(text)
        if answer is None:
            return None, f"{label}: expected yes or no, got '{text[:60]}'"
        if _ANOTHER_ANSWER.search(text):
            return None, f"{label}: '{text[:60]}' holds more than one answer"
        return answer, None
    text = _digits(text)
    match = _SCALE.match(text)
    if match is None:
        match = _TRAILING.match(text)
        if match and _HEDGED.search(fold(match["words"])):
            return None, f"{label}: '{text[:60]}' does not give one number plainly"
    if match and _ANOTHER_ANSWER.search(text[match.end():]):
        return None, f"{label}: '{text[:60]}' holds more than one answer"
    if match and _ALTERNATIVE.match(fold_accents(text[match.end("v"):]).lower()):
        return None, f"{label}: '{text[:60]}' does not give one number plainly"
    if not match or "." in match["v"] or "," in match["v"]:
        return None, (f"{label}: expected a whole number from {question.low} to {question.high}, "
                      f"got '{text[:60]}'")
    value = int(match["v"])
    if match["of"] and int(match["of"]) != question.high:
        return None, (f"{label}: '{match[0].strip()}' is not on the "
                      f"{question.low}-{question.high} scale")
    if not question.low <= value <= question.high:
        return None, f"{label}: {value} is outside {question.low}-{question.high}"
    return value, None


def _answer_cell(text: str, question: Question) -> str:
    """The answer of a table row "Usefulness of the program<TAB>5": the second of two cells
    when the first is a label of this question (it shares a word with it); else the text."""
    cells = text.split("\t")
    if len(cells) != 2:
        return text
    label = {w for w in fold(cells[0]).split() if len(w) >= 4}
    return cells[1] if label & set(fold(question.text).split()) else text


def _fits(question: Question, text: str) -> bool:
    """Whether a written answer could be meant for this question."""
    if question.kind == "text":
        return True
    if question.kind == "yesno":
        return _yes_no(text) is not None
    digits = _digits(text)
    return bool(_SCALE.match(digits) or _TRAILING.match(digits))


# Answers run together on one line: "1) 4 - 2) 5 - 3) oui", "1. 4; 2. 5; 3. yes".
_INLINE_MARK = re.compile(r"(?:^|(?<=\s)|(?<=[-–—|;,/]))\s*(?:q(?:uestion)?\s*)?(?P<n>\d{1,2})"
                          r"\s*[.):]\s+", re.IGNORECASE)
# Another numbered answer after a scale's number or a yes/no: "4 - 2) 5", "yes Q4: none"
# are two answers, not a 4 or a yes.
_ANOTHER_ANSWER = re.compile(r"(?:^|\s)(?:q(?:uestion)?\s*)?\d{1,2}\s*[.):]\s", re.IGNORECASE)


def _split_inline(line: str, numbers: set[int]) -> list[str]:
    """A line of answers "1) 4 - 2) 5 - 3) oui" as one line per answer; others unchanged.
    Split only when the marks start the line and count 1, 2, 3… in order; a mark past the
    survey's questions ("4) Chapter 5) was great") is part of an answer's text."""
    last = max(numbers, default=0)
    marks = [m for m in _INLINE_MARK.finditer(line) if int(m["n"]) <= last]
    if len(marks) < 2 or line[:marks[0].start()].strip():
        return [line]
    counted = [int(m["n"]) for m in marks]
    if counted != list(range(counted[0], counted[0] + len(counted))):
        return [line]
    for mark in marks[1:]:  # "2)" anywhere; "2." only after a separator ("met 2. times")
        if ")" not in mark.group(0) and not line[:mark.start("n")].rstrip().endswith(
                tuple("-–—|;,/")):
            return [line]
    ends = [m.start() for m in marks[1:]] + [len(line)]
    return [f"{m['n']}. " + line[m.end():end].strip().rstrip("-–—|;,/").strip()
            for m, end in zip(marks, ends, strict=True)]


def _numbered(text: str, numbers: set[int]) -> list[tuple[int, str]]:
    """(number, answer text) for numbered answers; text may go on over the following lines."""
    found: list[tuple[int, list[str]]] = []
    for line in (part for whole in text.splitlines() for part in _split_inline(whole, numbers)):
        match = _NUMBERED.match(line)
        number = int(match["q"] or match["n"]) if match else None
        if match and number is not None and (number in numbers or match["q"]):
            found.append((number, [match["rest"]]))
        elif found and line.strip() and not line.lstrip().startswith(">"):
            found[-1][1].append(line.strip())
        elif found and not line.strip() and any(part.strip() for part in found[-1][1]):
            found.append((-1, []))  # a blank line ends a non-empty answer
    return [(n, "\n".join(p for p in parts if p.strip())) for n, parts in found if n != -1]


def _by_question_text(text: str, questions: list[Question]) -> list[tuple[int, str]]:
    """Answers written after a copy of the question's words, without its number: "How many
    times have you met so far? Twice" (the question's text, then the answer on its line)."""
    # "(1 to 5)", "(yes/no)": the hint of our question is often left out of the copy.
    texts = [(q.number, fold(re.sub(r"\([^)]*\)", " ", q.text))) for q in questions
             if len(fold(q.text).split()) >= 3]
    # A short question ("Any comments?") counts only when copied with its question mark.
    short = [(q.number, str(q.text).strip().casefold()) for q in questions
             if len(fold(q.text).split()) < 3 and str(q.text).strip().endswith("?")]
    found: list[tuple[int, list[str]]] = []
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            continue
        folded = fold(line)
        number = next((n for n, words in texts if folded.startswith(words)), None)
        if number is None:
            bare = line.strip().casefold()
            number = next((n for n, words in short if bare.startswith(words)), None)
        if number is not None:
            cut = max(line.rfind("?"), line.find(":") if "?" not in line else -1)
            found.append((number, [line[cut + 1:] if cut >= 0 else ""]))
        elif found and line.strip():
            found[-1][1].append(line.strip())
        elif found and not line.strip() and any(part.strip() for part in found[-1][1]):
            found.append((-1, []))  # a blank line ends a non-empty answer
    return [(n, "\n".join(p.strip() for p in parts if p.strip())) for n, parts in found
            if n != -1]


def _quoted_number(line: str, questions: list[Question]) -> int | None:
    """The question a quoted line shows, by its number or its words."""
    body = re.sub(r"^(\s*>)+\s?", "", line).strip()
    match = _NUMBERED.match(body)
    if match:
        number = int(match["q"] or match["n"])
        if any(q.number == number for q in questions):
            return number
    folded = fold(body)
    for question in questions:
        if len(fold(question.text)) >= 8 and fold(question.text) in folded:
            return question.number
    return None


def _interleaved(text: str, questions: list[Question]) -> list[tuple[int, str]]:
    """Answers typed under quoted questions when both are in one text ("> 1. ...?\\n4")."""
    answers: dict[int, list[str]] = {}
    current: int | None = None
    for line in text.splitlines():
        if re.match(r"^\s*>", line):
            number = _quoted_number(line, questions)
            current = number if number is not None else current
            continue
        if current is not None and line.strip():
            answers.setdefault(current, []).append(line.strip())
    return [(n, "\n".join(parts)) for n, parts in answers.items()]


def _any_choice(blocks: list[str], asked: list[Question]) -> bool:
    """Whether some block reads as a number or a yes/no for some non-text question."""
    return any(_fits(q, b) for b in blocks for q in asked if q.kind != "text")


def _aligned(blocks: list[str], asked: list[Question]) -> list[tuple[int, str]] | None:
    """Blocks of new text tied to the quoted questions in order, when only one way fits."""
    if not blocks or len(blocks) > len(asked):
        return None
    ways = [[0] * (len(asked) + 1) for _ in range(len(blocks) + 1)]
    ways[len(blocks)] = [1] * (len(asked) + 1)
    for i in range(len(blocks) - 1, -1, -1):
        for j in range(len(asked) - 1, -1, -1):
            here = ways[i + 1][j + 1] if _fits(asked[j], blocks[i]) else 0
            ways[i][j] = min(2, here + ways[i][j + 1])
    if ways[0][0] != 1 or not _any_choice(blocks, asked):
        return None  # only free text: could as well be a note above the quoted survey
    result, j = [], 0
    for i, block in enumerate(blocks):
        while not (_fits(asked[j], block) and ways[i + 1][j + 1] == 1):
            j += 1
        result.append((asked[j].number, block))
        j += 1
    return result


def read_survey(new_text: str, quoted_text: str, survey: Survey,
                language: str | None = None) -> SurveyReading:
    """Answers to ``survey`` from a reply's new text and the quoted survey; never raises.

    The questions' words are compared in ``language``, the one the survey was sent in: a
    French reply quotes the French questions."""
    if language:
        survey = replace(survey, questions=[replace(q, text=in_language(q.text, language))
                                            for q in survey.questions])
    reading = SurveyReading()
    try:
        _read(new_text or "", quoted_text or "", survey, reading)
    except Exception as error:  # conservative: a human looks at it
        reading.answers = {}
        reading.problems.append(f"could not read the survey answers ({type(error).__name__})")
    reading.missing = [q.number for q in survey.questions
                       if q.required and q.number not in reading.answers]
    return reading


def _read(new_text: str, quoted_text: str, survey: Survey, reading: SurveyReading) -> None:
    by_number = {q.number: q for q in survey.questions}
    written = _numbered(new_text, set(by_number))
    reading.numbered = bool(written)
    written = written or _by_question_text(new_text, survey.questions)
    if not written and ">" in new_text:
        written = _interleaved(new_text, survey.questions)
    if not written:
        asked_numbers = list(dict.fromkeys(
            n for n in (_quoted_number(line, survey.questions) for line in quoted_text.splitlines()
                        if line.strip()) if n is not None))
        blocks = [b.strip() for b in re.split(r"\n\s*\n", new_text) if b.strip()]
        aligned = _aligned(blocks, [by_number[n] for n in asked_numbers])

        asked = [by_number[n] for n in asked_numbers]
        if aligned is None and _any_choice(blocks, asked):
            reading.found = True
            reading.problems.append("answers are typed between the quoted questions but could "
                                    "not be tied to them one by one")
        written = aligned or []
    seen: dict[int, str] = {}
    for number, text in written:
        question = by_number.get(number)
        if question is None:
            reading.problems.append(f"there is no question {number}")
            continue
        reading.found = True
        if number in seen and fold(seen[number]) != fold(text):
            reading.problems.append(f"question {number} is answered twice")
            reading.answers.pop(number, None)
            continue
        seen[number] = text
        rest = _strip_question(_answer_cell(text, question), question)
        value, problem = value_for(question, rest)
        if problem:
            reading.problems.append(problem)
        elif value is not None:
            reading.answers[number] = value
