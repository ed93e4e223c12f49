"""Benchmark: one pass of the job alert job for 100,000 subscriptions and 500 new postings.

    [DATABASE_URL=postgres://…] .venv/bin/python bench/alert_benchmark.py [--subscriptions 100000]

Needs a PostgreSQL database with the catalogue and places loaded (./scripts/run does it). It
makes 500 synthetic open postings published now (generate_synthetic_data), and confirmed
subscriptions spread over about 200 distinct searches built from the loaded catalogue and places
(a facility, a region and a classification group, an occupation, a city as keyword…), in English
and French. It runs one pass with the local-memory e-mail backend (e-mails counted, not kept) for
--baseline subscriptions, then for --subscriptions, and prints for each the seconds, e-mails,
postings listed and queries, and the ratios: the queries must not grow with the subscriptions
(they grow with the searches and the chunks). It then removes what it made.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):  # the checkout's own server, as manage.py uses
    from csc_careers import local_postgres

    os.environ["DATABASE_URL"] = local_postgres.attach()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc_careers.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

BENCH_DOMAIN = "alert-benchmark.invalid"


class CountedOutbox(list):
    """The local-memory backend's outbox, counting e-mails instead of keeping 100,000 of them."""

    def __init__(self):
        super().__init__()
        self.count = 0
        self.characters = 0

    def append(self, message):
        self.count += 1
        self.characters += len(message.body)

    def extend(self, messages):
        for message in messages:
            self.append(message)


def distinct_searches(count: int, seed: int = 17) -> list[str]:
    """Return `count` distinct valid search query strings drawn from the loaded fixtures."""
    from django.http import QueryDict

    from positions.filters import PostingFilter
    from positions.models import (
        CareerStream,
        Facility,
        JobPosting,
        Occupation,
        Province,
        Region,
    )

    groups = ["WP", "CX", "AS", "IT", "GS"]  # the synthetic postings' classification groups
    facilities = list(Facility.objects.order_by("slug"))
    regions = list(Region.objects.order_by("slug").values_list("slug", flat=True))
    provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
    occupations = list(
        Occupation.objects.published().order_by("slug").values_list("slug", flat=True)
    )
    streams = list(CareerStream.objects.order_by("slug").values_list("slug", flat=True))
    cities = sorted({facility.city for facility in facilities})
    candidates = (
        [f"location={facility.slug}" for facility in facilities]
        + [f"region={region}&classification={group}" for region in regions for group in groups]
        + [f"province={province}&tenure=indeterminate" for province in provinces]
        + [f"occupation={slug}&classification={group}" for slug in occupations for group in groups]
        + [f"stream={stream}&region={region}" for stream in streams for region in regions]
        + [f"q={city}" for city in cities]
        + [f"q=offenders&region={region}" for region in regions]
        + [f"salary=90000&province={province}" for province in provinces]
    )
    random.Random(seed).shuffle(candidates)
    searches: list[str] = []
    for candidate in candidates:
        filterset = PostingFilter(QueryDict(candidate), queryset=JobPosting.objects.none())
        query = filterset.filter_query().urlencode() if filterset.is_valid() else ""
        if query and query not in searches:
            searches.append(query)
        if len(searches) == count:
            break
    return searches


def make_subscriptions(count: int, searches: list[str], since) -> None:
    from positions.models import AlertFrequency, JobAlert

    JobAlert.objects.bulk_create(
        (
            JobAlert(
                email=f"person{n}@{BENCH_DOMAIN}",
                language="fr" if n % 3 == 0 else "en",
                frequency=AlertFrequency.WEEKLY if n % 4 == 0 else AlertFrequency.DAILY,
                query=searches[n % len(searches)],
                created_at=since,
                confirmed_at=since,
                since=since,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )


def remove_subscriptions() -> None:
    from positions.models import JobAlert, JobAlertDelivery

    JobAlertDelivery.objects.filter(alert__email__endswith=f"@{BENCH_DOMAIN}").delete()
    JobAlert.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").delete()


def measure(count: int, searches: list[str], since) -> dict:
    """Run one pass for `count` fresh subscriptions; return its figures."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from positions.alert_sending import send_job_alerts

    remove_subscriptions()
    make_subscriptions(count, searches, since)
    mail.outbox = CountedOutbox()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = send_job_alerts()
    elapsed = time.perf_counter() - start
    outbox = mail.outbox
    remove_subscriptions()
    return {
        "subscriptions": count,
        "due": result.due,
        "seconds": elapsed,
        "emails": outbox.count,
        "postings": result.postings_listed,
        "queries": len(queries),
        "body_mb": outbox.characters / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--postings", type=int, default=500)
    options = parser.parse_args()

    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://careers.example.ca"
    since = timezone.now() - datetime.timedelta(days=1)
    print(f"Generating {options.postings:,} new open postings…", flush=True)
    call_command(
        "generate_synthetic_data",
        postings=options.postings,
        applications=0,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    try:
        searches = distinct_searches(options.searches)
        print(f"{len(searches)} distinct searches, subscribers in English and French.", flush=True)
        figures = [
            measure(count, searches, since) for count in (options.baseline, options.subscriptions)
        ]
    finally:
        remove_subscriptions()
        call_command("generate_synthetic_data", clear=True, stdout=open(os.devnull, "w"))  # noqa: SIM115

    print()
    print(f"{'subscriptions':>13} {'seconds':>8} {'e-mails':>8} {'postings':>9} {'queries':>8}")
    for row in figures:
        print(
            f"{row['subscriptions']:>13,} {row['seconds']:>8.1f} {row['emails']:>8,} "
            f"{row['postings']:>9,} {row['queries']:>8,}"
        )
    small, large = figures
    print(
        f"ratio {large['subscriptions'] / small['subscriptions']:.0f}x subscriptions: "
        f"time {large['seconds'] / small['seconds']:.1f}x, queries "
        f"{large['queries'] / small['queries']:.1f}x (queries grow with the chunks: "
        f"{small['queries']} → {large['queries']}; per e-mail "
        f"{large['seconds'] / max(large['emails'], 1) * 1000:.2f} ms)"
    )


if __name__ == "__main__":
    main()
