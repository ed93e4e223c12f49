"""Benchmark: CSV export of 100,000 applications through the view, against PostgreSQL's COPY.

    [DATABASE_URL=postgres://…] .venv/bin/python bench/export_benchmark.py [--rows 100000]

Needs a PostgreSQL database with the catalogue and places loaded (./scripts/run
does it). It replaces the synthetic rows with a fresh set of --rows applications, then, in one
run and on the same rows: times PostgreSQL's own `COPY (…) TO STDOUT WITH CSV` (the floor), times
the export view (streamed CSV read to the end), and records the export's peak Python memory. It
prints the time ratio view/COPY (target: within 3x) and the peak memory (target: under 150 MB).
Figures are medians of --repeat runs; compare ratios, not absolute times, on a noisy machine.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):  # the checkout's own server, as manage.py uses
    from csc_careers import local_postgres

    os.environ["DATABASE_URL"] = local_postgres.attach()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc_careers.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def peak_rss_mb() -> float | None:
    """The process's peak resident memory since the last reset_peak_rss() (Linux), in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


class Sink:
    """A file-like object that only counts what is written to it."""

    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from applications.exports import columns_for, export_rows
    from applications.models import Application

    print(f"Generating {options.rows:,} synthetic applications…", flush=True)
    call_command(
        "generate_synthetic_data",
        postings=max(options.rows // 100, 1),
        applications=options.rows,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    applications = Application.objects.filter(reference__startswith="S-")
    rows = export_rows(
        applications, columns_for(posting=None, with_equity=False, dates_as_text=True)
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        copy_sql = cursor.cursor.mogrify(sql, params).decode()

    def copy_once():
        sink = Sink()
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY ({copy_sql}) TO STDOUT WITH CSV HEADER", sink)
        return time.perf_counter() - start, sink.size

    user, _created = get_user_model().objects.get_or_create(
        username="export-benchmark", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    url = reverse("applications:export")

    def view_once(measure_memory=False):
        if measure_memory:
            tracemalloc.start()
        start = time.perf_counter()
        response = client.post(url, {"file_format": "csv", "stages": []})
        size = sum(len(chunk) for chunk in response.streaming_content)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if measure_memory else 0
        if measure_memory:
            tracemalloc.stop()
        assert response.status_code == 200
        return elapsed, size, peak

    copy_once()  # warm the cache for both
    copy_times, view_times = [], []
    for _ in range(options.repeat):
        copy_times.append(copy_once()[0])
        elapsed, size, _peak = view_once()
        view_times.append(elapsed)
    reset_peak_rss()
    rss_before = peak_rss_mb()
    _elapsed, _size, peak = view_once(measure_memory=True)
    rss_peak = peak_rss_mb()

    copy_median, view_median = statistics.median(copy_times), statistics.median(view_times)
    total = applications.count()
    print(f"rows exported:            {total:,} (CSV of {size / 1e6:.1f} MB)")
    print(f"PostgreSQL COPY (median): {copy_median:.2f} s")
    print(f"export view (median):     {view_median:.2f} s")
    print(f"ratio view / COPY:        {view_median / copy_median:.2f}x  (target ≤ 3x)")
    print(f"peak Python memory:       {peak / 1e6:.1f} MB  (target < 150 MB; tracemalloc)")
    if rss_before is not None and rss_peak is not None:
        print(f"process peak RSS:         {rss_peak:.0f} MB (before: {rss_before:.0f} MB)")
    call_command("generate_synthetic_data", clear=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


if __name__ == "__main__":
    main()
