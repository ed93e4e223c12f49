"""What follows a committed stage move: the e-mails to the applicant, and the seats it frees.

Connected to `application_moved` in ApplicationsConfig.ready(). The signal is sent after the move
has committed, so each receiver queues its e-mail task straight away.
"""

from applications.pipeline import FINAL_STAGES, NOTIFIED_STAGES, Stage
from applications.sessions import invitations_close
from applications.tasks import send_stage_message, send_withdrawal_confirmation


def email_stage_message(sender, *, application, change, **kwargs) -> None:
    """E-mail HR's wording for the stage reached, if it is one the applicant is told of."""
    if change.to_stage in NOTIFIED_STAGES:
        send_stage_message.enqueue(application_id=application.pk, stage=change.to_stage)


def email_withdrawal_confirmation(sender, *, application, change, **kwargs) -> None:
    """Confirm a withdrawal to the applicant who asked for it."""
    if change.to_stage == Stage.WITHDRAWN:
        send_withdrawal_confirmation.enqueue(application_id=application.pk)


def free_seats_of_closed_application(sender, *, application, change, **kwargs) -> None:
    """An application that closed books nothing: its seats go back to the other candidates."""
    if change.to_stage in FINAL_STAGES:
        invitations_close(application)
