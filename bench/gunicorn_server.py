"""Starting the site under gunicorn on loopback, for the benchmark and the load test."""

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, environ: dict, *extra: str) -> subprocess.Popen:
    """Start gunicorn with the project's WSGI application and wait until /healthz answers.

    Raise SystemExit if it does not answer within 20 seconds (the server is killed).
    """
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "csc_careers.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *extra,
        ],
        cwd=ROOT,
        env=environ,
    )
    for _attempt in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")
