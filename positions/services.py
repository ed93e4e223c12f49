"""Writes that span several models of the positions app."""

from django.db import transaction

from positions.models import JobPosting, Qualification, ScreeningQuestion


def posting_duplicate(*, posting: JobPosting, reference_number: str) -> JobPosting:
    """Copy a posting with its locations, qualifications and questions as a new draft."""
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
    return copy
