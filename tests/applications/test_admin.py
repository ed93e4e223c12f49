"""Résumés and equity answers in the admin are for the people allowed to see them."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.models import Application, EquityDeclaration, ExportLog
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from tests.applications.factories import make_application, staff_in
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


# --- Who filed an equity declaration is not a filter for those who may not read one ----------

APPLICATIONS = reverse("admin:applications_application_changelist")

EQUITY_LOOKUPS = [
    "equity_declaration__isnull=False",
    "equity_declaration__isnull=True",
    "equity_declaration={declaration}",
    "equity_declaration__pk={declaration}",
    "equity_declaration__in={declaration}",
    "equity_declaration__woman=yes",
    "equity_declaration__application__reference={reference}",
]


@pytest.fixture
def declared(django_user_model):
    """Two applications to one posting, one with an equity declaration."""
    posting = JobPostingFactory()
    application = make_application(posting=posting, last_name="Declared")
    make_application(posting=posting, last_name="Silent")
    declaration = EquityDeclaration.objects.create(
        application=application,
        woman="yes",
        indigenous="no",
        disability="no",
        visible_minority="undisclosed",
    )
    return {"posting": posting, "application": application, "declaration": declaration}


def signed_in(client, django_user_model, role, posting):
    user = staff_in(django_user_model, role)
    posting.reviewers.add(user)  # a reviewer sees this posting's applications, like the others
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", [REVIEWERS, RECRUITERS, HR_ADMINISTRATORS])
@pytest.mark.parametrize("lookup", EQUITY_LOOKUPS)
def test_the_application_list_cannot_be_filtered_on_equity_without_the_permission(
    client, django_user_model, declared, role, lookup
):
    signed_in(client, django_user_model, role, declared["posting"])
    query = lookup.format(
        declaration=declared["declaration"].pk, reference=declared["application"].reference
    )

    assert len(client.get(APPLICATIONS).context["cl"].result_list) == 2
    response = client.get(f"{APPLICATIONS}?{query}")

    assert response.status_code == 400
    assert "Declared" not in response.content.decode()


@pytest.mark.parametrize(
    ("url", "lookup"),
    [
        (
            reverse("admin:applications_stagechange_changelist"),
            "application__equity_declaration__isnull=False",
        ),
        (
            reverse("admin:positions_jobposting_changelist"),
            "applications__equity_declaration__isnull=False",
        ),
    ],
)
def test_other_lists_cannot_be_filtered_on_equity_without_the_permission(
    client, django_user_model, declared, url, lookup
):
    signed_in(client, django_user_model, HR_ADMINISTRATORS, declared["posting"])

    assert client.get(url).status_code == 200
    assert client.get(f"{url}?{lookup}").status_code == 400


def test_exporting_only_those_who_filed_a_declaration_is_refused(
    client, django_user_model, declared
):
    signed_in(client, django_user_model, RECRUITERS, declared["posting"])

    response = client.post(
        f"{APPLICATIONS}?equity_declaration__isnull=False",
        {"action": "export_csv", "_selected_action": ["0"], "select_across": "1"},
    )

    assert response.status_code == 400
    assert not ExportLog.objects.exists()


def test_holders_of_the_equity_permission_may_filter_on_a_declaration(
    client, django_user_model, declared
):
    user = signed_in(client, django_user_model, HR_ADMINISTRATORS, declared["posting"])
    user.user_permissions.add(Permission.objects.get(codename="view_equitydeclaration"))

    response = client.get(APPLICATIONS, {"equity_declaration__isnull": "False"})

    assert response.status_code == 200
    assert [a.pk for a in response.context["cl"].result_list] == [declared["application"].pk]
