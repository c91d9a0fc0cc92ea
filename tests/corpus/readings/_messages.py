"""The messages of the reading corpus and their expectations (used by make_corpus.py)."""

# ruff: noqa: E501

from __future__ import annotations

from types import ModuleType

P = "mentorship@northlake.example.org"
SOFIA, SOPHIE, CHEN = "sofia.rossi@example.org", "sophie.ross@example.com", "chen.wei@example.com"
JOSE, FRANCOIS, MARC = "jose.martinez@example.es", "francois.lefevre@example.fr", "marc.dupont@example.fr"
AICHA, HANNAH, OLIVIER = "aicha.benali@example.org", "hannah.okafor@example.com", "olivier.cote@example.ca"
RACHEL = "rachel.kim@example.org"
LEA, NOAH, CAMILLE, ANA = "lea.gagnon@example.com", "noah.smith@example.com", "camille.roy@example.ca", "ana.garcia@example.es"
TOMAS, PRIYA, ELODIE = "tomas.ortega@example.com", "priya.natarajan@example.org", "elodie.martin@example.fr"
LUCAS, EMILY, MATHIEU = "lucas.bernard@example.fr", "emily.chen@example.com", "mathieu.girard@example.ca"
SARAH, YASMINE = "sarah.johnson@example.org", "yasmine.haddad@example.fr"
CLAIRE, TREMBLAY = "claire.dubois@northlake.example.org", "marc.tremblay@northlake.example.org"


def build(m: ModuleType) -> None:
    _choices(m)
    _meetings(m)
    _surveys(m)
    _applications(m)
    _coordinators(m)
    _bounces(m)
    _automatic(m)
    _forwards_and_misc(m)


# ----------------------------------------------------------------------------- choices


def _choices(m: ModuleType) -> None:
    it = m.sent("choices", NOAH)
    m.add("gmail-en-choices-numbered.eml", m.gmail(
        sender=NOAH, to=P, item=it, subject="Re: Choose your mentors",
        new="Hi,\n\nHere are my choices:\n\n1. Sofia Rossi\n2. Chen Wei\n3. Rachel Kim\n\nThanks!\nNoah"),
        "choices", NOAH, choices=[SOFIA, CHEN, RACHEL], answers=it,
        contains=["1. Sofia Rossi"], excludes=["Hannah Okafor", "wrote:"])

    it = m.sent("choices", PRIYA)
    m.add("gmail-en-choices-one-line.eml", m.gmail(
        sender=PRIYA, to=P, item=it, subject="Re: Choose your mentors", msgid="CAGk2mQw7Yx1Hb9T",
        new="My choices in order: Chen Wei, Hannah Okafor, José Martínez.\n\nBest,\nPriya"),
        "choices", PRIYA, choices=[CHEN, HANNAH, JOSE], answers=it,
        contains=["Chen Wei, Hannah Okafor"], excludes=["Rachel Kim"])

    it = m.sent("choices", LEA)
    m.add("outlook-fr-html-only-choices-1er-choix.eml", m.outlook_html(
        sender=LEA, to=P, item=it, lang="fr", subject="RE: Choisissez vos mentors",
        new="Bonjour,\n\n1er choix : François Lefèvre\n2e choix : Aïcha Benali\n3e choix : Olivier Côté\n\nCordialement,\nLéa Gagnon"),
        "choices", LEA, choices=[FRANCOIS, AICHA, OLIVIER], answers=it,
        contains=["1er choix : François Lefèvre"], excludes=["Rachel Kim", "Objet"])

    it = m.sent("choices", CAMILLE)
    m.add("apple-fr-iphone-choices-no-accents.eml", m.apple(
        sender=CAMILLE, to=P, item=it, lang="fr", subject="Re: Choisissez vos mentors",
        new="Bonjour\n1. Francois Lefevre\n2. Aicha Benali\n3. Olivier Cote\nMerci !"),
        "choices", CAMILLE, choices=[FRANCOIS, AICHA, OLIVIER], answers=it,
        contains=["Francois Lefevre"], excludes=["Envoyé de mon iPhone", "Rachel Kim"])

    it = m.sent("choices", TOMAS)
    m.add("thunderbird-en-choices-typos.eml", m.thunderbird(
        sender=TOMAS, to=P, item=it, subject="Re: Choose your mentors",
        new="Hello,\n\n1) Hanna Okafor\n2) Rachel Kimm\n3) Chen Wei\n\nregards,\nTomás"),
        "choices", TOMAS, choices=[HANNAH, RACHEL, CHEN], answers=it,
        contains=["Hanna Okafor"], excludes=["Sofia Rossi"],
        note="one-letter typos in two unambiguous names")

    it = m.sent("choices", ANA)
    m.add("gmail-en-choices-ambiguous-sofi-ross.eml", m.gmail(
        sender=ANA, to=P, item=it, subject="Re: Choose your mentors", msgid="CAP4sLq0Zr8Wn2Ue",
        new="Hello!\n\n1. Sofi Ross\n2. Chen Wei\n3. José Martínez\n\nAna"),
        "choices", ANA, review=True, answers=it, contains=["Sofi Ross"],
        note="'Sofi Ross' is as close to Sofia Rossi as to Sophie Ross: must be asked, not guessed")

    it = m.sent("choices", SARAH)
    m.add("outlook-en-html-only-choices-unknown-name.eml", m.outlook_html(
        sender=SARAH, to=P, item=it, subject="RE: Choose your mentors",
        new="Hi,\n\nMy preferences:\n1. Rachel Kim\n2. Dr. Peter Novak\n3. Hannah Okafor\n\nSarah"),
        "choices", SARAH, review=True, answers=it, contains=["Peter Novak"],
        note="Peter Novak is not a mentor of the program")

    it = m.sent("choices", EMILY)
    m.add("gmail-en-choices-name-in-signature.eml", m.gmail(
        sender=EMILY, to=P, item=it, subject="Re: Choose your mentors", msgid="CAE9tRw1Kp3Nx5Vb",
        new="Hi there,\n\n1. Sophie Ross\n2. Marc Dupont\n3. Rachel Kim\n\nThank you,\n--\nEmily Chen\nResearch assistant, Sofia Rossi Lab\nUniversité de Montréal"),
        "choices", EMILY, choices=[SOPHIE, MARC, RACHEL], answers=it,
        contains=["1. Sophie Ross"], excludes=["Sofia Rossi Lab"],
        note="Sofia Rossi appears only in the signature and the quote")

    it = m.sent("choices", ELODIE)
    m.add("gmail-fr-choices-top-posted-signature.eml", m.gmail(
        sender=ELODIE, to=P, item=it, lang="fr", subject="Re: Choisissez vos mentors",
        msgid="CAFr7mPo2Qw9Lk1J",
        new="Bonjour,\n\nVoici mes choix :\n1. Marc Dupont\n2. Aïcha Benali\n3. François Lefèvre\n\nMerci beaucoup !\nÉlodie\n-- \nÉlodie Martin\nDoctorante, Laboratoire d'informatique de Lyon"),
        "choices", ELODIE, choices=[MARC, AICHA, FRANCOIS], answers=it,
        contains=["1. Marc Dupont"], excludes=["Laboratoire d'informatique", "a écrit"])

    it = m.sent("choices", MATHIEU)
    m.add("apple-en-mac-choices-below-quote.eml", m.apple(
        sender=MATHIEU, to=P, item=it, phone=False, below=True, subject="Re: Choisissez vos mentors",
        quoted_text=it["text"], lang="fr",
        new="Bonjour,\n\n1. Olivier Côté\n2. Sofia Rossi\n3. Marc Dupont\n\nMathieu"),
        "choices", MATHIEU, choices=[OLIVIER, SOFIA, MARC], answers=it,
        contains=["1. Olivier Côté"], excludes=["Rachel Kim"])

    m.add("outlook-en-choices-no-token.eml", m.outlook_html(
        sender=SARAH, to=P, subject="My mentor choices", msgid="YT3PR01MB7711A0B1C2D3E4F5A6B7C8D9E0F1A2B3@YT3PR01MB7711.CANPRD01",
        new="Hello,\n\nSorry for the delay. My three choices are Hannah Okafor, Rachel Kim and Chen Wei, in that order.\n\nBest regards,\nSarah Johnson"),
        "choices", SARAH, choices=[HANNAH, RACHEL, CHEN],
        contains=["Hannah Okafor, Rachel Kim and Chen Wei"])

    noah = m.sent("choices", NOAH)
    m.add("gmail-en-choices-token-of-someone-else.eml", m.gmail(
        sender=YASMINE, to=P, item=noah, subject="Re: Choose your mentors", msgid="CAYh3kLm8Nq2Rt6W",
        new="Hi, Noah forwarded me this. My choices: 1. Aïcha Benali 2. Marc Dupont 3. Sofia Rossi\n\nYasmine"),
        "choices", YASMINE, review=True,
        note="the reply address was issued to Noah: not attributed by token, reviewed")

    it = m.sent("choices", LUCAS)
    m.add("thunderbird-fr-choices-ordinal-words.eml", m.thunderbird(
        sender=LUCAS, to=P, item=it, lang="fr", subject="Re: Choisissez vos mentors",
        new="Bonjour,\n\nPremier choix : marc dupont\nDeuxième choix : AÏCHA BENALI\nTroisième choix : olivier côté\n\nBien à vous,\nLucas"),
        "choices", LUCAS, choices=[MARC, AICHA, OLIVIER], answers=it,
        contains=["Premier choix : marc dupont"], excludes=["Rachel Kim"])

    it = m.sent("choices", YASMINE)
    m.add("gmail-fr-choices-surnames-only.eml", m.gmail(
        sender=YASMINE, to=P, item=it, lang="fr", subject="Re: Choisissez vos mentors",
        msgid="CAYs0pQr4Tn7Mx2K",
        new="Bonjour,\nDans l'ordre : Benali, Lefèvre, Okafor.\nMerci,\nYasmine"),
        "choices", YASMINE, choices=[AICHA, FRANCOIS, HANNAH], answers=it,
        contains=["Benali, Lefèvre, Okafor"])

    it = m.sent("choices", ANA)
    m.add("thunderbird-en-choices-inline-below-quote.eml", m.thunderbird(
        sender=ANA, to=P, item=it, subject="Re: Choose your mentors", msgid="0b6f2c1e-aa31-4f0e-9d1c-5e8a7b6c4d3e",
        new="", inline=(
            "> Hello Ana,\n>\n> The mentors of this year's program are listed below. Please reply to this message with your three\n"
            "> preferred mentors, in order of preference (1 = first choice).\n\n"
            "1. Sophie Ross (not Sofia, sorry about my last mail)\n2. Chen Wei\n3. José Martínez\n\n"
            "> - Sofia Rossi (Université de Montréal) - machine learning\n> - Sophie Ross (Hydro-Québec) - power systems\n")),
        "choices", ANA, choices=[SOPHIE, CHEN, JOSE], answers=it,
        contains=["1. Sophie Ross"], excludes=["machine learning"])

    it = m.sent("choices", PRIYA)
    m.add("protonmail-en-choices-two-only.eml", m.gmail(
        sender=PRIYA, to=P, item=it, subject="Re: Choose your mentors", msgid="pm-5Yq1uTz0Wc",
        new="Hello,\n\nCorrection to my earlier message, my choices are:\n1. Hannah Okafor\n2. Chen Wei\n3. José Martínez\n\nSent with Proton Mail secure email."),
        "choices", PRIYA, choices=[HANNAH, CHEN, JOSE], answers=it, contains=["1. Hannah Okafor"])

    it = m.sent("choices", LEA)
    m.add("outlook-fr-choices-mislabelled-latin1.eml", m.outlook_html(
        sender=LEA, to=P, item=it, lang="fr", subject="RE: Choisissez vos mentors", charset="iso-8859-1",
        msgid="YT3PR01MB4410F1E2D3C4B5A6978899AABBCCDDEE@YT3PR01MB4410.CANPRD01",
        new="Correction : 1. Aïcha Benali 2. François Lefèvre 3. Olivier Côté\n\nLéa",
        ).replace(b'charset="iso-8859-1"\nContent-Transfer', b'charset="utf-8"\nContent-Transfer'),
        "choices", LEA, choices=[AICHA, FRANCOIS, OLIVIER], answers=it,
        contains=["Benali"], note="Latin-1 bytes labelled utf-8 (a misconfigured gateway)")


# ----------------------------------------------------------------------------- meetings


def _meetings(m: ModuleType) -> None:
    it = m.sent("meeting", NOAH)
    m.add("gmail-en-meeting-yes-date.eml", m.gmail(
        sender=NOAH, to=P, item=it, subject="Re: Have you met your mentor?", msgid="CAJx9Lm2Wq4Zp7Tn",
        date="Mon, 15 Mar 2027 08:30:00 -0400",
        new="Yes, we met on March 12 at the library. It went really well.\n\nNoah"),
        "meeting", NOAH, meeting={"met": True, "date": "2027-03-12"}, answers=it,
        contains=["we met on March 12"], excludes=["Have you met your mentor yet"])

    it = m.sent("meeting", LEA)
    m.add("outlook-fr-html-only-meeting-yes.eml", m.outlook_html(
        sender=LEA, to=P, item=it, lang="fr", subject="RE: Avez-vous rencontré votre mentor ?",
        date="Wed, 10 Mar 2027 15:02:11 +0000",
        new="Bonjour,\n\nOui, nous nous sommes rencontrés le 9 mars, au café du pavillon.\n\nBonne journée,\nLéa"),
        "meeting", LEA, meeting={"met": True, "date": "2027-03-09"}, answers=it,
        contains=["le 9 mars"], excludes=["Avez-vous rencontré"])

    it = m.sent("meeting", TOMAS)
    m.add("apple-en-iphone-meeting-no.eml", m.apple(
        sender=TOMAS, to=P, item=it, subject="Re: Have you met your mentor?",
        new="Not yet, she has been travelling. We plan to meet next month."),
        "meeting", TOMAS, meeting={"met": False, "date": None}, answers=it,
        contains=["Not yet"], excludes=["Sent from my iPhone"])

    it = m.sent("meeting", PRIYA)
    m.add("gmail-en-meeting-yesterday.eml", m.gmail(
        sender=PRIYA, to=P, item=it, subject="Re: Have you met your mentor?", msgid="CAPn3Qs8Vb1Kx0Yz",
        date="Tue, 16 Mar 2027 09:14:00 -0400",
        new="Yes! We met yesterday over video call."),
        "meeting", PRIYA, meeting={"met": True, "date": "2027-03-15"}, answers=it,
        contains=["We met yesterday"])

    it = m.sent("meeting", CAMILLE)
    m.add("thunderbird-fr-meeting-hier.eml", m.thunderbird(
        sender=CAMILLE, to=P, item=it, lang="fr", subject="Re: Avez-vous rencontré votre mentor ?",
        date="Thu, 11 Mar 2027 20:41:09 -0500",
        new="Bonsoir,\n\nOui, on s'est vus hier pour la première fois. Très bonne rencontre !\n\nCamille"),
        "meeting", CAMILLE, meeting={"met": True, "date": "2027-03-10"}, answers=it,
        contains=["on s'est vus hier"])

    it = m.sent("meeting", ELODIE)
    m.add("outlook-fr-html-only-meeting-non.eml", m.outlook_html(
        sender=ELODIE, to=P, item=it, lang="fr", subject="RE: Avez-vous rencontré votre mentor ?",
        new="Bonjour,\n\nNon, pas encore. Mon mentor ne m'a pas encore répondu.\n\nCordialement,\nÉlodie Martin"),
        "meeting", ELODIE, meeting={"met": False, "date": None}, answers=it,
        contains=["Non, pas encore"], excludes=["« oui »"])

    it = m.sent("meeting", LUCAS)
    m.add("apple-fr-iphone-meeting-oui-date.eml", m.apple(
        sender=LUCAS, to=P, item=it, lang="fr", subject="Re: Avez-vous rencontré votre mentor ?",
        date="Fri, 5 Mar 2027 12:10:00 +0100",
        new="Oui ! Nous nous sommes vus le mardi 2 mars, c'était très bien."),
        "meeting", LUCAS, meeting={"met": True, "date": "2027-03-02"}, answers=it,
        contains=["mardi 2 mars"], excludes=["Envoyé de mon iPhone"])

    it = m.sent("meeting", SARAH)
    m.add("gmail-en-meeting-yes-no-date.eml", m.gmail(
        sender=SARAH, to=P, item=it, subject="Re: Have you met your mentor?", msgid="CAS7hWq2Lm5Zx9Pk",
        new="Yes, we met last week and it went great. Thanks for setting this up!\n\nSarah"),
        "meeting", SARAH, meeting={"met": True, "date": None}, answers=it,
        contains=["we met last week"], note="'last week' is not a date")

    it = m.sent("meeting", MATHIEU)
    m.add("thunderbird-fr-meeting-numeric-date.eml", m.thunderbird(
        sender=MATHIEU, to=P, item=it, lang="fr", subject="Re: Avez-vous rencontré votre mentor ?",
        new="Bonjour,\nOui, le 08/03/2027.\nMathieu"),
        "meeting", MATHIEU, meeting={"met": True, "date": "2027-03-08"}, answers=it,
        contains=["le 08/03/2027"])

    it = m.sent("meeting", EMILY)
    m.add("outlook-en-html-only-meeting-yes-only.eml", m.outlook_html(
        sender=EMILY, to=P, item=it, subject="RE: Have you met your mentor?",
        new="Yes"),
        "meeting", EMILY, meeting={"met": True, "date": None}, answers=it,
        contains=["Yes"], excludes=["or \"no\""], note="the 'no' of the quoted question must not count")

    it = m.sent("meeting", YASMINE)
    m.add("gmail-fr-meeting-oui-date-below-attribution.eml", m.gmail(
        sender=YASMINE, to=P, item=it, lang="fr", subject="Re: Avez-vous rencontré votre mentor ?",
        msgid="CAYm1Pq7Ks3Lw0Nv", date="Mon, 22 Mar 2027 10:00:00 +0100",
        new="Bonjour,\n\nOui, nous nous sommes rencontrées le 18 mars en visio.\n\nYasmine"),
        "meeting", YASMINE, meeting={"met": True, "date": "2027-03-18"}, answers=it,
        contains=["le 18 mars"])

    for name, partstat, meeting in (
        ("outlook-en-ical-reply-accepted.eml", "ACCEPTED", {"met": False, "date": "2027-03-18"}),
        ("outlook-en-ical-reply-declined.eml", "DECLINED", {"met": False, "date": None}),
    ):
        verb = "Accepted" if partstat == "ACCEPTED" else "Declined"
        boundary = "_000_YT3PR01MB88420A1B2C3D4E5F6A7B8C9D0E1FYT3PR01MB8842CANP_"
        cal = (
            "BEGIN:VCALENDAR\nMETHOD:REPLY\nPRODID:Microsoft Exchange Server 2010\nVERSION:2.0\n"
            "BEGIN:VEVENT\nATTENDEE;PARTSTAT=" + partstat + ";CN=Noah Smith:mailto:noah.smith@example.com\n"
            "SUMMARY;LANGUAGE=en-US:" + verb + ": Mentorship meeting - Noah / Chen\n"
            "DTSTART:20270318T190000Z\nDTEND:20270318T200000Z\n"
            "UID:040000008200E00074C5B7101A82E00800000000B0D1E2F3A4B5DB010000000000000000100000001\n"
            "ORGANIZER;CN=Chen Wei:mailto:chen.wei@example.com\nDTSTAMP:20270310T143002Z\nSEQUENCE:0\n"
            "END:VEVENT\nEND:VCALENDAR\n")
        raw = (
            m.envelope(NOAH, P, "Wed, 10 Mar 2027 14:30:02 +0000",
                       helo="CAN01-YT3-obe.outbound.protection.outlook.com", ip="40.107.115.92")
            + f"From: Noah Smith <{NOAH}>\nTo: Chen Wei <{CHEN}>\nCC: {m.PROGRAM_NAME} <{P}>\n"
            f"Subject: {verb}: Mentorship meeting - Noah / Chen\n"
            "Thread-Topic: Mentorship meeting - Noah / Chen\nDate: Wed, 10 Mar 2027 14:30:02 +0000\n"
            f"Message-ID: <YT3PR01MB8842{partstat}0A1B2C3D@YT3PR01MB8842.CANPRD01.prod.outlook.com>\n"
            "Content-Language: en-US\nX-MS-Has-Attach:\nX-MS-TNEF-Correlator:\n"
            f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"\nMIME-Version: 1.0\n\n'
            f"--{boundary}\nContent-Type: text/plain; charset=\"us-ascii\"\n\n\n"
            f"--{boundary}\nContent-Type: text/calendar; charset=\"utf-8\"; method=REPLY\n"
            f"Content-Transfer-Encoding: base64\n\n{m.b64(cal)}\n--{boundary}--\n")
        m.add(name, raw, "meeting", NOAH, meeting=meeting,
              note="calendar REPLY from the mentee to the mentor's invitation, program in Cc")


# ----------------------------------------------------------------------------- surveys


def _surveys(m: ModuleType) -> None:
    it = m.sent("survey", NOAH)
    m.add("gmail-en-survey-numbered.eml", m.gmail(
        sender=NOAH, to=P, item=it, subject="Re: Mid-program survey", msgid="CAJx2Sv9Rq1Lp4Mn",
        new="1. 5\n2. 3 times\n3. Yes\n4. Chen is a great mentor, thank you for the match.\n\nNoah"),
        "survey", NOAH, answers=it, survey={"1": "5", "2": "3 times", "3": "Yes",
                                           "4": "Chen is a great mentor, thank you for the match."},
        contains=["2. 3 times"], excludes=["How satisfied"])

    it = m.sent("survey", TOMAS)
    inline = ("> Hello Tomás,\n>\n> Please answer these questions by number in your reply:\n>\n"
              "> 1. How satisfied are you with your mentor (1 to 5)?\n\n4\n\n"
              "> 2. How many times have you met so far?\n\nTwice\n\n"
              "> 3. Would you take part in the program again (yes/no)?\n\nyes\n\n"
              "> 4. Anything you would like the coordinators to know?\n\nNo, all good.\n\n"
              "> The Northlake Mentorship Program\n")
    m.add("thunderbird-en-survey-under-quoted-questions.eml", m.thunderbird(
        sender=TOMAS, to=P, item=it, subject="Re: Mid-program survey", new="", inline=inline),
        "survey", TOMAS, answers=it, survey={"1": "4", "2": "Twice", "3": "yes", "4": "No, all good."},
        contains=["Twice"], excludes=["How satisfied"])

    it = m.sent("survey", LEA)
    m.add("outlook-fr-html-only-survey.eml", m.outlook_html(
        sender=LEA, to=P, item=it, lang="fr", subject="RE: Questionnaire de mi-parcours",
        new="Bonjour,\n\n1. 4\n2. Deux fois\n3. Oui\n4. Il faudrait plus d'activités de groupe.\n\nCordialement,\nLéa"),
        "survey", LEA, answers=it, survey={"1": "4", "2": "Deux fois", "3": "Oui",
                                          "4": "Il faudrait plus d'activités de groupe."},
        contains=["2. Deux fois"], excludes=["Combien de fois"])

    it = m.sent("survey", PRIYA)
    m.add("apple-en-iphone-survey-partial.eml", m.apple(
        sender=PRIYA, to=P, item=it, subject="Re: Mid-program survey",
        new="1 - 4\n3 - no, I am graduating"),
        "survey", PRIYA, answers=it, survey={"1": "4", "3": "no, I am graduating"},
        contains=["3 - no"], excludes=["How many times"])

    it = m.sent("survey", CAMILLE)
    inline_fr = ("> 1. Êtes-vous satisfait(e) de votre mentor (de 1 à 5) ?\n5\n"
                 "> 2. Combien de fois vous êtes-vous rencontrés jusqu'ici ?\n3\n"
                 "> 3. Participeriez-vous de nouveau au programme (oui/non) ?\nOui, sans hésiter\n"
                 "> 4. Souhaitez-vous faire part d'autre chose aux coordinateurs ?\nMerci pour tout !\n")
    m.add("thunderbird-fr-survey-inline.eml", m.thunderbird(
        sender=CAMILLE, to=P, item=it, lang="fr", subject="Re: Questionnaire de mi-parcours",
        new="", inline=inline_fr),
        "survey", CAMILLE, answers=it, survey={"1": "5", "2": "3", "3": "Oui, sans hésiter",
                                              "4": "Merci pour tout !"},
        contains=["Oui, sans hésiter"], excludes=["Combien de fois"])

    it = m.sent("survey", SARAH)
    m.add("gmail-en-survey-with-signature.eml", m.gmail(
        sender=SARAH, to=P, item=it, subject="Re: Mid-program survey", msgid="CAS1vYr6Kq0Wm3Lt",
        new="Hi,\n\n1) 3\n2) Once\n3) Maybe\n4) Our schedules rarely match.\n\nKind regards,\nSarah Johnson\nPhD candidate, Dept. of Chemistry\n+1 514 555 0199"),
        "survey", SARAH, answers=it, survey={"1": "3", "2": "Once", "3": "Maybe",
                                            "4": "Our schedules rarely match."},
        contains=["2) Once"], excludes=["+1 514 555 0199"])


# ----------------------------------------------------------------------------- applications


def _applications(m: ModuleType) -> None:
    jordan = "jordan.lee@example.net"
    it = m.sent("form", jordan, "en")
    m.add("gmail-en-application-filled-form.eml", m.gmail(
        sender=jordan, name="Jordan Lee", to=P, item=it, msgid="CAJl5Fq8Wn2Xr7Pm",
        subject="Re: Your application to the Northlake Mentorship Program",
        new="Hello,\n\nRole (mentee or mentor): mentee\nFull name: Jordan Lee\nAffiliation: Concordia University\nLanguages: English, some French\nGoals (mentees): find my way into research software engineering\n\nThanks,\nJordan"),
        "application", None, answers=it, contains=["Full name: Jordan Lee"],
        excludes=["Thank you for your interest"])

    amelie = "amelie.fortin@example.qc.ca"
    it = m.sent("form", amelie, "fr")
    m.add("outlook-fr-html-only-application-mentor.eml", m.outlook_html(
        sender=amelie, name="Amélie Fortin", to=P, item=it, lang="fr",
        subject="RE: Votre candidature au programme de mentorat Northlake",
        new="Bonjour,\n\nRôle : mentor\nNom complet : Amélie Fortin\nLaboratoire : Laboratoire de génie logiciel, ÉTS\nLangues : français, anglais\nDomaines d'expertise : tests logiciels, qualité\n\nAmélie"),
        "application", None, answers=it, contains=["Nom complet : Amélie Fortin"])

    kwame = "kwame.mensah@example.net"
    it = m.sent("form", kwame, "en")
    m.add("thunderbird-en-application-typed-inside-quote.eml", m.thunderbird(
        sender=kwame, name="Kwame Mensah", to=P, item=it,
        subject="Re: Your application to the Northlake Mentorship Program", new="", inline=(
            "> Hello,\n>\n> Thank you for your interest in the Northlake Mentorship Program. To apply, reply to this\n"
            "> message and fill in the form below.\n>\n"
            "> Role (mentee or mentor): mentor\n> Full name: Kwame Mensah\n> Affiliation: Ubisoft Montréal\n"
            "> Languages: English, French\n> Goals (mentees):\n> Expertise (mentors): game engines, C++\n>\n"
            "> The Northlake Mentorship Program\n\nDone, see above.\n\nKwame\n")),
        "application", None, answers=it, contains=["Done, see above."])

    ines = "ines.moreau@example.fr"
    it = m.sent("form", ines, "fr")
    m.add("apple-fr-iphone-application-mentee.eml", m.apple(
        sender=ines, name="Inès Moreau", to=P, item=it, lang="fr",
        subject="Re: Votre candidature au programme de mentorat Northlake",
        new="Rôle (mentoré ou mentor) : mentorée\nNom complet : Inès Moreau\nLaboratoire : LIRIS, Lyon\nObjectifs : préparer une candidature postdoctorale"),
        "application", None, answers=it, contains=["Nom complet : Inès Moreau"])

    m.add("gmail-en-application-first-message.eml", m.gmail(
        sender="d.okonkwo@example.net", name="Daniel Okonkwo", to=P, subject="Application - mentee",
        msgid="CADo4Hq1Xw8Lm2Rt",
        new="Hello,\n\nI would like to apply as a mentee.\n\nRole: mentee\nFull name: Daniel Okonkwo\nAffiliation: University of Ottawa\nGoals: get advice on finishing my thesis\n\nBest regards,\nDaniel"),
        "application", None, contains=["Full name: Daniel Okonkwo"])

    m.add("gmail-en-application-incomplete.eml", m.gmail(
        sender="mei.tanaka@example.net", name="Mei Tanaka", to=P, subject="Mentorship application",
        msgid="CAMt7Kq2Lp9Wx4Zn",
        new="Hi!\n\nRole: mentor\nFull name: Mei Tanaka\n\nI will send the rest later.\nMei"),
        "application", None, contains=["Full name: Mei Tanaka"],
        note="a mentor form missing Affiliation and Expertise: still an application (missing listed)")

    m.add("gmail-en-stranger-inquiry.eml", m.gmail(
        sender="alex.p@example.net", name="Alex Petrov", to=P, subject="How do I join?",
        msgid="CAAp3Tq5Wm1Lx8Kv",
        new="Hi,\n\nA friend told me about the mentorship program. How can I join as a mentee?\n\nThanks,\nAlex"),
        "unknown", None, contains=["How can I join"])

    m.add("outlook-en-html-only-stranger-question.eml", m.outlook_html(
        sender="j.walsh@example.co.uk", name="Walsh, Jennifer", to=P, subject="Mentoring question",
        msgid="LO2P265MB5123A1B2C3D4E5F6A7B8C9D0E1F2A3B4@LO2P265MB5123.GBRP265",
        new="Dear Sir or Madam,\n\nIs the programme open to people working in industry, or only to academics?\n\nKind regards\nJennifer Walsh"),
        "unknown", None, contains=["open to people working in industry"])

    m.add("gmail-fr-stranger-premier-message.eml", m.gmail(
        sender="hugo.lambert@example.fr", name="Hugo Lambert", to=P, lang="fr",
        subject="Inscription au programme de mentorat", msgid="CAHl8Rq0Tw3Mn6Pk",
        new="Bonjour,\n\nJe suis doctorant en 2e année et je voudrais participer au programme comme mentoré. Comment faire ?\n\nMerci d'avance,\nHugo"),
        "unknown", None, contains=["Comment faire"])

    m.add("gmail-en-application-base64.eml", m.gmail(
        sender="s.gupta@example.net", name="Sanjay Gupta", to=P, subject="Mentor application",
        msgid="CASg6Lq3Wp0Xn9Mr", cte="base64",
        new="Role: mentor\nFull name: Sanjay Gupta\nAffiliation: Element AI alumni\nExpertise: reinforcement learning\nNumber of mentees: 2\n\nSanjay"),
        "application", None, contains=["Full name: Sanjay Gupta"])


# ----------------------------------------------------------------------------- coordinators


def _coordinators(m: ModuleType) -> None:
    def coord(sender: str, name: str, auth: str, helo: str, ip: str, subject: str, body: str,
              to: str, cc: str, extra: str = "") -> str:
        return (
            f"Return-Path: <{sender}>\nDelivered-To: {P}\n"
            + auth + m.received(helo, ip, "Mon, 8 Mar 2027 09:12:44 -0500", P)
            + f"From: {name} <{sender}>\nTo: {to}\nCc: {cc}\nSubject: {subject}\n"
            "Date: Mon, 8 Mar 2027 09:12:40 -0500\n"
            f"Message-ID: <c0{abs(hash(subject)) % 10**8}@northlake.example.org>\n"
            f"{extra}MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
            f"Content-Transfer-Encoding: 8bit\n\n{body}")

    intro = ("Hello Noah, hello Chen,\n\nI am happy to introduce you to each other: Chen will be "
             "Noah's mentor this year. Please arrange a first meeting in the next two weeks.\n\n"
             "Best,\nClaire Dubois\nCoordinator, Northlake Mentorship Program\n")
    good = ("Authentication-Results: mx.northlake.example.org;\n\tdkim=pass header.d=northlake.example.org "
            "header.s=2027 header.b=Ab12Cd34;\n\tspf=pass smtp.mailfrom=northlake.example.org;\n"
            "\tdmarc=pass (p=REJECT) header.from=northlake.example.org\n")
    m.add("thunderbird-en-coordinator-verified-cc-intro.eml", coord(
        CLAIRE, "Claire Dubois", good, "smtp.northlake.example.org", "192.0.2.25",
        "Introduction: Noah Smith / Chen Wei", intro, f"Noah Smith <{NOAH}>, Chen Wei <{CHEN}>",
        f"{m.PROGRAM_NAME} <{P}>", "User-Agent: Mozilla Thunderbird\n"),
        "coordinator_cc", None, authenticated=True, contains=["introduce you to each other"])

    dkim_only = ("Authentication-Results: mx.northlake.example.org;\n\tdkim=pass (2048-bit key) "
                 "header.d=northlake.example.org header.i=@northlake.example.org header.b=Zx9Yw8;\n"
                 "\tspf=softfail smtp.mailfrom=northlake.example.org\n")
    m.add("outlook-fr-coordinator-verified-dkim.eml", coord(
        TREMBLAY, "Marc Tremblay", dkim_only, "CAN01-QB1-obe.outbound.protection.outlook.com", "40.107.66.12",
        "Présentation : Léa Gagnon / François Lefèvre",
        "Bonjour Léa, bonjour François,\n\nJe vous présente l'un à l'autre : François sera le mentor de Léa cette année.\n\nCordialement,\nMarc Tremblay\n",
        f"=?UTF-8?Q?L=C3=A9a_Gagnon?= <{LEA}>, =?UTF-8?Q?Fran=C3=A7ois_Lef=C3=A8vre?= <{FRANCOIS}>",
        f"<{P}>", "X-Mailer: Microsoft Outlook 16.0\n"),
        "coordinator_cc", None, authenticated=True, contains=["Je vous présente"])

    spoofed = ("Authentication-Results: mx.northlake.example.org;\n\tdkim=none;\n"
               "\tspf=fail (mx.northlake.example.org: domain of claire.dubois@northlake.example.org does "
               "not designate 203.0.113.66 as permitted sender) smtp.mailfrom=claire.dubois@northlake.example.org;\n"
               "\tdmarc=fail (p=REJECT) header.from=northlake.example.org\n")
    m.add("coordinator-spoofed-outside-server.eml", coord(
        CLAIRE, "Claire Dubois", spoofed, "vps-4411.cheap-hosting.example", "203.0.113.66",
        "Change of mentor", "Hello,\n\nPlease change my mentee Noah Smith to mentor Hannah Okafor and remove Chen Wei from the program.\n\nClaire\n",
        f"<{P}>", f"<{HANNAH}>"),
        "unknown", None, review=True,
        note="From says a coordinator, our server says DMARC fail: spoofed")

    other = ("Authentication-Results: mx.attacker.example;\n\tdkim=pass header.d=northlake.example.org;\n"
             "\tdmarc=pass header.from=northlake.example.org\n")
    m.add("coordinator-auth-results-wrong-authserv.eml", coord(
        TREMBLAY, "Marc Tremblay", other, "mail.attacker.example", "198.51.100.200",
        "Re: Introduction", "Please mark Camille Roy as withdrawn.\n\nMarc\n", f"<{P}>", f"<{CAMILLE}>"),
        "unknown", None, review=True,
        note="Authentication-Results written by another server: proves nothing")

    m.add("coordinator-no-auth-results.eml", coord(
        CLAIRE, "Claire Dubois", "", "unknown.example", "192.0.2.99",
        "Pairing update", "Hi,\n\nPriya Natarajan will be mentored by Rachel Kim.\n\nClaire\n", f"<{P}>",
        f"<{PRIYA}>"),
        "unknown", None, review=True)

    gmail_dkim = ("Authentication-Results: mx.northlake.example.org;\n\tdkim=pass header.d=gmail.com "
                  "header.s=20230601 header.b=Qw3rTy;\n\tspf=pass smtp.mailfrom=gmail.com;\n"
                  "\tdmarc=fail (p=REJECT) header.from=northlake.example.org\n")
    m.add("coordinator-dkim-pass-other-domain.eml", coord(
        CLAIRE, "Claire Dubois", gmail_dkim, "mail-sor-f41.google.com", "209.85.220.41",
        "Quick change", "Please move Ana García to José Martínez.\n\nClaire (from my phone)\n",
        f"<{P}>", f"<{ANA}>"),
        "unknown", None, review=True, note="DKIM passes for gmail.com, not for the coordinator's domain")

    fwd = ("Hi all,\n\nFYI, see Sofia's note below; nothing to do for the program.\n\nClaire\n\n"
           "---------- Forwarded message ---------\nFrom: Sofia Rossi <sofia.rossi@example.org>\n"
           "Date: Fri, Mar 5, 2027 at 4:12 PM\nSubject: Availability\nTo: Claire Dubois <claire.dubois@northlake.example.org>\n\n"
           "Hello Claire,\nI will be away in April but can take one more mentee in May.\nSofia\n")
    m.add("gmail-en-coordinator-verified-forward.eml", coord(
        CLAIRE, "Claire Dubois", good, "smtp.northlake.example.org", "192.0.2.25",
        "Fwd: Availability", fwd, f"<{P}>", f"<{TREMBLAY}>"),
        "coordinator_cc", None, authenticated=True, contains=["nothing to do for the program"],
        excludes=["away in April"])


# ----------------------------------------------------------------------------- bounces


def _bounces(m: ModuleType) -> None:
    it = m.sent("meeting", YASMINE)
    verp = f"mentorship+b-{it['id']}@northlake.example.org"
    orig_headers = (f"Return-Path: <{verp}>\nFrom: {m.PROGRAM_NAME} <{P}>\nTo: Yasmine Haddad <yasmine.haddad@example.fr>\n"
                    f"Subject: =?utf-8?q?Avez-vous_rencontr=C3=A9_votre_mentor_=3F?=\nMessage-ID: <{it['message_id']}>\n"
                    f"Reply-To: <{m.reply_to(it)}>\nX-Mailflow-Id: {it['id']}\n")
    boundary = "4Xk9Zq2Lm1.1741012345/mx.northlake.example.org"
    m.add("postfix-dsn-bounce-user-unknown.eml",
          f"Return-Path: <>\nDelivered-To: {verp}\nDate: Wed,  3 Mar 2027 09:12:25 -0500 (EST)\n"
          "From: MAILER-DAEMON@mx.northlake.example.org (Mail Delivery System)\n"
          "Subject: Undelivered Mail Returned to Sender\n"
          f"To: {verp}\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
          f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"\n'
          "Message-Id: <20270303141225.4Xk9Zq2Lm1@mx.northlake.example.org>\n\n"
          "This is a MIME-encapsulated message.\n\n"
          f"--{boundary}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
          "This is the mail system at host mx.northlake.example.org.\n\nI'm sorry to have to inform you that your message could not\n"
          "be delivered to one or more recipients. It's attached below.\n\n"
          "For further assistance, please send mail to postmaster.\n\n"
          "                   The mail system\n\n<yasmine.haddad@example.fr>: host mx1.example.fr[198.51.100.25] said:\n"
          "    550 5.1.1 <yasmine.haddad@example.fr>: Recipient address rejected: User\n    unknown in virtual mailbox table (in reply to RCPT TO command)\n\n"
          f"--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
          "Reporting-MTA: dns; mx.northlake.example.org\nX-Postfix-Queue-ID: 4Xk9Zq2Lm1\n"
          f"X-Postfix-Sender: rfc822; {verp}\nArrival-Date: Wed,  3 Mar 2027 09:12:24 -0500 (EST)\n\n"
          "Final-Recipient: rfc822; yasmine.haddad@example.fr\nOriginal-Recipient: rfc822;yasmine.haddad@example.fr\n"
          "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx1.example.fr\n"
          "Diagnostic-Code: smtp; 550 5.1.1 <yasmine.haddad@example.fr>: Recipient address\n    rejected: User unknown in virtual mailbox table\n\n"
          f"--{boundary}\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
          f"{orig_headers}\n--{boundary}--\n",
          "bounce", None, bounced=YASMINE)

    it2 = m.sent("survey", MATHIEU)
    verp2 = f"mentorship+b-{it2['id']}@northlake.example.org"
    m.add("exim-bounce-mailbox-full.eml",
          f"Return-path: <>\nEnvelope-to: {verp2}\nDelivered-To: {verp2}\n"
          "Received: from mail by smtp.example.ca with local (Exim 4.96)\n\tid 1tZx9Q-0004Lm-2B\n\tfor "
          f"{verp2};\n\tThu, 04 Mar 2027 10:01:55 -0500\n"
          "X-Failed-Recipients: mathieu.girard@example.ca\nAuto-Submitted: auto-replied\n"
          "From: Mail Delivery System <Mailer-Daemon@smtp.example.ca>\n"
          f"To: {verp2}\nContent-Type: text/plain; charset=us-ascii\n"
          "Subject: Mail delivery failed: returning message to sender\n"
          "Message-Id: <E1tZx9Q-0004Lm-2B@smtp.example.ca>\nDate: Thu, 04 Mar 2027 10:01:55 -0500\n\n"
          "This message was created automatically by mail delivery software.\n\n"
          "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n"
          "  mathieu.girard@example.ca\n    mailbox is full: retry timeout exceeded\n\n"
          "------ This is a copy of the message, including all the headers. ------\n\n"
          f"Return-path: <{verp2}>\nFrom: {m.PROGRAM_NAME} <{P}>\nTo: Mathieu Girard <mathieu.girard@example.ca>\n"
          f"Subject: Questionnaire de mi-parcours\nMessage-ID: <{it2['message_id']}>\n\n"
          "Bonjour Mathieu,\n\nMerci de répondre à ces questions en les numérotant :\n",
          "bounce", None, bounced=MATHIEU)

    m.add("qmail-failure-notice.eml",
          f"Return-Path: <>\nDelivered-To: {P}\nReceived: (qmail 28841 invoked for bounce); 4 Mar 2027 16:20:03 -0000\n"
          "Date: 4 Mar 2027 16:20:03 -0000\nFrom: MAILER-DAEMON@mail.example.es\n"
          f"To: {P}\nSubject: failure notice\n\n"
          "Hi. This is the qmail-send program at mail.example.es.\n"
          "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
          "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
          "<ana.garcia@example.es>:\n198.51.100.44 does not like recipient.\nRemote host said: 550 5.1.1 User unknown\nGiving up on 198.51.100.44.\n\n"
          "--- Below this line is a copy of the message.\n\n"
          f"Return-Path: <{P}>\nFrom: {m.PROGRAM_NAME} <{P}>\nTo: Ana García <ana.garcia@example.es>\nSubject: Choose your mentors\n\nHello Ana,\n",
          "bounce", None, bounced=ANA)

    boundary = "_2b4e6f8a-1c3d-4e5f-a6b7-c8d9e0f1a2b3_"
    m.add("exchange-online-ndr.eml",
          f"Return-Path: <>\nDelivered-To: {P}\n"
          "From: Microsoft Outlook\n\t<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com>\n"
          f"To: <{P}>\nDate: Fri, 5 Mar 2027 14:03:11 +0000\nContent-Language: en-US\n"
          f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"\n'
          "Subject: Undeliverable: Choose your mentors\nAuto-Submitted: auto-replied\n"
          "X-MS-Exchange-Message-Is-Ndr:\nMIME-Version: 1.0\n\n"
          f"--{boundary}\nContent-Type: multipart/alternative; differences=Content-Type;\n\tboundary=\"b1_{boundary}\"\n\n"
          f"--b1_{boundary}\nContent-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: quoted-printable\n\n"
          "Your message to emily.chen@example.com couldn't be delivered.\n\nemily.chen wasn't found at example.com.\n\n"
          "emily.chen     Office 365      emily.chen\nAction Required                 Recipient\n\nUnknown To address\n\n"
          f"--b1_{boundary}--\n\n--{boundary}\nContent-Type: message/delivery-status\n\n"
          "Reporting-MTA: dns;YT3PR01MB8842.CANPRD01.prod.outlook.com\nReceived-From-MTA: dns;mx.northlake.example.org\n"
          "Arrival-Date: Fri, 5 Mar 2027 14:03:09 +0000\n\nFinal-Recipient: rfc822;emily.chen@example.com\n"
          "Action: failed\nStatus: 5.1.10\nDiagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n\n"
          f"--{boundary}\nContent-Type: message/rfc822\n\n"
          f"From: {m.PROGRAM_NAME} <{P}>\nTo: Emily Chen <emily.chen@example.com>\nSubject: Choose your mentors\n"
          "Message-ID: <mf-aaaaaaaaaaaaaaaaaaaaaaaa@northlake.example.org>\n\nHello Emily,\n\n"
          f"--{boundary}--\n",
          "bounce", None, bounced=EMILY)

    boundary = "000000000000d5e1f20615e3a4b7"
    m.add("gmail-address-not-found.eml",
          f"Delivered-To: {P}\nReturn-Path: <>\nAuthentication-Results: mx.northlake.example.org;\n\tdkim=pass header.d=googlemail.com\n"
          "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
          f"To: {P}\nAuto-Submitted: auto-replied\nSubject: Delivery Status Notification (Failure)\n"
          f"References: <mf-bbbbbbbbbbbbbbbbbbbbbbbb@northlake.example.org>\nIn-Reply-To: <mf-bbbbbbbbbbbbbbbbbbbbbbbb@northlake.example.org>\n"
          "X-Failed-Recipients: tomas.ortega.phd@gmail.example\nMessage-ID: <65e6f1a2.050a0220.1c2d3.4e5fSMTPIN_ADDED_BROKEN@mx.google.com>\n"
          "Date: Sat, 06 Mar 2027 07:44:18 -0800 (PST)\n"
          f'MIME-Version: 1.0\nContent-Type: multipart/report; boundary="{boundary}"; report-type=delivery-status\n\n'
          f"--{boundary}\nContent-Type: multipart/related; boundary=\"r{boundary}\"\n\n"
          f"--r{boundary}\nContent-Type: multipart/alternative; boundary=\"a{boundary}\"\n\n"
          f"--a{boundary}\nContent-Type: text/plain; charset=\"UTF-8\"\n\n\n** Address not found **\n\n"
          "Your message wasn't delivered to tomas.ortega.phd@gmail.example because the address couldn't be found, or is unable to receive mail.\n\n"
          "Learn more here: https://support.google.com/mail/?p=NoSuchUser\n\nThe response was:\n\n"
          "550 5.1.1 The email account that you tried to reach does not exist.\n\n"
          f"--a{boundary}--\n\n--r{boundary}--\n\n"
          f"--{boundary}\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n"
          "Received-From-MTA: dns; mx.northlake.example.org\nArrival-Date: Sat, 06 Mar 2027 07:44:17 -0800 (PST)\n\n"
          "Final-Recipient: rfc822; tomas.ortega.phd@gmail.example\nAction: failed\nStatus: 5.1.1\n"
          "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.\n\n"
          f"--{boundary}--\n",
          "bounce", None, bounced="tomas.ortega.phd@gmail.example",
          note="a mentee's old address, not in the roster")

    boundary = "4Yb2Rt7Kq0.1741190000/mx.northlake.example.org"
    it3 = m.sent("choices", CAMILLE)
    verp3 = f"mentorship+b-{it3['id']}@northlake.example.org"
    m.add("postfix-delay-warning-not-a-bounce.eml",
          f"Return-Path: <>\nDelivered-To: {verp3}\nDate: Fri,  5 Mar 2027 13:00:02 -0500 (EST)\n"
          "From: MAILER-DAEMON@mx.northlake.example.org (Mail Delivery System)\n"
          "Subject: Delayed Mail (still being retried)\n"
          f"To: {verp3}\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
          f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"\n\n'
          f"--{boundary}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
          "This is the mail system at host mx.northlake.example.org.\n\n####################################################################\n"
          "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\n"
          "Your message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n"
          "<camille.roy@example.ca>: connect to mx.example.ca[192.0.2.80]:25: Connection timed out\n\n"
          f"--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
          "Reporting-MTA: dns; mx.northlake.example.org\n\nFinal-Recipient: rfc822; camille.roy@example.ca\n"
          "Action: delayed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; connect to mx.example.ca[192.0.2.80]:25: Connection timed out\n"
          "Will-Retry-Until: Wed, 10 Mar 2027 09:00:01 -0500 (EST)\n\n"
          f"--{boundary}--\n",
          "auto_reply", None, note="a delay warning is not a bounce")

    it4 = m.sent("choices", SARAH)
    verp4 = f"mentorship+b-{it4['id']}@northlake.example.org"
    m.add("sendmail-returned-mail-verp-only.eml",
          f"Return-Path: <>\nDelivered-To: {verp4}\nX-Original-To: {verp4}\n"
          "From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>\n"
          f"To: <{verp4}>\nSubject: Returned mail: see transcript for details\nAuto-Submitted: auto-generated (failure)\n"
          "Date: Mon, 8 Mar 2027 02:11:40 -0500\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n"
          "The original message was received at Mon, 8 Mar 2027 02:11:38 -0500\nfrom mx.northlake.example.org [192.0.2.10]\n\n"
          "   ----- The following addresses had permanent fatal errors -----\n(reason: 552 5.2.2 Over quota)\n\n"
          "   ----- Transcript of session follows -----\n... while talking to inbound.example.org.:\n>>> DATA\n<<< 552 5.2.2 Over quota\n",
          "bounce", None, bounced=SARAH,
          note="the text does not name the recipient in a usable form: the VERP address does")

    m.add("exchange-fr-ndr-non-remis.eml",
          f"Return-Path: <>\nDelivered-To: {P}\nFrom: postmaster@example.fr\nTo: {P}\n"
          "Subject: =?iso-8859-1?Q?Non_remis=A0:_Choisissez_vos_mentors?=\nDate: Tue, 9 Mar 2027 08:00:00 +0100\n"
          "Auto-Submitted: auto-replied\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\n\n"
          + m.qp("Votre message à lucas.bernard@example.fr n'a pas pu être remis.\n\nlucas.bernard est introuvable sur example.fr.\n", "iso-8859-1"),
          "bounce", None, bounced=LUCAS)


# ----------------------------------------------------------------------------- automatic


def _automatic(m: ModuleType) -> None:
    m.add("exchange-en-automatic-reply.eml",
          m.envelope(RACHEL, P, "Tue, 2 Mar 2027 10:03:00 +0000",
                     helo="CAN01-YT3-obe.outbound.protection.outlook.com", ip="40.107.115.92")
          + f"From: Rachel Kim <{RACHEL}>\nTo: {m.PROGRAM_NAME} <{P}>\nSubject: Automatic reply: Introduction\n"
          "Thread-Topic: Introduction\nDate: Tue, 2 Mar 2027 10:03:00 +0000\n"
          "Message-ID: <YT3PR01MB5551AA@YT3PR01MB5551.CANPRD01.prod.outlook.com>\nAuto-Submitted: auto-generated\n"
          "X-MS-Exchange-Inbox-Rules-Loop: rachel.kim@example.org\nX-Auto-Response-Suppress: All\n"
          "Content-Type: text/plain; charset=\"us-ascii\"\nMIME-Version: 1.0\n\n"
          "I am out of the office until March 15 with limited access to email. For urgent matters, contact lab-admin@example.org.\n",
          "auto_reply", RACHEL)

    m.add("exchange-fr-reponse-automatique.eml",
          m.envelope(OLIVIER, P, "Tue, 2 Mar 2027 10:04:00 +0000",
                     helo="CAN01-QB1-obe.outbound.protection.outlook.com", ip="40.107.66.12")
          + f"From: =?iso-8859-1?Q?Olivier_C=F4t=E9?= <{OLIVIER}>\nTo: <{P}>\n"
          "Subject: =?iso-8859-1?Q?R=E9ponse_automatique=A0:_Pr=E9sentation?=\nDate: Tue, 2 Mar 2027 10:04:00 +0000\n"
          "Message-ID: <QB1PR01MB2231BB@QB1PR01MB2231.CANPRD01.prod.outlook.com>\nAuto-Submitted: auto-generated\n"
          "X-MS-Exchange-Inbox-Rules-Loop: olivier.cote@example.ca\nContent-Language: fr-CA\n"
          "Content-Type: text/html; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\nMIME-Version: 1.0\n\n"
          + m.qp("<html><body><p>Bonjour,</p><p>Je suis absent du bureau jusqu'au 12 mars. Je répondrai à votre courriel à mon retour.</p><p>Olivier Côté</p></body></html>\n", "iso-8859-1"),
          "auto_reply", OLIVIER)

    m.add("gmail-vacation-responder.eml",
          m.envelope(HANNAH, P, "Wed, 3 Mar 2027 07:12:09 -0800")
          + f"MIME-Version: 1.0\nFrom: Hannah Okafor <{HANNAH}>\nDate: Wed, 3 Mar 2027 07:12:09 -0800\n"
          "Message-ID: <CAHo2vAcAtIoN0Lq@mail.gmail.com>\nSubject: Re: Choose your mentors\n"
          f"To: {P}\nAuto-Submitted: auto-replied\nPrecedence: bulk\nX-Autoreply: yes\n"
          "Content-Type: text/plain; charset=\"UTF-8\"\n\nHi! I'm on parental leave until June. I will read your email when I get back.\n\nHannah\n",
          "auto_reply", HANNAH)

    m.add("zimbra-out-of-office.eml",
          m.envelope(JOSE, P, "Wed, 3 Mar 2027 17:00:00 +0100", helo="zimbra.example.es", ip="198.51.100.90")
          + f"Date: Wed, 3 Mar 2027 17:00:00 +0100 (CET)\nFrom: =?utf-8?Q?Jos=C3=A9_Mart=C3=ADnez?= <{JOSE}>\n"
          f"To: {m.PROGRAM_NAME} <{P}>\nMessage-ID: <1409726011.88123.1741017600000.JavaMail.zimbra@example.es>\n"
          "Subject: Fuera de la oficina / Out of office Re: Introduction\nMIME-Version: 1.0\n"
          "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\nAuto-Submitted: auto-replied (zimbra; vacation)\n"
          "X-Mailer: Zimbra 9.0.0_GA_4546 (zclient/9.0.0_GA_4546)\n\nEstoy fuera hasta el 10 de marzo. I am away until March 10.\n",
          "auto_reply", JOSE)

    m.add("sieve-fr-absence-subject-only.eml",
          m.envelope(MARC, P, "Thu, 4 Mar 2027 08:00:00 +0100", helo="smtp.example.fr", ip="198.51.100.7")
          + f"Date: Thu, 4 Mar 2027 08:00:00 +0100\nFrom: Marc Dupont <{MARC}>\nTo: {P}\n"
          "Subject: Absence du 4 au 15 mars\nMessage-ID: <sieve-vacation-7781@example.fr>\nMIME-Version: 1.0\n"
          "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
          "Bonjour,\n\nJe suis en congé du 4 au 15 mars, sans accès à mes courriels. En cas d'urgence, écrivez à secretariat@example.fr.\n\nMarc Dupont\n",
          "auto_reply", MARC, note="an old vacation script that sets no Auto-Submitted header: only the text says so")

    m.add("mailing-list-digest.eml",
          f"Return-Path: <grad-announce-bounces@lists.example.org>\nDelivered-To: {P}\n"
          "From: Graduate Studies Office <gradstudies@example.org>\n"
          f"To: grad-announce@lists.example.org\nSubject: [grad-announce] Workshop: writing a good abstract\n"
          "Date: Thu, 4 Mar 2027 12:00:00 -0500\nMessage-ID: <list-20270304-1200@lists.example.org>\n"
          "List-Id: Graduate announcements <grad-announce.lists.example.org>\nList-Unsubscribe: <mailto:grad-announce-leave@lists.example.org>\n"
          "Precedence: list\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
          "Join us on March 20 for a workshop on writing abstracts. Mentors and mentees welcome.\n",
          "auto_reply", None)

    m.add("noreply-calendar-notification.eml",
          f"Return-Path: <bounce+abc@calendar.example.com>\nDelivered-To: {P}\n"
          "From: Calendar <no-reply@calendar.example.com>\n"
          f"To: {P}\nSubject: Reminder: Mentorship meeting - Noah / Chen @ Thu Mar 18, 2027 3pm\n"
          "Date: Thu, 18 Mar 2027 14:30:00 +0000\nMessage-ID: <calendar-reminder-55aa@calendar.example.com>\n"
          "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThis is a reminder for the event Mentorship meeting - Noah / Chen.\n",
          "auto_reply", None)

    m.add("outlook-com-automatic-reply-no-auto-header.eml",
          m.envelope(SOPHIE, P, "Fri, 5 Mar 2027 09:00:00 +0000",
                     helo="NAM12-DM6-obe.outbound.protection.outlook.com", ip="40.107.192.50")
          + f"From: Sophie Ross <{SOPHIE}>\nTo: {P}\nSubject: Automatic reply: Introduction\n"
          "Date: Fri, 5 Mar 2027 09:00:00 +0000\nMessage-ID: <DM6PR12MB4444CC@DM6PR12MB4444.namprd12.prod.outlook.com>\n"
          "X-Auto-Response-Suppress: All\nContent-Type: text/plain; charset=\"us-ascii\"\nMIME-Version: 1.0\n\n"
          "Thank you for your email. I am at a conference this week and will reply next Monday.\n",
          "auto_reply", SOPHIE)

    it = m.sent("choices", HANNAH, "en")
    m.add("own-mail-looped-back.eml",
          f"Return-Path: <mentorship+b-{it['id']}@northlake.example.org>\nDelivered-To: {P}\n"
          f"From: {m.PROGRAM_NAME} <{P}>\nTo: {m.PROGRAM_NAME} <{P}>\nSubject: Choose your mentors\n"
          f"Date: Mon, 1 Mar 2027 10:02:00 -0500\nMessage-ID: <{it['message_id']}>\nX-Mailflow-Id: {it['id']}\n"
          "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHello,\n",
          "auto_reply", None, note="our own mail come back (a list or alias loop): never answered")

    it = m.sent("meeting", LEA)
    m.add("exchange-fr-ooo-with-token.eml",
          m.envelope(LEA, m.reply_to(it), "Tue, 9 Mar 2027 10:04:00 +0000",
                     helo="CAN01-QB1-obe.outbound.protection.outlook.com", ip="40.107.66.12")
          + f"From: =?iso-8859-1?Q?L=E9a_Gagnon?= <{LEA}>\nTo: <{m.reply_to(it)}>\n"
          "Subject: =?iso-8859-1?Q?R=E9ponse_automatique=A0:_Avez-vous_rencontr=E9_votre_mentor_=3F?=\n"
          "Date: Tue, 9 Mar 2027 10:04:00 +0000\nMessage-ID: <QB1PR01MB7777DD@QB1PR01MB7777.CANPRD01.prod.outlook.com>\n"
          f"In-Reply-To: <{it['message_id']}>\nAuto-Submitted: auto-generated\nX-MS-Exchange-Inbox-Rules-Loop: {LEA}\n"
          "Content-Type: text/plain; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\nMIME-Version: 1.0\n\n"
          + m.qp("Je suis en stage jusqu'au 20 mars. Oui, je lirai vos messages à mon retour.\n", "iso-8859-1"),
          "auto_reply", LEA, answers=it)


# ----------------------------------------------------------------------------- forwards and misc


def _forwards_and_misc(m: ModuleType) -> None:
    m.add("gmail-en-forwarded-mentor-recap-meeting.eml", m.gmail(
        sender=NOAH, to=P, subject="Fwd: Great first meeting", msgid="CAJx5Fw0Rd3Kp8Lm",
        date="Fri, 5 Mar 2027 17:40:00 -0500",
        new="Hi, we met on March 4 -- forwarding Chen's recap below.\n\nNoah\n\n"
            "---------- Forwarded message ---------\nFrom: Chen Wei <chen.wei@example.com>\n"
            "Date: Thu, Mar 4, 2027 at 6:02 PM\nSubject: Great first meeting\nTo: Noah Smith <noah.smith@example.com>\n\n"
            "Hi Noah,\nGreat to meet you today. Next meeting: no plans yet, let's say April.\nChen"),
        "meeting", NOAH, meeting={"met": True, "date": "2027-03-04"},
        contains=["we met on March 4"], excludes=["Next meeting"])

    m.add("outlook-en-fw-stranger-question-by-mentor.eml", m.outlook_html(
        sender=RACHEL, to=P, subject="FW: mentorship?",
        msgid="YT3PR01MB3131A1B2C3D4E5F6A7B8C9D0E1F2A3B4@YT3PR01MB3131.CANPRD01",
        new="Hi, could you answer this person? Thanks, Rachel",
        new_html=('<p class="MsoNormal">Hi, could you answer this person? Thanks, Rachel<o:p></o:p></p>\n'
                  '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
                  '<p class="MsoNormal"><b>From:</b> Tom Baker &lt;tom.baker@example.net&gt;<br>\n'
                  '<b>Sent:</b> Thursday, March 4, 2027 9:12 PM<br>\n<b>To:</b> Rachel Kim &lt;rachel.kim@example.org&gt;<br>\n'
                  '<b>Subject:</b> mentorship?</p></div>\n<p class="MsoNormal">Hi Dr Kim, can I be your mentee? My choices would be you, Sofia Rossi and Chen Wei.</p>')),
        "unknown", RACHEL, review=True, contains=["could you answer this person"],
        excludes=["can I be your mentee"],
        note="a mentor forwards someone else's question: nothing to apply, a coordinator must look")

    m.add("thunderbird-en-forwarded-application-by-mentor.eml", m.thunderbird(
        sender=CHEN, to=P, subject="Fwd: application",
        new="Forwarding an application that was sent to me by mistake.\n\nChen\n\n"
            "-------- Forwarded Message --------\nSubject: \tapplication\nDate: \tWed, 3 Mar 2027 22:10:05 -0500\n"
            "From: \tLi Na <li.na@example.net>\nTo: \tchen.wei@example.com\n\n"
            "Role: mentee\nFull name: Li Na\nAffiliation: McGill University\nGoals: learn about industry careers\n"),
        "unknown", CHEN, review=True, contains=["Forwarding an application"], excludes=["Full name: Li Na"],
        note="the form is Li Na's, not the sender's: must not make Chen an applicant")

    boundary = "Apple-Mail=_7E1A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8"
    it = m.sent("choices", EMILY)
    m.add("apple-mac-forward-as-attachment.eml",
          m.envelope(EMILY, P, "Sat, 6 Mar 2027 11:00:00 -0500", helo="st43p00im-ztdg10061801.me.com", ip="17.58.63.173")
          + f"From: Emily Chen <{EMILY}>\nContent-Type: multipart/mixed;\n\tboundary=\"{boundary}\"\n"
          "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.500.171.1.1\\))\nSubject: Fwd: Choose your mentors\n"
          f"Date: Sat, 6 Mar 2027 11:00:00 -0500\nTo: {P}\nMessage-Id: <A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF@example.com>\n"
          "X-Mailer: Apple Mail (2.3774.500.171.1.1)\n\n"
          f"--{boundary}\nContent-Transfer-Encoding: 7bit\nContent-Type: text/plain;\n\tcharset=us-ascii\n\n"
          "I could not find the reply button on my phone, so: 1. Sophie Ross 2. Marc Dupont 3. Rachel Kim\n\n"
          f"--{boundary}\nContent-Disposition: attachment;\n\tfilename=\"Choose your mentors.eml\"\nContent-Type: message/rfc822;\n\tname=\"Choose your mentors.eml\"\n\n"
          f"From: {m.PROGRAM_NAME} <{P}>\nReply-To: <{m.reply_to(it)}>\nTo: Emily Chen <{EMILY}>\nSubject: Choose your mentors\n"
          f"Message-ID: <{it['message_id']}>\nContent-Type: text/plain; charset=utf-8\n\n{it['text']}\n\n--{boundary}--\n",
          "choices", EMILY, choices=[SOPHIE, MARC, RACHEL], contains=["1. Sophie Ross"],
          excludes=["Hannah Okafor"])

    # wrong charsets
    raw = m.thunderbird(
        sender=CAMILLE, to=P, subject="Re: Avez-vous rencontré votre mentor ?", lang="fr",
        item=m.sent("meeting", CAMILLE), date="Sat, 13 Mar 2027 10:00:00 -0500",
        msgid="e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7",
        new="Rebonjour,\n\nPetite précision : notre première rencontre était le 10 mars, pas le 11.\n\nCamille")
    m.add("thunderbird-fr-utf8-labelled-latin1.eml",
          raw.replace(b"charset=UTF-8; format=flowed", b"charset=ISO-8859-1; format=flowed"),
          "meeting", CAMILLE, meeting={"met": True, "date": "2027-03-10"},
          answers=m.sent("meeting", CAMILLE), contains=["le 10 mars"],
          note="UTF-8 bytes labelled ISO-8859-1: the date must survive the mojibake")

    body = ("Bonjour,\n\nOui, nous nous sommes rencontrés le 3 mars à l'université. Très intéressant !\n\nÉlodie\n")
    m.add("webmail-fr-no-charset-8bit.eml",
          m.envelope(ELODIE, P, "Thu, 4 Mar 2027 19:00:00 +0100", helo="webmail.example.fr", ip="198.51.100.12")
          + f"From: Elodie Martin <{ELODIE}>\nTo: {P}\nSubject: Re: Rencontre\nDate: Thu, 4 Mar 2027 19:00:00 +0100\n"
          "Message-ID: <20270304180000.Horde.abc123@webmail.example.fr>\nUser-Agent: Horde Application Framework 5\n"
          "MIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n",
          "meeting", ELODIE, meeting={"met": True, "date": "2027-03-03"}, contains=["le 3 mars"],
          note="8-bit windows-1252 text with no charset at all")
    m.MESSAGES["webmail-fr-no-charset-8bit.eml"] += body.encode("cp1252")

    m.add("gmail-en-unknown-charset-label.eml", m.gmail(
        sender=NOAH, to=P, subject="Quick question", msgid="CAJx7Uq1Ch4Rs2Et",
        new="Hi, is the closing event on April 20 or 27?\n\nNoah").replace(b'charset="UTF-8"', b'charset="x-user-defined-8"'),
        "unknown", NOAH, review=True, contains=["closing event"],
        note="a participant's question the program cannot answer: review")

    # HTML-only from other webmails
    m.add("yahoo-en-html-only-choices.eml",
          m.envelope(TOMAS, P, "Sun, 7 Mar 2027 21:00:00 +0000", helo="sonic301-2.consmr.mail.bf2.yahoo.com", ip="74.6.131.40")
          + f'From: "Tomas Ortega" <{TOMAS}>\nTo: "{P}" <{P}>\nMessage-ID: <1234567890.1122334.1741381200000@mail.yahoo.com>\n'
          "Subject: mentors\nMIME-Version: 1.0\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n"
          "X-Mailer: WebService/1.1.23187 YMailNorrin\nDate: Sun, 7 Mar 2027 21:00:00 +0000\n\n"
          + m.qp('<html><head></head><body><div class="ydp3f0c yahoo-style-wrap" style="font-family:Helvetica Neue, Helvetica, Arial, sans-serif;font-size:13px;">'
                 "<div dir=\"ltr\">Hello, sorry, I replied from the wrong address before. Final list:</div><ol><li>Hannah Okafor</li><li>Chen Wei</li><li>Rachel Kim</li></ol>"
                 "<div dir=\"ltr\">Tomás</div></div></body></html>\n"),
          "choices", TOMAS, choices=[HANNAH, CHEN, RACHEL], contains=["Hannah Okafor"])

    # empty and near-empty
    m.add("gmail-en-empty-reply.eml", m.gmail(
        sender=PRIYA, to=P, item=m.sent("survey", PRIYA), subject="Re: Mid-program survey",
        msgid="CAPe0Mp7Ty2Qw4Rz", new=""),
        "unknown", PRIYA, review=True, answers=m.sent("survey", PRIYA),
        note="sent by mistake: only the quote")

    m.add("empty-no-subject-stranger.eml",
          "Return-Path: <someone@example.net>\nDelivered-To: mentorship@northlake.example.org\n"
          "From: someone@example.net\nTo: mentorship@northlake.example.org\nDate: Sun, 7 Mar 2027 03:00:00 +0000\n"
          "Message-ID: <empty-1@example.net>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n",
          "unknown", None, review=True)

    m.add("apple-en-iphone-thanks-mentor.eml", m.apple(
        sender=CHEN, to=P, subject="Re: Introduction: Noah Smith / Chen Wei",
        new="Thanks Claire, happy to mentor Noah!"),
        "unknown", CHEN, review=True, contains=["happy to mentor Noah"],
        note="nothing to apply; a participant's message the program cannot act on")

    # token attribution edge cases
    noah_item = m.sent("meeting", NOAH)
    m.add("gmail-en-meeting-from-other-address.eml", m.gmail(
        sender="noah.smith.home@gmail.example", name="Noah Smith", to=P, item=noah_item,
        subject="Re: Have you met your mentor?", msgid="CAJx0Hm5Ad6Rs1Kz", date="Mon, 15 Mar 2027 20:00:00 -0400",
        new="Yes, on March 12. (writing from my personal address)"),
        "meeting", None, review=True,
        note="token issued to noah.smith@example.com, reply from another address: review, not attributed")

    m.add("thunderbird-en-meeting-in-reply-to-no-token.eml", m.thunderbird(
        sender=SARAH, to=P, subject="Re: Have you met your mentor?", date="Wed, 17 Mar 2027 09:00:00 -0400",
        new="Hello,\n\nYes, we met on Monday, March 15.\n\nSarah",
        extra=f"In-Reply-To: <{m.sent('meeting', SARAH)['message_id']}>\n"),
        "meeting", SARAH, meeting={"met": True, "date": "2027-03-15"}, answers=m.sent("meeting", SARAH),
        contains=["we met on Monday, March 15"])

    m.add("gmail-fr-meeting-gmail-fr-attribution.eml", m.gmail(
        sender=LEA, to=P, item=m.sent("meeting", LEA), lang="fr", subject="Re: Avez-vous rencontré votre mentor ?",
        msgid="CALg9Rt3Mq6Wn1Pv", date="Sat, 20 Mar 2027 11:00:00 -0400",
        new="Oui, deuxième rencontre aujourd'hui ! (la première était le 9 mars)"),
        "meeting", LEA, meeting={"met": True, "date": "2027-03-09"}, answers=m.sent("meeting", LEA),
        contains=["deuxième rencontre"], note="the first meeting's date is what the program asked")

    m.add("outlook-en-choices-outlook-mobile.eml", m.outlook_html(
        sender=HANNAH, to=P, subject="RE: Mentor capacity",
        msgid="YT3PR01MB9090A1B2C3D4E5F6A7B8C9D0E1F2A3B4@YT3PR01MB9090.CANPRD01",
        new="I can take two mentees this year instead of one.\n\nGet Outlook for iOS"),
        "unknown", HANNAH, review=True, contains=["two mentees"], excludes=["Get Outlook for iOS"],
        note="a mentor's capacity change: a coordinator applies it")

    m.add("gmail-en-choices-mixed-with-question.eml", m.gmail(
        sender=SARAH, to=P, item=m.sent("choices", SARAH), subject="Re: Choose your mentors",
        msgid="CAS9mQx4Lp1Wr7Tn",
        new="Hi,\n\nBefore I choose: is Rachel Kim taking mentees outside neuroscience? If yes, my choices are 1. Rachel Kim 2. Hannah Okafor 3. Chen Wei, otherwise I'd put Sophie Ross first.\n\nSarah"),
        "choices", SARAH, review=True, answers=m.sent("choices", SARAH), contains=["Before I choose"],
        note="conditional choices: must be reviewed")

    m.add("apple-fr-iphone-meeting-non-pas-encore.eml", m.apple(
        sender=YASMINE, to=P, item=m.sent("meeting", YASMINE), lang="fr",
        subject="Re: Avez-vous rencontré votre mentor ?", msgid="0C1D2E3F-4A5B-6C7D-8E9F-A0B1C2D3E4F5",
        new="Non pas encore, on a prévu le 25 mars"),
        "meeting", YASMINE, meeting={"met": False, "date": None}, answers=m.sent("meeting", YASMINE),
        contains=["Non pas encore"], note="a planned date is not a meeting date")

    m.add("thunderbird-fr-choices-accents-missing-typo.eml", m.thunderbird(
        sender=ELODIE, to=P, item=m.sent("choices", ELODIE), lang="fr", subject="Re: Choisissez vos mentors",
        msgid="7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        new="Bonjour,\n\nrectification de mes choix :\n1 - Aicha Benalli\n2 - Francois Lefevre\n3 - Olivier Cote\n\nElodie"),
        "choices", ELODIE, choices=[AICHA, FRANCOIS, OLIVIER], answers=m.sent("choices", ELODIE),
        contains=["Aicha Benalli"])

    m.add("gmail-en-choices-chen-ambiguous.eml", m.gmail(
        sender=PRIYA, to=P, item=m.sent("choices", PRIYA), subject="Re: Choose your mentors",
        msgid="CAPc8Hn2Qx5Lm0Wt",
        new="1. Chen\n2. Hannah\n3. Rachel"),
        "choices", PRIYA, choices=[CHEN, HANNAH, RACHEL], answers=m.sent("choices", PRIYA),
        contains=["1. Chen"], note="first names only; 'Chen' is only Chen Wei among mentors")

    m.add("outlook-fr-html-only-survey-wrong-charset.eml", m.outlook_html(
        sender=LUCAS, to=P, item=m.sent("survey", LUCAS), lang="fr", subject="RE: Questionnaire de mi-parcours",
        charset="utf-8", msgid="PR1P264MB3344A1B2C3D4E5F6A7B8C9D0E1F2A3B4@PR1P264MB3344.FRAP264",
        new="1. 5\n2. Une fois\n3. Oui\n4. Rien à signaler."
    ).replace(b'charset="utf-8"\nContent-Transfer', b'charset="windows-1252"\nContent-Transfer'),
        "survey", LUCAS, answers=m.sent("survey", LUCAS),
        survey={"1": "5", "2": "Une fois", "3": "Oui", "4": "Rien à signaler."},
        contains=["Une fois"], note="UTF-8 bytes in a part labelled windows-1252")
