"""Applications made directly (no HTTP), for review-queue tests."""

import itertools

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Application
from tests.documents import pdf_bytes
from tests.factories import JobPostingFactory

_numbers = itertools.count(1)


def make_application(posting=None, **fields) -> Application:
    number = next(_numbers)
    values = {
        "posting": posting or JobPostingFactory(),
        "first_name": "Applicant",
        "last_name": f"Number {number}",
        "email": f"applicant{number}@example.ca",
        "phone": "613-555-0100",
        "residence": "ON",
        "eligibility": "citizen",
        "correspondence_language": "en",
        "assessment_language": "en",
        "resume_name": "cv.pdf",
        "resume_type": "application/pdf",
        "resume_size": len(pdf_bytes()),
        "consented_at": timezone.now(),
        "declared_at": timezone.now(),
    }
    application = Application(**{**values, **fields})
    application.resume.save("cv.pdf", ContentFile(pdf_bytes()), save=False)
    application.save()
    return application


def staff_in(django_user_model, role: str, username: str | None = None):
    user = django_user_model.objects.create_user(
        username or role.lower().replace(" ", "."), password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user
