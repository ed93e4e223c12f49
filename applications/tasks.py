"""E-mails to applicants, sent as background tasks in the applicant's language."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from applications.models import Application, Stage, StageMessage, absolute_url


def send_to_applicant(application: Application, template: str, **context) -> None:
    """Render <template>_subject.txt and <template>.txt in the applicant's language and send."""
    with translation.override(application.correspondence_language):
        context = {
            "application": application,
            "posting": application.posting,
            "status_url": absolute_url(application.get_absolute_url()),
            **context,
        }
        subject = render_to_string(f"applications/email/{template}_subject.txt", context)
        body = render_to_string(f"applications/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [application.email])


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
    send_mail(subject, body, None, [application.email])
