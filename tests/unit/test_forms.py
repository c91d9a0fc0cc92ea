"""read_form: a filled-in application, in English or French, typed new or inside the quote."""

from __future__ import annotations

import pytest

from mailflow.config.load import BUILTIN_TEMPLATES
from mailflow.outbound.templates import Templates
from mailflow.parsing.forms import normalise_label, read_form


def quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())


def blank_form(forms) -> str:
    """The application form exactly as the program mails it."""
    rendered = Templates([BUILTIN_TEMPLATES], "en").render("application_form", "en", {
        "program": {"name": "Northlake"}, "person": {"name": ""}, "forms": forms,
        "coordinators": [{"name": "Claire Dubois", "email": "claire@example.org"}],
    })
    return rendered.text


def test_complete_english_mentee_form_is_read(default_forms):
    text = ("Role: mentee\nFull name: Léa Gagnon\nAffiliation: McGill University\n"
            "Goals: learn to lead a lab\n")

    form = read_form(text, "", default_forms)

    assert form.role == "mentee"
    assert form.fields == {"name": "Léa Gagnon", "affiliation": "McGill University",
                           "goals": "learn to lead a lab"}
    assert form.missing == []
    assert form.complete


def test_french_labels_are_read_as_the_same_fields(default_forms):
    text = ("Rôle : mentor\nNom complet : José Martínez\nLaboratoire : Mila\n"
            "Domaines d'expertise : apprentissage automatique\nNombre de mentorés : 2\n")

    form = read_form(text, "", default_forms)

    assert form.role == "mentor"
    assert form.fields == {"name": "José Martínez", "affiliation": "Mila",
                           "expertise": "apprentissage automatique", "capacity": "2"}
    assert form.complete


@pytest.mark.parametrize("label", ["FULL NAME", "full name", "Nom Complet", "NOM", "**Full name**",
                                   "- Full name", "Full name (as you write it)"])
def test_labels_match_whatever_their_case_emphasis_or_bullets(default_forms, label):
    form = read_form(f"Role: mentee\n{label}: Léa Gagnon\n", "", default_forms)

    assert form.fields["name"] == "Léa Gagnon"


def test_labels_match_without_their_accents(default_forms):
    form = read_form("Role: mentee\nParticipation anterieure: oui\n", "", default_forms)

    assert form.fields["prior_participation"] == "yes"  # a yes/no field, in any language


def test_normalise_label_drops_case_accents_and_parentheses():
    assert normalise_label("Rôle (Mentoré ou Mentor)") == "role"
    assert normalise_label("  Domaines   d'EXPERTISE ") == "domaines d'expertise"


@pytest.mark.parametrize(("typed", "role"), [
    ("mentee", "mentee"), ("Mentee", "mentee"), ("MENTOR", "mentor"), ("mentoré", "mentee"),
    ("Mentorée", "mentee"), ("mentoré(e)", "mentee"), ("mentor (senior researcher)", "mentor"),
    ("mentee, first year PhD", "mentee"),
])
def test_role_is_read_in_english_and_french(default_forms, typed, role):
    form = read_form(f"Role: {typed}\n", "", default_forms)

    assert form.role == role


def test_inclusive_french_mentor_spelling_is_read_as_mentor(default_forms):
    form = read_form("Rôle: mentor.e\n", "", default_forms)

    assert form.role == "mentor"


def test_value_may_continue_on_the_following_lines(default_forms):
    text = ("Role: mentee\nGoals: learn to supervise students\n  and to write grants\n"
            "and to balance teaching\n\nThanks!\n")

    form = read_form(text, "", default_forms)

    assert form.fields["goals"] == (
        "learn to supervise students\nand to write grants\nand to balance teaching")


def test_value_may_start_on_the_line_after_its_label(default_forms):
    form = read_form("Role: mentee\nGoals:\nlearn to lead\n", "", default_forms)

    assert form.fields["goals"] == "learn to lead"


def test_values_typed_inside_the_quoted_form_are_read(default_forms):
    quoted = quote("Role (mentee or mentor): mentee\nFull name: Léa\nAffiliation: McGill\n"
                   "Goals: publish more")

    form = read_form("Here is my form, filled below.\n", quoted, default_forms)

    assert form.role == "mentee"
    assert form.fields == {"name": "Léa", "affiliation": "McGill", "goals": "publish more"}
    assert form.complete


def test_nested_quote_markers_are_removed(default_forms):
    form = read_form("", "> > Role: mentor\n>> Full name: José\n", default_forms)

    assert form.role == "mentor"
    assert form.fields["name"] == "José"


def test_new_text_beats_the_quoted_text(default_forms):
    quoted = quote("Role: mentee\nFull name: Lea G.\nAffiliation: McGill")

    form = read_form("Full name: Léa Gagnon\n", quoted, default_forms)

    assert form.fields["name"] == "Léa Gagnon"
    assert form.fields["affiliation"] == "McGill"


def test_empty_new_value_does_not_erase_a_quoted_one(default_forms):
    form = read_form("Affiliation:\n", quote("Role: mentee\nAffiliation: McGill"), default_forms)

    assert form.fields["affiliation"] == "McGill"


def test_missing_required_fields_are_listed_by_label(default_forms):
    form = read_form("Role: mentee\nFull name: Léa Gagnon\n", "", default_forms)

    assert form.found
    assert form.missing == ["Affiliation", "Goals"]
    assert not form.complete


def test_mentor_needs_expertise_not_goals(default_forms):
    form = read_form("Role: mentor\nName: José\nAffiliation: Mila\n", "", default_forms)

    assert form.missing == ["Expertise"]


def test_unknown_role_is_kept_raw_and_reported_missing(default_forms):
    form = read_form("Role: astronaut\nFull name: Léa\nAffiliation: McGill\n", "", default_forms)

    assert form.role is None
    assert form.role_raw == "astronaut"
    assert form.missing == ["Role"]
    assert form.found and not form.complete


def test_form_without_a_role_line_asks_for_the_role(default_forms):
    form = read_form("Full name: Léa\nAffiliation: McGill\n", "", default_forms)

    assert form.found
    assert form.role is None
    assert form.missing == ["Role"]


def test_ordinary_mail_is_not_a_form(default_forms):
    form = read_form("Hello,\nI would like to know more.\nNote: I am in Montreal.\n", "",
                     default_forms)

    assert not form.found
    assert form.fields == {}


def test_blank_form_quoted_back_untouched_is_not_an_application(default_forms):
    form = read_form("Sorry, wrong button.\n", quote(blank_form(default_forms)), default_forms)

    assert form.fields == {}
    assert not form.found


def test_help_hints_of_the_quoted_form_are_not_taken_as_answers(default_forms):
    text = "Role: mentee\nFull name: Léa Gagnon\nAffiliation: McGill\n"

    form = read_form(text, quote(blank_form(default_forms)), default_forms)

    assert form.missing == ["Goals"]
    assert "self_identification" not in form.fields


def test_our_hint_typed_before_an_answer_is_not_part_of_it(default_forms):
    quoted = ("Role (mentee or mentor): mentee\nFull name: Léa Gagnon\nAffiliation: McGill\n"
              "Goals:   [what you hope to get from the program] learn to lead a lab\n"
              "Prior participation:   [yes or no] no\n")

    form = read_form("Here it is.", quoted, default_forms)

    assert form.fields["goals"] == "learn to lead a lab"
    assert form.fields["prior_participation"] == "no"


def test_answers_written_under_our_quoted_labels_are_read(default_forms):
    whole = ("My answers are inline.\n\nOn Tuesday the program wrote:\n"
             "> Role (mentee or mentor):\n\nMentee\n\n> Full name:\n\nOliver Grant\n\n"
             "> Affiliation:\n\nMcGill University\n\n> Goals:   [what you hope to get]\n\n"
             "Publish my first paper\n\n> Languages:\n>\n")
    quoted = "\n".join(line for line in whole.splitlines() if line.startswith(">"))

    form = read_form("My answers are inline.", quoted, default_forms, whole)

    assert form.role == "mentee"
    assert form.fields == {"name": "Oliver Grant", "affiliation": "McGill University",
                           "goals": "Publish my first paper"}


def test_a_yes_no_field_is_recorded_as_yes_or_no_in_any_language(default_forms):
    for written, recorded in (("Nope", "no"), ("Oui", "yes"), ("non", "no")):
        text = f"Role: mentee\nFull name: Léa\nPrior participation: {written}\n"
        assert read_form(text, "", default_forms).fields["prior_participation"] == recorded


def test_a_number_field_written_in_words_is_recorded_in_digits(default_forms):
    text = "Role: mentor\nFull name: Rania\nNumber of mentees: two\n"

    assert read_form(text, "", default_forms).fields["capacity"] == "2"


def test_a_number_field_that_is_not_one_number_stays_as_written(default_forms):
    text = "Role: mentor\nFull name: Rania\nNumber of mentees: 1 or 2\n"

    assert read_form(text, "", default_forms).fields["capacity"] == "1 or 2"


def test_a_role_naming_both_is_no_role_and_a_problem(default_forms):
    text = "Role: mentor or mentee, whichever is more needed\nFull name: Rania\n"

    form = read_form(text, "", default_forms)

    assert form.role is None and form.problems
