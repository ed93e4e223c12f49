"""Job alerts, the subscriber's side: sign up, confirm, pause, resume, delete.

The signed links live in positions.alert_tokens; alert_links is named here too, since the
sending side (positions.alert_sending) takes the links of an e-mail from this module.
"""

import uuid

from django.db import transaction
from django.utils import timezone

from positions.alert_tokens import alert_links
from positions.models import AlertFrequency, JobAlert
from positions.tasks import send_alert_confirmation

__all__ = [
    "alert_confirm",
    "alert_delete",
    "alert_links",
    "alert_pause",
    "alert_resume",
    "alert_signup",
    "alert_unsubscribe",
]


def alert_signup(*, email: str, language: str, frequency: str, query: str) -> JobAlert:
    """Record a sign-up and, unless it was already confirmed, e-mail the confirmation link.

    Signing up again with the same address and search is the same subscription. Until it is
    confirmed, its language and frequency become the new ones, and the time it has to be
    confirmed starts again with the new link; once confirmed, a sign-up changes
    nothing, since whoever signs up has not shown the address is theirs (its owner may delete it
    from the manage page and sign up again). `query` is the search, already normalized.
    """
    email = email.strip().lower()
    choices = {"language": language, "frequency": AlertFrequency(frequency)}
    # Two clicks at once: get_or_create catches the unique constraint's IntegrityError when both
    # requests insert, and returns the other's row.
    alert, created = JobAlert.objects.get_or_create(email=email, query=query, defaults=choices)
    if alert.is_confirmed:
        return alert
    if not created:
        # The new link works for ALERT_CONFIRMATION_DAYS from now: the sign-up's clock, which
        # deletes it unconfirmed, restarts with it (else the link would die with the first one).
        JobAlert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(
            **choices, created_at=timezone.now()
        )
    alert_id = alert.pk
    transaction.on_commit(lambda: send_alert_confirmation.enqueue(alert_id=alert_id))
    return alert


def alert_confirm(*, alert: JobAlert) -> JobAlert:
    """Confirm the subscription: its e-mails list the postings published from now on."""
    if not alert.is_confirmed:
        now = timezone.now()
        alert.confirmed_at = now
        alert.since = now
        alert.save(update_fields=["confirmed_at", "since"])
    return alert


def alert_pause(*, alert: JobAlert) -> JobAlert:
    """Stop sending the subscription's e-mails until it is resumed."""
    if not alert.is_paused:
        alert.paused_at = timezone.now()
        alert.save(update_fields=["paused_at"])
    return alert


def alert_resume(*, alert: JobAlert) -> JobAlert:
    """Send the subscription's e-mails again, from the postings published now on."""
    if alert.is_paused:
        # Postings published while it was paused are not sent in a burst when it resumes.
        alert.paused_at = None
        alert.since = timezone.now()
        alert.save(update_fields=["paused_at", "since"])
    return alert


def alert_delete(*, alert: JobAlert) -> None:
    """Delete the subscription and the record of its e-mails: nothing of the address remains."""
    JobAlert.objects.filter(pk=alert.pk).delete()


def alert_unsubscribe(*, public_id: uuid.UUID) -> bool:
    """Delete the subscription with this public_id; return whether there was one."""
    deleted, _counts = JobAlert.objects.filter(public_id=public_id).delete()
    return bool(deleted)
