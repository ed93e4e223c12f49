"""Résumés and equity answers in the admin are for the people allowed to see them."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, EquityDeclaration, ExportLog
from applications.pipeline import Stage
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from tests.applications.factories import ApplicationFactory, staff_in
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


# --- Nobody rewrites what the applicant gave, nor moves the stage but through the pipeline ---

# The application's own fields (what the applicant gave, and where it stands), as the admin's
# form would name their inputs.
RECORD = {
    "posting",
    "stage",
    "first_name",
    "last_name",
    "email",
    "phone",
    "residence",
    "residence_country",
    "eligibility",
    "correspondence_language",
    "assessment_language",
    "is_veteran",
    "has_priority_entitlement",
    "accommodation_request",
    "cover_letter",
    "resume",
    "consented_at",
    "declared_at",
    "reference",
    "submitted_at",
}


class RenderedForm(HTMLParser):
    """The controls of one form of a page, and what a browser sends when it is saved unchanged."""

    def __init__(self, page: str, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.names: set[str] = set()  # every control's name, sent or not
        self.data: dict[str, list[str]] = {}
        self.select = self.textarea = None
        self.options: list[tuple[str, bool]] = []
        self.text: list[str] = []
        self.feed(page)

    def send(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif self.inside and tag == "option" and self.select is not None:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif self.inside and tag in {"input", "select", "textarea"} and attrs.get("name"):
            name = attrs["name"]
            self.names.add(name)
            if "disabled" in attrs:
                return
            if tag == "select":
                self.select, self.options = attrs, []
            elif tag == "textarea":
                self.textarea, self.text = name, []
            elif attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.send(name, attrs.get("value", "on"))
            elif attrs.get("type") == "submit":
                if name == "_save":
                    self.send(name, attrs.get("value", ""))
            elif attrs.get("type") != "file":  # an empty file input sends no file
                self.send(name, attrs.get("value", ""))

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            self.send(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            if not chosen and self.options and "multiple" not in self.select:
                chosen = [self.options[0][0]]  # what a browser shows, and sends, first
            for value in chosen:
                self.send(self.select["name"], value)
            self.select = None


def offered(names: set[str]) -> set[str]:
    """Return the application's own fields among a form's input names (dates come in parts)."""
    return {field for field in RECORD if any(re.fullmatch(rf"{field}(_\d)?", n) for n in names)}


@pytest.fixture(params=[HR_ADMINISTRATORS, "superuser"])
def editor(request, django_user_model):
    """Someone allowed to change applications: an HR administrator, and a superuser."""
    if request.param == "superuser":
        return django_user_model.objects.create_superuser("root", password="x")
    return staff_in(django_user_model, request.param)


def test_the_change_form_has_no_input_for_what_the_applicant_gave_or_the_stage(
    client, editor, application
):
    client.force_login(editor)
    url = reverse("admin:applications_application_change", args=[application.pk])

    page = client.get(url).content.decode()

    form = RenderedForm(page, "application_form")
    # The form was found, and it does offer what HR may change: the assignee, a note.
    assert {"_save", "assignee", "notes-0-text", "notes-TOTAL_FORMS"} <= form.names
    assert offered(form.names) == set()
    assert 'name="stage"' not in page
    assert "Jordan" in page and "jordan.tremblay@example.ca" in page  # shown, to be read


def test_saving_the_whole_change_form_with_other_values_leaves_the_application_as_it_was(
    client, editor, application
):
    client.force_login(editor)
    url = reverse("admin:applications_application_change", args=[application.pk])
    form = RenderedForm(client.get(url).content.decode(), "application_form")
    other_posting = JobPostingFactory()
    # Every field of the record with another valid value, as the form would send it if it had
    # an input for the field.
    rewritten = {
        "posting": other_posting.pk,
        "stage": Stage.HIRED,
        "first_name": "Changed",
        "last_name": "Name",
        "email": "changed@example.ca",
        "phone": "819-555-0199",
        "residence": "QC",
        "residence_country": "France",
        "eligibility": "other",
        "correspondence_language": "fr",
        "assessment_language": "en",
        "is_veteran": "on",
        "has_priority_entitlement": "on",
        "accommodation_request": "Changed",
        "cover_letter": "Changed",
        "resume": SimpleUploadedFile("other.pdf", pdf_bytes(), "application/pdf"),
        "consented_at_0": "2020-01-01",
        "consented_at_1": "12:00:00",
        "declared_at_0": "2020-01-01",
        "declared_at_1": "12:00:00",
        "reference": "A-AAAA-AAAA",
        "submitted_at_0": "2020-01-01",
        "submitted_at_1": "12:00:00",
    }
    assert offered(set(rewritten)) == RECORD
    before = Application.objects.filter(pk=application.pk).values().get()

    response = client.post(url, {**form.data, **rewritten})

    assert response.status_code == 302, "the form was sent back with errors"
    assert response["Location"] == reverse("admin:applications_application_changelist")
    assert Application.objects.filter(pk=application.pk).values().get() == before
    assert not application.stage_changes.exists()


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
    application = ApplicationFactory(posting=posting, last_name="Declared")
    ApplicationFactory(posting=posting, last_name="Silent")
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

    # (A reviewer's list opens on "assigned to me"; "all" lists the posting's two.)
    assert len(client.get(APPLICATIONS, {"assigned": "all"}).context["cl"].result_list) == 2
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
