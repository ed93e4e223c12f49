"""Writes that span several models of the positions app."""

from django.db import transaction

from positions.models import (
    AssessmentStep,
    JobPosting,
    PostingAction,
    PostingEvent,
    Qualification,
    QualificationKind,
    ScreeningQuestion,
    StepKind,
)


def posting_duplicate(*, posting: JobPosting, reference_number: str, by=None) -> JobPosting:
    """Copy a posting with its locations, qualifications and questions as a new draft.

    The copy's history starts with its making, naming the original (`by`: who made it).
    """
    with transaction.atomic():
        qualifications = list(posting.qualifications.all())
        questions = list(posting.screening_questions.all())
        locations = list(posting.locations.all())
        copy = JobPosting.objects.get(pk=posting.pk)
        copy.pk = None
        copy.reference_number = reference_number
        copy.published_at = copy.closed_early_at = copy.archived_at = None
        copy.full_clean()
        copy.save()
        copy.locations.set(locations)
        for item in qualifications + questions:
            item.pk = None
            item.posting = copy
        Qualification.objects.bulk_create(qualifications)
        ScreeningQuestion.objects.bulk_create(questions)
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


def assessment_plan_default(*, posting: JobPosting) -> list[AssessmentStep]:
    """Give a posting that has no assessment plan the default one, and return its steps.

    Application screening assesses the qualifications a screening question screens and education
    (read from the résumé); an interview assesses all the others. Neither step has a board of its
    own: the posting's reviewers rate them. A posting that has a plan is left as it is.
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
    return [screening, interview]
