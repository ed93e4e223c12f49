"""Sending job alerts: what each e-mail lists, to whom, in which language, and resuming a crash."""

import datetime
import re
import signal
from io import StringIO
from unittest import mock
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import formats, timezone, translation

from positions import alert_sending
from positions.alert_sending import send_job_alerts, with_opened_at
from positions.models import AlertFrequency, JobAlert, JobAlertDelivery, JobPosting, posting_today
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://careers.example.ca"
PACIFIC = ZoneInfo("America/Vancouver")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL


def days(n: int) -> datetime.date:
    return posting_today() + datetime.timedelta(days=n)


def subscribe(
    email="alex@example.ca",
    *,
    query="q=parole",
    language="en",
    frequency=AlertFrequency.DAILY,
    confirmed=True,
    since=None,
    **fields,
) -> JobAlert:
    """A subscription confirmed an hour ago (or `since`), unless confirmed=False."""
    moment = since or timezone.now() - HOUR
    fields.setdefault("created_at", moment - HOUR)
    if confirmed:
        fields.setdefault("confirmed_at", moment)
        fields.setdefault("since", moment)
    return JobAlert.objects.create(
        email=email, query=query, language=language, frequency=frequency, **fields
    )


def parole_posting(**fields) -> JobPosting:
    """An open posting that the search "parole" finds, published now."""
    fields.setdefault("title", "Parole officer")
    fields.setdefault("title_fr", "Agente ou agent de libération conditionnelle")
    return JobPostingFactory(**fields)


def alert_emails(to: str | None = None) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if to is None or message.to == [to]]


def references(body: str) -> list[str]:
    """The reference numbers of the postings an e-mail lists, as "Title (reference)"."""
    return re.findall(r"\((CSC-26-[A-Z]{2}-\d{4})\)", body)


def posting_urls(message) -> list[str]:
    return re.findall(rf"{re.escape(SITE_URL)}/\S*/postings/[A-Z0-9-]+/", message.body)


# --- What an e-mail lists ---------------------------------------------------------------------


def test_an_alert_lists_only_the_matching_postings_opened_since_its_confirmation():
    alert = subscribe()
    matching = parole_posting(reference_number="CSC-26-WP-0001")
    parole_posting(reference_number="CSC-26-WP-0002", title="Cook", title_fr="Cuisinier")
    parole_posting(reference_number="CSC-26-WP-0003", published_at=alert.since - DAY)
    parole_posting(reference_number="CSC-26-WP-0004", closed_early_at=timezone.now())
    parole_posting(
        reference_number="CSC-26-WP-0005", open_date=days(3), closing_date=days(30)
    )  # scheduled

    send_job_alerts()

    [message] = alert_emails()
    assert message.to == ["alex@example.ca"]
    assert references(message.body) == ["CSC-26-WP-0001"]
    assert message.subject == "1 new CSC job posting: “parole”"
    assert "Parole officer (CSC-26-WP-0001)" in message.body
    assert "Kingston (ON)" in message.body
    closing = formats.date_format(matching.closing_date, "DATE_FORMAT")
    assert f"Closing date: {closing}, 23:59 Pacific time" in message.body
    assert posting_urls(message) == [f"{SITE_URL}/en/postings/CSC-26-WP-0001/"]
    assert message.message()["Content-Language"] == "en"
    alert.refresh_from_db()
    assert alert.last_sent_at is not None


def test_a_second_run_sends_nothing():
    subscribe()
    parole_posting()
    send_job_alerts()
    assert len(mail.outbox) == 1

    send_job_alerts()

    assert len(mail.outbox) == 1
    assert JobAlertDelivery.objects.count() == 1


def test_the_next_e_mail_lists_only_the_postings_opened_after_the_last_one():
    alert = subscribe()
    parole_posting(reference_number="CSC-26-WP-0001")
    send_job_alerts()
    parole_posting(reference_number="CSC-26-WP-0002")

    send_job_alerts(now=timezone.now() + DAY)

    [_first, second] = alert_emails()
    assert references(second.body) == ["CSC-26-WP-0002"]
    alert.refresh_from_db()
    assert alert.deliveries.count() == 2


def test_several_postings_are_counted_in_the_subject():
    subscribe()
    parole_posting(reference_number="CSC-26-WP-0001")
    parole_posting(reference_number="CSC-26-WP-0002", title="Senior parole officer")
    parole_posting(reference_number="CSC-26-WP-0003", title="Parole officer supervisor")

    send_job_alerts()

    [message] = alert_emails()
    assert message.subject == "3 new CSC job postings: “parole”"
    assert len(posting_urls(message)) == 3


def test_an_alert_without_new_postings_gets_no_e_mail_and_stays_due():
    alert = subscribe()

    send_job_alerts()

    assert mail.outbox == []
    assert not JobAlertDelivery.objects.exists()
    alert.refresh_from_db()
    assert alert.last_sent_at is None
    assert alert.since > timezone.now() - HOUR  # moved to the pass's start
    assert JobAlert.objects.due().filter(pk=alert.pk).exists()


def test_a_posting_published_ahead_of_its_open_date_is_new_on_the_day_it_opens():
    start_of_today = datetime.datetime.combine(posting_today(), datetime.time(), PACIFIC)
    # Hours before: the time zone rules of the database and of Python may differ by an hour.
    subscribe(since=start_of_today - 3 * HOUR)
    parole_posting(
        reference_number="CSC-26-WP-0001",
        published_at=start_of_today - 10 * DAY,
        open_date=days(0),
    )
    parole_posting(
        reference_number="CSC-26-WP-0002",
        published_at=start_of_today - 10 * DAY,
        open_date=days(-1),
    )

    send_job_alerts()

    [message] = alert_emails()
    assert references(message.body) == ["CSC-26-WP-0001"]


def test_opened_at_is_the_later_of_publication_and_the_start_of_the_open_date_in_pacific_time():
    published = datetime.datetime(2026, 1, 5, 15, 30, tzinfo=datetime.UTC)
    winter, summer = datetime.date(2026, 1, 20), datetime.date(2026, 7, 15)
    ahead = parole_posting(published_at=published, open_date=winter, closing_date=summer)
    ahead_in_summer = parole_posting(published_at=published, open_date=summer, closing_date=summer)
    late = parole_posting(published_at=published, open_date=datetime.date(2026, 1, 2))

    opened = dict(with_opened_at(JobPosting.objects.all()).values_list("pk", "opened_at"))

    assert opened[ahead.pk] == datetime.datetime(2026, 1, 20, 8, tzinfo=datetime.UTC)  # PST
    assert opened[ahead_in_summer.pk] == datetime.datetime(2026, 7, 15, 7, tzinfo=datetime.UTC)
    assert opened[late.pk] == published


def test_the_search_is_the_postings_lists_search_with_its_filters():
    subscribe(query="classification=CX&q=parole")
    parole_posting(reference_number="CSC-26-CX-0001", classification_group="CX")
    parole_posting(reference_number="CSC-26-WP-0001", classification_group="WP")

    send_job_alerts()

    [message] = alert_emails()
    assert references(message.body) == ["CSC-26-CX-0001"]
    assert "“parole”" in message.subject
    assert "Classification group: CX" in message.subject


def test_an_alert_for_all_postings_lists_every_new_one():
    subscribe(query="")
    parole_posting(reference_number="CSC-26-WP-0001")
    parole_posting(reference_number="CSC-26-WP-0002", title="Cook")

    send_job_alerts()

    [message] = alert_emails()
    assert message.subject == "2 new CSC job postings: all job postings"


def test_a_weekly_alert_is_not_due_the_next_day():
    subscribe("weekly@example.ca", frequency=AlertFrequency.WEEKLY)
    subscribe("daily@example.ca", frequency=AlertFrequency.DAILY)
    parole_posting(reference_number="CSC-26-WP-0001")
    send_job_alerts()
    assert len(alert_emails("weekly@example.ca")) == 1
    parole_posting(reference_number="CSC-26-WP-0002")

    send_job_alerts(now=timezone.now() + DAY)

    assert len(alert_emails("weekly@example.ca")) == 1
    assert len(alert_emails("daily@example.ca")) == 2

    send_job_alerts(now=timezone.now() + 7 * DAY)

    [_first, second] = alert_emails("weekly@example.ca")
    assert references(second.body) == ["CSC-26-WP-0002"]


# --- Language and headers ---------------------------------------------------------------------


def test_a_french_subscriber_gets_a_french_e_mail_with_french_links():
    subscribe(query="q=libération", language="fr")
    posting = parole_posting(reference_number="CSC-26-WP-0001")

    send_job_alerts()

    [message] = alert_emails()
    assert message.subject == "1 nouvelle offre d’emploi du SCC\u00a0: «\u00a0libération\u00a0»"
    assert "Agente ou agent de libération conditionnelle (CSC-26-WP-0001)" in message.body
    assert "Parole officer" not in message.body
    with translation.override("fr"):
        closing = formats.date_format(posting.closing_date, "DATE_FORMAT")
    assert f"Date de clôture\u00a0: {closing}, 23 h 59, heure du Pacifique" in message.body
    assert "Service correctionnel du Canada – Carrières" in message.body
    assert posting_urls(message) == [f"{SITE_URL}/fr/postings/CSC-26-WP-0001/"]
    links = re.findall(rf"{re.escape(SITE_URL)}\S+", message.body)
    assert links and all(link.startswith(f"{SITE_URL}/fr/") for link in links)
    assert message.message()["Content-Language"] == "fr"
    assert urlsplit(message.extra_headers["List-Unsubscribe"][1:-1]).path.startswith("/fr/")


def test_the_e_mail_has_one_click_unsubscribe_headers_and_links_to_manage_and_unsubscribe(
    client,
):
    alert = subscribe()
    parole_posting()

    send_job_alerts()

    [message] = alert_emails()
    sent = message.message()
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = sent["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(SITE_URL)}/en/\S+>", header)
    one_click = header[1:-1]
    assert one_click.startswith("https://")
    assert resolve(urlsplit(one_click).path).url_name == "alert-one-click"
    body_links = {
        resolve(urlsplit(link).path).url_name
        for link in re.findall(rf"{re.escape(SITE_URL)}/en/postings/alerts/\S+", message.body)
    }
    assert body_links == {"alert-manage", "alert-unsubscribe"}

    # What a mailbox provider does when the person presses "Unsubscribe".
    response = client.post(
        urlsplit(one_click).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not JobAlert.objects.filter(pk=alert.pk).exists()


# --- Who gets nothing, and retention ----------------------------------------------------------


def test_an_unconfirmed_or_paused_alert_gets_nothing():
    subscribe("unconfirmed@example.ca", confirmed=False)
    subscribe("paused@example.ca", paused_at=timezone.now() - HOUR)
    subscribe("active@example.ca")
    parole_posting()

    send_job_alerts()

    assert [message.to for message in mail.outbox] == [["active@example.ca"]]


def test_unconfirmed_sign_ups_are_deleted_after_seven_days_and_dormant_alerts_too():
    now = timezone.now()
    old = subscribe("old@example.ca", confirmed=False, created_at=now - 8 * DAY)
    recent = subscribe("recent@example.ca", confirmed=False, created_at=now - 6 * DAY)
    silent = subscribe("silent@example.ca", since=now - 400 * DAY)
    JobAlertDelivery.objects.create(
        alert=silent, postings=[1], created_at=now - 390 * DAY, sent_at=now - 390 * DAY
    )
    paused = subscribe("paused@example.ca", since=now - 30 * DAY, paused_at=now - 400 * DAY)
    used = subscribe("used@example.ca", since=now - 400 * DAY, last_sent_at=now - 10 * DAY)
    out = StringIO()

    call_command("send_job_alerts", stdout=out)

    remaining = set(JobAlert.objects.values_list("email", flat=True))
    assert remaining == {recent.email, used.email}
    assert old.email not in remaining and silent.email not in remaining
    assert paused.email not in remaining
    assert not JobAlertDelivery.objects.filter(alert_id=silent.pk).exists()
    assert "deleted sign-ups: 3 (1 never confirmed, 2 dormant)" in out.getvalue()


def test_the_command_prints_a_summary():
    subscribe()
    parole_posting(reference_number="CSC-26-WP-0001")
    parole_posting(reference_number="CSC-26-WP-0002")
    out = StringIO()

    call_command("send_job_alerts", stdout=out)

    summary = out.getvalue()
    assert "Subscriptions due: 1; e-mails sent: 1; postings listed: 2; deleted sign-ups: 0" in (
        summary
    )
    assert re.search(r"\d+\.\d s\.", summary)


# --- Resuming ---------------------------------------------------------------------------------


class FailingBackend(EmailBackend):
    """The mail server goes away after `works` e-mails."""

    works = 1
    sent = 0

    def send_messages(self, messages):
        if FailingBackend.sent >= FailingBackend.works:
            raise ConnectionError("The mail server went away.")
        FailingBackend.sent += len(messages)
        return super().send_messages(messages)


def test_a_pass_that_crashes_after_recording_resumes_without_listing_a_posting_twice(
    monkeypatch,
):
    first = subscribe("first@example.ca")
    second = subscribe("second@example.ca")
    parole_posting(reference_number="CSC-26-WP-0001")
    monkeypatch.setattr(alert_sending, "SEND_CHUNK_SIZE", 1)
    FailingBackend.sent = 0
    with (
        mock.patch.object(alert_sending, "get_connection", lambda: FailingBackend()),
        pytest.raises(ConnectionError),
    ):
        send_job_alerts()
    assert [message.to for message in mail.outbox] == [["first@example.ca"]]
    assert JobAlertDelivery.objects.count() == 2
    assert JobAlertDelivery.objects.filter(sent_at__isnull=True).get().alert_id == second.pk

    parole_posting(reference_number="CSC-26-WP-0002", title="Senior parole officer")
    now = timezone.now()
    for day in (1, 2, 3):
        send_job_alerts(now=now + day * DAY)

    def listed(alert):
        return [references(m.body) for m in alert_emails(alert.email)]

    assert listed(first) == [["CSC-26-WP-0001"], ["CSC-26-WP-0002"]]
    # The e-mail recorded before the crash, then (a day later) the posting that opened since.
    assert listed(second) == [["CSC-26-WP-0001"], ["CSC-26-WP-0002"]]
    assert not JobAlertDelivery.objects.filter(sent_at__isnull=True).exists()


def test_a_posting_closed_since_it_was_recorded_is_left_out_and_an_empty_e_mail_is_not_sent():
    alert = subscribe()
    other = subscribe("other@example.ca")
    kept = parole_posting(reference_number="CSC-26-WP-0001", published_at=alert.since - DAY)
    closed = parole_posting(
        reference_number="CSC-26-WP-0002",
        published_at=alert.since - DAY,
        closed_early_at=timezone.now(),
    )
    JobAlertDelivery.objects.create(alert=alert, postings=[kept.pk, closed.pk])
    empty = JobAlertDelivery.objects.create(alert=other, postings=[closed.pk, 999_999])

    send_job_alerts()

    [message] = alert_emails()
    assert message.to == [alert.email]
    assert references(message.body) == ["CSC-26-WP-0001"]
    empty.refresh_from_db()
    other.refresh_from_db()
    assert empty.sent_at is not None and other.last_sent_at is None


# --- Queries ----------------------------------------------------------------------------------

SEARCHES = ["q=parole", "classification=CX", "tenure=term"]


def pass_queries(subscribers_per_search: int) -> tuple[int, int]:
    """Run a pass for that many subscribers of each of SEARCHES; return (queries, e-mails)."""
    JobAlert.objects.all().delete()
    mail.outbox.clear()
    for search in SEARCHES:
        for n in range(subscribers_per_search):
            subscribe(f"person{n}@example.ca", query=search, since=timezone.now() - DAY)
    with CaptureQueriesContext(alert_sending.database) as queries:
        send_job_alerts()
    return len(queries), len(mail.outbox)


def test_the_query_count_of_a_pass_does_not_grow_with_subscriptions():
    parole_posting(reference_number="CSC-26-WP-0001")
    parole_posting(reference_number="CSC-26-CX-0001", title="Cook", classification_group="CX")
    parole_posting(reference_number="CSC-26-WP-0002", title="Clerk", tenure="term", term_months=6)

    few, few_emails = pass_queries(1)
    many, many_emails = pass_queries(10)

    assert (few_emails, many_emails) == (3, 30)
    assert many == few


def without_savepoints(queries: CaptureQueriesContext) -> int:
    """Count the queries but the savepoints of the test's transaction (in production, an
    atomic() block is a BEGIN and a COMMIT, which Django does not log as queries)."""
    return sum(not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for query in queries)


def test_over_several_chunks_a_pass_asks_a_fixed_number_of_queries_per_chunk(monkeypatch):
    parole_posting(reference_number="CSC-26-WP-0001")
    parole_posting(reference_number="CSC-26-CX-0001", title="Cook", classification_group="CX")
    parole_posting(reference_number="CSC-26-WP-0002", title="Clerk", tenure="term", term_months=6)
    monkeypatch.setattr(alert_sending, "RECORD_CHUNK_SIZE", 10)
    monkeypatch.setattr(alert_sending, "SEND_CHUNK_SIZE", 5)

    def queries_and_emails(subscribers_per_search: int) -> tuple[int, int]:
        JobAlert.objects.all().delete()
        mail.outbox.clear()
        for search in SEARCHES:
            for n in range(subscribers_per_search):
                subscribe(f"person{n}@example.ca", query=search, since=timezone.now() - DAY)
        with CaptureQueriesContext(alert_sending.database) as queries:
            send_job_alerts()
        return without_savepoints(queries), len(mail.outbox)

    (three_chunks, _), (six_chunks, emails) = queries_and_emails(10), queries_and_emails(20)

    assert emails == 60
    # As the module's docstring counts them: per chunk of subscriptions, one query to read them,
    # one for their past deliveries, one INSERT and one UPDATE; per chunk of e-mails sent, two
    # UPDATEs. Nothing per subscription, and each search runs once, not once per chunk.
    per_chunk = 4 + 2 * (10 // 5)
    assert six_chunks - three_chunks == 3 * per_chunk


# --- Running on a schedule --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_forever_runs_a_pass_and_stops_cleanly_on_sigterm(sigterm_once_listening):
    subscribe()
    parole_posting()
    before = sigterm_once_listening()
    out = StringIO()

    call_command("send_job_alerts", "--forever", "--every", "3600", stdout=out)

    assert "Stopped." in out.getvalue()
    assert len(mail.outbox) <= 1  # stopped before, or after, its first pass's e-mail
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_e_mail_is_text_with_nothing_escaped_as_html():
    subscribe(query="q=parole&salary=90000")
    parole_posting(title="Parole & reintegration officer", salary_max=120_000)

    send_job_alerts()

    [message] = alert_emails()
    assert "Parole & reintegration officer" in message.body
    assert "&amp;" not in message.body + message.subject
    assert "&#" not in message.body + message.subject


def test_a_posting_published_just_before_a_pass_but_saved_after_it_is_listed_by_the_next():
    now = timezone.now()
    alert = subscribe(since=now - DAY)
    parole_posting(reference_number="CSC-26-WP-0001", published_at=now - 2 * HOUR)
    send_job_alerts(now=now)
    # Published a moment before the pass started, by a transaction that committed after it.
    parole_posting(
        reference_number="CSC-26-WP-0002", published_at=now - datetime.timedelta(minutes=1)
    )

    send_job_alerts(now=now + DAY)

    assert [references(message.body) for message in alert_emails(alert.email)] == [
        ["CSC-26-WP-0001"],
        ["CSC-26-WP-0002"],
    ]
