"""What the candidate sees: the step they are at, and why they were screened out or not retained."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from applications.models import StageMessage
from applications.pipeline import Stage
from applications.roles import HR_ADMINISTRATORS
from positions.models import AssessmentStep, QualificationKind, StepKind
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db


def status_url(application, language: str = "en") -> str:
    with translation.override(language):
        return reverse("applications:status", args=[application.status_token])


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS)


@pytest.fixture
def posting():
    posting = JobPostingFactory(
        hr_contact_name="Alex Martin", hr_contact_email="staffing.ontario@example.com"
    )
    degree = posting.qualifications.get()
    degree.not_met_reason_en = "Your application does not show a degree in social sciences."
    degree.not_met_reason_fr = "Votre candidature ne démontre pas un diplôme en sciences sociales."
    degree.save()
    posting.qualifications.create(
        kind=QualificationKind.EXPERIENCE,
        text_en="Two years of casework.",
        text_fr="Deux ans de gestion de cas.",
        order=2,
    )
    AssessmentStep.objects.create(
        posting=posting, kind=StepKind.SCREENING, order=1, starts_on=datetime.date(2027, 1, 5)
    )
    AssessmentStep.objects.create(
        posting=posting, kind=StepKind.WRITTEN_EXAM, order=2, starts_on=datetime.date(2027, 1, 14)
    )
    AssessmentStep.objects.create(
        posting=posting,
        kind=StepKind.INTERVIEW,
        name_en="Panel interview",
        name_fr="Entrevue avec le comité",
        order=3,
        starts_on=datetime.date(2027, 2, 1),
        ends_on=datetime.date(2027, 2, 3),
    )
    return posting


def test_the_status_page_names_the_step_and_its_date(client, posting):
    application = ApplicationFactory(posting=posting, assessment=True)

    response = client.get(status_url(application))

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Current status Invited to an assessment" in text
    assert "Current step Written exam — Jan. 14, 2027" in text
    assert "Panel interview" not in text


def test_the_step_in_french_with_its_date(client, posting):
    application = ApplicationFactory(posting=posting, interview=True)

    text = text_of(client.get(status_url(application, "fr")).content.decode())

    assert "Entrevue avec le comité — du 1 février 2027 au 3 février 2027" in text


def test_a_stage_without_a_step_names_the_stage_alone(client, posting):
    application = ApplicationFactory(posting=posting, offer=True)

    text = text_of(client.get(status_url(application)).content.decode())

    assert "Current status Job offer made" in text
    assert "Current step" not in text


@pytest.fixture
def screened_out(posting, hr):
    application = ApplicationFactory(posting=posting)
    qualifications = list(posting.qualifications.all())
    application.move_to(Stage.SCREENED_OUT, by=hr, reason="internal note", not_met=qualifications)
    return application


def test_screened_out_the_candidate_reads_hrs_text_and_what_was_not_met(client, screened_out):
    response = client.get(status_url(screened_out))

    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    text = text_of(page)
    # The default wording (migration 0013), with the posting's HR contact.
    assert (
        "Your application was not retained at screening: it does not show that you meet the "
        "qualifications listed below. If you would like to discuss this decision, you may ask for "
        "an informal discussion with Alex Martin (staffing.ontario@example.com)."
    ) in text
    listed = page.split('class="qualifications-not-met"', 1)[1].split("</ul>", 1)[0]
    assert text_of(listed).split(" ", 1)[1] == (
        "Your application does not show a degree in social sciences. Two years of casework."
    )
    assert "internal note" not in text, "HR's reason is for the record, not the candidate"


def test_screened_out_in_french(client, screened_out):
    text = text_of(client.get(status_url(screened_out, "fr")).content.decode())

    assert "Votre candidature n’a pas été retenue à la présélection" in text
    assert "discussion informelle à Alex Martin (staffing.ontario@example.com)." in text
    assert "Votre candidature ne démontre pas un diplôme en sciences sociales." in text
    assert "Deux ans de gestion de cas." in text
    assert "Two years of casework." not in text


def test_not_retained_names_what_the_board_found_not_met(client, posting, hr):
    application = ApplicationFactory(posting=posting, interview=True)
    casework = posting.qualifications.get(order=2)
    application.move_to(Stage.REJECTED, by=hr, not_met=[casework])

    text = text_of(client.get(status_url(application)).content.decode())

    assert "You were not retained in this selection process" in text
    assert "Qualifications not met Two years of casework." in text
    assert "degree in social sciences" not in text


def test_hrs_edited_status_text_is_what_the_candidate_reads(client, screened_out):
    StageMessage.objects.filter(stage=Stage.SCREENED_OUT).update(
        status_text_en="Sorry, {first_name}. Write to {hr_contact}."
    )

    text = text_of(client.get(status_url(screened_out)).content.decode())

    assert "Sorry, Applicant. Write to Alex Martin (staffing.ontario@example.com)." in text


@pytest.mark.parametrize("size", [1, 5])
def test_the_status_page_costs_the_same_queries_whatever_the_plan(
    client, hr, django_assert_max_num_queries, size
):
    posting = JobPostingFactory()
    for number in range(size):
        posting.qualifications.create(kind=QualificationKind.OTHER, text=f"Q{number}")
        AssessmentStep.objects.create(posting=posting, kind=StepKind.SCREENING, order=number)
    application = ApplicationFactory(posting=posting)
    application.move_to(Stage.SCREENED_OUT, by=hr, not_met=list(posting.qualifications.all()))

    with django_assert_max_num_queries(5):
        response = client.get(status_url(application))

    assert response.content.decode().count("<li>Q") == size


@pytest.mark.parametrize("stage", [Stage.RECEIVED, Stage.INTERVIEW, Stage.WITHDRAWN])
def test_other_stages_cost_no_more(client, posting, django_assert_max_num_queries, stage):
    application = ApplicationFactory(posting=posting, stage=stage)

    with django_assert_max_num_queries(5):
        assert client.get(status_url(application)).status_code == 200


def test_the_screened_out_email_can_name_what_was_not_met(
    posting, hr, django_capture_on_commit_callbacks
):
    StageMessage.objects.filter(stage=Stage.SCREENED_OUT).update(
        body_en="Not met:\n{requirements_not_met}\n{status_url}",
        body_fr="Non satisfaites :\n{requirements_not_met}\n{status_url}",
    )
    english = ApplicationFactory(posting=posting)
    french = ApplicationFactory(posting=posting, correspondence_language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        for application in (english, french):
            application.move_to(
                Stage.SCREENED_OUT, by=hr, not_met=list(posting.qualifications.all())
            )

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert bodies[english.email].startswith(
        "Not met:\n- Your application does not show a degree in social sciences.\n"
        "- Two years of casework.\nhttp"
    )
    assert bodies[french.email].startswith(
        "Non satisfaites :\n- Votre candidature ne démontre pas un diplôme en sciences sociales.\n"
        "- Deux ans de gestion de cas.\nhttp"
    )


def test_the_stage_email_preview_shows_the_status_text_and_a_sample_reason(client, hr):
    client.force_login(hr)
    message = StageMessage.objects.get(stage=Stage.SCREENED_OUT)
    StageMessage.objects.filter(pk=message.pk).update(
        body_en="Not met:\n{requirements_not_met}",
        body_fr="Non satisfaites :\n{requirements_not_met}",
    )

    page = client.get(
        reverse("admin:applications_stagemessage_change", args=[message.pk])
    ).content.decode()

    english = page.split('<section lang="en">', 1)[1].split("</section>", 1)[0]
    french = page.split('<section lang="fr">', 1)[1].split("</section>", 1)[0]
    assert "Not met:\n- A degree in criminology or a related field." in english
    assert "informal discussion with Sam Tremblay (staffing@example.ca)" in english
    assert "<li>A degree in criminology or a related field.</li>" in english
    assert "Non satisfaites :\n- Un diplôme en criminologie ou dans un domaine connexe." in french
    assert "discussion informelle à Sam Tremblay (staffing@example.ca)" in french
