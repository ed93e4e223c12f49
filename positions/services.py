"""Writes that span several models of the positions app."""

from django.db import transaction

from positions.models import (
    AssessmentStep,
    BoardMember,
    ClassificationGroup,
    JobPosting,
    PlanChange,
    PostingAction,
    PostingEvent,
    Qualification,
    QualificationKind,
    ScreeningQuestion,
    StepKind,
)


def posting_duplicate(*, posting: JobPosting, reference_number: str, by=None) -> JobPosting:
    """Copy a posting with its locations, qualifications, questions and assessment plan as a
    new draft.

    The copy's questions and steps name the copy's qualifications, its steps keep their boards;
    a posting without a plan gives its copy the default one. The copy's history starts with its
    making, naming the original (`by`: who made it).
    """
    with transaction.atomic():
        qualifications = list(posting.qualifications.all())
        questions = list(posting.screening_questions.all())
        steps = list(posting.assessment_steps.prefetch_related("qualifications", "board_members"))
        locations = list(posting.locations.all())
        copy = JobPosting.objects.get(pk=posting.pk)
        copy.pk = None
        copy.reference_number = reference_number
        copy.published_at = copy.closed_early_at = copy.archived_at = None
        copy.full_clean()
        copy.save()
        copy.locations.set(locations)
        originals = [qualification.pk for qualification in qualifications]
        assessed = {step.pk: [q.pk for q in step.qualifications.all()] for step in steps}
        boards = {step.pk: list(step.board_members.all()) for step in steps}
        original_steps = [step.pk for step in steps]
        for item in qualifications + questions + steps:
            item.pk = None
            item.posting = copy
        Qualification.objects.bulk_create(qualifications)
        copied = dict(zip(originals, qualifications, strict=True))
        for question in questions:
            question.qualification = copied.get(question.qualification_id)
        ScreeningQuestion.objects.bulk_create(questions)
        AssessmentStep.objects.bulk_create(steps)
        assessing = AssessmentStep.qualifications.through
        assessing.objects.bulk_create(
            assessing(assessmentstep_id=step.pk, qualification_id=copied[original].pk)
            for old, step in zip(original_steps, steps, strict=True)
            for original in assessed[old]
        )
        BoardMember.objects.bulk_create(
            BoardMember(step=step, user_id=member.user_id, is_chair=member.is_chair)
            for old, step in zip(original_steps, steps, strict=True)
            for member in boards[old]
        )
        if not steps:
            assessment_plan_default(posting=copy)
        copy.update_search_documents()
        PostingEvent.objects.create(
            posting=copy,
            action=PostingAction.CREATED_AS_COPY,
            by=by,
            note=posting.reference_number,
        )
    return copy


def free_reference_number(posting: JobPosting) -> str:
    """Return the posting's reference with the first free "-COPY-n" suffix."""
    taken = set(
        JobPosting.objects.filter(
            reference_number__startswith=f"{posting.reference_number}-COPY-"
        ).values_list("reference_number", flat=True)
    )
    number = 1
    while f"{posting.reference_number}-COPY-{number}" in taken:
        number += 1
    return f"{posting.reference_number}-COPY-{number}"


# CSC's pre-employment steps, in the order its correctional officer campaigns run them, after
# the merit steps: conditions of employment, assessing no qualification.
CSC_PRE_EMPLOYMENT_STEPS = [
    StepKind.PSYCHOLOGICAL,
    StepKind.MEDICAL,
    StepKind.SECURITY_SCREENING,
    StepKind.TRAINING_PROGRAM,
]
# The classifications whose postings have them: CX-01 (correctional officer) and CX-02
# (correctional officer II, the primary worker of a caseload of inmates).
CSC_PRE_EMPLOYMENT_CLASSIFICATIONS = {
    (ClassificationGroup.CX, "01"),
    (ClassificationGroup.CX, "02"),
}


def has_csc_pre_employment_steps(posting: JobPosting) -> bool:
    """Whether the posting's default plan has CSC's pre-employment steps (CX-01 and CX-02)."""
    return (posting.classification_group, posting.classification_level) in (
        CSC_PRE_EMPLOYMENT_CLASSIFICATIONS
    )


def assessment_plan_default(*, posting: JobPosting) -> list[AssessmentStep]:
    """Give a posting that has no assessment plan the default one, and return its steps.

    Application screening assesses the qualifications a screening question screens and education
    (read from the résumé); an interview assesses all the others. Neither step has a board of its
    own: the posting's reviewers rate them. Correctional officer and primary worker postings
    (CX-01, CX-02) then have CSC's pre-employment steps: psychological and medical assessments,
    security screening and the Correctional Training Program. A posting that has a plan is left
    as it is.
    """
    with transaction.atomic():
        JobPosting.objects.select_for_update().filter(pk=posting.pk).get()
        if posting.assessment_steps.exists():
            return list(posting.assessment_steps.all())
        qualifications = list(posting.qualifications.all())
        screened = {
            question.qualification_id
            for question in posting.screening_questions.all()
            if question.qualification_id
        }
        at_screening = [
            q for q in qualifications if q.pk in screened or q.kind == QualificationKind.EDUCATION
        ]
        screening = AssessmentStep.objects.create(posting=posting, kind=StepKind.SCREENING, order=1)
        screening.qualifications.set(at_screening)
        interview = AssessmentStep.objects.create(posting=posting, kind=StepKind.INTERVIEW, order=2)
        interview.qualifications.set([q for q in qualifications if q not in at_screening])
        steps = [screening, interview]
        if has_csc_pre_employment_steps(posting):
            steps += [
                AssessmentStep.objects.create(posting=posting, kind=kind, order=order)
                for order, kind in enumerate(CSC_PRE_EMPLOYMENT_STEPS, start=len(steps) + 1)
            ]
    return steps


def assessment_board_set(*, step: AssessmentStep, assessors, chair=None) -> list[BoardMember]:
    """Seat exactly these users on the step's board, `chair` (seated too) as its chair.

    Members who stay keep their seat; with no chair, any member records the consensus. Those
    newly seated become reviewers of the posting, so that they can open its applications.
    """
    wanted = {user.pk for user in assessors} | ({chair.pk} if chair else set())
    with transaction.atomic():
        members = BoardMember.objects.filter(step=step)
        # One chair per board: unseat the old chair before seating the new one.
        members.filter(is_chair=True).exclude(user_id=getattr(chair, "pk", None)).update(
            is_chair=False
        )
        members.exclude(user_id__in=wanted).delete()
        seated = set(members.values_list("user_id", flat=True))
        BoardMember.objects.bulk_create(
            BoardMember(step=step, user_id=user_id) for user_id in sorted(wanted - seated)
        )
        if wanted - seated:
            # A seat makes its holder a reviewer of the posting, as an assignment does: else a
            # reviewer seated here could not open the candidates they are to rate.
            JobPosting(pk=step.posting_id).reviewers.add(*(wanted - seated))
        if chair:
            members.filter(user_id=chair.pk, is_chair=False).update(is_chair=True)
        # What was prefetched with the step no longer holds.
        getattr(step, "_prefetched_objects_cache", {}).pop("board_members", None)
        return list(members.select_related("user"))


def assessment_plan_change_record(
    *, step: AssessmentStep, change: str, reason: str, by
) -> PlanChange:
    """Record a change to a step for which results exist: what changed, why, and who changed it.

    Raise ValidationError when the reason (or the change) is missing.
    """
    record = PlanChange(
        posting_id=step.posting_id,
        step=step,
        step_title=step.title,
        change=change.strip(),
        reason=reason.strip(),
        by=by,
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
    return record
