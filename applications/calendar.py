"""A booked session as an iCalendar file (RFC 5545): attached to the booking's confirmation and
downloadable from the booking page, so candidates put it in their calendar in one click."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from applications.models import SessionInvitation

CONTENT_TYPE = "text/calendar"
FILE_NAME = "session.ics"


def escape(text: str) -> str:
    """A TEXT value: backslashes, commas and semicolons escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets (a fold never splits a UTF-8 character)."""
    pieces, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not pieces else 74):
            pieces.append(current)
            current = b""
        current += encoded
    pieces.append(current)
    return "\r\n ".join(piece.decode() for piece in pieces)


def stamp(moment) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_calendar(invitation: SessionInvitation, *, status_url: str) -> bytes:
    """The invitation's booked session as a one-event calendar, in the active language.

    The event's UID is the invitation's: a changed booking replaces the event in the candidate's
    calendar (its SEQUENCE grows with each booking) instead of adding a second one.
    """
    session = invitation.session
    posting = invitation.application.posting
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    description = "\n".join(
        line
        for line in (
            _("Application %(reference)s: %(title)s")
            % {"reference": invitation.application.reference, "title": posting.title},
            session.online_url and _("Join online: %(url)s") % {"url": session.online_url},
            _("Your application and booking: %(url)s") % {"url": status_url},
        )
        if line
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Correctional Service of Canada//CSC Careers//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:invitation-{invitation.pk}@{host}",
        f"SEQUENCE:{int(invitation.booked_at.timestamp())}",
        f"DTSTAMP:{stamp(invitation.booked_at)}",
        f"DTSTART:{stamp(session.starts_at)}",
        f"DTEND:{stamp(session.ends_at)}",
        f"SUMMARY:{escape(f'{invitation.step.title} – {posting.title}')}",
        f"LOCATION:{escape(session.online_url or session.where)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{status_url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
