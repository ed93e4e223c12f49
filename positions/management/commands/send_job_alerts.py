"""Send the job alerts that are due: once, or on a schedule with --forever."""

from csc_careers.worker import PassCommand
from positions.alert_sending import AlertPass, send_job_alerts


class Command(PassCommand):
    help = (
        "Send job alert e-mails that are due, and delete expired sign-ups and dormant "
        "subscriptions. With --forever, run a pass every --every seconds until SIGTERM."
    )
    default_every = 3600
    pass_name = "job alert pass"

    def one_pass(self, should_stop):
        return send_job_alerts(should_stop=should_stop)

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
