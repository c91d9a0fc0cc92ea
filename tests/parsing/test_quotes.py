"""split_reply: new text, quoted original and signature."""

from __future__ import annotations

from mailflow.parsing.quotes import split_reply
from tests.parsing.corpus import decoded


def test_plain_text_without_quotes_is_all_new():
    reply = split_reply("Yes, count me in.\nSee you Tuesday.")
    assert reply.new_text == "Yes, count me in.\nSee you Tuesday."
    assert reply.quoted == "" and reply.signature == ""


def test_gt_quoted_lines_are_quoted():
    reply = split_reply("Yes.\n\n> Are you in?\n> > Nested question")
    assert reply.new_text == "Yes."
    assert reply.quoted == "> Are you in?\n> > Nested question"


def test_inline_answers_between_quotes_are_new_text():
    text = "> Question one?\nAnswer one.\n> Question two?\nAnswer two.\n"
    assert split_reply(text).new_text == "Answer one.\n\nAnswer two."


def test_english_attribution_is_quoted():
    reply = split_reply("Sure.\n\nOn Mon, 4 Mar 2024 at 10:12, Léa wrote:\n> Meet?")
    assert reply.new_text == "Sure."
    assert reply.quoted.startswith("On Mon, 4 Mar 2024 at 10:12, Léa wrote:")


def test_gmail_attribution_wrapped_over_two_lines_is_quoted():
    reply = split_reply(decoded("gmail_reply_en.eml").text)
    assert "wrote:" not in reply.new_text
    assert reply.quoted.startswith("On Mon, Mar 4, 2024 at 10:12 AM Léa Gagnon")


def test_french_attribution_with_nbsp_before_colon_is_quoted():
    text = "D'accord.\n\nLe lun. 4 mars 2024 à 10:12, Léa <lea@x.example> a écrit\u00a0:\n> Ok ?"
    assert split_reply(text).new_text == "D'accord."


def test_spanish_attribution_is_quoted():
    text = "Perfecto.\n\nEl lun, 4 mar 2024 a las 10:12, José (<jose@x.es>) escribió:\n> ¿Ok?"
    assert split_reply(text).new_text == "Perfecto."


def test_german_attribution_is_quoted():
    text = "Passt.\n\nAm 04.03.2024 um 10:12 schrieb Max Muster <max@x.de>:\n> Ok?"
    assert split_reply(text).new_text == "Passt."


def test_attribution_followed_by_unquoted_original_cuts_everything_after():
    text = "Fine.\n\nOn Mon, 4 Mar 2024, Léa wrote:\n\nHello, would Monday work?\n"
    reply = split_reply(text)
    assert reply.new_text == "Fine."
    assert "would Monday work" in reply.quoted


def test_outlook_original_message_separator_cuts():
    text = "Agreed.\n\n-----Original Message-----\nFrom: Léa\nSent: Monday\nHello"
    reply = split_reply(text)
    assert reply.new_text == "Agreed."
    assert reply.quoted.endswith("Hello")


def test_outlook_underscore_line_with_header_block_cuts():
    text = (
        "Agreed.\n\n________________________________\nFrom: Léa Gagnon <lea@x.example>\n"
        "Sent: Monday, March 4, 2024 10:12 AM\nTo: José\nSubject: Meeting\n\nHello"
    )
    assert split_reply(text).new_text == "Agreed."


def test_french_outlook_header_block_cuts():
    text = (
        "Entendu.\n\nDe : Léa Gagnon <lea@x.example>\nEnvoyé : lundi 4 mars 2024 10:12\n"
        "À : François\nObjet : Réunion\n\nBonjour"
    )
    reply = split_reply(text)
    assert reply.new_text == "Entendu."
    assert reply.quoted.startswith("De : Léa Gagnon")


def test_outlook_html_reply_keeps_only_the_new_text():
    reply = split_reply(decoded("outlook_html_reply_fr.eml").text)
    expected = "Bonjour Léa,\n\nJe confirme ma participation au programme de mentorat."
    assert reply.new_text == expected
    assert reply.signature == "Cordialement,\nFrançois Lefèvre"


def test_apple_begin_forwarded_message_cuts():
    reply = split_reply("FYI\n\nBegin forwarded message:\n\nFrom: Sam\nSubject: Hi\n\nHello")
    assert reply.new_text == "FYI"


def test_thunderbird_message_d_origine_separator_cuts():
    text = "Voir ci-dessous.\n\n-------- Message d'origine --------\nSujet : Bonjour\nbody"
    assert split_reply(text).new_text == "Voir ci-dessous."


def test_thunderbird_original_message_separator_cuts():
    text = "See below.\n\n-------- Original Message --------\nSubject: Hi\nbody"
    assert split_reply(text).new_text == "See below."


def test_dash_dash_space_signature_is_split_off():
    reply = split_reply(decoded("thunderbird_reply_en.eml").text)
    assert reply.signature == "--\nFrançois Lefèvre\nSenior engineer, Acme"
    assert "Senior engineer" not in reply.new_text


def test_sent_from_my_iphone_is_a_signature():
    reply = split_reply("Yes.\n\nSent from my iPhone")
    assert reply.new_text == "Yes."
    assert reply.signature == "Sent from my iPhone"


def test_french_iphone_signature_is_split_off():
    reply = split_reply(decoded("apple_iphone_reply_fr.eml").text)
    assert reply.new_text == "Oui, mercredi me convient parfaitement. Merci pour l’organisation !"
    assert reply.signature == "Envoyé de mon iPhone"


def test_outlook_mobile_signatures_are_split_off():
    for line in ("Get Outlook for iOS", "Sent from Outlook for Android", "Enviado desde mi iPhone"):
        assert split_reply(f"Ok.\n\n{line}").signature == line


def test_sign_off_followed_by_name_and_title_is_a_signature():
    reply = split_reply("I accept.\n\nBest regards,\nLéa Gagnon\nProgram coordinator")
    assert reply.new_text == "I accept."
    assert reply.signature == "Best regards,\nLéa Gagnon\nProgram coordinator"


def test_french_and_spanish_sign_offs_are_signatures():
    assert split_reply("Oui.\n\nBien à vous,\nFrançois").new_text == "Oui."
    assert split_reply("Sí.\n\nUn saludo,\nJosé").new_text == "Sí."


def test_sign_off_followed_by_long_text_is_kept():
    text = "Ok.\n\nThanks,\nbut I also wanted to ask whether we could move the meeting to Friday?"
    assert split_reply(text).new_text == text


def test_sign_off_followed_by_too_many_lines_is_kept():
    text = "Ok.\n\nCheers,\na\nb\nc\nd\ne"
    assert split_reply(text).new_text == text


def test_lone_sign_off_message_is_kept():
    assert split_reply("Thanks,\nLéa").new_text == "Thanks,\nLéa"


def test_forwarded_rfc822_text_is_quoted():
    reply = split_reply(decoded("forward_attached_rfc822.eml").text)
    assert reply.new_text == "Please see the question below from my mentee."
    assert "Thursday" in reply.quoted


def test_a_header_block_beginning_with_gesendet_starts_the_original():
    text = ("Hallo,\n\nja! Vorgestern hatten wir unser erstes Gespräch.\n\nLG Hannah\n\n"
            "Gesendet: Mittwoch, 17. März 2027 um 14:00 Uhr\n"
            "Von: \"Northlake Mentorship Program\" <mentorship@northlake.example.org>\n"
            "An: \"Hannah Schmidt\" <hannah@example.de>\nBetreff: Have you met?\n"
            "> Hello Hannah,\n")

    reply = split_reply(text)

    assert "Gesendet" not in reply.new_text and reply.new_text.endswith("LG Hannah")


def test_a_date_line_in_the_text_without_a_sender_below_is_not_a_header_block():
    text = "Hi,\n\nDate: tomorrow at 10\nPlace: the station\nSee you."

    assert split_reply(text).new_text == text
