"""Calendar invitations (iCalendar, METHOD:REQUEST) for program events such as trainings."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from mailflow.config.timetext import ProgramDate
from mailflow.outbound.compose import Attachment

DEFAULT_DURATION = timedelta(hours=1)


def event_invitation(event: ProgramDate, organizer: str, organizer_name: str, attendee: str,
                     domain: str, stamp: datetime) -> Attachment:
    """An ``invite.ics`` that calendars add as an event; one stable UID per program date."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//mailflow//mentorship program//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.name}@{domain}")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.when)
    vevent.add("dtend", event.when + (event.duration or DEFAULT_DURATION))
    vevent.add("summary", event.title or event.name.replace("_", " ").capitalize())
    if event.location:
        vevent.add("location", event.location)
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
