"""E-mails about job alerts sent as background tasks, in the subscriber's language."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from csc_careers.mail import send_templated
from positions.alert_tokens import alert_search_names, confirmation_url
from positions.models import JobAlert


@task()
def send_alert_confirmation(alert_id: int) -> None:
    """E-mail the link that confirms a sign-up (nothing if it was deleted or confirmed since)."""
    alert = JobAlert.objects.filter(pk=alert_id, confirmed_at__isnull=True).first()
    if alert is None:
        return
    with translation.override(alert.language):
        search = alert_search_names(alert.query)
    send_templated(
        "positions/email/alert_confirm",
        to=[alert.email],
        language=alert.language,
        context={
            "alert": alert,
            "search": search,
            "confirm_url": confirmation_url(alert),
            "days": settings.ALERT_CONFIRMATION_DAYS,
        },
    )
