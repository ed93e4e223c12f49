"""Profile one public page in-process, with the public page cache off.

    [DATABASE_URL=postgres://…] .venv/bin/python bench/profile_page.py [URL] [--requests 20]

Uses the data bench/speed_benchmark.py measures (10,000 synthetic postings). Prints the mean time
of a request against /healthz, the CPU time a request takes in this process and in its PostgreSQL
server process (when the server runs on this machine), each query with its time, and the
functions that take the most time (cProfile, by own time). Without a URL it profiles the
benchmark's postings search.

Under gunicorn the server's CPU is shared by the workers and PostgreSQL: a page's throughput
follows the sum of both CPU times, not the Python time alone.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if not os.environ.get("DATABASE_URL"):  # the checkout's own server, as manage.py uses
    from csc_careers import local_postgres

    os.environ["DATABASE_URL"] = local_postgres.attach()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc_careers.settings")
os.environ["PUBLIC_PAGE_CACHE_SECONDS"] = "0"


def mean_ms(client, url: str, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        client.get(url)
    return (time.perf_counter() - start) / count * 1000


def server_cpu_seconds(connection) -> float | None:
    """Return the CPU time the connection's PostgreSQL process has used, if it runs here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # another machine, or no /proc
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms(client, url: str, count: int, connection) -> tuple[float, float | None]:
    """Return the CPU time of a request in this process and in PostgreSQL's (or None)."""
    client.get(url)  # the connection is open before the server's time is read
    server = server_cpu_seconds(connection)
    start = time.process_time()
    for _ in range(count):
        client.get(url)
    here = (time.process_time() - start) / count * 1000
    after = server_cpu_seconds(connection)
    return here, None if server is None or after is None else (after - server) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?")
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from positions.models import Occupation

    url = options.url
    if url is None:
        stream = Occupation.objects.order_by("slug").first().stream.slug
        url = f"/en/postings/?q=parole&region=ontario&stream={stream}"
    with override_settings(ALLOWED_HOSTS=["*"]):
        client = Client()
        status = client.get(url).status_code
        mean_ms(client, url, 3)  # warm the caches of templates and translations
        page, health = mean_ms(client, url, options.requests), mean_ms(client, "/healthz", 20)
        print(f"{url}: {status}, {page:.1f} ms a request; /healthz {health:.2f} ms")
        here, server = cpu_ms(client, url, options.requests, connection)
        in_server = "not on this machine" if server is None else f"{server:.1f} ms"
        print(f"  CPU a request: {here:.1f} ms in Python, PostgreSQL {in_server}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:110]}")
        profile = cProfile.Profile()
        profile.enable()
        mean_ms(client, url, 10)
        profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
