"""The services of sessions candidates book (issue 16): inviting, booking, changing, cancelling a
session and marking attendance — each refusal saves nothing, each change is on record."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from applications.models import (
    Application,
    AssessmentSession,
    BookingEvent,
    BookingEventKind,
    InvitationStatus,
    SessionInvitation,
)
from applications.pipeline import Stage
from applications.sessions import (
    NotInvited,
    SessionClosed,
    SessionFull,
    SessionRefused,
    book,
    cancel_session,
    due_reminders,
    invite,
    mark_attendance,
    overlapping,
    sessions_to_book,
)
from positions.models import AssessmentStep, StepKind
from tests.applications.factories import ApplicationFactory
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = pytest.mark.django_db

IN_A_WEEK = datetime.timedelta(days=7)


@pytest.fixture
def step():
    posting = JobPostingFactory()
    return AssessmentStep.objects.create(posting=posting, kind=StepKind.WRITTEN_EXAM, order=1)


def session_of(step, *, starts_in=datetime.timedelta(days=5), capacity=2, **fields):
    starts = timezone.now() + starts_in
    return AssessmentSession.objects.create(
        step=step,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        facility=fields.pop("facility", None) or FacilityFactory(),
        capacity=capacity,
        **fields,
    )


def invited(step, count=1, **application_fields):
    applications = [
        ApplicationFactory(posting=step.posting, screened_in=True, **application_fields)
        for _ in range(count)
    ]
    result = invite(
        Application.objects.filter(pk__in=[a.pk for a in applications]),
        step=step,
        book_by=timezone.now() + IN_A_WEEK,
        by=None,
    )
    invitations = list(SessionInvitation.objects.filter(pk__in=result.invited).order_by("pk"))
    return invitations[0] if count == 1 else invitations


class TestInvite:
    def test_active_applications_of_the_posting_are_invited_once(self, step):
        active = ApplicationFactory.create_batch(3, posting=step.posting, screened_in=True)
        closed = ApplicationFactory(posting=step.posting, withdrawn=True)
        elsewhere = ApplicationFactory(screened_in=True)
        chosen = Application.objects.filter(pk__in=[a.pk for a in [*active, closed, elsewhere]])
        book_by = timezone.now() + IN_A_WEEK

        first = invite(chosen, step=step, book_by=book_by, by=None)
        again = invite(chosen, step=step, book_by=book_by, by=None)

        assert len(first.invited) == 3
        assert (first.already, first.not_active) == (0, 2)
        assert (len(again.invited), again.already, again.not_active) == (0, 3, 2)
        assert set(SessionInvitation.objects.values_list("application_id", flat=True)) == {
            a.pk for a in active
        }
        assert BookingEvent.objects.filter(kind=BookingEventKind.INVITED).count() == 3

    def test_a_deadline_in_the_past_or_a_step_without_sessions_is_refused(self, step):
        application = ApplicationFactory(posting=step.posting, screened_in=True)
        chosen = Application.objects.filter(pk=application.pk)
        with pytest.raises(SessionRefused):
            invite(chosen, step=step, book_by=timezone.now() - IN_A_WEEK, by=None)
        screening = AssessmentStep.objects.create(
            posting=step.posting, kind=StepKind.SCREENING, order=0
        )
        with pytest.raises(SessionRefused):
            invite(chosen, step=screening, book_by=timezone.now() + IN_A_WEEK, by=None)
        assert not SessionInvitation.objects.exists()

    def test_the_database_allows_one_invitation_that_stands_per_step(self, step):
        invitation = invited(step)
        with pytest.raises(IntegrityError):
            SessionInvitation.objects.create(
                application=invitation.application, step=step, book_by=invitation.book_by
            )

    def test_a_no_show_can_be_invited_again(self, step):
        session = session_of(step)
        invitation = invited(step)
        book(invitation, session)
        AssessmentSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=4),
            ends_at=timezone.now() - datetime.timedelta(hours=1),
        )
        assert mark_attendance(SessionInvitation.objects.all(), attended=False, by=None) == 1

        again = invite(
            Application.objects.filter(pk=invitation.application_id),
            step=step,
            book_by=timezone.now() + IN_A_WEEK,
            by=None,
        )

        assert len(again.invited) == 1
        statuses = SessionInvitation.objects.order_by("pk").values_list("status", flat=True)
        assert list(statuses) == [InvitationStatus.NO_SHOW, InvitationStatus.INVITED]
        # The old mark can no longer become "attended": the new invitation stands.
        old = SessionInvitation.objects.filter(pk=invitation.pk)
        assert mark_attendance(old, attended=True, by=None) == 0


class TestBook:
    def test_booking_takes_a_seat_and_is_recorded(self, step):
        session = session_of(step, capacity=2)
        invitation = invited(step)

        booked = book(invitation, session)

        invitation.refresh_from_db()
        assert (invitation.status, invitation.session_id) == (InvitationStatus.BOOKED, session.pk)
        assert booked.booked_at is not None
        left = {s.pk: s.left for s in sessions_to_book(invitation)}
        assert left == {session.pk: 1}
        assert list(invitation.events.values_list("kind", flat=True)) == [
            BookingEventKind.INVITED,
            BookingEventKind.BOOKED,
        ]

    def test_booking_the_same_session_twice_changes_nothing(self, step):
        session = session_of(step)
        invitation = invited(step)
        book(invitation, session)
        book(invitation, session)
        assert invitation.events.filter(kind=BookingEventKind.BOOKED).count() == 1
        assert session.invitations.count() == 1

    def test_changing_frees_the_old_seat_and_asks_for_a_new_reminder(self, step):
        first, second = session_of(step, capacity=1), session_of(step, capacity=1)
        invitation = invited(step)
        book(invitation, first)
        SessionInvitation.objects.filter(pk=invitation.pk).update(reminded_at=timezone.now())

        book(invitation, second)

        invitation.refresh_from_db()
        assert invitation.session_id == second.pk
        assert invitation.reminded_at is None
        assert first.invitations.count() == 0
        assert invitation.events.last().kind == BookingEventKind.CHANGED
        # The freed seat can be taken by someone else.
        book(invited(step), first)

    def test_a_full_session_is_refused(self, step):
        session = session_of(step, capacity=1)
        first, second = invited(step, 2)
        book(first, session)
        with pytest.raises(SessionFull):
            book(second, session)
        second.refresh_from_db()
        assert (second.status, second.session_id) == (InvitationStatus.INVITED, None)

    @pytest.mark.parametrize("case", ["cancelled", "started", "deadline", "other step"])
    def test_closed_sessions_and_passed_deadlines_are_refused(self, step, case):
        session = session_of(step)
        invitation = invited(step)
        if case == "cancelled":
            AssessmentSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())
        elif case == "started":
            AssessmentSession.objects.filter(pk=session.pk).update(
                starts_at=timezone.now() - datetime.timedelta(minutes=5)
            )
        elif case == "deadline":
            SessionInvitation.objects.filter(pk=invitation.pk).update(
                book_by=timezone.now() - datetime.timedelta(minutes=1)
            )
        else:
            other = AssessmentStep.objects.create(
                posting=step.posting, kind=StepKind.INTERVIEW, order=2
            )
            session = session_of(other)
        expected = NotInvited if case == "other step" else SessionClosed
        with pytest.raises(expected):
            book(invitation, session)
        invitation.refresh_from_db()
        assert invitation.session_id is None

    def test_a_session_deleted_since_the_page_was_shown_is_refused(self, step):
        session = session_of(step)
        invitation = invited(step)
        AssessmentSession.objects.filter(pk=session.pk).delete()
        with pytest.raises(SessionClosed):
            book(invitation, session)

    def test_a_withdrawn_application_books_nothing(self, step):
        session = session_of(step)
        invitation = invited(step)
        invitation.application.move_to(Stage.WITHDRAWN)
        with pytest.raises(NotInvited):
            book(invitation, session)

    def test_a_session_that_started_can_no_longer_be_changed(self, step):
        first, second = session_of(step), session_of(step)
        invitation = invited(step)
        book(invitation, first)
        AssessmentSession.objects.filter(pk=first.pk).update(
            starts_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        with pytest.raises(SessionClosed):
            book(invitation, second)


class TestCancelAndAttendance:
    def test_cancelling_sends_booked_candidates_back_to_choose(self, step, django_user_model):
        hr = django_user_model.objects.create_user("hr")
        session = session_of(step, capacity=3)
        invitations = invited(step, 2)
        for invitation in invitations:
            book(invitation, session)

        with pytest.raises(SessionRefused):
            cancel_session(session, by=hr, reason_en="  ", reason_fr="La salle est inondée.")
        with pytest.raises(SessionRefused):
            cancel_session(session, by=hr, reason_en="The room is flooded.", reason_fr=" ")
        told = cancel_session(
            session, by=hr, reason_en="The room is flooded.", reason_fr="La salle est inondée."
        )

        assert sorted(told) == sorted(i.pk for i in invitations)
        session.refresh_from_db()
        assert session.cancelled_by == hr
        assert session.cancellation_reason_en == "The room is flooded."
        assert session.cancellation_reason_fr == "La salle est inondée."
        assert set(SessionInvitation.objects.values_list("status", "session")) == {
            (InvitationStatus.INVITED, None)
        }
        assert BookingEvent.objects.filter(kind=BookingEventKind.SESSION_CANCELLED).count() == 2
        with pytest.raises(SessionRefused):
            cancel_session(session, by=hr, reason_en="Again.", reason_fr="Encore.")

    def test_a_session_that_started_cannot_be_cancelled(self, step):
        session = session_of(step)
        AssessmentSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        session.refresh_from_db()
        with pytest.raises(SessionRefused):
            cancel_session(session, by=None, reason_en="Too late.", reason_fr="Trop tard.")
        session.refresh_from_db()
        assert session.cancelled_at is None

    def test_attendance_is_marked_only_once_the_session_started(self, step):
        session = session_of(step, capacity=3)
        came, missed, booked_late = invited(step, 3)
        for invitation in (came, missed, booked_late):
            book(invitation, session)
        everyone = SessionInvitation.objects.all()
        assert mark_attendance(everyone, attended=True, by=None) == 0

        AssessmentSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - datetime.timedelta(hours=2)
        )
        assert mark_attendance(everyone.filter(pk=came.pk), attended=True, by=None) == 1
        assert mark_attendance(everyone.filter(pk=missed.pk), attended=False, by=None) == 1
        # Marking again the same way changes nothing; a correction is recorded.
        assert mark_attendance(everyone.filter(pk=came.pk), attended=True, by=None) == 0
        assert mark_attendance(everyone.filter(pk=missed.pk), attended=True, by=None) == 1

        statuses = dict(everyone.values_list("pk", "status"))
        assert statuses == {
            came.pk: InvitationStatus.ATTENDED,
            missed.pk: InvitationStatus.ATTENDED,
            booked_late.pk: InvitationStatus.BOOKED,
        }
        kinds = list(missed.events.values_list("kind", flat=True))
        assert kinds[-2:] == [BookingEventKind.NO_SHOW, BookingEventKind.ATTENDED]


def test_overlapping_sessions_of_one_assessor_are_found(step, django_user_model):
    assessor = django_user_model.objects.create_user("assessor")
    other = django_user_model.objects.create_user("other")
    first = session_of(step, starts_in=datetime.timedelta(days=3))
    same_time = session_of(step, starts_in=datetime.timedelta(days=3, hours=1))
    later = session_of(step, starts_in=datetime.timedelta(days=3, hours=3))
    elsewhere = session_of(step, starts_in=datetime.timedelta(days=3))
    for session in (first, same_time, later):
        session.assessors.add(assessor)
    elsewhere.assessors.add(other)

    assert list(overlapping(first)) == [same_time]


def test_reminders_are_due_two_days_before_for_booked_sessions_only(step):
    soon = session_of(step, starts_in=datetime.timedelta(days=1))
    later = session_of(step, starts_in=datetime.timedelta(days=3))
    cancelled = session_of(step, starts_in=datetime.timedelta(hours=20))
    booked_soon, booked_later, booked_cancelled, _not_booked = invited(step, 4)
    book(booked_soon, soon)
    book(booked_later, later)
    book(booked_cancelled, cancelled)
    cancel_session(cancelled, by=None, reason_en="Cancelled.", reason_fr="Annulée.")

    assert list(due_reminders()) == [SessionInvitation.objects.get(pk=booked_soon.pk)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", [Stage.WITHDRAWN, Stage.REJECTED])
def test_an_application_that_closes_frees_its_seat_and_books_nothing_more(stage):
    posting = JobPostingFactory()
    step = AssessmentStep.objects.create(posting=posting, kind=StepKind.INTERVIEW, order=1)
    session = session_of(step, capacity=1)
    leaving, waiting = invited(step, 2)
    book(leaving, session)
    not_met = posting.qualifications.all()[:1] if stage == Stage.REJECTED else ()

    leaving.application.move_to(stage, not_met=not_met)

    leaving.refresh_from_db()
    assert (leaving.status, leaving.session_id) == (InvitationStatus.CLOSED, None)
    assert leaving.events.last().kind == BookingEventKind.CLOSED
    assert leaving.events.last().session_id == session.pk
    book(waiting, session)  # the seat it held is free
    with pytest.raises(NotInvited):
        book(leaving, session)
