"""Load and fault test: browse, search and apply with real résumés against gunicorn, on loopback.

    .venv/bin/python bench/load_test.py [--duration 60] [--users 8] [--fault]

Starts its own throwaway PostgreSQL server (as scripts/test does) and gunicorn with production
settings, loads the catalogue, places and 50 synthetic open postings, then runs --users simulated
visitors for --duration seconds: home page, postings search, posting detail, and applications
with a PDF résumé (the form fetched, its CSRF token sent back, the file uploaded).

With --fault, PostgreSQL is stopped a third of the way in and started again ten seconds later.

It fails (exit status 1) unless: no response is a 5xx other than a 503 during the outage (and
without --fault, none at all); every application that was acknowledged (redirected to the
confirmation page) is in the database with its résumé file; and, with --fault, the site serves
pages again by itself once PostgreSQL is back.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.gunicorn_server import free_port, start_gunicorn  # noqa: E402
from csc_careers.local_postgres import Cluster, let_server_user_through  # noqa: E402
from tests.documents import pdf_bytes  # noqa: E402


class Postgres(Cluster):
    """A throwaway PostgreSQL server in a temporary folder, from the same binaries as the site's."""

    def __init__(self):
        folder = Path(tempfile.mkdtemp(prefix="csc-load-pg-"))
        super().__init__(folder, throwaway=True)
        if self.user is not None:
            let_server_user_through(folder)
        self.ensure_running()

    def destroy(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class Visitor:
    """One person with a browser's cookie jar, over a keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Load:
    def __init__(self, port, postings, resume):
        self.port = port
        self.postings = postings
        self.resume = resume
        self.lock = threading.Lock()
        self.results: list[tuple[float, str, int]] = []  # (time, kind, status; 0 = no response)
        self.acknowledged: list[str] = []  # addresses of applications confirmed to people

    def record(self, kind, status):
        with self.lock:
            self.results.append((time.monotonic(), kind, status))

    def apply(self, visitor: Visitor, reference: str):
        path = f"/en/postings/{reference}/apply/"
        status, _location, content = visitor.request("GET", path)
        self.record("apply form", status)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or not match:
            return
        email = f"load-{uuid.uuid4().hex}@example.invalid"
        fields = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "first_name": "Load",
            "last_name": "Test",
            "email": email,
            "phone": "613-555-0100",
            "residence": "ON",
            "eligibility": "citizen",
            "correspondence_language": random.choice(["en", "fr"]),
            "assessment_language": "en",
            "cover_letter": "Load test application.",
            "privacy_consent": "on",
            "declaration": "on",
        }
        body, content_type = multipart(
            fields, {"resume": ("resume.pdf", self.resume, "application/pdf")}
        )
        status, location, _content = visitor.request(
            "POST", path, body=body, headers={"Content-Type": content_type}
        )
        self.record("apply submit", status)
        if status == 302 and location and "/apply/received/" in location:
            with self.lock:
                self.acknowledged.append(email)

    def visitor_loop(self, deadline: float):
        visitor = Visitor(self.port)
        while time.monotonic() < deadline:
            reference = random.choice(self.postings)
            kind = random.choices(["home", "search", "detail", "apply"], [2, 3, 3, 2])[0]
            try:
                if kind == "home":
                    self.record(kind, visitor.request("GET", "/en/")[0])
                elif kind == "search":
                    query = random.choice(["parole", "officer", "posting", "kingston"])
                    path = f"/en/postings/?q={query}&page={random.randint(1, 3)}"
                    self.record(kind, visitor.request("GET", path)[0])
                elif kind == "detail":
                    self.record(kind, visitor.request("GET", f"/en/postings/{reference}/")[0])
                else:
                    self.apply(visitor, reference)
            except (http.client.HTTPException, OSError):
                self.record(kind, 0)
                time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fault", action="store_true", help="restart PostgreSQL mid-load")
    options = parser.parse_args()

    postgres = Postgres()
    workdir = Path(tempfile.mkdtemp(prefix="csc-load-"))
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csc_careers.settings",
        "DATABASE_URL": postgres.url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Required with DEBUG off, and not this machine; no e-mail leaves this run.
        "SITE_URL": "https://careers.example.ca",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(workdir / "static"),
        "CACHE_DIR": str(workdir / "cache"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "APPLICATION_RATE": "1000000/h",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
    }
    server = None
    try:

        def manage(*args):
            subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=environ,
                check=True,
                stdout=subprocess.DEVNULL,
            )

        print("Preparing the database and static files…", flush=True)
        manage("migrate", "--no-input")
        manage("loaddata", "fixtures/01_catalogue.json", "fixtures/02_about.json")
        manage("loaddata", "fixtures/03_places.json")
        manage("generate_synthetic_data", "--postings", "50", "--applications", "0")
        manage("collectstatic", "--no-input")
        os.environ.update(environ)
        import django

        django.setup()
        from applications.models import Application
        from positions.models import JobPosting

        postings = list(JobPosting.objects.open().values_list("reference_number", flat=True))

        port = free_port()
        server = start_gunicorn(port, options.workers, environ, "--timeout", "30")

        load = Load(port, postings, pdf_bytes())
        start = time.monotonic()
        deadline = start + options.duration
        threads = [
            threading.Thread(target=load.visitor_loop, args=(deadline,), daemon=True)
            for _user in range(options.users)
        ]
        print(f"{options.users} visitors for {options.duration} s…", flush=True)
        for thread in threads:
            thread.start()
        outage = None
        if options.fault:
            time.sleep(options.duration / 3)
            down = time.monotonic()
            postgres.stop()
            print(f"PostgreSQL stopped at {down - start:.1f} s", flush=True)
            time.sleep(10)
            postgres.start()
            up = time.monotonic()
            print(f"PostgreSQL started again at {up - start:.1f} s", flush=True)
            outage = (down, up)
        for thread in threads:
            thread.join(timeout=options.duration + 60)

        from django.db import connection

        connection.close()
        missing = []
        for email in load.acknowledged:
            application = Application.objects.filter(email=email).first()
            if application is None or not application.resume.storage.exists(
                application.resume.name
            ):
                missing.append(email)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        postgres.destroy()
        shutil.rmtree(workdir, ignore_errors=True)

    statuses = Counter((kind, status) for _at, kind, status in load.results)
    print(f"\n{'request':14} {'status':>6} {'count':>7}")
    for (kind, status), count in sorted(statuses.items()):
        print(f"{kind:14} {status or 'none':>6} {count:7d}")
    total = len(load.results)
    print(f"\n{total} requests in {options.duration} s ({total / options.duration:.0f}/s)")
    print(
        f"applications acknowledged: {len(load.acknowledged)}; missing afterwards: {len(missing)}"
    )

    failures = []
    server_errors = [(at, kind, s) for at, kind, s in load.results if s >= 500 or s == 0]
    if outage:
        down, up = outage
        # During the outage (and while workers reconnect) only a proper 503 is acceptable.
        wrong = [r for r in server_errors if r[2] != 503]
        after = [r for r in load.results if r[0] > up + 5]
        # Recovered: the site answers again (a form refused for its content is an answer too).
        recovered = [r for r in after if 0 < r[2] < 500]
        unavailable = sum(1 for r in server_errors if r[2] == 503)
        print(f"503 responses during the outage: {unavailable}")
        if after and len(recovered) < len(after) * 0.95:
            failures.append("the site did not recover by itself after PostgreSQL came back")
        if not after:
            failures.append("no requests after the outage: make --duration longer")
    else:
        wrong = server_errors
    if wrong:
        failures.append(f"{len(wrong)} server errors other than an outage's 503: {wrong[:5]}")
    if missing:
        failures.append(f"{len(missing)} acknowledged applications are missing")
    if not load.acknowledged:
        failures.append("no application was acknowledged")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("PASS" if not failures else "")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
