"""E-mails to applicants, sent as background tasks in the applicant's language."""

from django.core import mail
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from applications import calendar
from applications.models import (
    SESSION_WHEN_FIELDS,
    SESSION_WHERE_FIELDS,
    Application,
    AssessmentSession,
    InvitationStatus,
    SessionInvitation,
    StageMessage,
    absolute_url,
)
from applications.pipeline import Stage
from csc_careers.mail import send_templated, send_text


def send_to_applicant(
    application: Application,
    template: str,
    *,
    connection=None,
    invitation: SessionInvitation | None = None,
    cancelled: AssessmentSession | None = None,
    **context,
) -> None:
    """Send applications/email/<template> to the applicant, in their language.

    With an invitation to a session, the e-mail carries the link to its booking page, whether
    the candidate may still book or change (`may_change`), and once booked, the session as a
    calendar file. With the session it had booked `cancelled` (and none booked since), the
    calendar file is the one that takes the session out of the candidate's calendar.
    """
    language = application.correspondence_language
    attachments = None
    with translation.override(language):
        # The status page's address starts with the language (/fr/…): built in theirs too.
        status_url = absolute_url(application.get_absolute_url())
        if invitation is not None:
            context["booking_url"] = absolute_url(invitation_url(invitation, application))
            context["may_change"] = invitation.may_change()
            if invitation.session is not None:
                ics = calendar.booking_calendar(invitation, status_url=status_url)
                attachments = [(calendar.FILE_NAME, ics, calendar.CONTENT_TYPE)]
            elif cancelled is not None:
                ics = calendar.cancellation_calendar(invitation, cancelled, status_url=status_url)
                attachments = [(calendar.FILE_NAME, ics, calendar.CONTENT_TYPE)]
    send_templated(
        f"applications/email/{template}",
        to=[application.email],
        language=language,
        connection=connection,
        attachments=attachments,
        context={
            "application": application,
            "posting": application.posting,
            "status_url": status_url,
            "invitation": invitation,
            "cancelled": cancelled,
            **context,
        },
    )


def invitation_url(invitation: SessionInvitation, application: Application) -> str:
    """The booking page of an invitation, under the application's signed status link."""
    return reverse(
        "applications:book",
        kwargs={"token": application.status_token, "invitation": invitation.pk},
    )


# What a session e-mail reads of an invitation: no query per e-mail.
INVITATION_RELATED = (
    "application__posting",
    "step",
    "session__facility",
    "session__facility__province",
)


def invitations_with_all(ids) -> list[SessionInvitation]:
    return list(
        SessionInvitation.objects.filter(pk__in=ids)
        .select_related(*INVITATION_RELATED)
        .order_by("pk")
    )


@task()
def send_session_invitations(invitation_ids: list[int]) -> None:
    """E-mail each invited candidate the link to book a session (one mail connection for all)."""
    with mail.get_connection() as connection:
        for invitation in invitations_with_all(invitation_ids):
            if invitation.status != InvitationStatus.INVITED:
                continue  # booked already (from the status page) before this e-mail went
            send_to_applicant(
                invitation.application,
                "session_invitation",
                connection=connection,
                invitation=invitation,
            )


@task()
def send_booking_confirmation(invitation_id: int) -> None:
    """Confirm a booking, with the session as a calendar file."""
    invitation = invitations_with_all([invitation_id])[0]
    if invitation.status == InvitationStatus.BOOKED:
        send_to_applicant(invitation.application, "session_booked", invitation=invitation)


@task()
def send_session_changed(invitation_ids: list[int], changed: list[str] | None = None) -> None:
    """Tell the candidates booked into a session that HR changed its time or place (`changed`:
    the fields changed), with their calendar file revised (one mail connection for all).

    A candidate who has moved to another session since, or booked after the change, is not
    told: their booking's confirmation gave the session as it is.
    """
    changed = set(changed or ())
    with mail.get_connection() as connection:
        for invitation in invitations_with_all(invitation_ids):
            session = invitation.session
            if invitation.status != InvitationStatus.BOOKED or session.is_cancelled:
                continue
            if session.changed_at is None or invitation.booked_at > session.changed_at:
                continue
            send_to_applicant(
                invitation.application,
                "session_changed",
                connection=connection,
                invitation=invitation,
                changed_when=bool(changed & SESSION_WHEN_FIELDS),
                changed_where=bool(changed & SESSION_WHERE_FIELDS),
            )


@task()
def send_session_cancelled(invitation_ids: list[int], session_id: int) -> None:
    """Tell the candidates booked into a cancelled session, and invite them to pick another;
    the calendar file attached takes the session out of their calendar."""
    session = AssessmentSession.objects.select_related("facility").get(pk=session_id)
    with mail.get_connection() as connection:
        for invitation in invitations_with_all(invitation_ids):
            send_to_applicant(
                invitation.application,
                "session_cancelled",
                connection=connection,
                invitation=invitation,
                cancelled=session,
            )


def send_session_reminder(invitation: SessionInvitation, *, connection=None) -> None:
    """Remind a candidate of their session, with the session's calendar file.

    Sent by `manage.py send_session_reminders`, which marks the invitation reminded in the
    transaction that chose it (so two passes at once send it once).
    """
    send_to_applicant(
        invitation.application,
        "session_reminder",
        connection=connection,
        invitation=invitation,
    )


@task()
def send_application_confirmation(application_id: int) -> None:
    application = Application.objects.select_related("posting").get(pk=application_id)
    send_to_applicant(
        application, "application_received", unmet_requirements=application.unmet_requirements()
    )


@task()
def send_withdrawal_confirmation(application_id: int) -> None:
    application = Application.objects.select_related("posting").get(pk=application_id)
    send_to_applicant(application, "application_withdrawn")


@task()
def send_duplicate_notice(posting_id: int, email: str) -> None:
    """Tell an applicant who sent a second application to a posting that the first one stands.

    The one that stands is the application that is not withdrawn: a withdrawn one does not stop
    anyone from applying again, so it is never the reason a new one was refused.
    """
    application = (
        Application.objects.for_email(email)
        .filter(posting_id=posting_id, anonymized_at__isnull=True)
        .exclude(stage=Stage.WITHDRAWN)
        .select_related("posting")
        .first()
    )
    if application is not None:
        send_to_applicant(application, "application_duplicate")


@task()
def send_status_links(email: str) -> None:
    """Send one e-mail per application made with this address (none if it is unknown).

    Someone who withdrew and applied again has two applications to the posting: each e-mail
    says when its application was sent and where it stands, so the two can be told apart.
    """
    applications = Application.objects.for_email(email).select_related("posting")
    for application in applications.filter(anonymized_at__isnull=True):
        send_to_applicant(application, "status_link")


@task()
def send_stage_message(application_id: int, stage: str) -> None:
    """E-mail the applicant HR's wording for the stage their application just reached."""
    application = Application.objects.select_related("posting").get(pk=application_id)
    message = StageMessage.objects.filter(stage=stage, is_active=True).first()
    if message is None or application.stage != stage:
        return  # HR switched this e-mail off, or the application moved on meanwhile
    subject, body = message.render(application)
    send_text(subject, body, to=[application.email], language=application.correspondence_language)
