"""Write the reading corpus: the .eml files, ``expected.yaml`` and ``program/outbox.json``.

Run once (``python tests/corpus/readings/make_corpus.py``); the committed files are its
output. Each message is built the way its client builds it (headers, MIME structure,
transfer encoding, quoting and attribution style) and carries, next to it, what a careful
human concludes on reading it: that is the expectation, not what mailflow outputs.

Reply tokens are computed with the fixed secret in ``program/secret`` so that the
tokens in To verify for the right sender (and, on purpose, for the wrong one in a few).
"""

from __future__ import annotations

import base64
import html
import json
import quopri
import sys
from email.quoprimime import header_encode
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mailflow.outbound.outbox import outbox_id  # noqa: E402
from mailflow.reply_tokens import make_token  # noqa: E402

SECRET = (HERE / "program" / "secret").read_text().strip().encode()
PROGRAM = "mentorship@northlake.example.org"
PROGRAM_NAME = "Northlake Mentorship Program"
ROSTER = {p["email"]: p for p in json.loads((HERE / "program" / "roster.json").read_text(
    encoding="utf-8"))["participants"]}
MENTORS = [p for p in ROSTER.values() if p["role"] == "mentor"]

# --------------------------------------------------------------------------- our mail

MENTOR_LINES = {
    "sofia.rossi@example.org": "Sofia Rossi (Université de Montréal) - machine learning",
    "sophie.ross@example.com": "Sophie Ross (Hydro-Québec) - power systems",
    "chen.wei@example.com": "Chen Wei (McGill University) - computational biology",
    "jose.martinez@example.es": "José Martínez (Universidad de Sevilla) - ecology",
    "francois.lefevre@example.fr": "François Lefèvre (INRIA) - compilers",
    "marc.dupont@example.fr": "Marc Dupont (CNRS) - statistics",
    "aicha.benali@example.org": "Aïcha Benali (Mila) - natural language processing",
    "hannah.okafor@example.com": "Hannah Okafor (Shopify) - software engineering",
    "olivier.cote@example.ca": "Olivier Côté (Polytechnique Montréal) - robotics",
    "rachel.kim@example.org": "Rachel Kim (University of Toronto) - neuroscience",
}


def first(email: str) -> str:
    return ROSTER[email]["name"].split()[0] if email in ROSTER else "there"


def our_text(kind: str, to: str, lang: str) -> str:
    """The plain text of the mail the program sent (what replies quote)."""
    name = first(to)
    mentors = "\n".join(f"- {MENTOR_LINES[m['email']]}" for m in MENTORS)
    if kind == "choices" and lang == "en":
        return (f"Hello {name},\n\nThe mentors of this year's program are listed below. "
                "Please reply to this message with your three preferred mentors, in order "
                f"of preference (1 = first choice).\n\n{mentors}\n\n"
                "The Northlake Mentorship Program")
    if kind == "choices":
        return (f"Bonjour {name},\n\nVoici les mentors du programme cette année. Répondez à "
                "ce message en indiquant vos trois mentors préférés, par ordre de "
                f"préférence (1 = premier choix).\n\n{mentors}\n\n"
                "Le programme de mentorat Northlake")
    if kind == "meeting" and lang == "en":
        return (f"Hello {name},\n\nHave you met your mentor yet? Please reply \"yes\" with "
                "the date of your first meeting, or \"no\".\n\nThe Northlake Mentorship "
                "Program")
    if kind == "meeting":
        return (f"Bonjour {name},\n\nAvez-vous rencontré votre mentor ? Répondez « oui » "
                "avec la date de votre première rencontre, ou « non ».\n\nLe programme de "
                "mentorat Northlake")
    if kind == "survey" and lang == "en":
        return (f"Hello {name},\n\nPlease answer these questions by number in your reply:\n\n"
                "1. How satisfied are you with your mentor (1 to 5)?\n"
                "2. How many times have you met so far?\n"
                "3. Would you take part in the program again (yes/no)?\n"
                "4. Anything you would like the coordinators to know?\n\n"
                "The Northlake Mentorship Program")
    if kind == "survey":
        return (f"Bonjour {name},\n\nMerci de répondre à ces questions en les numérotant :\n\n"
                "1. Êtes-vous satisfait(e) de votre mentor (de 1 à 5) ?\n"
                "2. Combien de fois vous êtes-vous rencontrés jusqu'ici ?\n"
                "3. Participeriez-vous de nouveau au programme (oui/non) ?\n"
                "4. Souhaitez-vous faire part d'autre chose aux coordinateurs ?\n\n"
                "Le programme de mentorat Northlake")
    if kind == "form" and lang == "en":
        return ("Hello,\n\nThank you for your interest in the Northlake Mentorship Program. "
                "To apply, reply to this message and fill in the form below.\n\n"
                "Role (mentee or mentor):\nFull name:\nAffiliation:\nLanguages:\n"
                "Goals (mentees):\nExpertise (mentors):\n\nThe Northlake Mentorship Program")
    if kind == "form":
        return ("Bonjour,\n\nMerci de votre intérêt pour le programme de mentorat Northlake. "
                "Pour vous inscrire, répondez à ce message en remplissant le formulaire "
                "ci-dessous.\n\nRôle (mentoré ou mentor) :\nNom complet :\nLaboratoire :\n"
                "Langues :\nObjectifs (mentorés) :\nDomaines d'expertise (mentors) :\n\n"
                "Le programme de mentorat Northlake")
    raise ValueError(kind)


SUBJECTS = {
    ("choices", "en"): "Choose your mentors", ("choices", "fr"): "Choisissez vos mentors",
    ("meeting", "en"): "Have you met your mentor?",
    ("meeting", "fr"): "Avez-vous rencontré votre mentor ?",
    ("survey", "en"): "Mid-program survey", ("survey", "fr"): "Questionnaire de mi-parcours",
    ("form", "en"): "Your application to the Northlake Mentorship Program",
    ("form", "fr"): "Votre candidature au programme de mentorat Northlake",
}

OUTBOX: dict[str, dict] = {}


def sent(kind: str, to: str, lang: str | None = None) -> dict:
    """The outbox item of our mail of ``kind`` to ``to`` (created on first use)."""
    lang = lang or ROSTER.get(to, {}).get("language", "en")
    key = f"{kind}:{to}"
    if key not in OUTBOX:
        item_id = outbox_id(key)
        OUTBOX[key] = {
            "id": item_id, "key": key, "recipients": [to], "kind": kind,
            "subject": SUBJECTS[(kind, lang)],
            "message_id": f"mf-{item_id}@northlake.example.org",
            "token": make_token(SECRET, item_id, to), "lang": lang,
            "text": our_text(kind, to, lang),
        }
    return OUTBOX[key]


def reply_to(item: dict) -> str:
    return f"mentorship+{item['token']}@northlake.example.org"


# --------------------------------------------------------------------------- encoding


def qp(text: str, charset: str = "utf-8") -> str:
    return quopri.encodestring(text.replace("\n", "\r\n").encode(charset)).decode(
        "ascii").replace("\r\n", "\n").replace("=0D\n", "\n")


def b64(text: str, charset: str = "utf-8") -> str:
    return base64.encodebytes(text.replace("\n", "\r\n").encode(charset)).decode("ascii")


def name_header(name: str, addr: str, charset: str = "UTF-8") -> str:
    if name.isascii():
        return f'"{name}" <{addr}>' if "," in name or "." in name else f"{name} <{addr}>"
    return f"{header_encode(name.encode(charset.lower()), charset)} <{addr}>"


def subj_header(subject: str) -> str:
    return subject if subject.isascii() else header_encode(subject.encode(), "UTF-8")


def quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def as_html(text: str) -> str:
    return "<br>\n".join(html.escape(line, quote=False) for line in text.split("\n"))


def received(helo: str, ip: str, date: str, to: str) -> str:
    return (f"Received: from {helo} ({helo} [{ip}])\n"
            f"\tby mx.northlake.example.org (Postfix) with ESMTPS id 4Xk{abs(hash(helo)) % 9999}\n"
            f"\tfor <{to}>; {date}\n")


def auth_results(domain: str, ok: bool = True) -> str:
    res = "pass" if ok else "fail"
    return (f"Authentication-Results: mx.northlake.example.org;\n"
            f"\tdkim={res} header.d={domain} header.s=s1 header.b=Xq3mB2sD;\n"
            f"\tspf={res} (mx.northlake.example.org: domain of {{sender}} designates "
            f"192.0.2.10 as permitted sender) smtp.mailfrom={{sender}};\n"
            f"\tdmarc={res} (p=NONE sp=NONE dis=NONE) header.from={domain}\n")


def envelope(sender: str, to: str, date: str, helo: str = "mail-sor-f41.google.com",
             ip: str = "209.85.220.41", auth: bool = True) -> str:
    out = f"Return-Path: <{sender}>\nDelivered-To: {to}\n" + received(helo, ip, date, to)
    if auth:
        out += auth_results(sender.rsplit("@", 1)[1]).replace("{sender}", sender)
    return out


# --------------------------------------------------------------------------- clients

DATES = {
    "en": "Mon, Mar 1, 2027 at 10:02\u202fAM", "fr": "lun. 1 mars 2027 à 10:02",
}


def gmail(*, sender: str, to: str, subject: str, new: str, item: dict | None = None,
          date: str = "Tue, 2 Mar 2027 09:14:27 -0500", lang: str = "en", name: str | None = None,
          msgid: str = "CAJx8kq3vN0fL2pQ", quoted_text: str | None = None,
          cc: str | None = None, extra: str = "", cte: str = "quoted-printable") -> bytes:
    """Gmail web: multipart/alternative, plain + HTML with the gmail_quote div."""
    name = name if name is not None else ROSTER.get(sender, {}).get("name", "")
    head = envelope(sender, to if item is None else reply_to(item), date)
    plain, body_html = new, "".join(f"<div>{html.escape(x) if x else '<br>'}</div>"
                                    for x in new.split("\n"))
    refs = ""
    if item is not None:
        orig = quoted_text or item["text"]
        addr = reply_to(item)
        if lang == "fr":
            attr = f"Le {DATES['fr']}, {PROGRAM_NAME} <\n{addr}> a écrit :"
        else:
            attr = f"On {DATES['en']} {PROGRAM_NAME} <\n{addr}> wrote:"
        plain = f"{new}\n\n{attr}\n\n{quote(orig)}\n"
        body_html += (
            '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            + html.escape(attr.replace("\n", "")) + "<br></div>"
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px '
            'solid rgb(204,204,204);padding-left:1ex">' + as_html(orig) + "</blockquote></div>")
        refs = f"References: <{item['message_id']}>\nIn-Reply-To: <{item['message_id']}>\n"
    boundary = "0000000000003f8a1c0615d2e9b7"
    enc = qp if cte == "quoted-printable" else b64
    to_h = name_header(PROGRAM_NAME, to if item is None else reply_to(item))
    return (
        f"{head}MIME-Version: 1.0\n{refs}From: {name_header(name, sender) if name else sender}\n"
        f"Date: {date}\nMessage-ID: <{msgid}@mail.gmail.com>\n"
        f"Subject: {subj_header(subject)}\nTo: {to_h}\n" + (f"Cc: {cc}\n" if cc else "") + extra
        + f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain; charset=\"UTF-8\"\n"
        f"Content-Transfer-Encoding: {cte}\n\n{enc(plain)}\n"
        f"--{boundary}\nContent-Type: text/html; charset=\"UTF-8\"\n"
        f"Content-Transfer-Encoding: {cte}\n\n"
        f'{enc("<div dir=" + chr(34) + "ltr" + chr(34) + ">" + body_html + "</div>" + chr(10))}\n'
        f"--{boundary}--\n"
    ).encode("ascii")


def outlook_html(*, sender: str, to: str, subject: str, new: str, item: dict | None = None,
                 date: str = "Tue, 2 Mar 2027 14:41:03 +0000", lang: str = "en",
                 name: str | None = None, charset: str = "windows-1252",
                 msgid: str = "YT3PR01MB8842C1D2E3F4A5B6C7D8E9F0A1B2C3D4@YT3PR01MB8842.CANPRD01",
                 extra: str = "", new_html: str | None = None,
                 quoted_text: str | None = None) -> bytes:
    """Outlook desktop / OWA: HTML only, quoted-printable, divRplyFwdMsg header block."""
    name = name if name is not None else ROSTER.get(sender, {}).get("name", "")
    head = envelope(sender, to if item is None else reply_to(item), date,
                    helo="CAN01-YT3-obe.outbound.protection.outlook.com", ip="40.107.115.92")
    paras = new_html or "\n".join(
        f'<p class="MsoNormal">{html.escape(x, quote=False) if x else "&nbsp;"}<o:p></o:p></p>'
        for x in new.split("\n"))
    quoted, refs = "", ""
    if item is not None:
        labels = (("De", "Envoyé", "À", "Objet") if lang == "fr"
                  else ("From", "Sent", "To", "Subject"))
        sent_on = "lundi 1 mars 2027 10:02" if lang == "fr" else "Monday, March 1, 2027 10:02 AM"
        orig = quoted_text or item["text"]
        quoted = (
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" color="#000000" '
            f'style="font-size:11pt"><b>{labels[0]}&nbsp;:</b> {PROGRAM_NAME} &lt;'
            f"{reply_to(item)}&gt;<br>\n<b>{labels[1]}&nbsp;:</b> {sent_on}<br>\n"
            f"<b>{labels[2]}&nbsp;:</b> {html.escape(name)} &lt;{sender}&gt;<br>\n"
            f"<b>{labels[3]}&nbsp;:</b> {html.escape(item['subject'])}</font>\n"
            "<div>&nbsp;</div></div>\n"
            f'<div><p class="MsoNormal">{as_html(orig)}</p></div></div>\n'
        )
        if lang == "en":
            quoted = quoted.replace("&nbsp;:</b>", ":</b>")
        refs = f"References: <{item['message_id']}>\nIn-Reply-To: <{item['message_id']}>\n"
    body = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        '<style><!--\np.MsoNormal {margin:0cm; font-size:11.0pt; '
        'font-family:"Calibri",sans-serif;}\n--></style>\n</head>\n'
        f'<body lang="{lang.upper()}-CA" link="#0563C1">\n<div class="WordSection1">\n{paras}\n'
        f'<p class="MsoNormal">&nbsp;</p>\n{quoted}</div>\n</body>\n</html>\n'
    )
    hcharset = "iso-8859-1" if charset != "utf-8" else "UTF-8"
    thread = "Thread-Topic: " + subj_header(subject.split(": ", 1)[-1]) + "\n"
    return (
        f"{head}From: {name_header(name, sender, hcharset) if name else sender}\n"
        f"To: {name_header(PROGRAM_NAME, to if item is None else reply_to(item))}\n"
        f"Subject: {subj_header(subject)}\n{thread}"
        "Thread-Index: AQHbcX2kP0vLzJ4rQk2m7b1d8fQ9Ag==\n"
        f"Date: {date}\nMessage-ID:\n <{msgid}.prod.outlook.com>\n{refs}"
        f"Accept-Language: {lang}-CA, en-US\nContent-Language: {lang}-CA\n"
        "X-MS-Has-Attach:\nX-MS-TNEF-Correlator:\n" + extra
        + f'Content-Type: text/html; charset="{charset}"\n'
        "Content-Transfer-Encoding: quoted-printable\nMIME-Version: 1.0\n\n"
        + qp(body, charset)
    ).encode("ascii")


def apple(*, sender: str, to: str, subject: str, new: str, item: dict | None = None,
          date: str = "Tue, 2 Mar 2027 18:22:41 -0500", lang: str = "en", phone: bool = True,
          name: str | None = None, msgid: str = "9F2C7B1A-3D4E-4F5A-8B6C-1D2E3F4A5B6C",
          below: bool = False, quoted_text: str | None = None, extra: str = "") -> bytes:
    """Apple Mail (iPhone or Mac): plain text, quoted-printable, quoted attribution."""
    name = name if name is not None else ROSTER.get(sender, {}).get("name", "")
    head = envelope(sender, to if item is None else reply_to(item), date,
                    helo="st43p00im-ztdg10061801.me.com", ip="17.58.63.173")
    sig = ("Envoyé de mon iPhone" if lang == "fr" else "Sent from my iPhone") if phone else ""
    body = new + (f"\n\n{sig}" if sig else "")
    refs = ""
    if item is not None:
        addr = reply_to(item)
        attr = (f"Le 1 mars 2027 à 10:02, {PROGRAM_NAME} <{addr}> a écrit :" if lang == "fr"
                else f"On Mar 1, 2027, at 10:02, {PROGRAM_NAME} <{addr}> wrote:")
        orig = quoted_text or item["text"]
        if below:
            body = f"{attr}\n\n{quote(orig)}\n\n{body}\n"
        elif phone:
            body = f"{body}\n\n{quote(attr)}\n>\n> \ufeff{quote(orig)[2:]}\n"
        else:
            body = f"{body}\n\n{attr}\n\n{quote(orig)}\n\n"
        refs = f"References: <{item['message_id']}>\nIn-Reply-To: <{item['message_id']}>\n"
    mailer = "iPhone Mail (21E236)" if phone else "Apple Mail (2.3774.500.171.1.1)"
    return (
        f"{head}From: {name_header(name, sender) if name else sender}\n"
        "Content-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable\n"
        "Mime-Version: 1.0 (1.0)\n"
        f"Subject: {subj_header(subject)}\nDate: {date}\nMessage-Id: <{msgid}@icloud.com>\n"
        f"{refs}To: {name_header(PROGRAM_NAME, to if item is None else reply_to(item))}\n"
        f"{extra}X-Mailer: {mailer}\n\n" + qp(body)
    ).encode("ascii")


def thunderbird(*, sender: str, to: str, subject: str, new: str, item: dict | None = None,
                date: str = "Tue, 2 Mar 2027 11:05:12 +0100", lang: str = "en",
                name: str | None = None, below: bool = False, inline: str | None = None,
                msgid: str = "5c1e2b7a-8f3d-4a9b-b2c1-7d6e5f4a3b2c", extra: str = "",
                quoted_text: str | None = None) -> bytes:
    """Thunderbird: text/plain format=flowed, 8bit, "On D/M/YY HH:MM, X wrote:"."""
    name = name if name is not None else ROSTER.get(sender, {}).get("name", "")
    head = envelope(sender, to if item is None else reply_to(item), date,
                    helo="smtp.example.fr", ip="198.51.100.7")
    body, refs = new, ""
    if item is not None:
        attr = (f"Le 01/03/2027 à 16:02, {PROGRAM_NAME} a écrit :" if lang == "fr"
                else f"On 3/1/27 10:02, {PROGRAM_NAME} wrote:")
        orig = quote(quoted_text or item["text"])
        if inline is not None:
            body = f"{attr}\n{inline}\n"
        elif below:
            body = f"{attr}\n{orig}\n\n{new}\n"
        else:
            body = f"{new}\n\n{attr}\n{orig}\n"
        refs = f"References: <{item['message_id']}>\nIn-Reply-To: <{item['message_id']}>\n"
    ua = "Mozilla Thunderbird"
    return (
        f"{head}Message-ID: <{msgid}@{sender.split('@')[1]}>\nDate: {date}\nMIME-Version: 1.0\n"
        f"User-Agent: {ua}\nContent-Language: {lang}-{'US' if lang == 'en' else 'FR'}\n"
        f"{refs}To: {PROGRAM_NAME} <{to if item is None else reply_to(item)}>\n"
        f"From: {name_header(name, sender) if name else sender}\n"
        f"Subject: {subj_header(subject)}\n{extra}"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n\n" + body
    ).encode("utf-8")


# --------------------------------------------------------------------------- corpus

MESSAGES: dict[str, bytes] = {}
EXPECTED: dict[str, dict] = {}


def add(name: str, raw: bytes | str, kind: str, participant: str | None = None, *,
        choices: list[str] | None = None, meeting: dict | None = None,
        bounced: str | None = None, authenticated: bool = False, review: bool = False,
        contains: list[str] | None = None, excludes: list[str] | None = None,
        survey: dict | None = None, answers: dict | None = None, note: str = "") -> None:
    assert name not in MESSAGES, name
    MESSAGES[name] = raw.encode("utf-8") if isinstance(raw, str) else raw
    entry: dict = {"kind": kind, "participant": participant, "choices": choices or [],
                   "meeting": meeting, "bounced_recipient": bounced,
                   "authenticated": authenticated, "needs_review": review}
    if answers is not None:
        entry["answers_item"] = answers["id"]
    if contains:
        entry["reply_text_contains"] = contains
    if excludes:
        entry["reply_text_excludes"] = excludes
    if survey is not None:
        entry["survey_answers"] = survey
    if note:
        entry["note"] = note
    EXPECTED[name] = entry


from _messages import build  # noqa: E402


def main() -> None:
    build(sys.modules[__name__])
    for old in HERE.glob("*.eml"):
        old.unlink()
    for name, raw in MESSAGES.items():
        (HERE / name).write_bytes(raw)
    header = (
        "# Expected readings of tests/corpus/readings/*.eml: what a careful human concludes.\n"
        "# Written by hand (through make_corpus.py), never copied from mailflow's output.\n"
        "# choices: mentor addresses in rank order; [] when there are none to apply (also\n"
        "#   when the message must be reviewed first: nothing is applied before review).\n"
        "# meeting: {met, date}; date is ISO (relative dates resolved against the Date header\n"
        "#   in the program's time zone), null when not given; met false with a date is a\n"
        "#   meeting planned for that date (a calendar acceptance), not yet held.\n"
        "# answers_item: the outbox id the reply answers (token or In-Reply-To), when checked.\n"
        "# survey_answers: question number -> answer as written.\n"
    )
    (HERE / "expected.yaml").write_text(header + yaml.safe_dump(
        EXPECTED, sort_keys=True, allow_unicode=True, width=100), encoding="utf-8")
    outbox = [{k: v for k, v in item.items() if k not in ("text", "lang", "token")}
              for item in OUTBOX.values()]
    (HERE / "program" / "outbox.json").write_text(
        json.dumps(outbox, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(MESSAGES)} messages, {len(OUTBOX)} outbox items")


if __name__ == "__main__":
    main()
