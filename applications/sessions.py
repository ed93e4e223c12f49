"""Sessions candidates book: HR invites candidates to a step of the plan, each candidate picks a
session from their status page, may change it until the deadline HR set, and HR marks who came.

Every change is a service here. Each locks the rows it changes, so a double click, two tabs or
twenty candidates after the last seat cannot overbook: booking locks the invitation, then the
session, counts the seats taken, and takes one or refuses. A refusal raises a BookingRefused
naming why, and changes nothing. Each change writes a BookingEvent in the same transaction; the
e-mails that follow are sent once it commits (tasks.py).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import tasks
from applications.models import (
    OPEN_INVITATION_STATUSES,
    SESSION_WHEN_FIELDS,
    SESSION_WHERE_FIELDS,
    Application,
    AssessmentSession,
    BookingEvent,
    BookingEventKind,
    InvitationStatus,
    SessionInvitation,
)
from applications.pipeline import ACTIVE_STAGES
from positions.models import AssessmentStep
from positions.models.assessment import SESSION_KINDS

# Booked candidates get a reminder this long before their session.
REMINDER_BEFORE = datetime.timedelta(days=2)
# Invitations are written and e-mailed in chunks of this many (an invitation of thousands).
INVITE_CHUNK = 1000


# What closing an application closes: invitations not booked, and bookings.
SESSION_STATUSES_TO_CLOSE = (InvitationStatus.INVITED, InvitationStatus.BOOKED)


class BookingRefused(Exception):
    """A booking that cannot be made; the message says why, in the reader's language."""


class SessionFull(BookingRefused):
    """Every seat of the session is taken."""


class SessionClosed(BookingRefused):
    """The session is cancelled or has started, or the invitation's deadline has passed."""


class NotInvited(BookingRefused):
    """The invitation is over (attended, missed), or its application is closed."""


class SessionRefused(Exception):
    """HR's change to a session that is not allowed (cancelling one already cancelled, …)."""


def record(
    kind: BookingEventKind,
    invitations: Iterable[tuple[int, int | None]],
    *,
    at: datetime.datetime,
    by: AbstractBaseUser | None = None,
) -> None:
    """Add the event to the history of each invitation, given as (invitation id, session id)."""
    BookingEvent.objects.bulk_create(
        BookingEvent(invitation_id=pk, kind=kind, session_id=session, by=by, at=at)
        for pk, session in invitations
    )


def seats_taken(sessions: QuerySet) -> QuerySet:
    """The sessions with `taken` (seats booked) and `left` annotated."""
    return sessions.annotate(taken=Count("invitations")).annotate(left=F("capacity") - F("taken"))


def sessions_to_book(invitation: SessionInvitation) -> QuerySet:
    """The sessions of the invitation's step a candidate may still pick, full ones included (the
    page shows them as full), soonest first."""
    sessions = AssessmentSession.objects.filter(
        step_id=invitation.step_id, cancelled_at__isnull=True, starts_at__gt=timezone.now()
    ).select_related("facility", "facility__province")
    return seats_taken(sessions).order_by("starts_at", "pk")


def may_change(invitation: SessionInvitation, *, now: datetime.datetime | None = None) -> bool:
    """Whether the candidate may still book or change (SessionInvitation.may_change: the
    e-mails read the rule too)."""
    return invitation.may_change(now=now)


@dataclass
class Invited:
    invited: list[int]  # the new invitations' ids
    already: int  # candidates with an invitation to the step that stands
    not_active: int  # candidates whose application is closed, or of another posting


def invite(
    applications: QuerySet,
    *,
    step: AssessmentStep,
    book_by: datetime.datetime,
    by: AbstractBaseUser | None,
) -> Invited:
    """Invite the applications' candidates to book a session of the step, and e-mail them.

    Only active applications to the step's posting are invited, and only those without an
    invitation to the step that stands (a no-show's is over: they may be invited again). Two HR
    people inviting the same candidates at once make one invitation each: the database's unique
    constraint drops the second.
    """
    if book_by <= timezone.now():
        raise SessionRefused(_("The deadline to book must be in the future."))
    if step.kind not in SESSION_KINDS:
        raise SessionRefused(_("Candidates book no session for this step."))
    ids = list(applications.order_by().values_list("pk", flat=True))
    eligible = Application.objects.filter(
        pk__in=ids, posting_id=step.posting_id, stage__in=ACTIVE_STAGES
    )
    standing = SessionInvitation.objects.filter(step=step, status__in=OPEN_INVITATION_STATUSES)
    to_invite = list(
        eligible.exclude(pk__in=standing.values("application_id")).values_list("pk", flat=True)
    )
    already = eligible.filter(pk__in=standing.values("application_id")).count()
    now = timezone.now()
    created: list[int] = []
    for start in range(0, len(to_invite), INVITE_CHUNK):
        chunk = to_invite[start : start + INVITE_CHUNK]
        with transaction.atomic():
            SessionInvitation.objects.bulk_create(
                [
                    SessionInvitation(
                        application_id=pk, step=step, book_by=book_by, invited_by=by, invited_at=now
                    )
                    for pk in chunk
                ],
                ignore_conflicts=True,
            )
            # Those this call wrote (a concurrent invitation of the same candidate is dropped
            # by the constraint, and has another moment).
            new = list(
                SessionInvitation.objects.filter(
                    step=step, application_id__in=chunk, invited_at=now, invited_by=by
                ).values_list("pk", flat=True)
            )
            record(BookingEventKind.INVITED, [(pk, None) for pk in new], at=now, by=by)
            transaction.on_commit(lambda new=new: tasks.send_session_invitations.enqueue(new))
        created += new
    return Invited(
        invited=created,
        already=already + len(to_invite) - len(created),
        not_active=len(ids) - len(to_invite) - already,
    )


def book(invitation: SessionInvitation, session: AssessmentSession) -> SessionInvitation:
    """Book the candidate into the session (or move them to it from the one they booked).

    The invitation's row is locked first, then the session's: two tabs of one candidate wait for
    each other, and the last seat goes to one candidate. Booking the session already booked
    changes nothing (a double click). Refusals: SessionFull, SessionClosed, NotInvited.
    """
    with transaction.atomic():
        current = (
            SessionInvitation.objects.select_for_update(of=("self",))
            .select_related("application", "session")
            .get(pk=invitation.pk)
        )
        if current.session_id == session.pk and current.status == InvitationStatus.BOOKED:
            return current
        if current.status not in (InvitationStatus.INVITED, InvitationStatus.BOOKED) or (
            current.application.stage not in ACTIVE_STAGES
        ):
            raise NotInvited(_("This invitation is over: there is nothing left to book."))
        now = timezone.now()
        if now >= current.book_by:
            raise SessionClosed(_("The deadline to book or change a session has passed."))
        if current.session is not None and current.session.starts_at <= now:
            raise SessionClosed(_("Your session has started: it can no longer be changed."))
        target = AssessmentSession.objects.select_for_update().filter(pk=session.pk).first()
        if target is None:  # deleted by HR (it had no booking) since the page was shown
            raise SessionClosed(_("This session no longer exists. Choose another."))
        if target.step_id != current.step_id:
            raise NotInvited(_("You are not invited to this session."))
        if target.cancelled_at is not None:
            raise SessionClosed(_("This session is cancelled. Choose another."))
        if target.starts_at <= now:
            raise SessionClosed(_("This session has already started. Choose another."))
        if target.invitations.count() >= target.capacity:
            raise SessionFull(_("The last seat of this session has just been taken."))
        previous = current.session
        kind = BookingEventKind.BOOKED if previous is None else BookingEventKind.CHANGED
        current.session, current.status = target, InvitationStatus.BOOKED
        current.booked_at, current.reminded_at = now, None
        current.save(update_fields=["session", "status", "booked_at", "reminded_at"])
        BookingEvent.objects.create(invitation=current, kind=kind, session=target, at=now)
        transaction.on_commit(lambda: tasks.send_booking_confirmation.enqueue(current.pk))
    return current


def cancel_session(
    session: AssessmentSession, *, by: AbstractBaseUser, reason_en: str, reason_fr: str
) -> list[int]:
    """Cancel a session: its booked candidates are invited again to pick another, and e-mailed.

    Return the ids of the invitations that were booked into it. The reason is required in
    English and in French: each candidate reads it in their language.
    """
    reason_en, reason_fr = reason_en.strip(), reason_fr.strip()
    if not (reason_en and reason_fr):
        raise SessionRefused(
            _("Give the reason in English and in French: the candidates are told.")
        )
    with transaction.atomic():
        current = AssessmentSession.objects.select_for_update().get(pk=session.pk)
        if current.cancelled_at is not None:
            raise SessionRefused(_("This session is already cancelled."))
        if current.starts_at <= timezone.now():
            # Its candidates came or did not: attendance is marked instead.
            raise SessionRefused(_("This session has started: it can no longer be cancelled."))
        now = timezone.now()
        current.cancelled_at, current.cancelled_by = now, by
        current.cancellation_reason_en, current.cancellation_reason_fr = reason_en, reason_fr
        current.save(
            update_fields=[
                "cancelled_at",
                "cancelled_by",
                "cancellation_reason_en",
                "cancellation_reason_fr",
            ]
        )
        booked = list(
            SessionInvitation.objects.select_for_update()
            .filter(session=current, status=InvitationStatus.BOOKED)
            .values_list("pk", flat=True)
        )
        SessionInvitation.objects.filter(pk__in=booked).update(
            session=None, status=InvitationStatus.INVITED, booked_at=None, reminded_at=None
        )
        record(
            BookingEventKind.SESSION_CANCELLED, [(pk, current.pk) for pk in booked], at=now, by=by
        )
        transaction.on_commit(lambda: tasks.send_session_cancelled.enqueue(booked, current.pk))
    session.cancelled_at = current.cancelled_at
    return booked


def session_changed(
    session: AssessmentSession, fields: Iterable[str], *, by: AbstractBaseUser | None = None
) -> list[int]:
    """Record that HR changed the session's time or place (`fields`: the names of the fields
    changed, others ignored), in HR's transaction and in each booking's history, and e-mail its
    booked candidates the change with their calendar file revised once it commits.

    A start that moved resets the bookings' reminders, so the reminder fits the new date. A
    session that is over is not e-mailed about. Return the ids of the invitations told.
    """
    changed = sorted((SESSION_WHEN_FIELDS | SESSION_WHERE_FIELDS) & set(fields))
    if not changed:
        return []
    with transaction.atomic():
        current = AssessmentSession.objects.select_for_update().get(pk=session.pk)
        if current.cancelled_at is not None:
            # What its candidates were told stays as it was.
            raise SessionRefused(_("This session is cancelled: it can no longer be changed."))
        now = timezone.now()
        current.changed_at = now
        current.save(update_fields=["changed_at"])
        booked = list(
            SessionInvitation.objects.filter(
                session=current, status=InvitationStatus.BOOKED
            ).values_list("pk", flat=True)
        )
        if "starts_at" in changed:
            SessionInvitation.objects.filter(pk__in=booked).update(reminded_at=None)
        record(BookingEventKind.SESSION_CHANGED, [(pk, current.pk) for pk in booked], at=now, by=by)
        told = booked if current.ends_at > now else []
        if told:
            transaction.on_commit(lambda: tasks.send_session_changed.enqueue(told, changed))
    session.changed_at = now
    return told


def mark_attendance(invitations: QuerySet, *, attended: bool, by: AbstractBaseUser) -> int:
    """Mark booked candidates as attended or not, once their session has started; return how
    many were marked. A mark can be corrected (attended ↔ did not attend), and stays on record."""
    status = InvitationStatus.ATTENDED if attended else InvitationStatus.NO_SHOW
    kind = BookingEventKind.ATTENDED if attended else BookingEventKind.NO_SHOW
    now = timezone.now()
    with transaction.atomic():
        markable = list(
            SessionInvitation.objects.select_for_update(of=("self",))
            .filter(
                pk__in=invitations.values("pk"),
                session__starts_at__lte=now,
                session__cancelled_at__isnull=True,
            )
            .exclude(status__in=(InvitationStatus.INVITED, status))
            # A no-show invited again has a new invitation that stands: the old one stays missed.
            .exclude(
                Exists(
                    SessionInvitation.objects.filter(
                        application_id=OuterRef("application_id"),
                        step_id=OuterRef("step_id"),
                        status__in=OPEN_INVITATION_STATUSES,
                    ).exclude(pk=OuterRef("pk"))
                )
            )
            .values_list("pk", "session_id")
        )
        SessionInvitation.objects.filter(pk__in=[pk for pk, _session in markable]).update(
            status=status
        )
        record(kind, markable, at=now, by=by)
    return len(markable)


def invitations_close(application: Application) -> int:
    """Close the invitations of an application that has closed (withdrawn, screened out, not
    retained): its seats in sessions not started yet are freed for others. A booked session that
    has started stays, for HR to mark attendance. Return how many were closed."""
    now = timezone.now()
    with transaction.atomic():
        closing = list(
            SessionInvitation.objects.select_for_update(of=("self",))
            .filter(application=application, status__in=SESSION_STATUSES_TO_CLOSE)
            .exclude(session__starts_at__lte=now)
            .values_list("pk", "session_id")
        )
        SessionInvitation.objects.filter(pk__in=[pk for pk, _session in closing]).update(
            status=InvitationStatus.CLOSED, session=None, reminded_at=None
        )
        record(BookingEventKind.CLOSED, closing, at=now)
    return len(closing)


def overlapping(session: AssessmentSession) -> QuerySet:
    """Other sessions, not cancelled, that share an assessor with this one and overlap it in time.

    HR is warned, not stopped: an assessor may sit in on two rooms of one exam.
    """
    return (
        AssessmentSession.objects.filter(
            cancelled_at__isnull=True,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
            assessors__in=session.assessors.all(),
        )
        .exclude(pk=session.pk)
        .distinct()
    )


def due_reminders(now: datetime.datetime | None = None) -> QuerySet:
    """Booked invitations whose session starts within REMINDER_BEFORE and that got no reminder,
    of applications still active (a candidate who withdrew is not reminded)."""
    now = now or timezone.now()
    return SessionInvitation.objects.filter(
        Q(status=InvitationStatus.BOOKED, reminded_at__isnull=True),
        application__stage__in=ACTIVE_STAGES,
        session__cancelled_at__isnull=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + REMINDER_BEFORE,
    )
