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

    assert form.fields["prior_participation"] == "oui"


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
