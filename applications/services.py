"""Writes that span several models: submitting, withdrawing, moving and assigning applications."""

import logging
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from applications.models import (
    Application,
    EquityDeclaration,
    FacilityPreference,
    ScreeningAnswer,
    StageChange,
)
from applications.pipeline import MoveRefused, Stage
from applications.tasks import (
    send_application_confirmation,
    send_duplicate_notice,
    send_status_links,
)
from applications.validators import DocumentType
from positions.models import Facility, JobPosting, Qualification, QuestionKind, ScreeningQuestion

logger = logging.getLogger(__name__)


class PostingNotOpen(Exception):
    """The posting closed (or was never open) by the time the application arrived."""


class DuplicateApplication(Exception):
    """This e-mail address has already applied to this posting."""


class FacilityNotOffered(ValueError):
    """A facility ranked is not one of the posting's locations, or is ranked twice."""


def application_submit(
    *,
    posting: JobPosting,
    applicant: dict[str, Any],
    resume: File,
    resume_type: DocumentType,
    answers: dict[ScreeningQuestion, str],
    equity: dict[str, str] | None,
    facilities: Sequence[Facility] = (),
) -> Application:
    """Save an application with its answers, declaration, résumé and ranked facilities, all or
    nothing.

    `applicant` holds the values of the Application fields the applicant fills in (those of
    ApplicationForm), `resume_type` the type found in the résumé's bytes (detect_document_type),
    `answers` the answer to each of the posting's screening questions ("" when left out),
    `equity` the employment equity answers, or None when none were given, and `facilities` the
    places the applicant would work at, first choice first (saved as FacilityPreference rows,
    ranked from 1); a facility that is not one of the posting's locations, or one given twice,
    raises FacilityNotOffered before anything is saved.

    Whether the posting is open is checked again inside the transaction, at the moment of saving,
    so an application that arrives after the closing moment is refused (PostingNotOpen) even if the
    form was opened before it. The résumé file is written during the transaction and removed again
    if the transaction fails, so a failure leaves neither a row nor an orphan file. A second
    application of the same address to the posting raises DuplicateApplication.
    """
    facilities = list(facilities)
    if facilities:
        offered = {location.pk for location in posting.locations.all()}
        if len({f.pk for f in facilities}) < len(facilities) or any(
            f.pk not in offered for f in facilities
        ):
            raise FacilityNotOffered(
                f"{posting.reference_number} is not offered at each of these places, once."
            )
    application = Application(posting=posting, **applicant)
    try:
        with transaction.atomic():
            if not JobPosting.objects.open().filter(pk=posting.pk).exists():
                raise PostingNotOpen(posting.reference_number)
            now = timezone.now()
            application.resume_name = resume.name[:255]
            application.resume_type = resume_type.content_type
            # Stored (and later downloaded) under the extension of the type found in its bytes,
            # never the uploader's: "cv.bat" that is plain text becomes a ".txt" file.
            resume.name = f"resume{resume_type.extension}"
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
                for question, answer in answers.items()
            )
            if equity and any(equity.values()):
                EquityDeclaration.objects.create(application=application, **equity)
            FacilityPreference.objects.bulk_create(
                FacilityPreference(application=application, facility=facility, rank=rank)
                for rank, facility in enumerate(facilities, start=1)
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
    """Withdraw an application at the applicant's request (listeners.py tells them it is done)."""
    return application.move_to(Stage.WITHDRAWN)


def applications_move(
    *,
    applications: QuerySet[Application] | Iterable[Application],
    stage: str,
    by: AbstractBaseUser | None,
    reason: str = "",
    not_met: Iterable[Qualification] = (),
) -> tuple[list[Application], list[tuple[Application, MoveRefused]]]:
    """Move each application to the stage on its own, in order of pk; return moved and refused.

    Each move is checked, locked and recorded by Application.move_to and commits by itself: one
    refusal does not undo the others. Refused ones come with the refusal, which says why.
    `not_met` names the qualifications not met (screening out, rejecting): those of each
    application's posting are recorded with its move.
    """
    not_met = list(not_met)
    if isinstance(applications, QuerySet):
        applications = applications.order_by("pk")
    else:
        applications = sorted(applications, key=attrgetter("pk"))
    moved, refused = [], []
    for application in applications:
        try:
            application.move_to(
                stage,
                by=by,
                reason=reason,
                not_met=[q for q in not_met if q.posting_id == application.posting_id],
            )
        except MoveRefused as refusal:
            refused.append((application, refusal))
        else:
            moved.append(application)
    return moved, refused


def application_assign(
    *,
    applications: QuerySet[Application],
    reviewer: AbstractBaseUser | None,
    by: AbstractBaseUser | None = None,
) -> int:
    """Assign the applications to the reviewer (None: to nobody); return how many there were.

    The reviewer becomes a reviewer of each posting concerned, in the same transaction, so that
    they can see the applications assigned to them (Application.objects.visible_to).
    """
    with transaction.atomic():
        # The postings are found before the update: a queryset narrowed by assignee ("not
        # assigned") matches nothing once it has run.
        postings = list(
            JobPosting.objects.filter(pk__in=applications.values("posting_id")).values_list(
                "pk", flat=True
            )
        )
        count = applications.update(assignee=reviewer)
        if reviewer is not None:
            reviewer.reviewed_postings.add(*postings)
    logger.info(
        "%d application(s) assigned to user %s by user %s",
        count,
        reviewer and reviewer.pk,
        by and by.pk,
    )
    return count


def status_links_send(*, email: str) -> None:
    """E-mail the status links of every application made with this address, if there are any.

    The lookup happens in the background task, so the request takes the same time and gives the
    same answer whether or not the address is known.
    """
    send_status_links.enqueue(email=email.strip().lower())
