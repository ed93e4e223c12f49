"""Issue 16, sessions candidates book: the candidate's side. From the status page's signed link, an
invited candidate picks a session of the step, changes it until the deadline HR set, and gets a
confirmation with a calendar file; twenty candidates after the last seat leave one booked."""

import datetime
import re
import threading
import time
import zoneinfo
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import (
    Application,
    AssessmentSession,
    BookingEvent,
    BookingEventKind,
    InvitationStatus,
    SessionInvitation,
)
from applications.pipeline import Stage
from applications.roles import HR_ADMINISTRATORS
from applications.services import application_withdraw
from applications.sessions import book, cancel_session, invite, mark_attendance
from positions.models import AssessmentStep, StepKind
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = pytest.mark.django_db

EASTERN = zoneinfo.ZoneInfo("America/Toronto")  # the site's zone (README: times in Eastern)
NBSP = "\u00a0"
JUST_TAKEN = "The last seat of this session has just been taken."
ON_ITS_WAY = "A confirmation with a calendar file is on its way to you."


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def at(day: int, hour: int = 9) -> datetime.datetime:
    """March `day`, 2030 at `hour` o'clock, Eastern time (summer time starts on March 10)."""
    return datetime.datetime(2030, 3, day, hour, tzinfo=EASTERN)


# HR's deadline to book or change.
BOOK_BY = at(1, 17)


def booking_url(invitation, token=None, language="en") -> str:
    token = token or invitation.application.status_token
    with translation.override(language):
        return reverse("applications:book", kwargs={"token": token, "invitation": invitation.pk})


def calendar_url(invitation, token=None) -> str:
    token = token or invitation.application.status_token
    return reverse(
        "applications:book-calendar", kwargs={"token": token, "invitation": invitation.pk}
    )


def status_url(application, language="en") -> str:
    with translation.override(language):
        return reverse("applications:status", args=[application.status_token])


def booked_mail():
    return [message for message in mail.outbox if message.subject.startswith("Session booked")]


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS)


@pytest.fixture
def step():
    posting = JobPostingFactory(title="Correctional Officer I", reference_number="CSC-26-CX-0001")
    return AssessmentStep.objects.create(posting=posting, kind=StepKind.WRITTEN_EXAM, order=1)


@pytest.fixture
def facility():
    return FacilityFactory(name="Joyceville Institution", city="Kingston")


def new_session(step, facility=None, *, day=5, hour=9, starts_minute=0, capacity=5, **fields):
    fields.setdefault("facility", facility)
    if fields["facility"] is None:
        fields.setdefault("online_url", "https://meet.example.ca/exam")
    return AssessmentSession.objects.create(
        step=step,
        starts_at=at(day, hour) + datetime.timedelta(minutes=starts_minute),
        ends_at=at(day, hour + 3),
        capacity=capacity,
        **fields,
    )


def invited(application, step, *, book_by=BOOK_BY) -> SessionInvitation:
    made = invite(
        Application.objects.filter(pk=application.pk), step=step, book_by=book_by, by=None
    )
    return SessionInvitation.objects.get(pk=made.invited[0])


def fill(session, count):
    """Book `count` other candidates into the session."""
    for _ in range(count):
        other = ApplicationFactory(posting=session.step.posting, assessment=True)
        book(invited(other, session.step), session)


@pytest.fixture
def candidate(step):
    return ApplicationFactory(posting=step.posting, assessment=True, first_name="Marie")


@pytest.fixture
def invitation(candidate, step):
    return invited(candidate, step)


# --- The page --------------------------------------------------------------------------------


def test_the_page_lists_the_sessions_of_the_step_to_pick(client, invitation, step, facility):
    morning = new_session(step, facility, day=10, capacity=5, location_details="Room 204")
    online = new_session(step, day=12, hour=13, capacity=3)
    full = new_session(step, facility, day=14, capacity=2)
    fill(morning, 2)
    fill(full, 2)
    past = new_session(step, facility, day=6)
    AssessmentSession.objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    cancelled = new_session(step, facility, day=16)
    AssessmentSession.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    other_step = AssessmentStep.objects.create(posting=step.posting, kind=StepKind.INTERVIEW)
    new_session(other_step, facility, day=18)

    response = client.get(booking_url(invitation))

    assert response.status_code == 200
    page = response.content.decode()
    text = text_of(response)
    assert "Book your session: Written exam" in text
    assert "Correctional Officer I (CSC-26-CX-0001)" in text
    assert "You may book your session, or change it, until March 1, 2030, 5 p.m. (EST)." in text
    # An accessible radio group: the sessions in a fieldset named by its legend.
    assert re.search(r"<fieldset[^>]*>\s*<legend><h2>Choose a session</h2></legend>", page)
    radios = re.findall(r'<input type="radio" name="session" value="(\d+)"[^>]*>', page)
    assert radios == [str(morning.pk), str(online.pk), str(full.pk)]
    assert (
        "March 10, 2030, from 9 a.m. to noon (EDT) – Joyceville Institution (Kingston) – "
        "Room 204 – 3 seats left"
    ) in text
    assert "March 12, 2030, from 1 p.m. to 4 p.m. (EDT) – Online – 3 seats left" in text
    full_radio = re.search(rf'<input type="radio" name="session" value="{full.pk}"[^>]*>', page)
    assert "disabled" in full_radio.group()
    assert "Joyceville Institution (Kingston) – Full" in text
    assert "Book this session" in text
    assert 'id="id_session"' in page  # the error summary's link lands on the first free seat


def test_the_page_is_private(client, invitation, step, facility):
    new_session(step, facility)

    response = client.get(booking_url(invitation))

    assert response["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_breadcrumbs_lead_back_to_the_status_page(client, invitation, step, facility):
    new_session(step, facility)
    token = invitation.application.status_token

    page = client.get(booking_url(invitation, token)).content.decode()

    status = reverse("applications:status", args=[token])
    assert f'<gcds-breadcrumbs-item href="{status}">Your application' in page


def test_a_step_without_sessions_says_none_is_open(client, invitation):
    text = text_of(client.get(booking_url(invitation)))

    assert "No session is open for booking at the moment." in text
    assert "Book this session" not in text


def test_when_every_session_is_full_nothing_can_be_sent(client, invitation, step, facility):
    session = new_session(step, facility, capacity=1)
    fill(session, 1)

    text = text_of(client.get(booking_url(invitation)))

    assert "Full" in text and "Every session is full at the moment." in text
    assert "Book this session" not in text


# --- Booking and changing ----------------------------------------------------------------------


def test_booking_a_session_confirms_it_and_sends_the_calendar_file(
    client, invitation, step, facility, django_capture_on_commit_callbacks
):
    session = new_session(step, facility, day=5, location_details="Room 204")
    token = invitation.application.status_token
    url = booking_url(invitation, token)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"session": session.pk})

    assert response.status_code == 302 and response["Location"] == url
    invitation.refresh_from_db()
    assert (invitation.status, invitation.session) == (InvitationStatus.BOOKED, session)
    page = client.get(url)
    text = text_of(page)
    assert (
        "Done: Your session is booked: March 5, 2030, from 9 a.m. to noon (EST), Joyceville "
        f"Institution (Kingston) – Room 204. {ON_ITS_WAY}"
    ) in text
    assert (
        "Your session When March 5, 2030, from 9 a.m. to noon (EST) "
        "Place Joyceville Institution (Kingston) – Room 204 Add to my calendar"
    ) in text
    assert f'href="{calendar_url(invitation, token)}" download' in page.content.decode()
    assert "Choose another session" in text and "Change to this session" in text
    [sent] = booked_mail()
    assert sent.to == [invitation.application.email]
    [(name, content, mime)] = sent.attachments
    assert (name, mime) == ("session.ics", "text/calendar")
    assert "DTSTART:20300305T140000Z" in content  # 9 a.m. EST


def test_changing_the_session_frees_the_first_seat(
    client, invitation, step, facility, django_capture_on_commit_callbacks
):
    first = new_session(step, facility, day=10, capacity=1)
    second = new_session(step, facility, day=11, capacity=1)
    url = booking_url(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"session": first.pk})

    # The candidate's own full session is theirs: picked, not disabled.
    page = client.get(url).content.decode()
    mine = re.search(rf'<input type="radio" name="session" value="{first.pk}"[^>]*>', page)
    assert "checked" in mine.group() and "disabled" not in mine.group()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"session": second.pk}, follow=True)

    assert "Your session is changed: March 11, 2030" in text_of(response)
    invitation.refresh_from_db()
    assert invitation.session == second
    assert first.invitations.count() == 0
    kinds = list(invitation.events.values_list("kind", flat=True))
    assert kinds == [BookingEventKind.INVITED, BookingEventKind.BOOKED, BookingEventKind.CHANGED]
    assert len(booked_mail()) == 2
    # The first seat is free again for someone else.
    other = invited(ApplicationFactory(posting=step.posting, assessment=True), step)
    assert client.post(booking_url(other), {"session": first.pk}).status_code == 302


def test_a_double_click_books_once_and_sends_one_email(
    client, invitation, step, facility, django_capture_on_commit_callbacks
):
    session = new_session(step, facility)
    url = booking_url(invitation)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"session": session.pk})
        again = client.post(url, {"session": session.pk}, follow=True)

    assert "This is already your session: nothing has changed." in text_of(again)
    assert session.invitations.count() == 1
    assert BookingEvent.objects.filter(kind=BookingEventKind.BOOKED).count() == 1
    assert len(booked_mail()) == 1


# --- Bad input -------------------------------------------------------------------------------


def test_a_full_session_is_refused_and_the_page_shows_what_is_left(
    client, invitation, step, facility
):
    taken = new_session(step, facility, day=10, capacity=1)
    left = new_session(step, facility, day=11, capacity=2)
    fill(taken, 1)

    # Another candidate took the last seat between the page and the click.
    response = client.post(booking_url(invitation), {"session": taken.pk})

    assert response.status_code == 409
    text = text_of(response)
    assert f"Error: {JUST_TAKEN}" in text
    page = response.content.decode()
    assert re.search(
        rf'<input type="radio" name="session" value="{left.pk}" id="id_session">', page
    )
    assert "2 seats left" in text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED and invitation.session is None
    assert taken.invitations.count() == 1


@pytest.mark.parametrize(
    "closed, message",
    [
        ("past", "This session has already started. Choose another."),
        ("cancelled", "This session is cancelled. Choose another."),
    ],
)
def test_a_past_or_cancelled_session_is_not_offered_and_is_refused(
    client, invitation, step, facility, hr, closed, message
):
    session = new_session(step, facility, day=10)
    new_session(step, facility, day=11)
    if closed == "past":
        AssessmentSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            ends_at=timezone.now() + datetime.timedelta(hours=2),
        )
    else:
        cancel_session(
            session, by=hr, reason_en="The room is flooded.", reason_fr="La salle est inondée."
        )
    url = booking_url(invitation)
    assert f'value="{session.pk}"' not in client.get(url).content.decode()

    response = client.post(url, {"session": session.pk})

    assert response.status_code == 409
    assert f"Error: {message}" in text_of(response)
    assert "Book this session" in text_of(response)
    assert session.invitations.count() == 0


def test_another_steps_session_is_no_choice(client, invitation, step, facility):
    new_session(step, facility)
    interview = AssessmentStep.objects.create(posting=step.posting, kind=StepKind.INTERVIEW)
    elsewhere = new_session(interview, facility)

    response = client.post(booking_url(invitation), {"session": elsewhere.pk})

    assert response.status_code == 200
    text = text_of(response)
    assert "Choose a session: Choose one of the sessions offered." in text
    assert text.startswith("Error:") or "<title>Error:" in response.content.decode()
    assert elsewhere.invitations.count() == 0


@pytest.mark.parametrize("data", [{}, {"session": ""}, {"session": "abc"}, {"session": "9999999"}])
def test_a_missing_or_invalid_choice_is_a_form_error(client, invitation, step, facility, data):
    new_session(step, facility)

    response = client.post(booking_url(invitation), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page and 'href="#id_session"' in page
    assert (
        "Pick the session you will attend." in page or "Choose one of the sessions offered." in page
    )
    assert page.count('<input type="radio"') == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


def test_after_the_deadline_the_booking_is_read_only(client, invitation, step, facility):
    session = new_session(step, facility, day=10)
    other = new_session(step, facility, day=11)
    book(invitation, session)
    SessionInvitation.objects.filter(pk=invitation.pk).update(
        book_by=timezone.now() - datetime.timedelta(minutes=1)
    )
    url = booking_url(invitation)

    page = client.get(url)

    text = text_of(page)
    assert "The deadline to book or change a session has passed." in text
    assert "Your session When" in text and "Add to my calendar" in text
    assert "<form" not in page.content.decode().split("<main", 1)[1]
    refused = client.post(url, {"session": other.pk})
    assert refused.status_code == 409
    assert "The deadline to book or change a session has passed." in text_of(refused)
    invitation.refresh_from_db()
    assert invitation.session == session


def test_an_invitation_over_shows_what_happened(client, invitation, step, facility, hr):
    session = new_session(step, facility, day=10)
    book(invitation, session)
    AssessmentSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=4),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    mark_attendance(SessionInvitation.objects.filter(pk=invitation.pk), attended=True, by=hr)
    later = new_session(step, facility, day=12)
    url = booking_url(invitation)

    page = client.get(url)

    text = text_of(page)
    assert "You attended this session." in text and "The session you booked" in text
    assert "Add to my calendar" not in text
    assert "<form" not in page.content.decode().split("<main", 1)[1]
    refused = client.post(url, {"session": later.pk})
    assert refused.status_code == 409
    assert "This invitation is over: there is nothing left to book." in text_of(refused)
    assert client.get(calendar_url(invitation)).status_code == 404


def test_a_withdrawn_application_books_nothing(
    client, invitation, candidate, step, facility, django_capture_on_commit_callbacks
):
    session = new_session(step, facility, day=5)
    later = new_session(step, facility, day=6)
    book(invitation, session)
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=candidate)
    url = booking_url(invitation)

    page = client.get(url)

    text = text_of(page)
    assert "Your application is closed: there is no session to book." in text
    assert "Book this session" not in text and "Add to my calendar" not in text
    refused = client.post(url, {"session": later.pk})
    assert refused.status_code == 409
    assert "This invitation is over" in text_of(refused)
    assert later.invitations.count() == 0
    assert session.invitations.count() == 0  # the seat went back to the others
    assert client.get(calendar_url(invitation)).status_code == 404


def test_a_tampered_link_is_not_found(client, invitation, step, facility):
    session = new_session(step, facility)
    book(invitation, session)
    token = invitation.application.status_token
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    assert client.get(booking_url(invitation, tampered)).status_code == 404
    assert (
        client.post(booking_url(invitation, tampered), {"session": session.pk}).status_code == 404
    )
    assert client.get(calendar_url(invitation, tampered)).status_code == 404


def test_an_expired_link_says_so(client, invitation, step, facility, settings):
    settings.STATUS_LINK_MAX_AGE_DAYS = 30
    session = new_session(step, facility)
    book(invitation, session)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 31 * 86400):
        old = invitation.application.status_token

    for response in (
        client.get(booking_url(invitation, old)),
        client.post(booking_url(invitation, old), {"session": session.pk}),
        client.get(calendar_url(invitation, old)),
    ):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()


def test_someone_elses_invitation_is_not_found(client, invitation, step, facility):
    session = new_session(step, facility)
    book(invitation, session)
    someone = ApplicationFactory(posting=step.posting, assessment=True)
    theirs_url = reverse(
        "applications:book", kwargs={"token": someone.status_token, "invitation": invitation.pk}
    )
    theirs_calendar = reverse(
        "applications:book-calendar",
        kwargs={"token": someone.status_token, "invitation": invitation.pk},
    )

    assert client.get(theirs_url).status_code == 404
    assert client.post(theirs_url, {"session": session.pk}).status_code == 404
    assert client.get(theirs_calendar).status_code == 404
    invitation.refresh_from_db()
    assert invitation.session == session


# --- The calendar file -------------------------------------------------------------------------


def test_the_calendar_file_of_the_booked_session(client, invitation, step, facility):
    session = new_session(step, facility, day=10, hour=9)
    url = calendar_url(invitation)
    assert client.get(url).status_code == 404  # nothing booked yet
    book(invitation, session)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == 'attachment; filename="session.ics"'
    assert response["Cache-Control"] == "private, no-store"
    content = response.content.decode()
    # 9 a.m. in Toronto on March 10, 2030 (summer time, UTC-4) is 13:00 UTC.
    assert "\r\nDTSTART:20300310T130000Z\r\nDTEND:20300310T160000Z\r\n" in content
    assert "BEGIN:VEVENT" in content and "Written exam" in content


# --- The status page ---------------------------------------------------------------------------


def test_the_status_page_links_to_the_booking_page(client, candidate, invitation):
    token = candidate.status_token

    response = client.get(reverse("applications:status", args=[token]))

    text = text_of(response)
    assert "Sessions Written exam Book your session by March 1, 2030, 5 p.m. (EST)" in text
    assert booking_url(invitation, token) in response.content.decode()


def test_the_status_page_shows_the_session_booked_with_change_and_calendar(
    client, candidate, invitation, step, facility
):
    session = new_session(step, facility, day=5, location_details="Room 204")
    book(invitation, session)
    token = candidate.status_token

    response = client.get(reverse("applications:status", args=[token]))

    text = text_of(response)
    assert (
        "Written exam Your session: March 5, 2030, from 9 a.m. to noon (EST), Joyceville "
        "Institution (Kingston) – Room 204. Change – Written exam Add to my calendar – Written exam"
    ) in text
    page = response.content.decode()
    assert booking_url(invitation, token) in page and calendar_url(invitation, token) in page

    SessionInvitation.objects.filter(pk=invitation.pk).update(
        book_by=timezone.now() - datetime.timedelta(minutes=1)
    )
    closed = text_of(client.get(reverse("applications:status", args=[token])))
    assert "Your session:" in closed and "Add to my calendar" in closed
    assert "Change – Written exam" not in closed


def test_the_status_page_shows_a_session_attended(client, candidate, invitation, step, hr):
    session = new_session(step, day=10)
    book(invitation, session)
    AssessmentSession.objects.filter(pk=session.pk).update(
        starts_at=datetime.datetime(2025, 3, 4, 9, tzinfo=EASTERN),
        ends_at=datetime.datetime(2025, 3, 4, 12, tzinfo=EASTERN),
    )
    mark_attendance(SessionInvitation.objects.filter(pk=invitation.pk), attended=True, by=hr)

    text = text_of(client.get(status_url(candidate)))

    assert "Written exam Attended on March 4, 2025." in text
    assert "Book your session" not in text and "Add to my calendar" not in text


def test_a_withdrawn_application_lists_no_session_to_book(client, candidate, invitation):
    application_withdraw(application=candidate)

    text = text_of(client.get(status_url(candidate)))

    assert "Book your session" not in text and "Sessions" not in text


def test_an_application_without_invitation_has_no_sessions_section(client, candidate):
    assert "Sessions" not in text_of(client.get(status_url(candidate)))


# --- In French -------------------------------------------------------------------------------


def test_the_booking_page_in_french(client, invitation, step, facility):
    new_session(step, facility, day=10, capacity=1)
    new_session(step, facility, day=12, hour=13, capacity=2, starts_minute=30)

    response = client.get(booking_url(invitation, language="fr"))

    page = response.content.decode()
    assert '<html lang="fr">' in page
    # French typography: a non-breaking space before the colon.
    assert f"<h1>Réservez votre séance{NBSP}: Examen écrit</h1>" in page
    # Times as Canada.ca writes them in French: the 24-hour clock, "h" between non-breaking
    # spaces, no minutes on the hour (9 h, not 09:00 nor 9 h 00).
    assert f"jusqu’au 1 mars 2030 à 17{NBSP}h (EST)." in page
    assert f"10 mars 2030, de 9{NBSP}h à 12{NBSP}h (EDT)" in page
    assert f"12 mars 2030, de 13{NBSP}h{NBSP}30 à 16{NBSP}h (EDT)" in page
    assert ":00" not in text_of(response)
    text = text_of(response)
    assert (
        "10 mars 2030, de 9 h à 12 h (EDT) – Joyceville Institution (Kingston) – 1 place libre"
    ) in text
    assert "Réserver cette séance" in text


def test_a_french_candidate_reads_the_room_in_french(client, invitation, step, facility):
    session = new_session(
        step, facility, day=10, location_details_en="Room 101", location_details_fr="Salle 101"
    )

    french = text_of(client.get(booking_url(invitation, language="fr")))
    english = text_of(client.get(booking_url(invitation)))

    assert "Joyceville Institution (Kingston) – Salle 101 –" in french
    assert "Room 101" not in french
    assert "Joyceville Institution (Kingston) – Room 101 –" in english
    assert "Salle 101" not in english

    response = client.post(booking_url(invitation, language="fr"), {"session": session.pk})
    page = client.get(response["Location"])
    assert f"10 mars 2030, de 9{NBSP}h à 12{NBSP}h (EDT), Joyceville Institution (Kingston) – " in (
        page.content.decode()
    )
    assert "Salle 101" in text_of(page)


def test_a_room_given_in_english_only_is_read_in_english_by_french_candidates(
    client, invitation, step, facility
):
    # A session written before the room had its French twin: its text went into English.
    new_session(step, facility, day=10, location_details_en="Room 204")

    french = text_of(client.get(booking_url(invitation, language="fr")))

    assert "Joyceville Institution (Kingston) – Room 204 –" in french


# --- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_the_booking_page_costs_the_same_queries_whatever_the_sessions(
    client, invitation, step, facility, django_assert_max_num_queries, count
):
    for day in range(count):
        fill(new_session(step, facility if day % 2 else None, day=10 + day, capacity=3), 1)
    book(invitation, step.sessions.first())
    url = booking_url(invitation)

    # The application and its posting, the invitation with its session, the sessions to pick.
    with django_assert_max_num_queries(4):
        response = client.get(url)

    assert response.content.decode().count('<input type="radio"') == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_status_page_costs_no_more_queries_with_the_invitations(
    client, candidate, step, facility, django_assert_max_num_queries, count
):
    for number in range(count):
        other = AssessmentStep.objects.create(
            posting=step.posting, kind=StepKind.INTERVIEW, order=number + 2
        )
        invitation = invited(candidate, other)
        if number % 2:
            book(invitation, new_session(other, facility, day=10 + number))

    url = status_url(candidate)

    # The limit test_status_steps pins for the page without sessions.
    with django_assert_max_num_queries(5):
        response = client.get(url)

    assert response.content.decode().count("<dt>Interview</dt>") == count


# --- The race for the last seat ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_candidates_after_the_last_seat_leave_one_booked():
    posting = JobPostingFactory()
    step = AssessmentStep.objects.create(posting=posting, kind=StepKind.WRITTEN_EXAM, order=1)
    session = new_session(step, FacilityFactory(), day=10, capacity=3)
    fill(session, 2)  # one seat left
    other = new_session(step, FacilityFactory(), day=11, capacity=30)
    invitations = [
        invited(ApplicationFactory(posting=posting, assessment=True), step) for _ in range(20)
    ]
    mail.outbox.clear()
    urls = [booking_url(invitation) for invitation in invitations]
    barrier = threading.Barrier(20)
    answers = []

    def take_the_seat(url):
        try:
            barrier.wait()
            response = Client().post(url, {"session": session.pk})
            answers.append((response.status_code, text_of(response)))
        finally:
            connection.close()

    threads = [threading.Thread(target=take_the_seat, args=[url]) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _text in answers) == [302] + [409] * 19
    for status, text in answers:
        if status == 409:
            assert f"Error: {JUST_TAKEN}" in text
            # What is left: the other session, still open to book.
            assert "30 seats left" in text and "Book this session" in text
    assert session.invitations.count() == 3  # never more than its capacity
    assert (
        SessionInvitation.objects.filter(
            pk__in=[i.pk for i in invitations], status=InvitationStatus.BOOKED
        ).count()
        == 1
    )
    assert len(booked_mail()) == 1
    assert other.invitations.count() == 0
    assert Application.objects.filter(stage=Stage.ASSESSMENT).count() == 22
