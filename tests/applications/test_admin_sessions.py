"""HR's side of the sessions candidates book (issue 16): creating sessions (the step's board as
assessors, a warning when an assessor is elsewhere, no fewer seats than booked), who booked,
deleting (refused once booked: cancel instead), cancelling (the booked candidates e-mailed),
the invitations and attendance, inviting from the application list, and who may do what."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from applications.forms import AssessmentSessionForm
from applications.models import (
    Application,
    AssessmentSession,
    BookingEvent,
    BookingEventKind,
    InvitationStatus,
    OfficialLanguage,
    SessionInvitation,
)
from applications.pipeline import Stage
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from applications.sessions import book, cancel_session, invite, mark_attendance
from positions.models import AssessmentStep, BoardMember, StepKind
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = pytest.mark.django_db

SESSIONS = reverse("admin:applications_assessmentsession_changelist")
ADD_SESSION = reverse("admin:applications_assessmentsession_add")
INVITATIONS = reverse("admin:applications_sessioninvitation_changelist")
APPLICATIONS = reverse("admin:applications_application_changelist")


def session_url(session, action: str = "change") -> str:
    return reverse(f"admin:applications_assessmentsession_{action}", args=[session.pk])


def invitation_url(invitation) -> str:
    return reverse("admin:applications_sessioninvitation_change", args=[invitation.pk])


def said(response) -> list[str]:
    """The messages the admin gave the person (whether the page was shown or redirected)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def soon(days: float = 7, hour: int = 9) -> datetime.datetime:
    """A time `days` from now at `hour` o'clock, in the site's time zone."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def step_of(posting=None, kind=StepKind.WRITTEN_EXAM, **kwargs) -> AssessmentStep:
    return AssessmentStep.objects.create(
        posting=posting or JobPostingFactory(), kind=kind, order=kwargs.pop("order", 1), **kwargs
    )


def session_of(step, *, starts_at=None, hours=3, capacity=20, facility=None, **kwargs):
    starts_at = starts_at or soon()
    return AssessmentSession.objects.create(
        step=step,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        facility=facility or FacilityFactory(),
        capacity=capacity,
        **kwargs,
    )


def booked_into(session, count: int = 1, *, by=None, **fields) -> list[SessionInvitation]:
    """Candidates invited to the session's step and booked into it, by the services."""
    applications = [
        ApplicationFactory(posting=session.step.posting, **fields) for _ in range(count)
    ]
    invited = invite(
        Application.objects.filter(pk__in=[a.pk for a in applications]),
        step=session.step,
        book_by=session.starts_at,
        by=by,
    )
    return [
        book(invitation, session)
        for invitation in SessionInvitation.objects.filter(pk__in=invited.invited)
    ]


def start_it(session, *, hours_ago: float = 4) -> None:
    """Move a session into the past (it was booked while it was to come)."""
    starts_at = timezone.now() - datetime.timedelta(hours=hours_ago)
    AssessmentSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=3)
    )
    session.refresh_from_db()


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS, username="hr")


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


@pytest.fixture
def recruiter_client(client, django_user_model):
    client.force_login(staff_in(django_user_model, RECRUITERS, username="recruiter"))
    return client


def session_form(for_step, place, **changes) -> dict:
    starts = soon()
    data = {
        "step": for_step.pk,
        "starts_at_0": starts.date().isoformat(),
        "starts_at_1": "09:00",
        "ends_at_0": starts.date().isoformat(),
        "ends_at_1": "12:00",
        "facility": place.pk,
        "location_details_en": "Room 204",
        "location_details_fr": "Salle 204",
        "online_url": "",
        "capacity": "20",
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Creating and changing sessions ----------------------------------------------------------


def test_hr_creates_a_session_and_the_steps_board_assesses_it(hr_client, django_user_model):
    step = step_of()
    chair = django_user_model.objects.create_user("chair", is_staff=True)
    member = django_user_model.objects.create_user("member", is_staff=True)
    BoardMember.objects.create(step=step, user=chair, is_chair=True)
    BoardMember.objects.create(step=step, user=member)
    facility = FacilityFactory()

    response = hr_client.post(ADD_SESSION, session_form(step, facility))

    assert response.status_code == 302, response.context["adminform"].form.errors
    session = AssessmentSession.objects.get()
    assert (session.step, session.facility, session.capacity) == (step, facility, 20)
    assert timezone.localtime(session.starts_at).time() == datetime.time(9)
    assert set(session.assessors.all()) == {chair, member}


def test_assessors_named_on_creation_are_kept(hr_client, django_user_model):
    step = step_of()
    BoardMember.objects.create(
        step=step, user=django_user_model.objects.create_user("chair", is_staff=True)
    )
    other = django_user_model.objects.create_user("other", is_staff=True)

    hr_client.post(ADD_SESSION, session_form(step, FacilityFactory(), assessors=[other.pk]))

    assert list(AssessmentSession.objects.get().assessors.all()) == [other]


def test_an_assessor_who_left_the_staff_stays_named_when_the_session_is_changed(
    hr_client, django_user_model
):
    session = session_of(step_of())
    gone = django_user_model.objects.create_user("gone", is_staff=False)
    session.assessors.add(gone)

    response = hr_client.post(
        session_url(session),
        session_form(session.step, session.facility, capacity="30", assessors=[gone.pk]),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, list(session.assessors.all())) == (30, [gone])


def test_only_steps_candidates_book_are_offered(hr_client):
    posting = JobPostingFactory()
    exam = step_of(posting, StepKind.WRITTEN_EXAM, order=1)
    screening = step_of(posting, StepKind.SCREENING, order=2)
    medical = step_of(posting, StepKind.MEDICAL, order=3)

    form = hr_client.get(ADD_SESSION).context["adminform"].form

    offered = set(form.fields["step"].queryset)
    assert {exam, medical} <= offered
    assert screening not in offered
    response = hr_client.post(ADD_SESSION, session_form(screening, FacilityFactory()))
    assert response.status_code == 200
    assert "step" in response.context["adminform"].form.errors
    assert not AssessmentSession.objects.exists()


def test_a_session_needs_a_place(hr_client):
    response = hr_client.post(
        ADD_SESSION, session_form(step_of(), FacilityFactory(), facility="", online_url="")
    )

    assert response.status_code == 200
    assert "Give the facility, or the link to join online." in response.content.decode()
    assert not AssessmentSession.objects.exists()


def test_an_assessor_at_another_session_at_that_time_is_a_warning_not_an_error(
    hr_client, django_user_model
):
    assessor = django_user_model.objects.create_user(
        "sam", first_name="Sam", last_name="Tremblay", is_staff=True
    )
    elsewhere = session_of(step_of(), starts_at=soon(hour=10), hours=2)
    elsewhere.assessors.add(assessor)
    step = step_of()

    response = hr_client.post(
        ADD_SESSION, session_form(step, FacilityFactory(), assessors=[assessor.pk]), follow=True
    )

    assert response.redirect_chain[0][1] == 302
    assert AssessmentSession.objects.filter(step=step).exists()
    warnings = [m for m in said(response) if m.startswith("Check the assessors")]
    assert len(warnings) == 1
    assert "Sam Tremblay" in warnings[0]
    assert elsewhere.step.posting.reference_number in warnings[0]

    # The next day, nothing to warn of.
    later = hr_client.post(
        ADD_SESSION,
        session_form(
            step,
            FacilityFactory(),
            assessors=[assessor.pk],
            starts_at_0=soon(days=8).date().isoformat(),
            ends_at_0=soon(days=8).date().isoformat(),
        ),
    )
    assert not [m for m in said(later) if m.startswith("Check the assessors")]


def test_the_seats_cannot_go_below_those_taken(hr_client):
    session = session_of(step_of(), capacity=5)
    booked_into(session, 2)
    data = session_form(session.step, session.facility, capacity="1", step=None)  # read-only

    refused = hr_client.post(session_url(session), data)

    assert refused.status_code == 200
    assert "2 seats are taken: the session cannot have fewer seats." in refused.content.decode()
    session.refresh_from_db()
    assert session.capacity == 5
    accepted = hr_client.post(session_url(session), {**data, "capacity": "2"})
    assert accepted.status_code == 302
    session.refresh_from_db()
    assert session.capacity == 2


# --- Changing a booked session: its candidates are told, their calendar event moves -----------


def calendar_of(message) -> dict[str, str]:
    """The e-mail's calendar file (RFC 5545): its content lines unfolded, by property name."""
    [(name, ics, mime)] = message.attachments
    assert (name, mime) == ("session.ics", "text/calendar")
    unfolded = ics.replace("\r\n ", "")
    return dict(line.split(":", 1) for line in unfolded.split("\r\n") if line)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def booked_a_while_ago(session, count=1, **fields) -> list[SessionInvitation]:
    """Candidates who were invited and booked the session yesterday: their e-mails (the
    invitation, the confirmation with its calendar file) are in the outbox."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitations = booked_into(session, count, **fields)
    a_day = datetime.timedelta(days=1)
    SessionInvitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        invited_at=F("invited_at") - a_day, booked_at=F("booked_at") - a_day
    )
    return list(SessionInvitation.objects.filter(pk__in=[i.pk for i in invitations]))


def to(invitation) -> list:
    return [m for m in mail.outbox if m.to == [invitation.application.email]]


def confirmation_of(invitation) -> dict[str, str]:
    """The calendar file of the booking's confirmation, as the candidate got it."""
    [confirmation] = [m for m in to(invitation) if m.attachments]  # the invitation has none
    return calendar_of(confirmation)


def urls_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_moving_a_booked_session_emails_each_candidate_booked_and_moves_their_event(
    hr_client, hr, django_capture_on_commit_callbacks
):
    session = session_of(
        step_of(),
        starts_at=soon(hour=9),
        hours=3,
        location_details_en="Room 204",
        location_details_fr="Salle 204",
    )
    [english] = booked_a_while_ago(session)
    [french] = booked_a_while_ago(session, correspondence_language=OfficialLanguage.FRENCH)
    before = {i.pk: confirmation_of(i) for i in (english, french)}
    not_booked = invite(
        Application.objects.filter(pk=ApplicationFactory(posting=session.step.posting).pk),
        step=session.step,
        book_by=session.starts_at,
        by=None,
    )
    mail.outbox.clear()
    data = session_form(
        session.step, session.facility, starts_at_1="10:00", ends_at_1="13:00", step=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(session_url(session), data)

    assert response.status_code == 302
    assert "2 booked candidates will be e-mailed the change." in said(response)
    assert not [m for m in said(response) if "not e-mailed" in m]
    new_start, new_end = soon(hour=10), soon(hour=13)
    assert len(mail.outbox) == 2  # the candidate who has not booked is not told
    stranger = SessionInvitation.objects.get(pk=not_booked.invited[0]).application
    assert not [m for m in mail.outbox if m.to == [stranger.email]]
    [message] = to(english)
    assert message.subject.startswith("Session changed: Written exam, ")
    assert "What changed: the date or time." in message.body
    assert ", from 10 a.m. to 1 p.m. (" in message.body  # the new time, Eastern
    assert "If you can no longer attend, you can change your session until " in message.body
    assert any(url.endswith(f"/sessions/{english.pk}/") for url in urls_in(message.body))
    [in_french] = to(french)
    assert in_french.extra_headers["Content-Language"] == "fr"
    assert all("/fr/" in url for url in urls_in(in_french.body))
    assert ", de 10\u00a0h à 13\u00a0h (" in in_french.body  # as Canada.ca writes it
    for invitation, sent in ((english, message), (french, in_french)):
        event, booked = calendar_of(sent), before[invitation.pk]
        # The same event (UID), a later revision (SEQUENCE): the calendar moves it (RFC 5546).
        assert event["UID"] == booked["UID"]
        assert int(event["SEQUENCE"]) > int(booked["SEQUENCE"])
        assert (event["DTSTART"], event["DTEND"]) == (utc(new_start), utc(new_end))
        assert booked["DTSTART"] == utc(soon(hour=9))
        assert event["METHOD"] == "PUBLISH"
    # The booking page's calendar file says the same as the e-mail.
    download = Client().get(
        reverse(
            "applications:book-calendar",
            kwargs={"token": english.application.status_token, "invitation": english.pk},
        )
    )
    ics = download.content.decode().replace("\r\n ", "")
    assert f"DTSTART:{utc(new_start)}\r\n" in ics
    assert f"SEQUENCE:{calendar_of(message)['SEQUENCE']}\r\n" in ics
    # The bookings' history says it, and who changed it.
    changes = BookingEvent.objects.filter(kind=BookingEventKind.SESSION_CHANGED)
    assert set(changes.values_list("invitation_id", "session_id", "by_id")) == {
        (english.pk, session.pk, hr.pk),
        (french.pk, session.pk, hr.pk),
    }


def test_a_new_room_is_emailed_as_a_change_of_place(hr_client, django_capture_on_commit_callbacks):
    session = session_of(step_of(), location_details="Room 204")
    [invitation] = booked_a_while_ago(session)
    mail.outbox.clear()
    data = session_form(
        session.step,
        session.facility,
        location_details_en="Gym, east wing",
        location_details_fr="Gymnase, aile est",
        step=None,
    )

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(session_url(session), data)

    [message] = to(invitation)
    assert "What changed: the place." in message.body
    assert f"Where: {session.facility} – Gym, east wing" in message.body
    assert calendar_of(message)["LOCATION"] == f"{session.facility} – Gym\\, east wing"


def test_changing_only_the_seats_or_the_assessors_emails_nobody(
    hr_client, django_user_model, django_capture_on_commit_callbacks
):
    session = session_of(
        step_of(), capacity=20, location_details_en="Room 204", location_details_fr="Salle 204"
    )
    booked_a_while_ago(session, 2)
    assessor = django_user_model.objects.create_user("assessor", is_staff=True)
    mail.outbox.clear()
    data = session_form(
        session.step, session.facility, capacity="25", assessors=[assessor.pk], step=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(session_url(session), data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.capacity == 25
    assert not mail.outbox
    assert not [m for m in said(response) if "e-mailed" in m]


def test_a_moved_start_is_reminded_again_for_its_new_date(
    hr_client, django_capture_on_commit_callbacks
):
    # A session the day after tomorrow, early: within the two days of the reminder.
    start = timezone.localtime(timezone.now() + datetime.timedelta(hours=30))
    start = start.replace(minute=0, second=0, microsecond=0)
    session = session_of(step_of(), starts_at=start, hours=2)
    [invitation] = booked_a_while_ago(session)
    mail.outbox.clear()
    call_command("send_session_reminders", stdout=StringIO())
    [first_reminder] = to(invitation)
    mail.outbox.clear()
    later = start + datetime.timedelta(hours=1)
    data = session_form(
        session.step,
        session.facility,
        starts_at_0=later.date().isoformat(),
        starts_at_1=f"{later:%H:%M}",
        ends_at_0=(later + datetime.timedelta(hours=2)).date().isoformat(),
        ends_at_1=f"{later + datetime.timedelta(hours=2):%H:%M}",
        step=None,
    )

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(session_url(session), data)

    invitation.refresh_from_db()
    assert invitation.reminded_at is None
    assert len(to(invitation)) == 1  # the change
    call_command("send_session_reminders", stdout=StringIO())
    _change, second_reminder = to(invitation)
    assert second_reminder.subject.startswith("Reminder: ")
    assert calendar_of(second_reminder)["DTSTART"] == utc(later)
    assert calendar_of(first_reminder)["DTSTART"] == utc(start)


def test_a_new_room_keeps_the_reminder_already_sent(hr_client):
    session = session_of(step_of())
    [invitation] = booked_a_while_ago(session)
    SessionInvitation.objects.filter(pk=invitation.pk).update(reminded_at=timezone.now())
    data = session_form(
        session.step,
        session.facility,
        location_details_en="Room 310",
        location_details_fr="Salle 310",
        step=None,
    )

    hr_client.post(session_url(session), data)

    invitation.refresh_from_db()
    assert invitation.reminded_at is not None


def test_a_candidate_who_moved_to_another_session_before_the_email_went_is_not_told(
    hr_client, django_capture_on_commit_callbacks
):
    step = step_of()
    session, other = session_of(step), session_of(step, starts_at=soon(days=8))
    moving, staying = booked_a_while_ago(session, 2)
    data = session_form(session.step, session.facility, starts_at_1="10:00", step=None)
    with django_capture_on_commit_callbacks() as callbacks:
        hr_client.post(session_url(session), data)
    book(moving, other)  # from their status page, before the e-mails go
    mail.outbox.clear()

    for callback in callbacks:
        callback()

    assert [m.to for m in mail.outbox] == [[staying.application.email]]


def test_a_session_cannot_be_moved_into_the_past(hr_client):
    session = session_of(step_of())
    booked_a_while_ago(session)
    mail.outbox.clear()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = session_form(
        session.step, session.facility, starts_at_0=yesterday, ends_at_0=yesterday, step=None
    )

    response = hr_client.post(session_url(session), data)

    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors
    assert "candidates cannot come to a session in the past" in response.content.decode()
    assert AssessmentSession.objects.get(pk=session.pk).starts_at == session.starts_at
    assert not mail.outbox


def test_a_session_that_started_keeps_its_start_when_its_room_is_corrected(hr_client):
    session = session_of(step_of())
    start_it(session, hours_ago=1)
    local = timezone.localtime(session.starts_at)
    local_end = timezone.localtime(session.ends_at)
    data = session_form(
        session.step,
        session.facility,
        starts_at_0=local.date().isoformat(),
        starts_at_1=f"{local:%H:%M:%S}",
        ends_at_0=local_end.date().isoformat(),
        ends_at_1=f"{local_end:%H:%M:%S}",
        location_details_en="Room 101",
        location_details_fr="Salle 101",
    )

    response = hr_client.post(session_url(session), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    session.refresh_from_db()
    assert (session.location_details_en, session.location_details_fr) == ("Room 101", "Salle 101")


def test_a_cancelled_session_cannot_be_changed(hr_client, hr, django_capture_on_commit_callbacks):
    session = session_of(step_of())
    booked_a_while_ago(session)
    cancel_session(session, by=hr, reason_en="No assessors.", reason_fr="Aucun évaluateur.")
    mail.outbox.clear()
    data = session_form(session.step, session.facility, starts_at_1="10:00", step=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(session_url(session), data)

    assert response.status_code == 403
    assert AssessmentSession.objects.get(pk=session.pk).starts_at == session.starts_at
    assert not mail.outbox


def test_the_session_page_lists_who_booked_with_links_to_their_invitations(hr_client):
    session = session_of(step_of())
    first, second = booked_into(session, 2)
    invited_only = invite(
        Application.objects.filter(pk=ApplicationFactory(posting=session.step.posting).pk),
        step=session.step,
        book_by=session.starts_at,
        by=None,
    )

    page = hr_client.get(session_url(session)).content.decode()

    for invitation in (first, second):
        assert invitation.application.reference in page
        assert invitation.application.full_name in page
        assert invitation_url(invitation) in page
    stranger = SessionInvitation.objects.get(pk=invited_only.invited[0]).application
    assert stranger.reference not in page
    assert "2 / 20" in page
    assert 'name="step"' not in page  # booked: the session stays its step's


def test_the_list_shows_seats_taken_and_filters_by_time_and_cancellation(hr_client, hr):
    step = step_of()
    to_come = session_of(step, capacity=10)
    booked_into(to_come, 3)
    past = session_of(step, starts_at=soon(days=-3))
    cancelled = session_of(step, starts_at=soon(days=9))
    cancelled.cancelled_at = timezone.now()
    cancelled.save()

    response = hr_client.get(SESSIONS)
    assert response.status_code == 200
    assert "3 / 10" in response.content.decode()

    def listed(**query):
        return set(hr_client.get(SESSIONS, query).context["cl"].result_list)

    assert listed(when="upcoming") == {to_come, cancelled}
    assert listed(when="past") == {past}
    assert listed(cancelled="yes") == {cancelled}
    assert listed(cancelled="no") == {to_come, past}
    assert listed(posting=step.posting_id, step=step.pk) == {to_come, past, cancelled}
    assert listed(step=step_of(step.posting, order=2).pk) == set()


# --- Deleting and cancelling ----------------------------------------------------------------


def test_a_session_nobody_booked_can_be_deleted(hr_client):
    session = session_of(step_of())

    assert hr_client.get(session_url(session, "delete")).status_code == 200
    response = hr_client.post(session_url(session, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert not AssessmentSession.objects.exists()


def test_deleting_a_booked_session_is_refused_with_the_way_to_cancel_it(hr_client):
    session = session_of(step_of())
    booked_into(session)

    page = hr_client.get(session_url(session)).content.decode()
    assert session_url(session, "delete") not in page
    assert session_url(session, "cancel") in page
    for response in (
        hr_client.get(session_url(session, "delete")),
        hr_client.post(session_url(session, "delete"), {"post": "yes"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == session_url(session)
        assert any("Cancel it instead" in message for message in said(response))
    assert AssessmentSession.objects.filter(pk=session.pk).exists()


def test_a_session_with_a_booking_history_cannot_be_deleted_either(hr_client):
    step = step_of()
    left, other = session_of(step), session_of(step, starts_at=soon(days=8))
    (invitation,) = booked_into(left)
    book(invitation, other)  # changed to the other: the history names the first
    assert not SessionInvitation.objects.filter(session=left).exists()

    response = hr_client.post(session_url(left, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert AssessmentSession.objects.filter(pk=left.pk).exists()


def test_the_list_offers_no_bulk_delete(hr_client):
    session = session_of(step_of())
    booked_into(session)

    response = hr_client.get(SESSIONS)
    assert "delete_selected" not in response.content.decode()
    hr_client.post(SESSIONS, {"action": "delete_selected", "_selected_action": [session.pk]})
    assert AssessmentSession.objects.filter(pk=session.pk).exists()


def test_cancelling_asks_why_says_who_is_told_and_emails_them(
    hr_client, hr, django_capture_on_commit_callbacks
):
    session = session_of(step_of())
    first, second = booked_into(session, 2)
    mail.outbox.clear()
    url = session_url(session, "cancel")

    page = hr_client.get(url)
    assert page.status_code == 200
    assert "2 candidates booked this session: they are told by e-mail" in page.content.decode()
    no_reason = hr_client.post(url, {"reason_en": "  ", "reason_fr": "  "})
    assert no_reason.status_code == 200
    assert "Give the reason in English." in no_reason.content.decode()
    assert "Give the reason in French." in no_reason.content.decode()
    session.refresh_from_db()
    assert not session.is_cancelled

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(
            url, {"reason_en": "The room is flooded.", "reason_fr": "La salle est inondée."}
        )

    assert response.status_code == 302
    assert response["Location"] == session_url(session)
    assert (
        "The session is cancelled. 2 booked candidates are told by e-mail and may choose "
        "another session." in said(response)
    )
    session.refresh_from_db()
    assert session.is_cancelled and session.cancelled_by == hr
    assert session.cancellation_reason_en == "The room is flooded."
    assert session.cancellation_reason_fr == "La salle est inondée."
    for invitation in (first, second):
        invitation.refresh_from_db()
        assert (invitation.status, invitation.session) == (InvitationStatus.INVITED, None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        i.application.email for i in (first, second)
    )
    assert all("The room is flooded" in m.body for m in mail.outbox)


def test_a_cancelled_session_is_read_only_and_cannot_be_cancelled_again(hr_client, hr):
    session = session_of(step_of())
    hr_client.post(
        session_url(session, "cancel"),
        {"reason_en": "No assessors.", "reason_fr": "Aucun évaluateur."},
    )

    page = hr_client.get(session_url(session)).content.decode()
    assert "No assessors." in page and "Aucun évaluateur." in page
    assert 'name="_save"' not in page
    assert session_url(session, "cancel") not in page
    again = hr_client.post(
        session_url(session, "cancel"), {"reason_en": "Again.", "reason_fr": "Encore."}
    )
    assert "This session is already cancelled." in said(again)
    session.refresh_from_db()
    assert session.cancellation_reason_en == "No assessors."


def test_the_reason_is_asked_in_english_and_in_french_and_both_are_required(
    hr_client, django_capture_on_commit_callbacks
):
    session = session_of(step_of())
    booked_into(session)
    mail.outbox.clear()
    url = session_url(session, "cancel")

    page = hr_client.get(url).content.decode()
    assert re.search(r'<textarea name="reason_en"[^>]* lang="en"', page)
    assert re.search(r'<textarea name="reason_fr"[^>]* lang="fr"', page)
    with django_capture_on_commit_callbacks(execute=True):
        english_only = hr_client.post(url, {"reason_en": "The room is flooded.", "reason_fr": ""})

    assert english_only.status_code == 200
    content = english_only.content.decode()
    assert "Give the reason in French." in content
    assert "give the reason in English and in French." in content
    assert "Give the reason in English." not in content
    session.refresh_from_db()
    assert not session.is_cancelled
    assert not mail.outbox


def test_the_room_is_asked_in_english_and_in_french(hr_client):
    step, facility = step_of(), FacilityFactory()

    page = hr_client.get(ADD_SESSION).content.decode()
    assert re.search(r'<input type="text" name="location_details_en"[^>]* lang="en"', page)
    assert re.search(r'<input type="text" name="location_details_fr"[^>]* lang="fr"', page)
    english_only = hr_client.post(ADD_SESSION, session_form(step, facility, location_details_fr=""))
    french_only = hr_client.post(ADD_SESSION, session_form(step, facility, location_details_en=""))
    neither = hr_client.post(
        ADD_SESSION, session_form(step, facility, location_details_en="", location_details_fr="")
    )

    assert english_only.context["adminform"].form.errors == {
        "location_details_fr": ["Give the room or directions in French too."]
    }
    assert french_only.context["adminform"].form.errors == {
        "location_details_en": ["Give the room or directions in English too."]
    }
    assert neither.status_code == 302  # a room is not required: the facility is the place
    created = hr_client.post(ADD_SESSION, session_form(step, facility))
    assert created.status_code == 302
    session = AssessmentSession.objects.get(location_details_en="Room 204")
    assert (session.location_details_en, session.location_details_fr) == ("Room 204", "Salle 204")


def test_hr_clears_the_room_in_both_languages(hr_client):
    session = session_of(step_of(), location_details_en="Room 204", location_details_fr="Salle 204")
    data = session_form(
        session.step, session.facility, location_details_en="", location_details_fr=""
    )

    response = hr_client.post(session_url(session), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    session.refresh_from_db()
    assert not session.location_details_en and not session.location_details_fr
    for language in ("en", "fr"):
        with translation.override(language):
            assert session.where == str(session.facility)


def test_hr_reading_french_sees_session_times_as_canada_ca_writes_them(hr_client):
    session_of(step_of(), starts_at=soon(hour=9))

    with translation.override("fr"):
        sessions_in_french = reverse("admin:applications_assessmentsession_changelist")
    page = hr_client.get(sessions_in_french).content.decode()

    assert '<html lang="fr"' in page
    # The start column: "… à 9 h", not "09:00" nor "9 h 00".
    assert re.search(r'<td class="field-starts">\d+ \w+ \d{4} à 9\u00a0h</td>', page)


def test_cancelling_needs_the_csrf_token(hr):
    session = session_of(step_of())
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr)

    assert (
        client.post(
            session_url(session, "cancel"), {"reason_en": "Flood.", "reason_fr": "Inondation."}
        ).status_code
        == 403
    )
    session.refresh_from_db()
    assert not session.is_cancelled


# --- Invitations and attendance --------------------------------------------------------------


def test_an_invitations_page_shows_its_history_and_cannot_be_changed(hr_client):
    step = step_of()
    first, second = session_of(step), session_of(step, starts_at=soon(days=8))
    (invitation,) = booked_into(first)
    book(invitation, second)

    response = hr_client.get(invitation_url(invitation))

    assert response.status_code == 200
    page = response.content.decode()
    for kind in (BookingEventKind.INVITED, BookingEventKind.BOOKED, BookingEventKind.CHANGED):
        assert str(kind.label) in page
    assert 'name="_save"' not in page
    assert hr_client.get(reverse("admin:applications_sessioninvitation_add")).status_code == 403
    assert (
        hr_client.post(
            reverse("admin:applications_sessioninvitation_delete", args=[invitation.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert SessionInvitation.objects.filter(pk=invitation.pk).exists()


def test_the_invitations_list_filters_who_booked_and_who_did_not(hr_client):
    session = session_of(step_of())
    (booked,) = booked_into(session)
    posting = session.step.posting
    waiting, late = (ApplicationFactory(posting=posting) for _ in range(2))
    invite(
        Application.objects.filter(pk__in=[waiting.pk, late.pk]),
        step=session.step,
        book_by=soon(days=3),
        by=None,
    )
    SessionInvitation.objects.filter(application=late).update(
        book_by=timezone.now() - datetime.timedelta(hours=1)
    )

    def listed(**query):
        rows = hr_client.get(INVITATIONS, query).context["cl"].result_list
        return {invitation.application for invitation in rows}

    assert listed(booking="booked") == {booked.application}
    assert listed(booking="not-yet") == {waiting}
    assert listed(booking="late") == {late}
    assert listed(status=InvitationStatus.BOOKED) == {booked.application}
    assert listed(q=late.reference) == {late}
    assert listed(posting=posting.pk, step=session.step.pk) == {booked.application, waiting, late}


def test_attendance_is_marked_for_sessions_that_started_and_the_rest_is_explained(hr_client, hr):
    step = step_of()
    started, to_come = session_of(step), session_of(step, starts_at=soon(days=9))
    came, already = booked_into(started, 2)
    (not_yet,) = booked_into(to_come)
    not_booked = SessionInvitation.objects.get(
        pk=invite(
            Application.objects.filter(pk=ApplicationFactory(posting=step.posting).pk),
            step=step,
            book_by=soon(days=2),
            by=hr,
        ).invited[0]
    )
    start_it(started)
    mark_attendance(SessionInvitation.objects.filter(pk=already.pk), attended=True, by=hr)
    everyone = [came, already, not_yet, not_booked]

    response = hr_client.post(
        INVITATIONS,
        {"action": "mark_attended", "index": "0", "_selected_action": [i.pk for i in everyone]},
    )

    assert response.status_code == 302
    assert said(response) == [
        "1 candidate marked as attended.",
        "3 skipped: 1 not booked, 1 whose session has not started, 1 marked so already.",
    ]
    statuses = dict(SessionInvitation.objects.values_list("pk", "status"))
    assert statuses == {
        came.pk: InvitationStatus.ATTENDED,
        already.pk: InvitationStatus.ATTENDED,
        not_yet.pk: InvitationStatus.BOOKED,
        not_booked.pk: InvitationStatus.INVITED,
    }
    event = BookingEvent.objects.filter(invitation=came).latest("at", "id")
    assert (event.kind, event.by) == (BookingEventKind.ATTENDED, hr)


def test_a_no_show_is_marked_and_can_be_invited_again(
    hr_client, django_capture_on_commit_callbacks
):
    session = session_of(step_of())
    (missed,) = booked_into(session)
    start_it(session)

    response = hr_client.post(
        INVITATIONS, {"action": "mark_no_show", "index": "0", "_selected_action": [missed.pk]}
    )

    assert "1 candidate marked as did not attend." in said(response)
    missed.refresh_from_db()
    assert missed.status == InvitationStatus.NO_SHOW
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(
            APPLICATIONS,
            {
                "action": "invite_to_book_session",
                "_selected_action": [missed.application_id],
                "step": session.step_id,
                "book_by": soon(days=20).strftime("%Y-%m-%dT%H:%M"),
                "apply": "Invite",
            },
        )
    assert "1 candidate invited to book a session: they are e-mailed the link." in said(response)
    assert SessionInvitation.objects.filter(application=missed.application).count() == 2


# --- Inviting from the application list ------------------------------------------------------


def invite_post(client, applications, step, book_by=None, *, url=APPLICATIONS, **extra):
    return client.post(
        url,
        {
            "action": "invite_to_book_session",
            "_selected_action": [a.pk for a in applications],
            "step": step.pk,
            "book_by": (book_by or soon(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "apply": "Invite",
            **extra,
        },
    )


def test_the_invitation_page_asks_the_step_and_the_deadline(hr_client):
    posting = JobPostingFactory()
    exam = step_of(posting, StepKind.WRITTEN_EXAM, order=1)
    step_of(posting, StepKind.SCREENING, order=2)
    session_of(exam, capacity=12)
    applications = [ApplicationFactory(posting=posting) for _ in range(2)]

    response = hr_client.post(
        APPLICATIONS,
        {
            "action": "invite_to_book_session",
            "index": "0",
            "_selected_action": [a.pk for a in applications],
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 applications selected" in page
    assert "Written exam (sessions to come: 1, seats left: 12)" in page
    assert "Application screening" not in page
    for application in applications:
        assert f'name="_selected_action" value="{application.pk}"' in page
    assert not SessionInvitation.objects.exists()


def test_hr_invites_the_selected_and_they_are_emailed(
    hr_client, hr, django_capture_on_commit_callbacks
):
    posting = JobPostingFactory()
    step = step_of(posting)
    session_of(step)
    active = [ApplicationFactory(posting=posting) for _ in range(2)]
    closed = ApplicationFactory(posting=posting, stage=Stage.SCREENED_OUT)
    already = ApplicationFactory(posting=posting)
    invite(Application.objects.filter(pk=already.pk), step=step, book_by=soon(days=3), by=hr)
    mail.outbox.clear()
    book_by = soon(days=5, hour=17)

    with django_capture_on_commit_callbacks(execute=True):
        response = invite_post(hr_client, [*active, closed, already], step, book_by)

    assert response.status_code == 302
    assert said(response) == [
        "2 candidates invited to book a session: they are e-mailed the link.",
        "1 candidate was invited to this step already (not invited again).",
        "1 candidate was not invited: the application is no longer active.",
    ]
    new = SessionInvitation.objects.filter(application__in=active)
    assert new.count() == 2
    assert {(i.step, i.book_by, i.invited_by, i.status) for i in new} == {
        (step, book_by, hr, InvitationStatus.INVITED)
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.email for a in active)


def test_a_deadline_in_the_past_is_refused(hr_client):
    posting = JobPostingFactory()
    step = step_of(posting)

    response = invite_post(hr_client, [ApplicationFactory(posting=posting)], step, soon(days=-1))

    assert response.status_code == 200
    assert "Give a deadline in the future." in response.content.decode()
    assert not SessionInvitation.objects.exists()


def test_a_selection_of_several_postings_is_refused(hr_client):
    step = step_of()
    mine = ApplicationFactory(posting=step.posting)
    other = ApplicationFactory()

    response = invite_post(hr_client, [mine, other], step)

    assert response.status_code == 302
    assert any("several job postings" in message for message in said(response))
    assert not SessionInvitation.objects.exists()


def test_a_posting_without_a_step_with_sessions_is_told_so(hr_client):
    posting = JobPostingFactory()
    screening = step_of(posting, StepKind.SCREENING)

    response = invite_post(hr_client, [ApplicationFactory(posting=posting)], screening)

    assert "This posting's assessment plan has no step that candidates book a session of." in said(
        response
    )
    assert not SessionInvitation.objects.exists()


def many_applications(posting, count: int) -> None:
    """`count` applications to the posting, as rows (the factory's one, copied)."""
    model = ApplicationFactory(posting=posting)
    fields = {
        field.attname: getattr(model, field.attname)
        for field in Application._meta.concrete_fields
        if not field.primary_key and field.name not in ("reference", "public_id", "email")
    }
    Application.objects.bulk_create(
        Application(**fields, reference=f"T-{n:010d}", email=f"many{n}@example.ca")
        for n in range(count - 1)
    )


def test_select_all_invites_thousands_in_a_bounded_number_of_queries(
    hr_client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    posting = JobPostingFactory()
    step = step_of(posting)
    many_applications(posting, 1_100)  # more than one of the service's chunks of 1,000
    ApplicationFactory()  # another posting's: not in the list filtered by posting
    one = Application.objects.filter(posting=posting).first()

    # The list's queries, the form's, and a few per chunk of 1,000: none per candidate.
    with (
        django_assert_max_num_queries(29),
        django_capture_on_commit_callbacks() as e_mails,
    ):
        response = invite_post(
            hr_client, [one], step, url=f"{APPLICATIONS}?posting={posting.pk}", select_across="1"
        )

    assert "1100 candidates invited to book a session: they are e-mailed the link." in said(
        response
    )
    assert SessionInvitation.objects.filter(step=step).count() == 1_100
    assert BookingEvent.objects.filter(kind=BookingEventKind.INVITED).count() == 1_100
    assert len(e_mails) == 2  # one task per chunk, sent once the invitations are written


def test_select_all_takes_the_lists_filters(hr_client):
    posting = JobPostingFactory()
    step = step_of(posting)
    received = ApplicationFactory(posting=posting)
    screening = ApplicationFactory(posting=posting, stage=Stage.SCREENING)

    response = hr_client.post(
        f"{APPLICATIONS}?stage__exact={Stage.SCREENING}",
        {
            "action": "invite_to_book_session",
            "_selected_action": [screening.pk],
            "select_across": "1",
            "step": step.pk,
            "book_by": soon(days=5).strftime("%Y-%m-%dT%H:%M"),
            "apply": "Invite",
        },
    )

    assert response.status_code == 302
    assert list(SessionInvitation.objects.values_list("application", flat=True)) == [screening.pk]
    assert received.session_invitations.count() == 0


# --- Who sees what ---------------------------------------------------------------------------


def test_reviewers_see_nothing_of_sessions(client, django_user_model):
    session = session_of(step_of())
    (invitation,) = booked_into(session)
    reviewer = staff_in(django_user_model, REVIEWERS, username="reviewer")
    session.step.posting.reviewers.add(reviewer)
    client.force_login(reviewer)

    index = client.get(reverse("admin:index")).content.decode()
    assert SESSIONS not in index and INVITATIONS not in index
    for url in (
        SESSIONS,
        ADD_SESSION,
        session_url(session),
        INVITATIONS,
        invitation_url(invitation),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            session_url(session, "cancel"), {"reason_en": "x", "reason_fr": "x"}
        ).status_code
        == 403
    )
    assert (
        'value="invite_to_book_session"'
        not in client.get(APPLICATIONS, {"assigned": "all"}).content.decode()
    )
    client.post(
        APPLICATIONS,
        {
            "action": "invite_to_book_session",
            "_selected_action": [invitation.application_id],
            "step": session.step_id,
            "book_by": soon(days=5).strftime("%Y-%m-%dT%H:%M"),
            "apply": "Invite",
        },
    )
    assert SessionInvitation.objects.count() == 1


def test_recruiters_read_sessions_and_invitations_but_change_nothing(recruiter_client):
    session = session_of(step_of())
    (invitation,) = booked_into(session)
    start_it(session)
    client = recruiter_client

    assert client.get(SESSIONS).status_code == 200
    page = client.get(session_url(session))
    assert page.status_code == 200
    text = page.content.decode()
    assert invitation.application.reference in text  # who booked
    assert 'name="_save"' not in text
    assert session_url(session, "cancel") not in text
    assert client.get(ADD_SESSION).status_code == 403
    assert client.get(session_url(session, "cancel")).status_code == 403
    assert (
        client.post(
            session_url(session, "cancel"), {"reason_en": "x", "reason_fr": "x"}
        ).status_code
        == 403
    )
    assert client.post(session_url(session, "delete"), {"post": "yes"}).status_code == 403
    assert client.get(invitation_url(invitation)).status_code == 200
    listing = client.get(INVITATIONS).content.decode()
    assert invitation.application.reference in listing
    assert 'value="mark_attended"' not in listing
    client.post(
        INVITATIONS, {"action": "mark_attended", "index": "0", "_selected_action": [invitation.pk]}
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.BOOKED
    assert 'value="invite_to_book_session"' not in client.get(APPLICATIONS).content.decode()
    session.refresh_from_db()
    assert not session.is_cancelled


def test_hr_administrators_get_every_session_tool(hr_client, hr):
    session = session_of(step_of())

    assert 'value="invite_to_book_session"' in hr_client.get(APPLICATIONS).content.decode()
    assert 'value="mark_attended"' in hr_client.get(INVITATIONS).content.decode()
    assert hr_client.get(ADD_SESSION).status_code == 200
    assert session_url(session, "cancel") in hr_client.get(session_url(session)).content.decode()


def test_managing_sessions_takes_the_permission_not_only_the_models(client, django_user_model):
    """Someone given the sessions' model permissions but not manage_sessions cannot cancel."""
    session = session_of(step_of())
    user = staff_in(django_user_model, RECRUITERS, username="helper")
    user.user_permissions.add(Permission.objects.get(codename="change_assessmentsession"))
    client.force_login(user)

    assert client.get(session_url(session)).status_code == 200
    assert (
        client.post(
            session_url(session, "cancel"), {"reason_en": "x", "reason_fr": "x"}
        ).status_code
        == 403
    )


def test_inviting_more_candidates_than_seats_left_is_warned(hr_client):
    posting = JobPostingFactory()
    step = step_of(posting)
    session_of(step, capacity=1)

    response = invite_post(hr_client, [ApplicationFactory(posting=posting) for _ in range(2)], step)

    assert (
        "The sessions to come of “Written exam” have 1 seat left: add sessions or seats, so "
        "that those invited find one." in said(response)
    )
    assert SessionInvitation.objects.count() == 2


@pytest.mark.parametrize("url", [SESSIONS, INVITATIONS])
def test_the_lists_cannot_be_filtered_on_equity_declarations(recruiter_client, url):
    lookup = (
        "step__posting__applications__equity_declaration__isnull"
        if url == SESSIONS
        else "application__equity_declaration__isnull"
    )

    assert recruiter_client.get(url, {lookup: "False"}).status_code == 400


def test_the_lists_read_their_rows_in_a_fixed_number_of_queries(
    hr_client, django_assert_max_num_queries
):
    step = step_of()
    for day in range(1, 6):
        booked_into(session_of(step, starts_at=soon(days=day)), 2)

    with django_assert_max_num_queries(14):
        assert hr_client.get(SESSIONS).status_code == 200
    with django_assert_max_num_queries(11):
        assert hr_client.get(INVITATIONS).status_code == 200


def test_a_session_cancelled_between_loading_and_saving_is_refused_not_saved(hr):
    """HR's save reads the session, then another HR person cancels it, then the form checks:
    the row is read under lock, so the save is refused with the reason, not a server error."""
    session = session_of(step_of())
    AssessmentSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())
    data = session_form(
        session.step, session.facility, location_details_en="Room 1", location_details_fr="Salle 1"
    )

    form = AssessmentSessionForm(data=data, instance=session)

    assert not form.is_valid()
    assert form.non_field_errors() == ["This session is cancelled: it can no longer be changed."]
    session.refresh_from_db()
    assert session.location_details_en != "Room 1"
