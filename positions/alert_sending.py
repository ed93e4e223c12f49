"""Sending job alerts: one pass of the alert job (`python manage.py send_job_alerts`).

A pass:

1. deletes the sign-ups never confirmed within ALERT_CONFIRMATION_DAYS and the dormant
   subscriptions (JobAlertQuerySet.unconfirmed_expired and .dormant);
2. sends the e-mails that a stopped pass recorded and did not mark sent;
3. for each due subscription (JobAlert.objects.due), records a JobAlertDelivery naming the
   postings new to it: open now, found by its search (the postings list's PostingFilter, so a
   search finds here what it finds on the page), opened after the subscription's `since`, and
   never listed to it before; and moves `since` to the pass's start (less SINCE_OVERLAP);
4. sends each delivery in the subscriber's language, with RFC 8058 one-click unsubscribe headers,
   and marks it sent; `last_sent_at` moves only when an e-mail goes out (a subscription that
   found nothing stays due, and is looked at again by the next pass).

Queries: grow with the distinct searches and the chunks, not with the subscriptions. Many people
share a search, so subscriptions are grouped by their search (its query string, and the language
when it has a keyword, since keywords are matched in the language's words); each distinct search
runs once per pass, over the postings opened after the oldest `since` of its group, and each
subscription's postings are then picked in Python by its own `since`. Subscriptions are read
RECORD_CHUNK_SIZE at a time (one query for them, one for their past deliveries, one INSERT of
their deliveries, one UPDATE of their `since`), and their deliveries are sent from those rows
SEND_CHUNK_SIZE at a time (the postings not read yet, if any, and two UPDATEs to mark them).
Left-over deliveries of a stopped pass are read back SEND_CHUNK_SIZE at a time.

Crashes: a delivery is recorded, in the same transaction that moves its subscription's `since`,
before its e-mail is sent, and deliveries are marked sent per chunk of SEND_CHUNK_SIZE e-mails
sent over one mail connection. Sending is exactly-once, except for a process killed outright
(or a database lost) while it sends a chunk: that chunk's e-mails already sent are sent again by
the next pass, at most SEND_CHUNK_SIZE of them (at-least-once per chunk). An error raised while
sending marks the e-mails of the chunk sent so far before the pass stops.
"""

import datetime
import logging
import smtplib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as database
from django.db import models, transaction
from django.db.models.functions import Coalesce, Greatest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from csc_careers.mail import send_templated
from positions.alerts import alert_links
from positions.feeds import scope_names
from positions.filters import PostingFilter
from positions.models import Facility, JobAlert, JobAlertDelivery, JobPosting
from positions.models.postings import POSTING_TIME_ZONE

logger = logging.getLogger(__name__)

TEMPLATE = "positions/email/job_alert"
# One posting of an alert e-mail: the same for every subscriber of a language, so written once.
POSTING_TEMPLATE = "positions/email/job_alert_posting.txt"
RECORD_CHUNK_SIZE = 2000  # subscriptions read, and their deliveries recorded, at a time
SEND_CHUNK_SIZE = 100  # e-mails sent over one connection, then marked sent at once
# A posting published a moment before a pass, by a transaction that commits after the pass has
# searched, would be missed if `since` moved to the pass's very start: it moves to a little
# before (never back), and what the overlap finds again was listed already (listed_before).
SINCE_OVERLAP = datetime.timedelta(minutes=10)
# What a second pass started while one runs (cron and a worker, two machines) waits on: nothing,
# it skips its turn. Named per database, so that test databases on one server do not share it.
LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext(current_database() || '.send_job_alerts'))"
UNLOCK_SQL = "SELECT pg_advisory_unlock(hashtext(current_database() || '.send_job_alerts'))"


class StartOfDay(models.Func):
    """The moment a date column's day starts in a time zone: timezone(zone, date::timestamp)."""

    function = "timezone"
    output_field = models.DateTimeField()

    def __init__(self, date, zone: datetime.tzinfo):
        midnight = models.Func(
            date, template="(%(expressions)s)::timestamp", output_field=models.DateTimeField()
        )
        super().__init__(models.Value(str(zone)), midnight)


def with_opened_at(postings: models.QuerySet) -> models.QuerySet:
    """Annotate `opened_at`: when each posting became (or becomes) open to the public.

    The later of its publication and the start of its open date in Pacific time, the time zone
    its dates are in: a posting published ahead of its open date opens when that day starts.
    """
    return postings.annotate(
        opened_at=Greatest("published_at", StartOfDay("open_date", POSTING_TIME_ZONE))
    )


def opened_between(
    postings: models.QuerySet, after: datetime.datetime, until: datetime.datetime
) -> models.QuerySet:
    """Return the postings that became open after `after`, up to `until` (annotated opened_at)."""
    return with_opened_at(postings).filter(opened_at__gt=after, opened_at__lte=until)


SearchKey = tuple[str, str | None]


def search_key(query: str, language: str) -> SearchKey:
    """Return what makes two subscriptions the same search: the query string, and the language
    when the query has a keyword (words are matched in that language's documents)."""
    has_keyword = bool(QueryDict(query).get("q", "").strip())
    return query, language if has_keyword else None


def search_filterset(query: str, postings: models.QuerySet) -> PostingFilter:
    """Return the postings list's FilterSet for a subscription's query string."""
    return PostingFilter(QueryDict(query), queryset=postings, request=None)


def search_postings(
    key: SearchKey, *, after: datetime.datetime, now: datetime.datetime
) -> list[tuple[int, datetime.datetime]]:
    """Return (pk, opened_at) of the open postings a search finds that opened after `after`,
    in the postings list's order; none for a search no longer valid (a filter naming a place or
    occupation that was removed: run without it, it would find what the person did not ask for).
    """
    query, language = key
    today = timezone.localdate(now, timezone=POSTING_TIME_ZONE)
    postings = opened_between(JobPosting.objects.open(today), after, now)
    with translation.override(language or settings.LANGUAGE_CODE):
        filterset = search_filterset(query, postings)
        if not filterset.is_valid():
            return []
        return list(filterset.qs.values_list("pk", "opened_at"))


def search_in_words(query: str, language: str) -> str:
    """Return the search of a query string in words, in the language ("all job postings")."""
    with translation.override(language):
        filterset = search_filterset(query, JobPosting.objects.none())
        names = scope_names(filterset) if filterset.is_valid() else []
        return ", ".join(names) if names else _("all job postings")


@dataclass
class AlertPass:
    """What one pass did, for its summary."""

    due: int = 0
    emails: int = 0
    postings_listed: int = 0
    deleted_unconfirmed: int = 0
    deleted_dormant: int = 0
    refused: int = 0
    seconds: float = 0.0
    skipped: bool = False  # another pass was running
    stopped: bool = False  # asked to stop before the end

    @property
    def deleted(self) -> int:
        return self.deleted_unconfirmed + self.deleted_dormant


def send_job_alerts(
    *, now: datetime.datetime | None = None, should_stop: Callable[[], bool] = lambda: False
) -> AlertPass:
    """Run one pass of the alert job (see the module's docstring) and return what it did.

    `should_stop` is asked between chunks: a pass told to stop leaves what is left to the next.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    result = AlertPass()
    with database.cursor() as cursor:
        cursor.execute(LOCK_SQL)
        if not cursor.fetchone()[0]:
            result.skipped = True
            return result
    try:
        delete_unused_subscriptions(now, result)
        sender = DeliverySender(now, result)
        # A pass that stopped half-way left deliveries recorded and not sent: theirs first.
        if sender.send_pending(should_stop):
            for deliveries in record_deliveries(now, result, should_stop):
                if not sender.send(deliveries, should_stop):
                    break
        result.stopped = should_stop()
    finally:
        with database.cursor() as cursor:
            cursor.execute(UNLOCK_SQL)
    result.seconds = time.perf_counter() - started
    return result


def delete_unused_subscriptions(now: datetime.datetime, result: AlertPass) -> None:
    """Delete the sign-ups never confirmed in time, and the dormant subscriptions."""
    _count, deleted = JobAlert.objects.unconfirmed_expired(now).delete()
    result.deleted_unconfirmed = deleted.get(JobAlert._meta.label, 0)
    _count, deleted = JobAlert.objects.dormant(now).delete()
    result.deleted_dormant = deleted.get(JobAlert._meta.label, 0)


def due_chunks(now: datetime.datetime) -> Iterator[list[JobAlert]]:
    """Yield the due subscriptions, RECORD_CHUNK_SIZE at a time, in the order they were made."""
    # What choosing the postings and sending need: the e-mail is sent from these rows.
    due = JobAlert.objects.due(now).only(
        "pk", "public_id", "email", "query", "language", "since", "confirmed_at", "paused_at"
    )
    last_pk = 0
    while chunk := list(due.filter(pk__gt=last_pk).order_by("pk")[:RECORD_CHUNK_SIZE]):
        last_pk = chunk[-1].pk
        yield chunk


def alert_since(alert: JobAlert) -> datetime.datetime:
    """Return the moment after which postings are new to the subscription."""
    return alert.since or alert.confirmed_at


def record_deliveries(
    now: datetime.datetime, result: AlertPass, should_stop: Callable[[], bool]
) -> Iterator[list[JobAlertDelivery]]:
    """Record the deliveries of the due subscriptions, a chunk at a time; yield each chunk's
    deliveries (with their subscriptions), and move the chunk's `since` to `now` (less
    SINCE_OVERLAP) with them."""
    # The oldest `since` of each search: each search then runs once, whatever its group's size.
    oldest: dict[SearchKey, datetime.datetime] = {}
    for query, language, moment in (
        JobAlert.objects.due(now)
        .values("query", "language")
        .annotate(oldest=models.Min(Coalesce("since", "confirmed_at")))
        .values_list("query", "language", "oldest")
    ):
        key = search_key(query, language)
        oldest[key] = min(moment, oldest.get(key, moment))
    searches: dict[SearchKey, tuple[datetime.datetime, list[tuple[int, datetime.datetime]]]] = {}

    def found_by(alert: JobAlert) -> list[tuple[int, datetime.datetime]]:
        key, since = search_key(alert.query, alert.language), alert_since(alert)
        if key not in searches or since < searches[key][0]:
            # Not run yet, or (a subscription that became due after the oldest were read) run
            # over too short a time.
            floor = min(since, oldest.get(key, since))
            searches[key] = floor, search_postings(key, after=floor, now=now)
        return searches[key][1]

    for chunk in due_chunks(now):
        if should_stop():
            return
        result.due += len(chunk)
        new = {alert.pk: new_postings(alert, found_by(alert)) for alert in chunk}
        listed = listed_before(chunk, {pk for postings in new.values() for pk in postings})
        deliveries = [
            JobAlertDelivery(alert=alert, postings=postings, created_at=now)
            for alert, postings in (
                (alert, [pk for pk in new[alert.pk] if pk not in listed.get(alert.pk, ())])
                for alert in chunk
            )
            if postings
        ]
        with transaction.atomic():
            created = JobAlertDelivery.objects.bulk_create(deliveries)
            JobAlert.objects.filter(pk__in=[alert.pk for alert in chunk]).update(
                since=Greatest("since", models.Value(now - SINCE_OVERLAP))
            )
        yield created


def new_postings(alert: JobAlert, found: Iterable[tuple[int, datetime.datetime]]) -> list[int]:
    """Return the postings found that opened after the subscription's `since`."""
    since = alert_since(alert)
    return [pk for pk, opened_at in found if opened_at > since]


def listed_before(chunk: list[JobAlert], candidates: set[int]) -> dict[int, set[int]]:
    """Return, per subscription of the chunk, which of the candidate postings it was listed."""
    if not candidates:
        return {}
    # A posting new to a subscription opened after its `since`, so it can only have been listed
    # by a delivery made since then.
    oldest = min(alert_since(alert) for alert in chunk)
    listed: dict[int, set[int]] = {}
    for alert_id, postings in JobAlertDelivery.objects.filter(
        alert__in=chunk, created_at__gte=oldest, postings__overlap=sorted(candidates)
    ).values_list("alert_id", "postings"):
        listed.setdefault(alert_id, set()).update(postings)
    return listed


class DeliverySender:
    """Send recorded deliveries in chunks, each over one mail connection, and mark them sent.

    The postings are read once per pass (and only those still open: a posting closed or deleted
    since its delivery was recorded is left out of the e-mail).
    """

    def __init__(self, now: datetime.datetime, result: AlertPass):
        self.now = now
        self.result = result
        self.today = timezone.localdate(now, timezone=POSTING_TIME_ZONE)
        self.postings: dict[int, JobPosting | None] = {}
        self.entries: dict[tuple[int, str], str] = {}
        self.searches: dict[tuple[str, str], str] = {}

    def send(self, deliveries: list[JobAlertDelivery], should_stop: Callable[[], bool]) -> bool:
        """Send deliveries just recorded (their subscriptions at hand); False if told to stop."""
        for start in range(0, len(deliveries), SEND_CHUNK_SIZE):
            if should_stop():
                return False
            chunk = deliveries[start : start + SEND_CHUNK_SIZE]
            self.read_postings({pk for delivery in chunk for pk in delivery.postings})
            self.send_chunk(chunk)
        return not should_stop()

    def send_pending(self, should_stop: Callable[[], bool]) -> bool:
        """Send the deliveries recorded and not sent (a stopped pass's); False if told to stop."""
        pending = JobAlertDelivery.objects.filter(sent_at__isnull=True).select_related("alert")
        last_pk = 0
        while True:
            if should_stop():
                return False
            chunk = list(pending.filter(pk__gt=last_pk).order_by("pk")[:SEND_CHUNK_SIZE])
            if not chunk:
                return True
            last_pk = chunk[-1].pk
            self.read_postings({pk for delivery in chunk for pk in delivery.postings})
            self.send_chunk(chunk)

    def read_postings(self, wanted: set[int]) -> None:
        missing = wanted - self.postings.keys()
        if not missing:
            return
        places = models.Prefetch("locations", queryset=Facility.objects.select_related("province"))
        found = (
            JobPosting.objects.open(self.today)
            .filter(pk__in=missing)
            .defer("search_en", "search_fr")
            .prefetch_related(places)
        )
        self.postings.update(dict.fromkeys(missing))
        self.postings.update({posting.pk: posting for posting in found})

    def send_chunk(self, chunk: list[JobAlertDelivery]) -> None:
        """Send the chunk's e-mails over one connection, then mark them sent in one go."""
        done: list[int] = []  # sent, or nothing to send
        emailed: list[int] = []  # subscriptions whose e-mail went out
        try:
            with get_connection() as connection:
                for delivery in chunk:
                    alert = delivery.alert
                    postings = [self.postings[pk] for pk in delivery.postings if self.postings[pk]]
                    if postings and alert.is_confirmed and not alert.is_paused:
                        try:
                            self.send_one(alert, postings, connection)
                        except smtplib.SMTPRecipientsRefused:
                            # An address the mail server refuses: not retried at every pass.
                            logger.warning("Job alert %s: address refused.", alert.public_id)
                            self.result.refused += 1
                        else:
                            emailed.append(alert.pk)
                            self.result.emails += 1
                            self.result.postings_listed += len(postings)
                    done.append(delivery.pk)
        finally:
            # Not one transaction: stopped between the two, a subscription stays due, and the
            # next pass finds nothing new to it (its `since` moved when this was recorded).
            JobAlertDelivery.objects.filter(pk__in=done).update(sent_at=timezone.now())
            JobAlert.objects.filter(pk__in=emailed).update(last_sent_at=self.now)

    def send_one(self, alert: JobAlert, postings: list[JobPosting], connection) -> None:
        links = alert_links(alert)
        send_templated(
            TEMPLATE,
            to=[alert.email],
            language=alert.language,
            context={
                "search": self.search_in_words(alert),
                "postings": [self.entry(posting, alert.language) for posting in postings],
                "manage_url": links["manage"],
                "unsubscribe_url": links["unsubscribe"],
            },
            headers={
                # RFC 8058: mailbox providers offer "Unsubscribe", and POST this body to the URL.
                "List-Unsubscribe": f"<{links['one_click']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=connection,
        )

    def search_in_words(self, alert: JobAlert) -> str:
        key = alert.query, alert.language
        if key not in self.searches:
            self.searches[key] = search_in_words(*key)
        return self.searches[key]

    def entry(self, posting: JobPosting, language: str) -> str:
        """Return the posting as an e-mail in the language lists it: title, reference, places,
        closing date and the absolute address of its page in that language."""
        key = posting.pk, language
        if key not in self.entries:
            with translation.override(language):
                url = f"{settings.SITE_URL.rstrip('/')}{posting.get_absolute_url()}"
                self.entries[key] = render_to_string(
                    POSTING_TEMPLATE, {"posting": posting, "url": url}
                ).strip()
        return self.entries[key]
