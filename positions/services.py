"""Writes that span several models of the positions app."""

from django.db import transaction

from positions.models import (
    JobPosting,
    PostingAction,
    PostingEvent,
    Qualification,
    ScreeningQuestion,
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
