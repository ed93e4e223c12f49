"""Job alerts: a search on the postings page that someone asked to receive new postings of.

No account is needed: a subscription is an e-mail address, a language, a frequency and the
postings list's query string (its keyword and filters, as PostingFilter.filter_query writes it).
Nothing is sent until the address's owner follows the confirmation link (double opt-in). Each
e-mail sent is recorded first as a JobAlertDelivery naming the postings it lists, so a job that
stops half-way resumes without listing a posting twice.

Addresses are personal information: used for these e-mails only, deleted with the subscription,
and subscriptions that were never confirmed, or are dormant, are deleted (see JobAlertQuerySet).
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AlertFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")

    @property
    def period(self) -> datetime.timedelta:
        return datetime.timedelta(days=7 if self is AlertFrequency.WEEKLY else 1)


# A job running every day at about the same time finds a daily alert due even if the previous
# run finished a little later in the day: a period is "over" this long before its end.
DUE_MARGIN = datetime.timedelta(hours=2)


class JobAlertQuerySet(models.QuerySet):
    def for_email(self, email: str):
        return self.filter(email=email.strip().lower())

    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def active(self):
        """Confirmed and not paused: the subscriptions e-mails are sent to."""
        return self.confirmed().filter(paused_at__isnull=True)

    def due(self, now: datetime.datetime | None = None):
        """Return the active subscriptions whose period since their last e-mail is over."""
        now = now or timezone.now()
        due = models.Q(last_sent_at__isnull=True)
        for frequency in AlertFrequency:
            due |= models.Q(
                frequency=frequency, last_sent_at__lte=now - frequency.period + DUE_MARGIN
            )
        return self.active().filter(due)

    def unconfirmed_expired(self, now: datetime.datetime | None = None):
        """Return sign-ups never confirmed within ALERT_CONFIRMATION_DAYS: to delete."""
        cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ALERT_CONFIRMATION_DAYS)
        return self.filter(confirmed_at__isnull=True, created_at__lt=cutoff)

    def dormant(self, now: datetime.datetime | None = None):
        """Return confirmed subscriptions unused for ALERT_DORMANT_DAYS: to delete.

        Unused: paused that long, or confirmed that long ago and nothing sent since (a search
        that finds nothing any more).
        """
        cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.ALERT_DORMANT_DAYS)
        paused = models.Q(paused_at__lt=cutoff)
        silent = models.Q(confirmed_at__lt=cutoff) & (
            models.Q(last_sent_at__isnull=True) | models.Q(last_sent_at__lt=cutoff)
        )
        return self.confirmed().filter(paused | silent)


class JobAlert(models.Model):
    """One person's subscription to the new postings of one search."""

    # What signed links name: random, so a link says nothing about how many subscriptions exist.
    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    language = models.CharField(
        _("language of the e-mails"), max_length=2, choices=settings.LANGUAGES
    )
    frequency = models.CharField(
        _("how often"), max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.DAILY
    )
    # The postings list's query string, normalized (PostingFilter.filter_query): "" for all.
    query = models.CharField(_("search"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    # Postings that opened after this moment are new to this subscription (set on confirmation).
    since = models.DateTimeField(_("new postings since"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last e-mail"), null=True, blank=True)

    objects = JobAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job alert")
        verbose_name_plural = _("job alerts")
        constraints = [
            # Signing up twice for the same search with the same address is one subscription.
            models.UniqueConstraint(Lower("email"), "query", name="one_alert_per_email_and_search")
        ]
        indexes = [models.Index(fields=["last_sent_at"], name="alert_last_sent_idx")]

    def __str__(self):
        return f"{self.email} – {self.query or '*'}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class JobAlertDelivery(models.Model):
    """One e-mail of a subscription: the postings it lists, recorded before it is sent."""

    alert = models.ForeignKey(JobAlert, on_delete=models.CASCADE, related_name="deliveries")
    postings = ArrayField(models.IntegerField(), verbose_name=_("postings"))
    created_at = models.DateTimeField(_("prepared"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job alert e-mail")
        verbose_name_plural = _("job alert e-mails")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="alert_delivery_unsent_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.alert_id}: {len(self.postings)} ({self.created_at:%Y-%m-%d})"
