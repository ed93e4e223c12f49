"""The services behind the apply form and the admin's bulk actions, called with plain data."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from applications.models import Application, Citizenship, EquityDeclaration, ScreeningAnswer
from applications.pipeline import MoveRefused, Stage
from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from applications.services import (
    DuplicateApplication,
    PostingNotOpen,
    application_assign,
    application_submit,
    applications_move,
)
from applications.validators import PDF
from tests.applications.factories import ApplicationFactory, staff_in
from tests.documents import pdf_bytes, upload
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

APPLICANT = {
    "first_name": "Jordan",
    "last_name": "Tremblay",
    "email": "Jordan.Tremblay@example.ca",
    "phone": "613-555-0142",
    "residence": "ON",
    "residence_country": "",
    "eligibility": Citizenship.PERMANENT_RESIDENT,
    "correspondence_language": "fr",
    "assessment_language": "en",
    "is_veteran": True,
    "has_priority_entitlement": False,
    "accommodation_request": "",
    "cover_letter": "Five years with people on parole.",
}


@pytest.fixture
def posting():
    posting = JobPostingFactory(title="Parole officer")
    posting.screening_questions.create(
        kind="yes-no", text="Degree in social sciences?", is_essential=True, order=1
    )
    posting.screening_questions.create(
        kind="yes-no", text="Valid driver's licence?", is_essential=True, order=2
    )
    posting.screening_questions.create(
        kind="choice", text="Shift?", choices="Days\nNights", is_essential=False, order=3
    )
    posting.screening_questions.create(kind="short-text", text="Heard of us where?", order=4)
    return posting


def submit(posting, *, answers=None, equity=None, **applicant):
    questions = {q.text: q for q in posting.screening_questions.all()}
    answers = answers or {
        "Degree in social sciences?": "yes",
        "Valid driver's licence?": "no",
        "Shift?": "Nights",
        "Heard of us where?": "A career fair",
    }
    return application_submit(
        posting=posting,
        applicant={**APPLICANT, **applicant},
        resume=upload(pdf_bytes(), name="My CV.pdf"),
        resume_type=PDF,
        answers={questions[text]: answer for text, answer in answers.items()},
        equity=equity,
    )


def private_files(settings) -> list[Path]:
    return [path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()]


# --- application_submit --------------------------------------------------------------------


def test_submitting_plain_data_saves_the_application_its_answers_and_declaration(posting):
    application = submit(
        posting,
        equity={"woman": "yes", "indigenous": "", "disability": "no", "visible_minority": ""},
    )

    stored = Application.objects.get()
    assert stored == application
    assert (stored.posting, stored.email, stored.stage) == (
        posting,
        "jordan.tremblay@example.ca",
        Stage.RECEIVED,
    )
    assert (stored.eligibility, stored.correspondence_language, stored.is_veteran) == (
        Citizenship.PERMANENT_RESIDENT,
        "fr",
        True,
    )
    assert (stored.resume_name, stored.resume_type, stored.resume_size) == (
        "My CV.pdf",
        "application/pdf",
        len(pdf_bytes()),
    )
    with stored.resume.open("rb") as file:
        assert file.read() == pdf_bytes()
    assert stored.resume.name.endswith(".pdf") and "CV" not in stored.resume.name
    assert stored.consented_at == stored.declared_at == stored.submitted_at
    answers = {
        a.question.text: (a.answer, a.choice, a.meets_requirement)
        for a in ScreeningAnswer.objects.select_related("question")
    }
    assert answers == {
        "Degree in social sciences?": ("yes", None, True),
        "Valid driver's licence?": ("no", None, False),
        "Shift?": ("Nights", 2, None),
        "Heard of us where?": ("A career fair", None, None),
    }
    declaration = EquityDeclaration.objects.get(application=stored)
    assert (declaration.woman, declaration.disability, declaration.indigenous) == ("yes", "no", "")


def test_without_equity_answers_no_declaration_is_stored(posting):
    submit(posting, equity=None)
    submit(
        posting, email="someone.else@example.ca", equity=dict.fromkeys(["woman", "disability"], "")
    )

    assert Application.objects.count() == 2
    assert not EquityDeclaration.objects.exists()


def test_a_second_application_of_the_address_is_a_duplicate_and_leaves_no_file(posting, settings):
    submit(posting)

    with pytest.raises(DuplicateApplication):
        submit(posting, email="JORDAN.tremblay@example.ca")

    assert Application.objects.count() == 1
    assert len(private_files(settings)) == 1


def test_a_posting_that_closed_takes_no_application_and_keeps_no_file(posting, settings):
    posting.close_now()

    with pytest.raises(PostingNotOpen):
        submit(posting)

    assert not Application.objects.exists()
    assert private_files(settings) == []


def test_invalid_data_is_refused_before_anything_is_saved(posting, settings):
    with pytest.raises(Exception, match="telephone"):
        submit(posting, phone="call me")

    assert not Application.objects.exists()
    assert private_files(settings) == []


# --- applications_move ---------------------------------------------------------------------


def test_moving_in_bulk_reports_the_moved_and_the_refused_in_order(django_user_model):
    hr = staff_in(django_user_model, HR_ADMINISTRATORS)
    received = [ApplicationFactory(), ApplicationFactory()]
    screening = ApplicationFactory(screening=True)
    hired = ApplicationFactory(hired=True)
    selected = Application.objects.filter(pk__in=[a.pk for a in [hired, *received, screening]])

    moved, refused = applications_move(
        applications=selected, stage=Stage.SCREENING, by=hr, reason="Complete file"
    )

    assert moved == received
    assert [application for application, _refusal in refused] == [screening, hired]
    assert all(isinstance(refusal, MoveRefused) for _application, refusal in refused)
    assert "“Hired” cannot be moved to “Being screened”" in str(refused[1][1])
    for application in received:
        change = application.stage_changes.get()
        assert (change.to_stage, change.changed_by, change.reason) == (
            Stage.SCREENING,
            hr,
            "Complete file",
        )
    screening.refresh_from_db()
    assert screening.stage_changes.count() == 1  # its own move there, nothing more


# --- application_assign --------------------------------------------------------------------


@pytest.fixture
def reviewer(django_user_model):
    return staff_in(django_user_model, REVIEWERS)


def test_assigning_makes_the_reviewer_a_reviewer_of_each_posting_concerned(reviewer):
    first, second = JobPostingFactory(), JobPostingFactory()
    untouched = JobPostingFactory()
    applications = [ApplicationFactory(posting=first), ApplicationFactory(posting=first)]
    applications.append(ApplicationFactory(posting=second))
    ApplicationFactory(posting=untouched)

    count = application_assign(
        applications=Application.objects.filter(pk__in=[a.pk for a in applications]),
        reviewer=reviewer,
    )

    assert count == 3
    assert set(reviewer.reviewed_postings.all()) == {first, second}
    assert set(Application.objects.filter(assignee=reviewer)) == set(applications)
    assert set(Application.objects.visible_to(reviewer)) == set(applications)


def test_assigning_the_unassigned_ones_still_gives_access_to_their_posting(reviewer):
    application = ApplicationFactory()

    application_assign(
        applications=Application.objects.filter(assignee__isnull=True), reviewer=reviewer
    )

    assert list(reviewer.reviewed_postings.all()) == [application.posting]


def test_assigning_from_the_unassigned_list_gives_the_reviewer_the_posting(
    client, django_user_model, reviewer
):
    application = ApplicationFactory()
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))

    response = client.post(
        reverse("admin:applications_application_changelist") + "?assigned=nobody",
        {
            "action": "assign_to_reviewer",
            "_selected_action": [application.pk],
            "reviewer": reviewer.pk,
            "apply": "1",
        },
        follow=True,
    )

    assert "1 application assigned to reviewers." in response.content.decode()
    application.refresh_from_db()
    assert application.assignee == reviewer
    assert list(reviewer.reviewed_postings.all()) == [application.posting]


def management_forms(page: str) -> dict[str, str]:
    """Return the inline formsets' management form values of an admin change page."""
    inputs = re.findall(r"<input[^>]*>", page)
    values = {}
    for tag in inputs:
        name = re.search(r'name="([^"]+_FORMS)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            values[name.group(1)] = value.group(1) if value else ""
    return values


def test_assigning_on_the_change_form_makes_the_assignee_a_reviewer_of_the_posting(
    client, django_user_model, reviewer
):
    application = ApplicationFactory()
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    url = reverse("admin:applications_application_change", args=[application.pk])
    page = client.get(url).content.decode()

    response = client.post(url, {**management_forms(page), "assignee": reviewer.pk, "_save": "1"})

    assert response.status_code == 302, "the form was sent back with errors"
    application.refresh_from_db()
    assert application.assignee == reviewer
    assert list(reviewer.reviewed_postings.all()) == [application.posting]
    # The reviewer now finds it in their queue.
    client.force_login(reviewer)
    listed = client.get(reverse("admin:applications_application_changelist"))
    assert [a.pk for a in listed.context["cl"].result_list] == [application.pk]
