"""Running a management command's pass on a schedule (`--forever --every SECONDS`), next to
gunicorn in scripts/serve: the job alerts and the session reminders."""

import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

Result = TypeVar("Result")


def run_forever(
    one_pass: Callable[[Callable[[], bool]], Result],
    *,
    every: int,
    report: Callable[[Result], None],
    name: str,
) -> None:
    """Run `one_pass(should_stop)` every `every` seconds, report each result, until SIGTERM or
    SIGINT; the signal handlers in place before are put back on the way out.

    `should_stop` tells a pass to stop after the chunk it is in. `name` says which pass failed in
    the log ("job alert pass").
    """
    stop = threading.Event()

    def stop_soon(signum, frame):
        # The pass ends after the chunk it is in: what is left is for the next start.
        stop.set()

    previous = {signum: signal.signal(signum, stop_soon) for signum in STOP_SIGNALS}
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                report(one_pass(stop.is_set))
            except Exception:
                # A mail server or database that is down for a while must not stop the worker
                # (scripts/serve would stop the site with it): the next pass retries, and resumes
                # what this one recorded.
                logger.exception("The %s failed; the next one will retry.", name)
            # A connection kept idle until the next pass may have been closed by the server.
            connections.close_all()
            stop.wait(max(every - (time.monotonic() - started), 1))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class PassCommand(BaseCommand):
    """A command that runs one pass, or with --forever one every --every seconds until stopped.

    Subclasses give `one_pass(should_stop)`, `report(result)`, `default_every` and `pass_name`.
    """

    default_every = 3600
    pass_name = "pass"

    def one_pass(self, should_stop: Callable[[], bool]):
        raise NotImplementedError

    def report(self, result) -> None:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--forever", action="store_true", help="Run a pass, wait, and again, until stopped."
        )
        parser.add_argument(
            "--every",
            type=int,
            default=self.default_every,
            metavar="SECONDS",
            help="With --forever: seconds from the start of one pass to the next "
            f"({self.default_every}).",
        )

    def handle(self, *args, forever=False, every=None, **options):
        every = self.default_every if every is None else every
        if every < 1:
            raise CommandError("--every must be at least 1 second.")
        if not forever:
            self.report(self.one_pass(lambda: False))
            return
        run_forever(self.one_pass, every=every, report=self.report, name=self.pass_name)
        self.stdout.write("Stopped.")
