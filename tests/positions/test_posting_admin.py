"""HR writes and publishes postings in the admin."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from positions.models import (
    JobPosting,
    PostingAction,
    PostingEvent,
    PostingState,
    posting_today,
)
from tests.applications.factories import ApplicationFactory, staff_in
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
        (
            lambda data: data.update(hr_contact_name=" "),
            "A published posting needs its HR contact.",
        ),
        (lambda data: data.pop("hr_contact_email"), "A published posting needs its HR contact."),
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
    assert (posting.hr_contact_name, posting.hr_contact_email) == (
        "Alex Martin",
        "staffing.ontario@example.com",
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("(613) 555 0142", "613-555-0142"), ("", ""), ("+33 1 23 45 67 89", "+33 1 23 45 67 89")],
)
def test_hr_edits_the_contact_and_its_telephone_number_is_stored_in_one_form(
    hr_role_client, typed, stored
):
    posting = JobPostingFactory()
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))
    assert "hr_contact_name" in data  # the change page shows the contact

    data.update(hr_contact_name="Grace Nakamura", hr_contact_phone=typed)
    assert hr_role_client.post(url, data).status_code == 302

    posting.refresh_from_db()
    assert (posting.hr_contact_name, posting.hr_contact_phone) == ("Grace Nakamura", stored)


def test_a_contact_telephone_number_that_cannot_be_dialled_is_refused(hr_role_client):
    posting = JobPostingFactory()
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))

    response = hr_role_client.post(url, {**data, "hr_contact_phone": "12"})

    assert response.status_code == 200
    assert "Enter a telephone number with its area code" in response.content.decode()


def test_publishing_a_draft_without_its_hr_contact_is_refused_with_the_reason(hr_client):
    draft = JobPostingFactory(published_at=None, hr_contact_email="")

    response = action(hr_client, "publish", [draft])

    draft.refresh_from_db()
    assert draft.published_at is None
    assert "it needs the name and e-mail address of its HR contact" in response.content.decode()


def test_a_draft_may_be_saved_incomplete(hr_role_client):
    draft = JobPostingFactory(published_at=None)
    url = reverse("admin:positions_jobposting_change", args=[draft.pk])
    data = change_form_data(hr_role_client.get(url))
    data.pop("locations")
    data.update({"title_fr": "", "hr_contact_email": "", "qualifications-0-DELETE": "on"})

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


# --- A reviewer sees the postings assigned to them, and no other -----------------------------


@pytest.fixture
def assigned(django_user_model):
    """A reviewer's open posting and draft, and another open posting and draft not theirs."""
    reviewer = staff_in(django_user_model, REVIEWERS)
    mine = JobPostingFactory(title="My open posting")
    my_draft = JobPostingFactory(title="My draft", published_at=None)
    for posting in (mine, my_draft):
        posting.reviewers.add(reviewer)
    other = JobPostingFactory(title="Not my posting")
    ApplicationFactory(posting=other, screening=True)
    return {
        "reviewer": reviewer,
        "mine": mine,
        "my_draft": my_draft,
        "other": other,
        "other_draft": JobPostingFactory(title="Not my draft", published_at=None),
    }


def test_a_reviewer_lists_only_their_own_postings(client, assigned):
    client.force_login(assigned["reviewer"])

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    titles = {posting.title for posting in response.context["cl"].result_list}
    assert titles == {"My open posting", "My draft"}
    assert "Not my" not in response.content.decode()


@pytest.mark.parametrize("role", [HR_ADMINISTRATORS, RECRUITERS])
def test_hr_administrators_and_recruiters_list_every_posting(
    client, django_user_model, assigned, role
):
    client.force_login(staff_in(django_user_model, role))

    titles = {p.title for p in client.get(CHANGELIST).context["cl"].result_list}

    assert titles == {"My open posting", "My draft", "Not my posting", "Not my draft"}


@pytest.mark.parametrize("name", ["other", "other_draft"])
def test_a_reviewer_cannot_open_a_posting_not_theirs(client, assigned, name):
    client.force_login(assigned["reviewer"])
    posting = assigned[name]
    own = client.get(reverse("admin:positions_jobposting_change", args=[assigned["mine"].pk]))
    assert own.status_code == 200

    for view in ("change", "history"):
        url = reverse(f"admin:positions_jobposting_{view}", args=[posting.pk])
        response = client.get(url)
        # What the admin answers for a posting that does not exist: back to the index.
        assert response.status_code == 302, view
        page = client.get(response["Location"]).content.decode()
        assert "doesn’t exist" in page
        assert posting.title not in page
        assert "Being screened" not in page


def test_hr_sees_the_funnel_of_a_posting_with_no_reviewer_assigned(
    client, django_user_model, assigned
):
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))

    response = client.get(reverse("admin:positions_jobposting_change", args=[assigned["other"].pk]))

    assert response.status_code == 200
    assert "Being screened</a>: 1" in response.content.decode()


def test_posting_autocomplete_offers_a_reviewer_their_own_postings_only(client, assigned):
    client.force_login(assigned["reviewer"])

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "applications", "model_name": "application", "field_name": "posting"},
    )

    assert response.status_code == 200
    offered = {int(result["id"]) for result in response.json()["results"]}
    assert offered == {assigned["mine"].pk, assigned["my_draft"].pk}


def test_a_reviewer_previews_only_their_own_drafts_on_the_site(client, assigned):
    client.force_login(assigned["reviewer"])

    assert client.get(assigned["my_draft"].get_absolute_url()).status_code == 200
    assert client.get(assigned["other_draft"].get_absolute_url()).status_code == 404


def test_the_application_list_offers_a_reviewer_their_own_postings_only(client, assigned):
    client.force_login(assigned["reviewer"])

    response = client.get(reverse("admin:applications_application_changelist"))

    posting_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", None) == "posting"
    )
    offered = {int(value) for value, _label in posting_filter.lookup_choices}
    assert offered == {assigned["mine"].pk, assigned["my_draft"].pk}


# --- What applicants answered and what HR rated stays as it was ---------------------------


@pytest.fixture
def answered(django_user_model):
    """A posting whose screening question and qualification have been answered and rated."""
    from applications.models import AssessmentResult, ScreeningAnswer
    from positions.services import assessment_plan_default
    from tests.applications.factories import consensus_of

    posting = JobPostingFactory(title_fr="Agent de libération conditionnelle")
    question = posting.screening_questions.create(
        kind="yes-no",
        text="Do you hold a Red Seal certificate?",
        text_fr="Détenez-vous un certificat Sceau rouge?",
        is_essential=True,
        order=1,
    )
    application = ApplicationFactory(posting=posting)
    ScreeningAnswer.objects.create(
        application=application, question=question, answer="yes", meets_requirement=True
    )
    qualification = posting.qualifications.filter(is_asset=False).first()
    posting.qualifications.create(
        kind="experience",
        text="Experience in corrections",
        text_fr="Expérience en milieu correctionnel",
        order=9,
    )
    assessment_plan_default(posting=posting)
    consensus_of(application, {qualification: AssessmentResult.MET})
    return posting, question, qualification


def form_index(data, prefix, pk) -> int:
    return next(
        int(key.split("-")[1])
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and str(value) == str(pk)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text_en", "Do you have a criminal record?"),
        ("text_fr", "Avez-vous un casier judiciaire?"),
        ("kind", "short-text"),
        ("is_essential", None),
    ],
)
def test_an_answered_question_cannot_be_rewritten(hr_role_client, answered, field, value):
    posting, question, _qualification = answered
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))
    index = form_index(data, "screening_questions", question.pk)
    key = f"screening_questions-{index}-{field}"
    if value is None:
        data.pop(key)
    else:
        data[key] = value

    response = hr_role_client.post(url, data)

    assert response.status_code == 200
    assert "Applicants have already answered this question" in response.content.decode()
    question.refresh_from_db()
    assert (question.text_en, question.kind, question.is_essential) == (
        "Do you hold a Red Seal certificate?",
        "yes-no",
        True,
    )


def test_an_answered_question_may_still_be_reordered(hr_role_client, answered):
    posting, question, _qualification = answered
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))
    data[f"screening_questions-{form_index(data, 'screening_questions', question.pk)}-order"] = 5

    assert hr_role_client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.order == 5


def test_deleting_an_answered_question_or_a_rated_qualification_is_refused(
    hr_role_client, answered
):
    posting, question, qualification = answered
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))
    for prefix, pk in (("screening_questions", question.pk), ("qualifications", qualification.pk)):
        data[f"{prefix}-{form_index(data, prefix, pk)}-DELETE"] = "on"

    response = hr_role_client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "would require deleting the following protected related objects" in content
    assert content.count("would require deleting") == 2
    assert posting.screening_questions.filter(pk=question.pk).exists()
    assert qualification.results.count() == 1


def test_moving_a_published_postings_dates_is_recorded_with_the_state_it_leads_to(hr_role_client):
    # A later closing date reopens a posting closed by date: no workflow move does it, so the
    # history must say who changed the dates, from what, and that the posting is open again.
    today = posting_today()
    closed_on = today - datetime.timedelta(days=1)
    opened_on = today - datetime.timedelta(days=20)
    posting = JobPostingFactory(open_date=opened_on, closing_date=closed_on)
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))
    new_closing = today + datetime.timedelta(days=10)
    data["closing_date"] = new_closing.isoformat()

    assert hr_role_client.post(url, data).status_code == 302

    event = PostingEvent.objects.get(posting=posting, action=PostingAction.DATES_CHANGED)
    assert event.by is not None and event.by.groups.filter(name=HR_ADMINISTRATORS).exists()
    assert f"{closed_on} → {new_closing}" in event.note
    assert "now “Open” (was “Closed”)" in event.note


def test_saving_a_published_posting_without_moving_its_dates_records_nothing(hr_role_client):
    posting = JobPostingFactory()
    url = reverse("admin:positions_jobposting_change", args=[posting.pk])
    data = change_form_data(hr_role_client.get(url))
    data["hr_contact_name"] = "Grace Nakamura"

    assert hr_role_client.post(url, data).status_code == 302

    assert not PostingEvent.objects.filter(action=PostingAction.DATES_CHANGED).exists()
