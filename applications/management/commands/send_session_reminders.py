"""Remind booked candidates of their session two days before: once, or on a schedule with
--forever.

Each reminder is sent once, even by two passes at once: a chunk of due reminders is chosen with
its rows locked (a second pass skips them, and finds them reminded once the first commits), and
marked reminded in the same transaction that sends them. An error in the middle of a chunk rolls
the chunk back: the next pass sends it again, at most CHUNK_SIZE reminders twice.
"""

import datetime
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.core import mail
from django.db import transaction
from django.utils import timezone

from applications.models import SessionInvitation
from applications.sessions import due_reminders
from applications.tasks import INVITATION_RELATED, send_session_reminder
from csc_careers.worker import PassCommand

logger = logging.getLogger(__name__)

CHUNK_SIZE = 100  # reminders chosen, sent and marked in one transaction


@dataclass
class ReminderPass:
    """What one pass did, for its summary."""

    sent: int = 0
    refused: int = 0
    stopped: bool = False  # asked to stop before the end


def send_due_reminders(
    *, now: datetime.datetime | None = None, should_stop: Callable[[], bool] = lambda: False
) -> ReminderPass:
    """Send the due reminders (sessions.due_reminders), each once, over one mail connection.

    `should_stop` is asked between chunks: what is left is for the next pass.
    """
    result = ReminderPass()
    with mail.get_connection() as connection:
        while True:
            if should_stop():
                result.stopped = True
                break
            with transaction.atomic():
                chunk = list(
                    due_reminders(now)
                    # Rows another pass holds are its to send: skipped, not waited for.
                    .select_for_update(of=("self",), skip_locked=True)
                    .select_related(*INVITATION_RELATED)
                    .order_by("session__starts_at", "pk")[:CHUNK_SIZE]
                )
                SessionInvitation.objects.filter(pk__in=[each.pk for each in chunk]).update(
                    reminded_at=timezone.now()
                )
                for invitation in chunk:
                    try:
                        send_session_reminder(invitation, connection=connection)
                    except smtplib.SMTPRecipientsRefused:
                        # An address the mail server refuses: not retried at every pass.
                        logger.warning("Session invitation %s: address refused.", invitation.pk)
                        result.refused += 1
                    else:
                        result.sent += 1
            if len(chunk) < CHUNK_SIZE:
                break
    return result


class Command(PassCommand):
    help = (
        "E-mail booked candidates a reminder of their session, two days before it. With "
        "--forever, run a pass every --every seconds until SIGTERM."
    )
    default_every = 900
    pass_name = "session reminder pass"

    def one_pass(self, should_stop):
        return send_due_reminders(should_stop=should_stop)

    def report(self, result: ReminderPass) -> None:
        self.stdout.write(
            f"Session reminders sent: {result.sent}."
            + (f" Addresses refused: {result.refused}." if result.refused else "")
            + (" Stopped before the end." if result.stopped else "")
        )
