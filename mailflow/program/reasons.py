"""Why a reply could not be read, said to its writer in their language.

The readers (``mailflow.parsing``) record their doubts in English, for the coordinators'
review; a clarification mail shows them to the person who wrote, so they are translated
here, where mail is rendered. A doubt written in the rules as ``{en: ..., fr: ...}`` is
already translated; a doubt this table does not know is replaced by a general sentence in
the reader's language rather than shown in a language they may not read.
"""

from __future__ import annotations

import re

from mailflow.config.translated import Translated

# (pattern of the English reason, its French wording); groups are carried over as written.
_FRENCH: tuple[tuple[str, str], ...] = (
    (r"question (\d+): expected yes or no, got '(.*)'",
     r"question \1 : nous attendions oui ou non, et avons lu « \2 »"),
    (r"question (\d+): expected a whole number from (\d+) to (\d+), got '(.*)'",
     r"question \1 : nous attendions un nombre entier de \2 à \3, et avons lu « \4 »"),
    (r"question (\d+): '(.*)' is not on the (\d+)-(\d+) scale",
     r"question \1 : « \2 » n'est pas sur l'échelle de \3 à \4"),
    (r"question (\d+): (\d+) is outside (\d+)-(\d+)",
     r"question \1 : \2 n'est pas entre \3 et \4"),
    (r"there is no question (\d+)", r"il n'y a pas de question \1"),
    (r"question (\d+) is answered twice", r"la question \1 a deux réponses"),
    (r"answers are typed between the quoted questions but could not be tied to them one by "
     r"one", "les réponses sont écrites entre les questions citées, mais nous n'avons pas pu "
     "les rattacher une à une"),
    (r"no answer to the survey's questions found",
     "aucune réponse aux questions du questionnaire n'a été trouvée"),
    (r"could not read the (survey answers|choices|meeting answer) \(\w+\)",
     "une partie du message n'a pas pu être lue"),
    (r"'(.*)' could be (.*)", r"« \1 » peut désigner \2"),
    (r"'(.*)' is not a mentor in the program", r"« \1 » n'est pas un mentor du programme"),
    (r"(.*) is chosen more than once", r"\1 est choisi·e plus d'une fois"),
    (r"(\d+) choices given; at most (\d+) allowed",
     r"\1 choix donnés ; \2 au plus sont possibles"),
    (r"the same rank is given to more than one (choice|mentor)",
     "le même rang est donné à plus d'un choix"),
    (r"(ranks are not numbered|the ranks written do not run) 1, 2, 3 without gaps",
     "les rangs ne se suivent pas (1, 2, 3 sans trou)"),
    (r"(.*) is given more than one rank", r"\1 reçoit plus d'un rang"),
    (r"the text does not say where (.*) ranks", r"le texte ne dit pas à quel rang vient \1"),
    (r"mentions (.*) but not as a list of ranked choices",
     r"le message cite \1, mais pas sous forme de liste de choix classés"),
    (r"the numbers beside the names may be ranks or places in our list, and the two give "
     r"different orders", "les numéros à côté des noms peuvent être des rangs ou des places "
     "dans notre liste, et les deux donnent des ordres différents"),
    (r"the reply also names (.*), which is not among the choices read",
     r"la réponse cite aussi \1, qui ne fait pas partie des choix lus"),
    (r"no mentor name found in the reply", "aucun nom de mentor n'a été trouvé dans la réponse"),
    (r"could not tell whether the meeting took place",
     "nous n'avons pas pu savoir si la rencontre a eu lieu"),
    (r"says both that they met and that they have not",
     "le message dit à la fois que la rencontre a eu lieu et qu'elle n'a pas eu lieu"),
    (r"(\d+)/(\d+) is not a real date", r"le \1/\2 n'est pas une date qui existe"),
    (r"a date without a year, and no message date to place it",
     "une date sans année, que nous n'avons pas pu situer"),
    (r"says they met on (\S+), after the message was sent",
     r"le message dit que la rencontre a eu lieu le \1, après son envoi"),
    (r"the calendar reply has an invalid start date",
     "la réponse de calendrier a une date de début invalide"),
    (r"this mentor has (\d+) mentees and the report does not say clearly which one each "
     r"part is about", r"ce mentor a \1 mentorés, et le message ne dit pas clairement de qui "
     "parle chaque partie"),
    (r"could not tell whether this is a YES or a NO",
     "nous n'avons pas pu savoir s'il s'agit d'un OUI ou d'un NON"),
    (r"the form has a line mailflow does not know: (.*)",
     r"le formulaire a une ligne que nous ne connaissons pas : \1"),
    (r"a forwarded application form: .*", "un formulaire de candidature transféré : les "
     "candidatures sont acceptées seulement depuis l'adresse de la personne qui candidate"),
    (r"empty message", "message vide"),
    (r"a participant's message that mailflow does not understand",
     "nous n'avons pas compris ce message"),
    (r"asks to change the role from (\w+) to (\w+): a coordinator decides",
     r"demande de changer de rôle (\1 vers \2) : une coordinatrice ou un coordinateur "
     "décide"),
    (r"the reply is longer than mailflow reads .*",
     "la réponse est plus longue que ce que nous lisons automatiquement : une personne la "
     "lira"),
)
_COMPILED = tuple((re.compile(pattern + r"\Z", re.IGNORECASE | re.DOTALL), french)
                  for pattern, french in _FRENCH)
# The patterns whose groups are lists of names joined by "and" or "or".
_LISTS = re.compile(r"could be|^mentions|also names")
_LIST_WORDS = re.compile(r"(?<= )(and|or)(?= )")
_FRENCH_WORDS = {"and": "et", "or": "ou"}
_UNKNOWN = {"fr": "une partie du message n'a pas pu être lue avec certitude"}


def reason_in(reason: str, language: str) -> str:
    """``reason`` as a reader of ``language`` reads it (English is the readers' language)."""
    if isinstance(reason, Translated):
        return reason.in_language(language)
    if language == "en" or language not in _UNKNOWN:
        return reason
    if language == "fr":
        for pattern, french in _COMPILED:
            match = pattern.match(reason.strip())
            if match:
                # Lists of names ("A, B and C", "A or B") are joined in French words.
                return _LIST_WORDS.sub(lambda word: _FRENCH_WORDS[word[0]],
                                       match.expand(french)) if _LISTS.search(
                    pattern.pattern) else match.expand(french)
    return _UNKNOWN[language]
