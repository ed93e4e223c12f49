"""Smoke-test the README's run command as a newcomer and a recruiter would.

    python3 .ci/smoke_run_command.py

From this checkout, with no DATABASE_URL: starts ./scripts/run in the background and waits for
the home page; checks that a second ./scripts/run refuses to start while the first runs; counts
the applications with manage.py from "a second terminal" (nothing set); signs in as the demo
recruiter and downloads the CSV export of every application, which must hold one row per
application; then stops the run command and checks that its PostgreSQL server stopped with it.
Exits non-zero on the first failure. Standard library only: it runs before anything is installed.
"""

import csv
import http.cookiejar
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}


def fail(message: str, log: Path | None = None) -> None:
    if log is not None:
        print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
    sys.exit(f"smoke test of the run command FAILED: {message}")


def wait_for(predicate, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    fail(f"no {what} after {seconds:.0f} s", log)


class Browser:
    """A cookie-keeping HTTP client that sends the CSRF token back like a browser's form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:  # not listening yet
            return 0, b""

    def post(self, path: str, fields: dict) -> tuple[int, bytes, str]:
        token = next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")


def manage(code: str) -> str:
    """Run Python in manage.py shell from "a second terminal": nothing set; return its output."""
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        sys.exit(f"smoke test FAILED: manage.py shell in a second terminal: {result.stderr}")
    return result.stdout


def main() -> None:
    log = Path(tempfile.mkstemp(prefix="csc-run-", suffix=".log")[1])
    started = time.monotonic()
    with log.open("w") as output:
        run = subprocess.Popen(
            ["scripts/run"],
            cwd=ROOT,
            env={**ENV, "PORT": os.environ.get("SMOKE_PORT", "8000")},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        serving = wait_for(
            lambda: re.search(r"Serving on (http://\S+?)/ ", log.read_text(errors="replace")),
            900,
            "'Serving on' line",
            log,
        )
        base = serving.group(1)
        browser = Browser(base)
        wait_for(lambda: browser.get("/en/")[0] == 200, 120, "home page", log)
        print(f"run command: home page served after {time.monotonic() - started:.1f} s ({base})")

        second = subprocess.run(
            ["scripts/run"], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300
        )
        if second.returncode == 0 or "already running" not in second.stderr:
            fail(f"a second run did not refuse to start: {second.stdout}{second.stderr}", log)
        print("run command: a second run refuses to start while the first runs")

        count = manage("from applications.models import Application as A; print(A.objects.count())")
        applications = int(count.split()[-1])
        if applications == 0:
            fail("the demo data holds no applications", log)

        printed = re.search(r"^Recruiters: recruiter / (\S+)$", log.read_text(), re.MULTILINE)
        if printed:
            password = printed.group(1)
        elif "recruiter (exists; password unchanged)" in log.read_text():
            # An earlier run created the account: give it a password of our own.
            password = "smoke-" + os.urandom(8).hex()
            manage(
                "from django.contrib.auth.models import User; u = User.objects.get(username="
                f"'recruiter'); u.set_password('{password}'); u.save()"
            )
        else:
            fail("the run command printed no password for the demo recruiter", log)
        browser.get("/en/admin/login/")
        browser.post(
            "/en/admin/login/?next=/en/admin/",
            {"username": "recruiter", "password": password, "next": "/en/admin/"},
        )
        export = "/en/staff/exports/applications/"
        if browser.get(export)[0] != 200:
            fail("the recruiter cannot open the export page", log)
        status, body, content_type = browser.post(export, {"file_format": "csv"})
        if status != 200 or not content_type.startswith("text/csv"):
            fail(f"the export answered {status} {content_type}", log)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        if len(rows) - 1 != applications:
            fail(f"the CSV export holds {len(rows) - 1} rows for {applications} applications", log)
        print(f"run command: the recruiter's CSV export holds all {applications} applications")
    finally:
        if run.poll() is None:
            os.kill(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            fail("the run command did not stop within 60 s of SIGTERM", log)

    if (ROOT / ".postgres" / "data" / "postmaster.pid").exists():
        fail("the run command's PostgreSQL server is still running after it stopped", log)
    print("run command: stopped, and its PostgreSQL server with it")


if __name__ == "__main__":
    main()
