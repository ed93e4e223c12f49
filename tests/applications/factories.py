"""Applications made directly (no HTTP), for review-queue tests."""

import importlib
import itertools

from django.apps import apps as django_apps
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
    if not Group.objects.filter(name=role).exists():
        # A transactional (browser) test flushed the tables, and with them the roles that a data
        # migration creates: create them again the same way.
        roles = importlib.import_module("applications.migrations.0003_roles_and_stage_messages")
        configs = [django_apps.get_app_config(label) for label in ("positions", "applications")]
        modules = [config.models_module for config in configs]
        roles.create_roles(django_apps, None)
        for config, module in zip(configs, modules, strict=True):
            config.models_module = module  # create_roles resets it, for migration-state stubs
    user.groups.add(Group.objects.get(name=role))
    return user
