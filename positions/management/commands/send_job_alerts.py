"""Send the job alerts that are due: once, or on a schedule with --forever."""

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from positions.alert_sending import AlertPass, send_job_alerts

logger = logging.getLogger(__name__)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = (
        "Send job alert e-mails that are due, and delete expired sign-ups and dormant "
        "subscriptions. With --forever, run a pass every --every seconds until SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--forever", action="store_true", help="Run a pass, wait, and again, until stopped."
        )
        parser.add_argument(
            "--every",
            type=int,
            default=3600,
            metavar="SECONDS",
            help="With --forever: seconds from the start of one pass to the next (3600).",
        )

    def handle(self, *args, forever=False, every=3600, **options):
        if every < 1:
            raise CommandError("--every must be at least 1 second.")
        if not forever:
            self.report(send_job_alerts())
            return
        stop = threading.Event()

        def stop_soon(signum, frame):
            # The pass ends after the chunk it is in: what is left is for the next start.
            stop.set()

        previous = {signum: signal.signal(signum, stop_soon) for signum in STOP_SIGNALS}
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    self.report(send_job_alerts(should_stop=stop.is_set))
                except Exception:
                    # A mail server or database that is down for a while must not stop the
                    # worker (scripts/serve would stop the site with it): the next pass retries,
                    # and resumes the deliveries this one recorded.
                    logger.exception("The job alert pass failed; the next one will retry.")
                # A connection kept idle for an hour may have been closed by the server: a new one.
                connections.close_all()
                stop.wait(max(every - (time.monotonic() - started), 1))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("Stopped.")

    def report(self, result: AlertPass) -> None:
        if result.skipped:
            self.stdout.write("Another pass is running: this one is skipped.")
            return
        self.stdout.write(
            f"Subscriptions due: {result.due}; e-mails sent: {result.emails}; "
            f"postings listed: {result.postings_listed}; deleted sign-ups: {result.deleted} "
            f"({result.deleted_unconfirmed} never confirmed, {result.deleted_dormant} dormant); "
            f"{result.seconds:.1f} s."
            + (f" Addresses refused: {result.refused}." if result.refused else "")
            + (" Stopped before the end." if result.stopped else "")
        )
