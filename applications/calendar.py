"""A booked session as an iCalendar file (RFC 5545): attached to the booking's confirmation and
downloadable from the booking page, so candidates put it in their calendar in one click. When HR
moves the session the file is sent again, revised; when HR cancels it, a cancellation (RFC 5546)
takes the event out of their calendar."""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from applications.models import AssessmentSession, SessionInvitation

CONTENT_TYPE = "text/calendar"
FILE_NAME = "session.ics"


def escape(text: str) -> str:
    """A TEXT value: backslashes, commas and semicolons escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    # TEXT allows no other control character than the tab (RFC 5545, 3.3.11).
    return "".join(char for char in text if char == "\t" or (char >= " " and char != "\x7f"))


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


def stamp(moment: datetime.datetime) -> str:
    """A DATE-TIME in UTC ("…Z"): the same instant in every calendar, whatever its zone."""
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def sequence(invitation: SessionInvitation, moment: datetime.datetime) -> int:
    """The event's SEQUENCE for a revision made at `moment`: the seconds since the invitation.

    Each revision the candidate is sent (a booking, HR's change of the session, its
    cancellation) comes later than the one before, so its SEQUENCE is higher, and a calendar
    replaces the event (RFC 5546, 2.1.4). It stays within the 32-bit INTEGER of RFC 5545 (3.3.8).
    """
    return max(int((moment - invitation.invited_at).total_seconds()), 0)


def revised_at(invitation: SessionInvitation) -> datetime.datetime:
    """When what the candidate was told of their booking last changed: they booked it, or HR
    changed its time or place since."""
    changed = invitation.session.changed_at
    return max(invitation.booked_at, changed) if changed else invitation.booked_at


def organizer() -> str:
    """The ORGANIZER property: the site's address, the same in every file, so a calendar takes
    a cancellation as coming from the one who published the event (RFC 5546 requires an
    ORGANIZER in both)."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = _("Correctional Service of Canada – Careers")
    # A quoted parameter value holds no double quote nor control character (RFC 5545, 3.1).
    name = "".join(char for char in name if char >= " " and char not in '"\x7f')
    return f'ORGANIZER;CN="{name}":mailto:{address}'


def uid(invitation: SessionInvitation) -> str:
    """The event's UID: the invitation's, so each booking, change and cancellation of it is one
    event in the candidate's calendar."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"invitation-{invitation.pk}@{host}"


def event_calendar(
    invitation: SessionInvitation,
    session: AssessmentSession,
    *,
    status_url: str,
    method: str,
    event: list[str],
) -> bytes:
    """A one-event calendar of the invitation's session, in the active language: the event's
    own properties (`event`: UID, SEQUENCE, DTSTAMP, STATUS…) followed by what it says of the
    session."""
    posting = invitation.application.posting
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
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        *event,
        organizer(),
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


def booking_calendar(invitation: SessionInvitation, *, status_url: str) -> bytes:
    """The invitation's booked session as a one-event calendar, in the active language.

    The event's UID is the invitation's: a changed booking, or a session HR moved, replaces the
    event in the candidate's calendar (its SEQUENCE grows with each) instead of adding a second.
    """
    revised = revised_at(invitation)
    return event_calendar(
        invitation,
        invitation.session,
        status_url=status_url,
        method="PUBLISH",
        event=[
            f"UID:{uid(invitation)}",
            f"SEQUENCE:{sequence(invitation, revised)}",
            f"DTSTAMP:{stamp(revised)}",
        ],
    )


def cancellation_calendar(
    invitation: SessionInvitation, session: AssessmentSession, *, status_url: str
) -> bytes:
    """The cancelled session that the invitation had booked, as a calendar file that removes it
    from the candidate's calendar (RFC 5546, 3.2.5: METHOD:CANCEL, STATUS:CANCELLED, the
    booking's UID and a higher SEQUENCE).

    `session` is the cancelled one: cancelling took it off the invitation.
    """
    return event_calendar(
        invitation,
        session,
        status_url=status_url,
        method="CANCEL",
        event=[
            f"UID:{uid(invitation)}",
            # The booking and HR's changes all came before the cancellation, at worst within
            # its second: one more makes it higher than each.
            f"SEQUENCE:{sequence(invitation, session.cancelled_at) + 1}",
            f"DTSTAMP:{stamp(session.cancelled_at)}",
            "STATUS:CANCELLED",
        ],
    )
