"""Benchmark: a national campaign of 20,000 applicants on one posting — the pool page and the
invitation of 5,000 candidates to book a session — against the same work at a small scale.

    [DATABASE_URL=postgres://…] .venv/bin/python bench/campaign_benchmark.py
        [--applicants 20000] [--invite 5000] [--repeat 7]

Needs PostgreSQL with the catalogue, places and demo postings loaded (./scripts/run does it).
Everything happens in one transaction that is rolled back at the end: nothing is left behind.
Two copies of a CX-01 posting get their applicants (inserted by the server, as
generate_synthetic_data does) all qualified into the pool: a small campaign (--small, 200) and
the large one. It prints, each as a median of --repeat runs:
- the pool page (the admin list filtered to the posting, through the test client) at each size,
  its queries, and the large/small ratio (target: about 1, the page does not grow with the pool);
- inviting --invite candidates (`sessions.invite`) against inviting a tenth as many, per candidate;
- e-mailing those invitations (`tasks.send_session_invitations`, to the in-memory mail backend),
  per e-mail, at both sizes.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):  # the checkout's own server, as manage.py uses
    from csc_careers import local_postgres

    os.environ["DATABASE_URL"] = local_postgres.attach()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc_careers.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


class Rollback(Exception):
    """Raised at the end to roll the benchmark's transaction back."""


def median_seconds(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--invite", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--show-queries", action="store_true", help="The pool page's slowest.")
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from applications import sessions, tasks
    from applications.management.commands.generate_synthetic_data import (
        APPLICATION_VALUES,
        insert_sql,
    )
    from applications.models import Application, SessionInvitation
    from applications.pipeline import Stage
    from positions.models import ClassificationGroup, JobPosting
    from positions.models.assessment import SESSION_KINDS
    from positions.services import posting_duplicate

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["testserver"]
    original = (
        JobPosting.objects.filter(
            classification_group=ClassificationGroup.CX, classification_level="01"
        ).first()
        or JobPosting.objects.first()
    )
    if original is None:
        sys.exit("No posting to copy: run ./scripts/run once (it loads the demo postings).")

    def campaign(size: int, label: str) -> JobPosting:
        posting = posting_duplicate(posting=original, reference_number=f"BENCH-{label}")
        values = {
            **APPLICATION_VALUES,
            "posting_id": str(posting.pk),
            "reference": f"'B{label[0]}-' || lpad(g::text, 9, '0')",
            "email": f"'bench-{label.lower()}-' || g || '@example.invalid'",
            "stage": f"'{Stage.INTERVIEW.value}'",
        }
        with connection.cursor() as cursor:
            sql = insert_sql(Application, values, source="generate_series(1, %s) AS g")
            cursor.execute(sql, [size])
            cursor.execute(
                "INSERT INTO applications_poolmember "
                "(application_id, status, assessment, qualified_on, expires_on, changed_at) "
                "SELECT id, 'available', 'full', current_date, current_date + 365, now() "
                "FROM applications_application WHERE posting_id = %s",
                [posting.pk],
            )
            cursor.execute("ANALYZE applications_application")
            cursor.execute("ANALYZE applications_poolmember")
        return posting

    def session_step(posting: JobPosting):
        step = posting.assessment_steps.filter(kind__in=SESSION_KINDS).order_by("order").first()
        if step is None:
            sys.exit(f"{posting.reference_number} has no step with sessions in its plan.")
        return step

    try:
        with transaction.atomic():
            admin = get_user_model().objects.create_superuser(
                "campaign-benchmark", "campaign-benchmark@example.invalid", "x"
            )
            client = Client()
            client.force_login(admin)
            print(f"Making campaigns of {options.small:,} and {options.applicants:,}…", flush=True)
            small = campaign(options.small, "SMALL")
            large = campaign(options.applicants, "LARGE")

            pool_url = reverse("admin:applications_poolmember_changelist")
            pages = {}
            for name, posting in (("small", small), ("large", large)):
                url = f"{pool_url}?posting={posting.pk}"
                client.get(url)  # warm
                # The request's start empties the query log: begin the capture from empty.
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200, response.status_code
                if options.show_queries:
                    slowest = sorted(queries, key=lambda q: -float(q["time"]))
                    for query in slowest[:3]:
                        print(f"  {name} {query['time']} s: {query['sql'][:300]}")
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[0]["sql"])
                        print("\n".join(row[0] for row in cursor.fetchall()))
                pages[name] = (
                    median_seconds(lambda url=url: client.get(url), options.repeat),
                    len(queries),
                )

            step = session_step(large)
            book_by = timezone.now() + datetime.timedelta(days=14)
            few = max(options.invite // 10, 1)
            invited, emailed = {}, {}
            # Each size invites candidates not invited yet: a fresh slice of the campaign.
            for count, offset in ((few, 0), (options.invite, few)):
                chosen = Application.objects.filter(
                    pk__in=Application.objects.filter(posting=large)
                    .order_by("pk")
                    .values("pk")[offset : offset + count]
                )
                started = time.perf_counter()
                result = sessions.invite(chosen, step=step, book_by=book_by, by=admin)
                invited[count] = time.perf_counter() - started
                assert len(result.invited) == count, (len(result.invited), count)
                started = time.perf_counter()
                tasks.send_session_invitations.call(result.invited)
                emailed[count] = time.perf_counter() - started
            total = SessionInvitation.objects.filter(step=step).count()
            raise Rollback
    except Rollback:
        pass

    small_s, small_q = pages["small"]
    large_s, large_q = pages["large"]
    print()
    for size, seconds, queries in (
        (options.small, small_s, small_q),
        (options.applicants, large_s, large_q),
    ):
        print(f"Pool page, {size:>6,} members: {seconds * 1000:7.1f} ms, {queries} queries")
    print(f"  ratio large/small: {large_s / small_s:.2f}x")
    for count in (few, options.invite):
        print(
            f"Inviting {count:>5,}: {invited[count]:6.2f} s "
            f"({invited[count] / count * 1000:.2f} ms each); "
            f"e-mailing them: {emailed[count]:6.2f} s ({emailed[count] / count * 1000:.2f} ms each)"
        )
    print(
        f"  per-candidate ratio {options.invite:,}/{few:,}: inviting "
        f"{(invited[options.invite] / options.invite) / (invited[few] / few):.2f}x, e-mailing "
        f"{(emailed[options.invite] / options.invite) / (emailed[few] / few):.2f}x"
    )
    print(f"({total:,} invitations made, all rolled back.)")


if __name__ == "__main__":
    main()
