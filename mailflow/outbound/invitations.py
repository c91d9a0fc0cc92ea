"""Calendar invitations (iCalendar, METHOD:REQUEST) for program events such as trainings."""

from __future__ import annotations

from datetime import datetime, timedelta

from mailflow.config.timetext import ProgramDate
from mailflow.config.translated import in_language
from mailflow.outbound.compose import Attachment

DEFAULT_DURATION = timedelta(hours=1)


def event_invitation(event: ProgramDate, organizer: str, organizer_name: str, attendee: str,
                     domain: str, stamp: datetime, language: str = "en") -> Attachment:
    """An ``invite.ics`` that calendars add as an event; one stable UID per program date.
    Its title and location are the attendee's ``language`` (LANGUAGE=, RFC 5545 3.2.10)."""
    # Imported here, at the first invitation: with dateutil it is 4 MB of the daemon's
    # memory, for a few mails a year.
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//mailflow//mentorship program//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.name}@{domain}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.when)
    vevent.add("dtend", event.when + (event.duration or DEFAULT_DURATION))
    language_param = {"language": language}
    vevent.add("summary", in_language(event.title, language)
               or event.name.replace("_", " ").capitalize(), parameters=language_param)
    if event.location:
        vevent.add("location", in_language(event.location, language),
                   parameters=language_param)
    organizer_prop = icalendar.vCalAddress(f"mailto:{organizer}")
    organizer_prop.params["cn"] = icalendar.vText(organizer_name)
    vevent.add("organizer", organizer_prop)
    attendee_prop = icalendar.vCalAddress(f"mailto:{attendee}")
    attendee_prop.params["rsvp"] = icalendar.vText("TRUE")
    attendee_prop.params["partstat"] = icalendar.vText("NEEDS-ACTION")
    vevent.add("attendee", attendee_prop)
    vevent.add("sequence", 0)
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return Attachment("invite.ics", "text/calendar", calendar.to_ical(),
                      params=(("method", "REQUEST"), ("charset", "utf-8")))
