"""HR writes and publishes postings in the admin."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.roles import HR_ADMINISTRATORS
from positions.models import JobPosting, PostingState
from tests.applications.factories import staff_in
from tests.factories import FacilityFactory, JobPostingFactory, OccupationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:positions_jobposting_changelist")


@pytest.fixture
def hr_client(client, django_user_model):
    user = django_user_model.objects.create_user("hr.admin", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="positions",
            codename__in=[
                "add_jobposting",
                "change_jobposting",
                "view_jobposting",
                "view_occupation",
                "view_facility",
            ],
        )
    )
    client.force_login(user)
    return client


def action(client, name, postings):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [p.pk for p in postings]},
        follow=True,
    )


def test_changelist_shows_state_and_application_counts_without_a_query_per_row(
    hr_client, django_assert_max_num_queries
):
    for _ in range(12):
        JobPostingFactory(locations=FacilityFactory.create_batch(2))
    JobPostingFactory(published_at=None, title="Draft posting")

    with django_assert_max_num_queries(17):
        response = hr_client.get(CHANGELIST)

    content = response.content.decode()
    assert "Draft posting" in content
    rows = list(response.context["cl"].result_list)
    assert {row.current_state for row in rows} == {PostingState.OPEN, PostingState.DRAFT}
    assert all(row.application_total == 0 for row in rows)


def test_state_filter(hr_client):
    JobPostingFactory(title="An open one")
    JobPostingFactory(title="A draft one", published_at=None)

    response = hr_client.get(CHANGELIST, {"state": "draft"})

    assert [p.title for p in response.context["cl"].result_list] == ["A draft one"]


def test_publish_action_publishes_complete_drafts_and_explains_refusals(hr_client):
    complete = JobPostingFactory(published_at=None)
    incomplete = JobPostingFactory(published_at=None, locations=[], qualifications=[])

    response = action(hr_client, "publish", [complete, incomplete])

    complete.refresh_from_db()
    incomplete.refresh_from_db()
    assert complete.state == PostingState.OPEN
    assert incomplete.published_at is None
    content = response.content.decode()
    assert "1 posting published" in content
    assert "needs at least one essential qualification" in content
    assert "needs at least one location" in content


def test_close_now_action(hr_client):
    posting = JobPostingFactory()
    draft = JobPostingFactory(published_at=None)

    response = action(hr_client, "close_now", [posting, draft])

    posting.refresh_from_db()
    assert posting.state == PostingState.CLOSED
    assert not JobPosting.objects.open().exists()
    assert "1 posting closed." in response.content.decode()
    assert "was not open or scheduled" in response.content.decode()


def test_duplicate_action_makes_a_draft_copy_with_children(hr_client):
    posting = JobPostingFactory(reference_number="CSC-26-WP-0001")
    posting.screening_questions.create(kind="yes-no", text="Degree?")

    action(hr_client, "duplicate_as_draft", [posting])
    action(hr_client, "duplicate_as_draft", [posting])

    copies = JobPosting.objects.exclude(pk=posting.pk).order_by("reference_number")
    assert [c.reference_number for c in copies] == [
        "CSC-26-WP-0001-COPY-1",
        "CSC-26-WP-0001-COPY-2",
    ]
    copy = copies[0]
    assert copy.state == PostingState.DRAFT
    assert copy.qualifications.count() == 1
    assert copy.screening_questions.get().text == "Degree?"
    assert list(copy.locations.all()) == list(posting.locations.all())


def test_adding_a_posting_validates_dates_and_salary_with_clear_messages(hr_client):
    occupation = OccupationFactory()
    data = {
        "title_en": "Parole officer",
        "title_fr": "Agent de libération conditionnelle",
        "occupation": occupation.pk,
        "reference_number": "CSC-26-WP-0500",
        "selection_process_number": "26-PEN-EA-ONT-0500",
        "classification_group": "WP",
        "classification_level": "04",
        "tenure": "indeterminate",
        "salary_min": "99000",
        "salary_max": "80000",
        "locations": [FacilityFactory().pk],
        "language_requirement": "english-essential",
        "security_clearance": "reliability",
        "eligibility": "public",
        "open_date": "2026-12-10",
        "closing_date": "2026-12-01",
        "work_description_en": "Supervise offenders.",
        "qualifications-TOTAL_FORMS": "0",
        "qualifications-INITIAL_FORMS": "0",
        "screening_questions-TOTAL_FORMS": "0",
        "screening_questions-INITIAL_FORMS": "0",
    }

    response = hr_client.post(reverse("admin:positions_jobposting_add"), data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "The minimum salary cannot be above the maximum." in content
    assert "The closing date cannot be before the open date." in content
    assert not JobPosting.objects.exists()

    data.update(salary_min="80000", salary_max="99000", closing_date="2026-12-31")
    response = hr_client.post(reverse("admin:positions_jobposting_add"), data)
    assert response.status_code == 302
    created = JobPosting.objects.get()
    assert created.state == PostingState.DRAFT
    assert created.search_en is not None


def test_view_on_site_previews_a_draft_for_staff(hr_client):
    draft = JobPostingFactory(published_at=None, title="Secret draft")

    response = hr_client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "Preview for HR staff." in response.content.decode()


@pytest.fixture
def hr_role_client(client, django_user_model):
    """Someone in the HR administrators role, which may edit qualifications and questions."""
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    return client


def change_form_data(response) -> dict:
    """The POST data of an admin change page as it stands (main form and inline formsets)."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda data: data.update(title_fr=""), "A published posting needs its French text."),
        (lambda data: data.pop("locations"), "A published posting needs at least one location."),
        (
            lambda data: data.update({"qualifications-0-DELETE": "on"}),
            "A published posting needs at least one essential qualification.",
        ),
        (
            lambda data: data.update({"qualifications-0-text_fr": ""}),
            "A published posting needs its French text.",
        ),
    ],
)
def test_a_published_posting_keeps_what_publishing_required(hr_role_client, change, message):
    posting = JobPostingFactory(title_fr="Agent de libération conditionnelle")
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))
    assert hr_role_client.post(url, data).status_code == 302  # unchanged, it saves

    change(data)
    response = hr_role_client.post(url, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    posting.refresh_from_db()
    assert posting.title_fr == "Agent de libération conditionnelle"
    assert posting.locations.exists()
    assert posting.qualifications.filter(is_asset=False).exists()


def test_a_draft_may_be_saved_incomplete(hr_role_client):
    draft = JobPostingFactory(published_at=None)
    url = reverse("admin:positions_jobposting_change", args=[draft.pk])
    data = change_form_data(hr_role_client.get(url))
    data.pop("locations")
    data.update({"title_fr": "", "qualifications-0-DELETE": "on"})

    assert hr_role_client.post(url, data).status_code == 302
    assert not draft.locations.exists()
    assert not draft.qualifications.exists()


def test_archive_action_takes_closed_and_draft_postings_off_the_site(hr_client, client):
    closed = JobPostingFactory()
    closed.close_now()
    draft = JobPostingFactory(published_at=None)
    live = JobPostingFactory()

    response = action(hr_client, "archive", [closed, draft, live])

    content = response.content.decode()
    assert "2 postings archived." in content
    assert "close it first" in content
    states = {p.pk: p.state for p in JobPosting.objects.all()}
    assert states == {
        closed.pk: PostingState.ARCHIVED,
        draft.pk: PostingState.ARCHIVED,
        live.pk: PostingState.OPEN,
    }
    client.logout()
    assert client.get(closed.get_absolute_url()).status_code == 404


def test_publishing_a_posting_closed_early_reopens_it(hr_client):
    posting = JobPostingFactory()
    posting.close_now()

    response = action(hr_client, "publish", [posting])

    posting.refresh_from_db()
    assert posting.state == PostingState.OPEN
    assert posting.closed_early_at is None
    assert "1 posting published" in response.content.decode()


def test_a_posting_whose_closing_date_has_passed_is_not_published(hr_client):
    past = JobPostingFactory(
        published_at=None,
        open_date=datetime.date(2026, 1, 5),
        closing_date=datetime.date(2026, 1, 20),
    )

    response = action(hr_client, "publish", [past])

    past.refresh_from_db()
    assert past.published_at is None
    assert "its closing date has passed" in response.content.decode()
