"""HR writes and publishes postings in the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from positions.models import JobPosting, PostingState
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
