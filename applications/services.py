"""Writes that span several models: submitting and withdrawing an application."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.forms import ApplicationForm, EquityDeclarationForm
from applications.models import (
    Application,
    EquityDeclaration,
    ScreeningAnswer,
    Stage,
    StageChange,
)
from applications.tasks import (
    send_application_confirmation,
    send_duplicate_notice,
    send_status_links,
    send_withdrawal_confirmation,
)
from positions.models import JobPosting, QuestionKind

logger = logging.getLogger(__name__)


class PostingNotOpen(Exception):
    """The posting closed (or was never open) by the time the application arrived."""


class DuplicateApplication(Exception):
    """This e-mail address has already applied to this posting."""


def application_submit(
    *, posting: JobPosting, form: ApplicationForm, equity_form: EquityDeclarationForm
) -> Application:
    """Save a valid application with its answers, declaration and résumé, all or nothing.

    Whether the posting is open is checked again inside the transaction, at the moment of saving,
    so an application that arrives after the closing moment is refused even if the form was
    opened before it. The résumé file is written during the transaction and removed again if the
    transaction fails, so a failure leaves neither a row nor an orphan file.
    """
    application = form.instance
    try:
        with transaction.atomic():
            if not JobPosting.objects.open().filter(pk=posting.pk).exists():
                raise PostingNotOpen(posting.reference_number)
            now = timezone.now()
            resume = form.cleaned_data["resume"]
            application.posting = posting
            application.resume_name = resume.name[:255]
            application.resume_type = form.resume_type.content_type
            # Stored (and later downloaded) under the extension of the type found in its bytes,
            # never the uploader's: "cv.bat" that is plain text becomes a ".txt" file.
            resume.name = f"resume{form.resume_type.extension}"
            application.resume = resume
            application.resume_size = resume.size
            application.consented_at = application.declared_at = now
            application.submitted_at = application.stage_changed_at = now
            application.full_clean(exclude=["resume"], validate_constraints=False)
            try:
                with transaction.atomic():
                    application.save()
            except IntegrityError as error:
                raise DuplicateApplication(application.email) from error
            ScreeningAnswer.objects.bulk_create(
                ScreeningAnswer(
                    application=application,
                    question=question,
                    # The text as the applicant read it, and for a choice which one it was, in
                    # words that do not depend on the language they applied in.
                    answer=answer,
                    choice=question.choice_position(answer)
                    if question.kind == QuestionKind.CHOICE
                    else None,
                    meets_requirement=question.is_met_by(answer),
                )
                for question, answer in form.answers().items()
            )
            if equity_form.has_answers():
                EquityDeclaration.objects.create(
                    application=application, **equity_form.cleaned_data
                )
            transaction.on_commit(
                lambda: send_application_confirmation.enqueue(application_id=application.pk)
            )
    except BaseException:
        # The résumé is written when the row is saved; a rollback after that must not leave it.
        if application.resume and getattr(application.resume, "_committed", False):
            application.resume.storage.delete(application.resume.name)
        application.pk = None
        raise
    logger.info("Application %s received for posting %s", application.reference, posting.pk)
    return application


def application_duplicate_notify(*, posting: JobPosting, email: str) -> None:
    """Tell the owner of the address, by e-mail, that they had already applied to the posting."""
    send_duplicate_notice.enqueue(posting_id=posting.pk, email=email.strip().lower())


def application_withdraw(*, application: Application) -> StageChange:
    """Withdraw an application at the applicant's request, and tell them it is done."""
    change = application.move_to(Stage.WITHDRAWN)
    transaction.on_commit(
        lambda: send_withdrawal_confirmation.enqueue(application_id=application.pk)
    )
    return change


def status_links_send(*, email: str) -> None:
    """E-mail the status links of every application made with this address, if there are any.

    The lookup happens in the background task, so the request takes the same time and gives the
    same answer whether or not the address is known.
    """
    send_status_links.enqueue(email=email.strip().lower())
