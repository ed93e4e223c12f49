"""The checkout's own PostgreSQL server: shared by processes, stopped by the last, clear errors."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
import pytest

from csc_careers import local_postgres
from csc_careers.local_postgres import Cluster, LocalPostgresError

ROOT = Path(__file__).resolve().parent.parent

HOLD = """
import sys
import tempfile
from pathlib import Path
from csc_careers import local_postgres
print(local_postgres.attach(Path(sys.argv[1])), flush=True)
sys.stdin.read()  # hold the server until the test closes our stdin
"""


@pytest.fixture
def folder():
    """A folder for a server of its own, straight under /tmp.

    Not pytest's tmp_path: as root the server runs as another user, who must be able to pass
    through every folder above its data, and pytest sets its own base folder back to 0700.
    """
    path = Path(tempfile.mkdtemp(prefix="csc-pg-test-"))
    yield path
    with contextlib.suppress(Exception):
        Cluster(path).stop()
    shutil.rmtree(path, ignore_errors=True)


def holder(folder: Path) -> tuple[subprocess.Popen, str]:
    """Start a process that uses the folder's server until its stdin is closed."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    if not url:
        pytest.fail(f"the process could not attach: {process.communicate(timeout=60)[1]}")
    return process, url


def server_answers(url: str) -> bool:
    try:
        psycopg2.connect(url).close()
    except psycopg2.OperationalError:
        return False
    return True


def test_the_server_runs_while_any_process_uses_it_and_stops_after_the_last(folder):
    first, url = holder(folder)
    assert url.startswith("postgres://"), first.stderr.read()
    assert server_answers(url)
    second, second_url = holder(folder)
    assert second_url == url

    _, errors = first.communicate(timeout=60)  # the first leaves: the second still uses it
    assert "stopped" not in errors
    assert server_answers(url)

    _, errors = second.communicate(timeout=60)  # the last leaves: the server stops
    assert "PostgreSQL stopped." in errors
    assert not server_answers(url)
    assert not (folder / "data" / "postmaster.pid").exists()


def test_the_database_survives_a_restart(folder):
    process, url = holder(folder)
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')")
    process.communicate(timeout=60)
    process, url = holder(folder)
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute("SELECT note FROM kept")
        assert cursor.fetchone() == ("still here",)
    process.communicate(timeout=60)


def test_a_second_site_from_the_same_checkout_is_refused(folder):
    first = local_postgres.hold_site_lock(folder)
    with pytest.raises(LocalPostgresError, match="already running from this checkout"):
        local_postgres.hold_site_lock(folder)
    first.close()
    local_postgres.hold_site_lock(folder).close()  # free again once the first site stopped


def test_a_data_folder_of_another_major_version_says_what_to_do(folder):
    (folder / "data").mkdir()
    (folder / "data" / "PG_VERSION").write_text("16\n")
    with pytest.raises(LocalPostgresError) as refused:
        Cluster(folder).ensure_running()
    message = str(refused.value)
    assert "PostgreSQL 16 database" in message
    assert "PostgreSQL 18" in message
    assert f"mv {folder} {folder}-pg16" in message


def test_an_interrupted_first_start_is_redone_from_scratch(folder):
    partial = folder / "data.partial"
    partial.mkdir()
    (partial / "PG_VERSION").write_text("18\n")  # initdb was killed half-way
    cluster = Cluster(folder, throwaway=True)
    try:
        assert cluster.ensure_running() is True
        assert server_answers(cluster.url)
        assert not partial.exists()
    finally:
        cluster.stop()


def manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_server_that_is_down_gets_one_clear_line(unused_tcp_port):
    url = f"postgres://careers:secret@127.0.0.1:{unused_tcp_port}/careers"
    result = manage("migrate", database_url=url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error == [
        f"error: cannot connect to the database 'careers' as 'careers' on "
        f'127.0.0.1:{unused_tcp_port}: connection to server at "127.0.0.1", port '
        f"{unused_tcp_port} failed: Connection refused Is the server running on that host and "
        "accepting TCP/IP connections?"
    ]


@pytest.mark.django_db
def test_a_database_that_does_not_exist_gets_one_clear_line():
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/no_such_database"
    result = manage("createsuperuser", "--no-input", "--username", "x", database_url=url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert 'database "no_such_database" does not exist' in result.stderr


@pytest.fixture
def unused_tcp_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
