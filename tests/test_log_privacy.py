"""Status links open an application's page: no log line may carry one."""

import io
import logging
import logging.config
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ImQ3YjE2MjQ1MTNlNDQ1YjhmNjQ0ZjVmMjYxMjQ4Y2Mi:1wXyZa:secret-part-of-the-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_django_log_lines_lose_the_token_of_a_status_link():
    stream = io.StringIO()
    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "INFO"}}
    config["handlers"] = {
        name: {**handler, "stream": stream} for name, handler in config["handlers"].items()
    }
    logging.config.dictConfig(config)
    try:
        logging.getLogger("django.request").warning(
            "Not Found: %s", f"/fr/applications/{TOKEN}/withdraw/"
        )
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /en/applications/{TOKEN}/ HTTP/1.1", 200, 512
        )
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /en/applications/status/", 200, 1
        )
    finally:
        logging.config.dictConfig(settings.LOGGING)

    lines = [line.split("] ", 1)[-1] for line in stream.getvalue().splitlines()]
    assert lines == [
        "Not Found: /fr/applications/[link]/withdraw/",
        '"GET /en/applications/[link]/ HTTP/1.1" 200 512',
        '"GET /en/applications/status/" 200 1',
    ]


def test_gunicorns_access_log_keeps_the_request_but_not_the_token(tmp_path):
    port = free_port()
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "csc_careers.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
            # As scripts/serve runs it:
            "--logger-class",
            "csc_careers.log_privacy.AccessLogger",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "csc_careers.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/en/applications/{TOKEN}/"
        request = urllib.request.Request(url, headers={"Referer": url})
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as error:
                assert error.code == 404  # a token that names no application
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)

    logged = access_log.read_text()
    assert "GET /en/applications/[link]/ HTTP/1.1" in logged
    assert "secret-part-of-the-token" not in logged
    assert TOKEN.split(":")[0] not in logged
