"""E-mails to applicants, sent as background tasks in the applicant's language."""

from django.utils import translation
from django_tasks import task

from applications.models import Application, StageMessage, absolute_url
from applications.pipeline import Stage
from csc_careers.mail import send_templated, send_text


def send_to_applicant(application: Application, template: str, **context) -> None:
    """Send applications/email/<template> to the applicant, in their language."""
    language = application.correspondence_language
    with translation.override(language):
        # The status page's address starts with the language (/fr/…): built in theirs too.
        status_url = absolute_url(application.get_absolute_url())
    send_templated(
        f"applications/email/{template}",
        to=[application.email],
        language=language,
        context={
            "application": application,
            "posting": application.posting,
            "status_url": status_url,
            **context,
        },
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
