"""Résumés and equity answers in the admin are for the people allowed to see them."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.models import Application
from tests.applications.test_apply import apply_url, form_data
from tests.documents import pdf_bytes
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

READER = ("view_application", "view_all_applications")


@pytest.fixture
def application(client):
    posting = JobPostingFactory()
    client.post(apply_url(posting), form_data(posting))
    client.logout()
    return Application.objects.get()


def staff(django_user_model, *codenames):
    user = django_user_model.objects.create_user(
        f"staff-{len(codenames)}-{'-'.join(codenames)}"[:150], password="x", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_resume_download_needs_the_permission(client, django_user_model, application):
    url = reverse("admin:applications_application_resume", args=[application.pk])

    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(staff(django_user_model, "view_application", "view_all_applications"))
    assert client.get(url).status_code == 403

    client.force_login(
        staff(django_user_model, "view_application", "view_all_applications", "view_resume")
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Disposition"].startswith("attachment;")
    assert application.reference in response["Content-Disposition"]


def test_equity_answers_show_only_with_the_dedicated_permission(
    client, django_user_model, application
):
    url = reverse("admin:applications_application_change", args=[application.pk])

    client.force_login(staff(django_user_model, "view_application", "view_all_applications"))
    assert "Employment equity declaration" not in client.get(url).content.decode()

    client.force_login(
        staff(
            django_user_model, "view_application", "view_all_applications", "view_equitydeclaration"
        )
    )
    assert "Employment equity declaration" in client.get(url).content.decode()


def test_nobody_can_edit_what_the_applicant_gave(client, django_user_model, application):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    url = reverse("admin:applications_application_change", args=[application.pk])

    client.post(url, {"first_name": "Changed", "email": "changed@example.ca"})

    application.refresh_from_db()
    assert application.first_name == "Jordan"
