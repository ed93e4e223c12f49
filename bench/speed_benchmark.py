"""Benchmark: public pages and the HR queue under gunicorn, against a minimal "hello" view.

    [DATABASE_URL=postgres://…] .venv/bin/python bench/speed_benchmark.py [--duration 10]
        [--connections 16] [--workers 4] [--generate]

Needs PostgreSQL with the catalogue and places loaded and the synthetic data of
`manage.py generate_synthetic_data` (10,000 postings, 1,000,000 applications; --generate makes it).
It collects static files, starts gunicorn on 127.0.0.1 with production settings, and measures
with wrk (Debian package `wrk`), one URL after the other at a fixed concurrency: the hello view
(the framework's ceiling on this machine), the postings search with a keyword and two filters, a
posting detail, an occupation detail (each first with the public page cache as in production,
then with it off), the HR application list and the HR reports in the admin. It prints requests
per second, p50/p95 latency and each page's throughput as a ratio of the hello view, plus the
number of queries each page makes. The load tool shares the CPU with the server: compare ratios.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.gunicorn_server import free_port, start_gunicorn  # noqa: E402

if not os.environ.get("DATABASE_URL"):  # the checkout's own server, as manage.py uses
    from csc_careers import local_postgres

    os.environ["DATABASE_URL"] = local_postgres.attach()

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests,
    latency:percentile(50), latency:percentile(95),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout, summary.duration))
end
"""


def prepare(generate: bool):
    """Return the URLs to measure, a staff session cookie and each page's query count."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from applications.models import Application
    from positions.models import JobPosting, Occupation

    if generate or Application.objects.count() < 1_000_000:
        if not generate:
            sys.exit("Fewer than 1,000,000 applications: run with --generate (about a minute).")
        call_command("generate_synthetic_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    posting = JobPosting.objects.open().order_by("reference_number").first()
    occupation = Occupation.objects.order_by("slug").first()
    urls = {
        "hello": "/bench/hello",
        "postings search": "/en/postings/?q=parole&region=ontario&stream=" + occupation.stream.slug,
        "posting detail": posting.get_absolute_url(),
        "occupation detail": occupation.get_absolute_url(),
        "admin application list": "/en/admin/applications/application/",
        # HR reports (issue 18) over every application, then one posting's funnel.
        **{
            f"admin report {report}": f"/en/admin/applications/applicationreport/{report}/"
            for report in ("funnel", "time", "reach", "equity")
        },
        "admin report funnel, one posting": (
            f"/en/admin/applications/applicationreport/funnel/?postings={posting.pk}"
        ),
    }
    user, _created = get_user_model().objects.get_or_create(
        username="speed-benchmark", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    queries = {}
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # count the queries of a page actually built
    for name, url in urls.items():
        if name == "hello":
            continue
        visitor = client if name.startswith("admin") else Client()
        visitor.get(url)  # warm up
        with CaptureQueriesContext(connection) as captured:
            response = visitor.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, (url, response.status_code)
        queries[name] = len(captured.captured_queries)
    return urls, cookie, queries


def measure(port, url, *, duration, connections, cookie=None, script=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", script]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{url}"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+)", output)
    requests, p50, p95, errors, micros = map(int, match.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": requests / (micros / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--admin-connections",
        type=int,
        default=4,
        help="concurrency for the HR list (a few staff, not the public)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() * 2)
    parser.add_argument("--generate", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        metavar="PAGE",
        help="measure only the pages whose name starts with this (and hello); repeatable",
    )
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="csc-speed-"))
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csc_careers.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # Required with DEBUG off, and not this machine; no e-mail leaves this run.
        "SITE_URL": "https://careers.example.ca",
        "SECURE_SSL_REDIRECT": "false",
        "BENCHMARK_ENDPOINTS": "true",
        "STATIC_ROOT": str(workdir / "static"),
        "CACHE_DIR": str(workdir / "cache"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(environ)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=environ,
        check=True,
    )
    urls, cookie, queries = prepare(options.generate)
    if options.only:
        urls = {
            name: url
            for name, url in urls.items()
            if name == "hello" or any(name.startswith(only) for only in options.only)
        }
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT)
    results = {}
    for cached in (True, False):
        port = free_port()
        env = {**environ, "PUBLIC_PAGE_CACHE_SECONDS": "300" if cached else "0"}
        server = start_gunicorn(port, options.workers, env)
        try:
            for name, url in urls.items():
                is_public = name != "hello" and not name.startswith("admin")
                if not cached and not is_public:
                    continue
                label = f"{name} (cache off)" if not cached and is_public else name
                results[label] = measure(
                    port,
                    url,
                    duration=options.duration,
                    connections=options.admin_connections
                    if name.startswith("admin")
                    else options.connections,
                    cookie=cookie if name.startswith("admin") else None,
                    script=str(script),
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    shutil.rmtree(workdir, ignore_errors=True)

    hello = results["hello"]["rps"]
    print(
        f"\n{options.connections} connections ({options.admin_connections} for the admin list), "
        f"{options.duration} s per URL, "
        f"{options.workers} gunicorn workers, {os.cpu_count()} CPUs\n"
    )
    columns = ("req/s", "p50 ms", "p95 ms", "x hello", "errors", "queries")
    print(f"{'page':36} " + " ".join(f"{column:>8}" for column in columns))
    for label, figures in results.items():
        base = label.replace(" (cache off)", "")
        print(
            f"{label:36} {figures['rps']:8.0f} {figures['p50']:8.1f} {figures['p95']:8.1f} "
            f"{figures['rps'] / hello:8.3f} {figures['errors']:8d} {queries.get(base, 0):8d}"
        )
    print(
        "\nTargets: public pages >= 0.50 x hello; admin application list p95 < 300 ms; "
        "admin reports p95 < 1 s."
    )


if __name__ == "__main__":
    main()
