"""The scripted year of each preset: who applies, who is chosen, who writes what and when.

Half the people write in French. Every story ends each person in one of the ways a year
ends: matched (mentee or mentor), unmatched mentor, waiting list, withdrawn, paused.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.program.year_content import Person, Year, at

MENTEES = [Person("Noah Smith", "noah.smith@example.com", "mentee", "en"),
           Person("Léa Gagnon", "lea.gagnon@example.fr", "mentee", "fr"),
           Person("Grace Okafor", "grace.okafor@example.com", "mentee", "en"),
           Person("Hugo Tremblay", "hugo.tremblay@example.ca", "mentee", "fr"),
           Person("Ana Garcia", "ana.garcia@example.com", "mentee", "en"),
           Person("Camille Roy", "camille.roy@example.ca", "mentee", "fr")]
MENTORS = [Person("Sofia Rossi", "sofia.rossi@example.org", "mentor", "en"),
           Person("Marc Lefebvre", "marc.lefebvre@example.fr", "mentor", "fr"),
           Person("David Chen", "david.chen@example.org", "mentor", "en"),
           Person("Julie Bouchard", "julie.bouchard@example.ca", "mentor", "fr")]
VALUES = {
    "en": {"affiliation": "Northlake Institute", "languages": "English",
           "goals": "plan my career and publish my first paper",
           "expertise": "medical image analysis", "capacity": "1",
           "career_stage": "PhD student", "expertise_wanted": "medical image analysis",
           "sector": "academia", "mentor_sector": "academia",
           "self_identification": "no", "prior_participation": "no"},
    "fr": {"affiliation": "Université de Montréal", "languages": "français",
           "goals": "préparer ma carrière et publier mon premier article",
           "expertise": "analyse d'images médicales", "capacity": "1",
           "career_stage": "doctorant", "expertise_wanted": "analyse d'images médicales",
           "sector": "milieu universitaire", "mentor_sector": "milieu universitaire",
           "self_identification": "non", "prior_participation": "non"},
}
MET = {"en": "Yes, we met on {day} over video. It went well.",
       "fr": "Oui, nous nous sommes rencontrés le {day} en visio. C'était très utile."}
SURVEY = {"en": "1. 4\n2. 3\n3. yes\n4. Nothing to add, thank you.",
          "fr": "1. 4\n2. 3\n3. oui\n4. Rien à ajouter, merci."}
PAUSE = {"en": "PAUSE until {day}", "fr": "PAUSE jusqu'au {day}"}
LEAVING = {"en": "I am sorry, I have to withdraw from the program: I accepted a position "
                 "abroad and will not have the time.",
           "fr": "Je suis désolée, je dois me retirer du programme : j'ai accepté un poste "
                 "à l'étranger et je n'aurai pas le temps."}


def by_address(address: str) -> Person:
    return next(p for p in MENTEES + MENTORS if p.email == address)


def applications(year: Year, mentees: list[Person], mentors: list[Person]) -> None:
    for person in mentees + mentors:
        year.apply(person, VALUES[person.language])


def leave(year: Year, address: str) -> None:
    """A participant says they must leave; the coordinators withdraw them the next day."""
    person = by_address(address)
    year.write(person, LEAVING[person.language], subject={"en": "Withdrawal",
                                                          "fr": "Retrait"}[person.language])
    year.step(year.now + timedelta(days=1))
    year.withdraw(address)
    year.stories[address] = "withdrawn"


def pause(year: Year, address: str, until: str) -> None:
    person = by_address(address)
    year.write(person, PAUSE[person.language].format(day=until),
               year.last(address), subject="PAUSE")


def report_meeting(year: Year, address: str, template: str, day: str) -> None:
    person = by_address(address)
    year.reported_days.add(date.fromisoformat(day))
    year.write(person, MET[person.language].format(day=day), year.last(address, template))


def answer_survey(year: Year, address: str, template: str) -> None:
    person = by_address(address)
    year.write(person, SURVEY[person.language], year.last(address, template))


def pairs_of(year: Year) -> dict[str, str]:
    """Mentee -> mentor, as the store has them."""
    return {p["email"]: p["mentor"] for p in year.program.store.table("participants").all()
            if p.get("role") == "mentee" and p.get("mentor")}


def settle(year: Year) -> None:
    """How each story ended, from what the store says, for those not set by the script."""
    matched = pairs_of(year)
    for person in year.people.values():
        if person.email in year.stories:
            continue
        record = next(p for p in year.program.store.table("participants").all()
                      if p["email"] == person.email)
        if person.email in matched or person.email in matched.values():
            year.stories[person.email] = "matched"
        elif record.get("status") in ("waitlisted", "not_selected"):
            year.stories[person.email] = "waitlisted"
        elif person.role == "mentor":
            year.stories[person.email] = "unmatched"
        else:
            year.stories[person.email] = record.get("status") or "?"


def cohort(root: Path) -> Year:
    """Applications in December, the draw in January, introductions in February, the end in
    November: six mentees for three places, four mentors for them."""
    year = Year.open(root, "cohort", at(2026, 12, 1, 10))
    applications(year, MENTEES, MENTORS)
    year.until(at(2027, 1, 20))
    selected, _ = year.draw(3, "northlake-2027")
    year.until(at(2027, 1, 28, 10))
    leave(year, selected[1])  # the first on the waiting list gets the place
    year.until(at(2027, 2, 9, 10))
    names = [m.name for m in MENTORS]
    for address in [p["email"] for p in year.program.store.table("participants").all()
                    if p.get("role") == "mentee" and p.get("status") == "selected"]:
        ranks = names[MENTEES.index(by_address(address)) % 4:] + names[:0]
        year.write(by_address(address), "\n".join(f"{i}. {n}" for i, n in
                                                  enumerate(ranks[:3], 1)),
                   year.last(address, "choices_invitation"))
    year.until(at(2027, 2, 11))
    year.approve_matching(year.program.pairing.propose)
    pairs = pairs_of(year)
    mentees = sorted(pairs)
    year.until(at(2027, 3, 16, 10))
    report_meeting(year, mentees[0], "meeting_checkin", "2027-03-03")
    year.until(at(2027, 5, 10, 10))
    pause(year, pairs[mentees[0]], "2027-07-05")  # a mentor's break, over by the summer
    year.until(at(2027, 6, 2, 10))
    for address in mentees[:2]:
        answer_survey(year, address, "survey_invitation")
    year.until(at(2027, 9, 20, 10))
    pause(year, mentees[1], "2028-01-15")  # parental leave: paused through the end
    year.stories[mentees[1]] = "paused"
    year.until(at(2027, 11, 9, 10))
    answer_survey(year, mentees[0], "survey_invitation")
    year.until(at(2027, 12, 15))
    settle(year)
    return year


def conference(root: Path) -> Year:
    """Mentors answer the call in May, mentees in July; pairs by mid-August; three meetings
    around the conference in September; the survey and the end in November."""
    year = Year.open(root, "conference", at(2027, 4, 26, 10))
    year.until(at(2027, 5, 10, 10))
    applications(year, [], MENTORS)
    year.until(at(2027, 7, 6, 10))
    applications(year, MENTEES, [])
    year.until(at(2027, 8, 3))
    selected, _ = year.draw(3, "nic-2027")
    year.until(at(2027, 8, 5, 10))
    leave(year, selected[1])
    year.until(at(2027, 8, 10))
    year.approve_matching(year.program.pairing.propose)
    pairs = pairs_of(year)
    mentees = sorted(pairs)
    year.until(at(2027, 9, 11, 10))
    report_meeting(year, mentees[0], "meeting_before_check", "2027-09-08")
    year.until(at(2027, 10, 1, 10))
    pause(year, mentees[1], "2028-01-15")
    year.stories[mentees[1]] = "paused"
    year.until(at(2027, 11, 2, 10))
    answer_survey(year, mentees[0], "conference_survey")
    year.until(at(2027, 12, 1))
    settle(year)
    return year


def answer_proposal(year: Year, mentor: str, yes: bool) -> None:
    person = by_address(mentor)
    text = {("en", True): "Yes, gladly! Thank you.", ("fr", True): "Oui, avec plaisir !",
            ("en", False): "No, sorry, I am travelling all spring.",
            ("fr", False): "Non, désolé, je suis en déplacement tout le printemps."}
    year.write(person, text[person.language, yes], year.last(mentor, "mentor_proposal"))


def rolling(root: Path) -> Year:
    """Sign-ups in January; the team proposes one mentee at a time, one mentor says NO;
    pairs end three months after their introduction; the year runs to December."""
    year = Year.open(root, "rolling", at(2027, 1, 4, 10))
    applications(year, MENTEES, MENTORS)
    year.until(at(2027, 1, 11))
    selected, _ = year.draw(3, "society-2027")
    year.until(at(2027, 1, 12, 10))
    leave(year, selected[1])
    year.until(at(2027, 1, 18, 10))
    mentees = sorted(p["email"] for p in year.program.store.table("participants").all()
                     if p.get("role") == "mentee" and p.get("status") == "selected")
    mentors = [m.email for m in MENTORS]
    for mentee, mentor in zip(mentees, mentors[:3], strict=True):
        year.program.pairing.propose_pair(mentee, mentor, year.now)
    year.step()
    year.step(year.now + timedelta(hours=3))
    for mentor, yes in zip(mentors[:3], (True, True, False), strict=True):
        answer_proposal(year, mentor, yes)
    year.until(at(2027, 1, 25, 10))
    year.program.pairing.propose_pair(mentees[2], mentors[3], year.now)
    year.step()
    year.step(year.now + timedelta(hours=3))
    answer_proposal(year, mentors[3], True)
    year.until(at(2027, 3, 20, 10))
    report_meeting(year, mentees[0], "continuation_check", "2027-03-03")
    year.until(at(2027, 4, 1, 10))
    pause(year, mentees[1], "2028-01-15")
    year.stories[mentees[1]] = "paused"
    year.until(at(2027, 12, 31))
    settle(year)
    return year


STORIES = {"cohort": cohort, "conference": conference, "rolling": rolling}
