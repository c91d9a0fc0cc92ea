"""Why a reply could not be read, as the clarification tells it to a French reader."""

from __future__ import annotations

from mailflow.config.translated import Translated
from mailflow.program.reasons import reason_in


def test_an_english_reader_reads_the_reason_as_the_reader_wrote_it():
    assert reason_in("question 1: 9 is outside 1-5", "en") == "question 1: 9 is outside 1-5"


def test_a_survey_reason_is_translated_with_its_numbers_and_the_words_quoted():
    assert reason_in("question 3: expected yes or no, got 'peut-être'", "fr") == (
        "question 3 : nous attendions oui ou non, et avons lu « peut-être »")


def test_a_choices_reason_keeps_the_names_and_joins_them_in_french():
    assert reason_in("'Chen' could be Chen Wei or Chen Li", "fr") == (
        "« Chen » peut désigner Chen Wei ou Chen Li")
    assert reason_in("the reply also names Ana Silva and Chen Wei, which is not among the "
                     "choices read", "fr") == ("la réponse cite aussi Ana Silva et Chen Wei, "
                                               "qui ne fait pas partie des choix lus")


def test_a_reason_the_table_does_not_know_is_never_shown_in_english_to_a_french_reader():
    assert reason_in("a reason a reader adds tomorrow", "fr") == (
        "une partie du message n'a pas pu être lue avec certitude")


def test_a_reason_written_per_language_in_the_rules_is_shown_in_the_readers_language():
    reason = Translated.of({"en": "a person reads replies in June", "fr": "une personne lit "
                            "les réponses en juin"}, "en")
    assert reason_in(reason, "fr") == "une personne lit les réponses en juin"
    assert reason_in(reason, "en") == "a person reads replies in June"
