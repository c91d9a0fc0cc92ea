"""Reading a coordinator's command lines, and their arguments: pure, no store."""

from __future__ import annotations

import pytest

from mailflow.parsing.commands import COORDINATOR_WORDS, read_coordinator_commands
from mailflow.program.coordination.registry import REGISTRY, Malformed, help_text


def names(text: str, subject: str = "", loose: bool = True) -> list[tuple[str, str]]:
    return [(c.name, c.rest) for c in read_coordinator_commands(text, subject, loose)]


def test_a_command_is_read_whatever_its_case():
    assert names("export Participants") == [("export", "Participants")]


def test_french_words_are_the_same_commands():
    assert names("AIDE\nÉtat\nvoir Léa\nretirer lea@example.com") == [
        ("help", ""), ("status", ""), ("show", "Léa"), ("withdraw", "lea@example.com")]


def test_the_words_language_is_kept_for_the_receipt():
    [aide, export] = read_coordinator_commands("aide\nEXPORT pairs", "")
    assert (aide.language, export.language) == ("fr", None)


def test_reading_stops_at_the_first_line_that_is_no_command():
    assert names("STATUS\nThanks for all your work,\nshow Léa") == [("status", "")]


def test_a_line_in_capitals_among_commands_is_an_unknown_one():
    assert names("STATUS\nFROBNICATE now") == [("status", ""), ("unknown", "")]


def test_a_mail_to_the_program_starting_in_capitals_is_a_mistyped_command():
    assert names("EXPORTS participants") == [("unknown", "")]


def test_a_reply_in_a_thread_starting_in_capitals_is_not_taken_for_a_command():
    assert names("URGENT please call Léa", loose=False) == []


def test_an_ordinary_letter_is_no_command():
    assert names("Hello team,\nthe training is moved to Thursday.", "Plan for Thursday") == []


def test_the_subject_is_the_command_when_there_is_no_text():
    assert names("", "Re: status") == [("status", "")]


def test_a_subject_in_capitals_is_the_command_above_a_letter():
    assert names("Could you send me this?", "EXPORT pairs") == [("export", "pairs")]


def test_every_registered_command_has_its_words_and_every_word_its_command():
    # Was: every entry. An unlisted entry (the approval of a MATCH proposal) is run only
    # by CONFIRM of its preview, so it has no word of its own, and is not in HELP.
    listed = {name for name, entry in REGISTRY.items() if entry.listed}
    assert set(COORDINATOR_WORDS.values()) - {"confirm"} == listed
    assert set(REGISTRY) - listed == {"approve-pairs"}


def test_help_names_every_command_in_both_languages():
    # Was: every entry; the unlisted approval of a MATCH is no command one writes.
    for entry in (e for e in REGISTRY.values() if e.listed):
        assert entry.usage["en"] in help_text("en")
        assert entry.usage["fr"] in help_text("fr")


def test_pause_reads_the_person_and_the_end_date():
    assert REGISTRY["pause"].parse("Léa Gagnon until 2027-05-01") == {
        "person": "Léa Gagnon", "until": "2027-05-01"}
    assert REGISTRY["pause"].parse("Léa jusqu’au 2027-05-01")["until"] == "2027-05-01"


def test_pause_without_a_date_is_until_resume():
    assert REGISTRY["pause"].parse("Léa Gagnon") == {"person": "Léa Gagnon"}


def test_pause_with_a_bad_date_is_malformed():
    with pytest.raises(Malformed):
        REGISTRY["pause"].parse("Léa until 2027-13-01")


def test_link_takes_the_address_last():
    assert REGISTRY["link"].parse("Léa Gagnon <Lea@Home.example>") == {
        "person": "Léa Gagnon", "address": "lea@home.example"}


def test_propose_reads_two_addresses_or_two_names_with_an_arrow():
    assert REGISTRY["propose"].parse("lea@example.com chen@example.com") == {
        "mentee": "lea@example.com", "mentor": "chen@example.com"}
    assert REGISTRY["propose"].parse("Léa Gagnon -> Chen Wei") == {
        "mentee": "Léa Gagnon", "mentor": "Chen Wei"}


def test_propose_of_three_words_without_an_arrow_is_malformed():
    with pytest.raises(Malformed):
        REGISTRY["propose"].parse("Léa Gagnon Chen")


def test_export_knows_participants_and_pairs_in_both_languages():
    assert REGISTRY["export"].parse("paires") == {"what": "pairs"}
    with pytest.raises(Malformed):
        REGISTRY["export"].parse("everything")


def test_plan_takes_a_bounded_number_of_days():
    assert REGISTRY["plan"].parse("") == {"days": "30"}
    with pytest.raises(Malformed):
        REGISTRY["plan"].parse("100000")


def test_withdraw_import_select_and_the_approval_of_a_match_wait_for_a_confirmation():
    # Was: only WITHDRAW. IMPORT, SELECT and the approval of a MATCH proposal change many
    # people too; every listed one previews, the approval's preview is made by its reply.
    assert {e.name for e in REGISTRY.values() if e.many} == {
        "withdraw", "import", "select", "approve-pairs"}
    assert all(e.preview is not None for e in REGISTRY.values() if e.many and e.listed)
    assert REGISTRY["match"].many is False  # MATCH only proposes; nothing is made yet


def test_import_reads_mentors_or_mentees_in_both_languages():
    assert REGISTRY["import"].parse("mentors") == {"role": "mentor"}
    assert REGISTRY["import"].parse("Mentorés") == {"role": "mentee"}
    with pytest.raises(Malformed):
        REGISTRY["import"].parse("everyone")


def test_select_reads_the_seed_the_places_and_the_reserved_places():
    assert REGISTRY["select"].parse("spring-2027 12 3") == {
        "seed": "spring-2027", "places": "12", "reserved": "3"}
    assert REGISTRY["select"].parse("spring-2027 12")["reserved"] == "0"


@pytest.mark.parametrize("rest", ["", "spring-2027", "spring-2027 twelve", "s 2 3 4",
                                  "s 0", "s 2 3"])
def test_select_without_a_seed_and_sensible_places_is_malformed(rest):
    with pytest.raises(Malformed):
        REGISTRY["select"].parse(rest)


def test_match_takes_nothing_or_group_in_both_languages():
    assert REGISTRY["match"].parse("") == {"mode": "traditional"}
    assert REGISTRY["match"].parse("groupe") == {"mode": "group"}
    with pytest.raises(Malformed):
        REGISTRY["match"].parse("everyone")


def test_the_new_commands_are_read_in_french_with_or_without_accents():
    assert names("IMPORTER mentorés\nSÉLECTIONNER graine 3\nselectionner g 2\nAPPARIER") == [
        ("import", "mentorés"), ("select", "graine 3"), ("select", "g 2"), ("match", "")]
