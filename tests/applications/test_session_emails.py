"""Issue 16, sessions candidates book: the e-mails (invitation, confirmation with its calendar file,
cancellation with the file that takes the event out, reminder two days before) in the
candidate's language, the calendar file as RFC 5545 and 5546 write it, and
`manage.py send_session_reminders`, which reminds each booking once."""

import datetime
import re
import signal
import threading
import zoneinfo
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from applications import calendar
from applications.management.commands.send_session_reminders import send_due_reminders
from applications.models import (
    Application,
    AssessmentSession,
    OfficialLanguage,
    SessionInvitation,
)
from applications.services import application_withdraw
from applications.sessions import book, cancel_session, invite
from positions.models import AssessmentStep, StepKind
from tests.applications.factories import ApplicationFactory
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = pytest.mark.django_db

EASTERN = zoneinfo.ZoneInfo("America/Toronto")  # the site's zone: times candidates read
NBSP = "\u00a0"
DAY = datetime.timedelta(days=1)


def eastern(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """`days` from today at hour:minute, Eastern time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=EASTERN)


@pytest.fixture
def step():
    posting = JobPostingFactory(title="Parole officer", title_fr="Agent de libération")
    return AssessmentStep.objects.create(posting=posting, kind=StepKind.WRITTEN_EXAM, order=1)


def session_of(step, *, starts_at=None, hours=3, **fields) -> AssessmentSession:
    starts_at = starts_at or eastern(5, 9)
    fields.setdefault("capacity", 5)
    if "online_url" not in fields:
        fields.setdefault("facility", FacilityFactory(name="Kingston Penitentiary"))
    return AssessmentSession.objects.create(
        step=step,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        **fields,
    )


def invited(step, count=1, *, book_by=None, **application_fields) -> list[SessionInvitation]:
    """Invite `count` new screened-in candidates to the step, through the service HR uses."""
    application_fields.setdefault("first_name", "Sam")
    applications = [
        ApplicationFactory(posting=step.posting, screened_in=True, **application_fields)
        for _ in range(count)
    ]
    result = invite(
        Application.objects.filter(pk__in=[a.pk for a in applications]),
        step=step,
        book_by=book_by or eastern(4, 17),
        by=None,
    )
    return list(SessionInvitation.objects.filter(pk__in=result.invited).order_by("pk"))


def to(application) -> list:
    return [message for message in mail.outbox if message.to == [application.email]]


def urls_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def content_lines(ics: str) -> dict[str, str]:
    """The calendar's content lines, unfolded (RFC 5545, 3.1), by property name."""
    unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "")
    return dict(line.split(":", 1) for line in unfolded.split("\r\n") if line)


# --- The four e-mails, in the candidate's language ----------------------------------------------


def test_the_invitation_names_the_step_the_deadline_and_a_booking_link_that_works(
    step, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = invited(step, book_by=eastern(4, 17))
    application = invitation.application

    [message] = to(application)
    assert message.subject == "Book your session: Written exam – Parole officer"
    assert "Hello Sam," in message.body
    assert f"(application {application.reference}): Written exam." in message.body
    deadline = eastern(4, 17)
    assert f"({deadline:%Z})" in message.body  # the zone is named: EST or EDT
    booking_link, status_link = urls_in(message.body)
    assert booking_link.endswith(f"/sessions/{invitation.pk}/")
    status_token = urlsplit(status_link).path.split("/")[3]  # /en/applications/<token>/
    assert Application.from_status_token(status_token) == application
    assert "&amp;" not in message.body
    page = client.get(urlsplit(booking_link).path)
    assert page.status_code == 200
    assert not message.attachments  # nothing booked yet


def test_a_french_candidate_gets_each_e_mail_in_french(step, django_capture_on_commit_callbacks):
    session = session_of(step, starts_at=eastern(5, 9, 30))
    other = session_of(step, starts_at=eastern(6, 13))
    # Each e-mail goes when its change commits.
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = invited(step, correspondence_language=OfficialLanguage.FRENCH)
    with django_capture_on_commit_callbacks(execute=True):
        book(invitation, session)
    with django_capture_on_commit_callbacks(execute=True):
        book(invitation, other)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(
            other, by=None, reason_en="Room unavailable.", reason_fr="Salle indisponible."
        )

    invited_mail, booked, changed, cancelled = to(invitation.application)
    assert (
        invited_mail.subject == f"Réservez votre séance{NBSP}: Examen écrit – Agent de libération"
    )
    assert "Bonjour Sam," in invited_mail.body
    assert f"pour «{NBSP}Agent de libération{NBSP}»" in invited_mail.body
    assert "/fr/" in urls_in(invited_mail.body)[0]
    assert booked.subject.startswith(f"Séance réservée{NBSP}: Examen écrit, ")
    # French dates and times as Canada.ca writes them: the day and month in French, the 24-hour
    # clock with "h" between non-breaking spaces, no minutes on the hour.
    assert f"Quand{NBSP}: le " in booked.body
    assert f", de 9{NBSP}h{NBSP}30 à 12{NBSP}h{NBSP}30 (" in booked.body
    assert f"Où{NBSP}: Kingston Penitentiary (Kingston)" in booked.body
    assert "Le fichier de calendrier joint ajoute la séance à votre calendrier." in booked.body
    assert changed.subject.startswith(f"Séance réservée{NBSP}: Examen écrit, ")
    assert f", de 13{NBSP}h à 16{NBSP}h (" in changed.body
    assert cancelled.subject.startswith(f"Séance annulée{NBSP}: Examen écrit, ")
    assert f"Motif donné par les ressources humaines{NBSP}:\nSalle indisponible." in cancelled.body
    assert f"Votre invitation tient toujours{NBSP}: choisissez une autre séance" in cancelled.body
    for message in (invited_mail, booked, changed, cancelled):
        assert message.extra_headers["Content-Language"] == "fr"
        assert " :" not in message.subject + message.body  # no ordinary space before a colon
    # The calendar file too is written in French.
    [(_name, ics, _mime)] = booked.attachments
    assert (
        f"Candidature {invitation.application.reference}{NBSP}: Agent de libération"
        in (content_lines(ics)["DESCRIPTION"])
    )


# The months as French writes them (for the dates expected below).
FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def in_french(day: datetime.datetime) -> str:
    return f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"


def test_each_candidate_reads_hr_s_room_and_reason_in_their_language(
    step, django_capture_on_commit_callbacks
):
    session = session_of(
        step,
        starts_at=eastern(5, 9),
        location_details_en="Room 101, east wing",
        location_details_fr="Salle 101, aile est",
    )
    with django_capture_on_commit_callbacks(execute=True):
        [french] = invited(step, correspondence_language=OfficialLanguage.FRENCH)
        [english] = invited(step, correspondence_language=OfficialLanguage.ENGLISH)
    for invitation in (french, english):
        with django_capture_on_commit_callbacks(execute=True):
            book(invitation, session)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(
            session,
            by=None,
            reason_en="The exam room is flooded.",
            reason_fr="La salle d’examen est inondée.",
        )

    _invited, booked_fr, cancelled_fr = to(french.application)
    _invited, booked_en, cancelled_en = to(english.application)
    assert f"Où{NBSP}: Kingston Penitentiary (Kingston) – Salle 101, aile est" in booked_fr.body
    assert "Where: Kingston Penitentiary (Kingston) – Room 101, east wing" in booked_en.body
    # The calendar file too names the room in the candidate's language.
    assert content_lines(booked_fr.attachments[0][1])["LOCATION"] == (
        "Kingston Penitentiary (Kingston) – Salle 101\\, aile est"
    )
    assert content_lines(booked_en.attachments[0][1])["LOCATION"] == (
        "Kingston Penitentiary (Kingston) – Room 101\\, east wing"
    )
    assert (
        f"Motif donné par les ressources humaines{NBSP}:\nLa salle d’examen est inondée."
        in cancelled_fr.body
    )
    assert "flooded" not in cancelled_fr.body and "Room 101" not in cancelled_fr.body
    assert "The reason given by Human Resources:\nThe exam room is flooded." in cancelled_en.body
    assert "inondée" not in cancelled_en.body and "Salle 101" not in cancelled_en.body


def test_french_e_mails_write_times_as_canada_ca_does(step, django_capture_on_commit_callbacks):
    session = session_of(step, starts_at=eastern(5, 9), hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = invited(
            step, book_by=eastern(4, 17), correspondence_language=OfficialLanguage.FRENCH
        )
    with django_capture_on_commit_callbacks(execute=True):
        book(invitation, session)

    invited_mail, booked = to(invitation.application)
    # The 24-hour clock, "h" between non-breaking spaces, no minutes on the hour: 9 h, not
    # 09:00 nor 9 h 00.
    deadline = f"{in_french(eastern(4, 17))} à 17{NBSP}h ("
    assert f"d’ici le {deadline}" in invited_mail.body
    assert f"jusqu’au {deadline}" in booked.body
    assert f"Quand{NBSP}: le {in_french(eastern(5, 9))}, de 9{NBSP}h à 12{NBSP}h (" in booked.body
    for message in (invited_mail, booked):
        assert ":00" not in message.body and f"h{NBSP}00" not in message.body


def test_the_confirmation_carries_the_session_as_a_calendar_file_in_utc(
    step, django_capture_on_commit_callbacks
):
    session = session_of(step, starts_at=eastern(5, 9), hours=3)
    [invitation] = invited(step)
    with django_capture_on_commit_callbacks(execute=True):
        book(invitation, session)

    [message] = to(invitation.application)
    assert message.subject.startswith("Session booked: Written exam, ")
    assert "The attached calendar file adds the session to your calendar." in message.body
    assert "Where: Kingston Penitentiary (Kingston)" in message.body
    [(name, ics, mime)] = message.attachments
    assert (name, mime) == ("session.ics", "text/calendar")
    lines = content_lines(ics)
    utc = datetime.UTC
    assert lines["DTSTART"] == eastern(5, 9).astimezone(utc).strftime("%Y%m%dT%H%M%SZ")
    assert lines["DTEND"] == eastern(5, 12).astimezone(utc).strftime("%Y%m%dT%H%M%SZ")
    assert lines["SUMMARY"] == "Written exam – Parole officer"
    assert lines["LOCATION"] == "Kingston Penitentiary (Kingston)"


def test_an_online_session_gives_its_link_and_the_change_link_until_the_deadline(
    step, django_capture_on_commit_callbacks
):
    session = session_of(step, online_url="https://meet.example.ca/exam?id=1,2", facility=None)
    [invitation] = invited(step, book_by=eastern(4, 17))
    with django_capture_on_commit_callbacks(execute=True):
        book(invitation, session)

    [message] = to(invitation.application)
    assert "Where: Online" in message.body
    assert "Join online: https://meet.example.ca/exam?id=1,2" in message.body
    assert "You can change your session until " in message.body
    _meeting, change_link, _status_link = urls_in(message.body)
    assert change_link.endswith(f"/sessions/{invitation.pk}/")
    # In the calendar file the link is TEXT: its comma is escaped (RFC 5545, 3.3.11).
    [(_name, ics, _mime)] = message.attachments
    assert content_lines(ics)["LOCATION"] == "https://meet.example.ca/exam?id=1\\,2"


def test_the_cancellation_names_the_session_and_hr_s_reason_and_offers_another(
    step, django_capture_on_commit_callbacks
):
    cancelled_session = session_of(step, starts_at=eastern(5, 9))
    [invitation] = invited(step, book_by=eastern(4, 17))
    book(invitation, cancelled_session)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(
            cancelled_session,
            by=None,
            reason_en="The exam room is flooded.",
            reason_fr="La salle d’examen est inondée.",
        )

    [message] = to(invitation.application)
    assert message.subject.startswith("Session cancelled: Written exam, ")
    assert "is cancelled:\n\nWhen: " in message.body
    assert ", from 9 a.m. to noon (" in message.body
    assert "The reason given by Human Resources:\nThe exam room is flooded." in message.body
    assert "Your invitation stands: choose another session by " in message.body
    assert urls_in(message.body)[0].endswith(f"/sessions/{invitation.pk}/")
    assert "The attached calendar file removes the session from your calendar." in message.body


def test_the_cancellation_takes_the_event_out_of_the_candidates_calendar(
    step, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://careers.example.ca"
    cancelled_session = session_of(step, starts_at=eastern(5, 9), hours=3)
    [invitation] = invited(step)
    with django_capture_on_commit_callbacks(execute=True):
        book(invitation, cancelled_session)
    [confirmation] = to(invitation.application)
    # Booked a day after the invitation, cancelled a day after that.
    SessionInvitation.objects.filter(pk=invitation.pk).update(
        invited_at=timezone.now() - 2 * DAY, booked_at=timezone.now() - DAY
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(cancelled_session, by=None, reason_en="Flooded.", reason_fr="Inondée.")

    [message] = to(invitation.application)
    [(name, ics, mime)] = message.attachments
    assert (name, mime) == ("session.ics", "text/calendar")
    booked, cancel = content_lines(confirmation.attachments[0][1]), content_lines(ics)
    # RFC 5546, 3.2.5: a CANCEL of the whole event, of the same UID, a higher SEQUENCE, from
    # the same ORGANIZER.
    assert booked["METHOD"] == "PUBLISH"
    assert cancel["METHOD"] == "CANCEL"
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["UID"] == booked["UID"] == f"invitation-{invitation.pk}@careers.example.ca"
    assert int(cancel["SEQUENCE"]) > int(booked["SEQUENCE"])
    assert int(cancel["SEQUENCE"]) < 2**31
    organizers = [key for key in cancel if key.startswith("ORGANIZER")]
    assert organizers and organizers == [key for key in booked if key.startswith("ORGANIZER")]
    assert cancel[organizers[0]] == booked[organizers[0]]
    assert cancel["DTSTART"] == eastern(5, 9).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert cancel["DTSTAMP"].endswith("Z")
    assert ics.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_a_candidate_who_booked_again_before_the_cancellation_went_keeps_the_new_event(
    step, django_capture_on_commit_callbacks
):
    cancelled_session = session_of(step, starts_at=eastern(5, 9))
    other = session_of(step, starts_at=eastern(6, 13))
    [invitation] = invited(step)
    book(invitation, cancelled_session)
    with django_capture_on_commit_callbacks() as callbacks:
        cancel_session(cancelled_session, by=None, reason_en="Flooded.", reason_fr="Inondée.")
    book(invitation, other)  # from the status page, before the cancellation's e-mail went

    for callback in callbacks:
        callback()

    [message] = to(invitation.application)
    assert "You have since booked another session" in message.body
    assert "removes the session from your calendar" not in message.body
    [(_name, ics, _mime)] = message.attachments
    lines = content_lines(ics)
    assert lines["METHOD"] == "PUBLISH"  # not a cancellation of the event they now hold
    assert lines["DTSTART"] == eastern(6, 13).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_after_the_deadline_a_cancellation_says_whom_to_write_to(
    step, django_capture_on_commit_callbacks
):
    cancelled_session = session_of(step, starts_at=eastern(5, 9))
    [invitation] = invited(step, book_by=eastern(4, 17))
    book(invitation, cancelled_session)
    SessionInvitation.objects.filter(pk=invitation.pk).update(
        book_by=timezone.now() - datetime.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(cancelled_session, by=None, reason_en="Flooded.", reason_fr="Inondée.")

    [message] = to(invitation.application)
    assert "choose another session" not in message.body
    assert "write to Alex Martin (staffing.ontario@example.com)." in message.body


# --- The reminder two days before -----------------------------------------------------------------


def remind() -> str:
    out = StringIO()
    call_command("send_session_reminders", stdout=out)
    return out.getvalue()


def test_only_sessions_within_two_days_are_reminded_and_each_once(step):
    tomorrow, in_three_days = (
        session_of(step, starts_at=timezone.now() + DAY),
        session_of(step, starts_at=timezone.now() + 3 * DAY),
    )
    soon, later, not_booked = invited(step, 3, book_by=timezone.now() + DAY / 2)
    book(soon, tomorrow)
    book(later, in_three_days)

    assert remind() == "Session reminders sent: 1.\n"
    assert remind() == "Session reminders sent: 0.\n"

    [message] = mail.outbox
    assert message.to == [soon.application.email]
    assert message.subject.startswith("Reminder: Written exam, ")
    assert "takes place within two days." in message.body
    assert "Where: Kingston Penitentiary (Kingston)" in message.body
    assert "If you can no longer attend, you can change your session until " in message.body
    [(name, _ics, mime)] = message.attachments
    assert (name, mime) == ("session.ics", "text/calendar")
    assert not to(later.application) and not to(not_booked.application)


def test_past_the_deadline_the_reminder_says_whom_to_write_to(step):
    session = session_of(step, starts_at=timezone.now() + DAY)
    [invitation] = invited(step)
    book(invitation, session)
    SessionInvitation.objects.filter(pk=invitation.pk).update(book_by=timezone.now())

    remind()

    [message] = mail.outbox
    assert "change your session" not in message.body
    assert "write to Alex Martin (staffing.ontario@example.com) as soon as you can." in (
        message.body
    )


def test_a_cancelled_session_or_a_withdrawn_candidate_is_not_reminded(step):
    cancelled, kept = (session_of(step, starts_at=timezone.now() + DAY) for _ in range(2))
    in_cancelled, withdrew = invited(step, 2)
    book(in_cancelled, cancelled)
    book(withdrew, kept)
    cancel_session(cancelled, by=None, reason_en="No room.", reason_fr="Aucune salle.")
    application_withdraw(application=withdrew.application)

    assert remind() == "Session reminders sent: 0.\n"
    assert not mail.outbox


def test_a_changed_booking_is_reminded_again(step):
    first, second = (
        session_of(step, starts_at=timezone.now() + DAY + datetime.timedelta(hours=hour))
        for hour in (0, 5)
    )
    [invitation] = invited(step)
    book(invitation, first)
    remind()

    book(invitation, second)
    remind()
    remind()

    first_reminder, second_reminder = mail.outbox
    assert first_reminder.attachments != second_reminder.attachments
    ics = content_lines(second_reminder.attachments[0][1])
    assert ics["DTSTART"] == second.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_reminders_read_nothing_more_per_candidate(step, django_assert_max_num_queries):
    sessions = [session_of(step, starts_at=timezone.now() + DAY, capacity=30) for _ in range(3)]
    for number, invitation in enumerate(invited(step, 12)):
        book(invitation, sessions[number % 3])

    # One chunk: the due invitations with all the e-mail reads, and one UPDATE, in a savepoint.
    with django_assert_max_num_queries(4):
        result = send_due_reminders()

    assert result.sent == len(mail.outbox) == 12


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_send_each_reminder_once(step):
    session = session_of(step, starts_at=timezone.now() + DAY)
    held, free = invited(step, 2)
    book(held, session)
    book(free, session)
    mail.outbox.clear()  # the confirmations
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_pass_holding_one_row():
        # What a pass does with its chunk: lock it, and mark it reminded before it commits.
        try:
            with transaction.atomic():
                SessionInvitation.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(10)
                SessionInvitation.objects.filter(pk=held.pk).update(reminded_at=timezone.now())
        finally:
            connection.close()
            done.set()

    threading.Thread(target=other_pass_holding_one_row, daemon=True).start()
    assert locked.wait(10)

    result = send_due_reminders()  # does not wait for the row the other pass holds
    release.set()
    assert done.wait(10)

    assert result.sent == 1
    assert [message.to for message in mail.outbox] == [[free.application.email]]
    assert send_due_reminders().sent == 0


@pytest.mark.django_db(transaction=True)
def test_forever_runs_a_pass_and_stops_cleanly_on_sigterm(step, sigterm_once_listening):
    session = session_of(step, starts_at=timezone.now() + DAY)
    [invitation] = invited(step)
    book(invitation, session)
    mail.outbox.clear()  # the confirmation
    before = sigterm_once_listening()
    out = StringIO()

    call_command("send_session_reminders", "--forever", "--every", "900", stdout=out)

    assert "Stopped." in out.getvalue()
    assert len(mail.outbox) <= 1  # stopped before, or after, its first pass's e-mail
    assert signal.getsignal(signal.SIGTERM) is before


# --- The calendar file (RFC 5545) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        # 3.3.11: a backslash, a semicolon and a comma are escaped with a backslash; a line
        # break is written \n; a colon is not escaped.
        ("Room 204, east wing; bring ID", "Room 204\\, east wing\\; bring ID"),
        ("C:\\exams", "C:\\\\exams"),
        ("line one\nline two\r\nline three", "line one\\nline two\\nline three"),
        ("a\\,b", "a\\\\\\,b"),
        # Control characters other than the tab have no place in TEXT.
        ("bell\x07 tab\t", "bell tab\t"),
    ],
)
def test_text_values_are_escaped_as_rfc_5545_writes_them(text, escaped):
    assert calendar.escape(text) == escaped


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    # 3.1: lines SHOULD NOT be longer than 75 octets; a fold is CRLF then one space; a
    # multi-octet character is never split.
    ascii_line = "DESCRIPTION:" + "x" * 100  # 112 octets: 75, then 1 space and 37
    assert calendar.fold(ascii_line) == ascii_line[:75] + "\r\n " + ascii_line[75:]
    accented = "SUMMARY:" + "é" * 40  # 8 + 80 octets: "é" is 2 octets in UTF-8
    # 8 + 33 * 2 = 74 octets (a 34th "é" would make 76), then 1 space + 7 * 2 = 15 octets.
    assert calendar.fold(accented) == "SUMMARY:" + "é" * 33 + "\r\n " + "é" * 7
    assert calendar.fold("UID:short") == "UID:short"
    exactly = "X" * 75
    assert calendar.fold(exactly) == exactly
    long = "Y" * 75 + "Z" * 150  # continuation lines: the space plus 74 octets
    assert calendar.fold(long) == "Y" * 75 + "\r\n " + "Z" * 74 + "\r\n " + "Z" * 74 + "\r\n ZZ"


def test_the_calendar_file_is_crlf_folded_utf_8_with_one_event_per_invitation(step, settings):
    settings.SITE_URL = "https://careers.example.ca"
    first = session_of(step, starts_at=eastern(5, 9), location_details="Salle 204, aile est")
    second = session_of(step, starts_at=eastern(6, 9))
    [invitation] = invited(step)
    status = "https://careers.example.ca/en/applications/" + "t" * 120 + "/"
    book(invitation, first)
    # Invited an hour ago, booked a minute ago: the change below comes later.
    SessionInvitation.objects.filter(pk=invitation.pk).update(
        invited_at=timezone.now() - datetime.timedelta(hours=1),
        booked_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    booked = SessionInvitation.objects.get(pk=invitation.pk)

    ics_first = calendar.booking_calendar(booked, status_url=status)
    changed = book(booked, second)
    ics_second = calendar.booking_calendar(changed, status_url=status)

    text = ics_first.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends CRLF
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    one, two = content_lines(text), content_lines(ics_second.decode())
    assert one["LOCATION"] == "Kingston Penitentiary (Kingston) – Salle 204\\, aile est"
    assert one["URL"] == status  # folded in the file, whole once unfolded
    # The same event, changed: same UID, a higher SEQUENCE, so a calendar replaces it.
    assert one["UID"] == two["UID"] == f"invitation-{invitation.pk}@careers.example.ca"
    assert int(two["SEQUENCE"]) > int(one["SEQUENCE"]) >= 0
    assert int(two["SEQUENCE"]) < 2**31  # an INTEGER (3.3.8)
    assert one["DTSTAMP"].endswith("Z") and one["DTSTART"].endswith("Z")
