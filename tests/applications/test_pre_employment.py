"""CSC's pre-employment steps (issue 16): psychological and medical assessments, security
screening and the Correctional Training Program are conditions of employment with results of
their own (pass / fail / pending, a date, an expiry, a note for HR only); health results are
readable only with a dedicated permission; the candidate reads each step in plain words.
"""

import csv
import datetime
import html
import io
import logging
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from applications.assessment import AssessmentRefused, Finding, rating_submit
from applications.models import (
    AssessmentResult,
    PreEmploymentOutcome,
    PreEmploymentResult,
    SecurityLevel,
)
from applications.pipeline import Stage
from applications.pre_employment import (
    PreEmploymentRefused,
    pre_employment_record,
    results_in_force,
)
from applications.reports import Level, kind_level
from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from positions.forms import AssessmentStepForm
from positions.models import (
    AssessmentStep,
    ClassificationGroup,
    JobPosting,
    QualificationKind,
    StepKind,
)
from positions.services import assessment_plan_default
from tests.applications import test_reports
from tests.applications.factories import ApplicationFactory, staff_in
from tests.applications.test_reports import report_url, shown
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

PRE_EMPLOYMENT = [
    StepKind.PSYCHOLOGICAL,
    StepKind.MEDICAL,
    StepKind.SECURITY_SCREENING,
    StepKind.TRAINING_PROGRAM,
]
MARCH_3 = datetime.date(2027, 3, 3)
# The funnel's hand-made campaign, whose figures test_reports works out.
campaign = test_reports.campaign
CHANGELIST = reverse("admin:applications_application_changelist")
SECRET_NOTE = "Follow-up with the physician about the hearing test"


def page_url(application) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


def record_url(application, step) -> str:
    return reverse("admin:applications_application_pre_employment", args=[application.pk, step.pk])


def status_url(application, language: str = "en") -> str:
    with translation.override(language):
        return reverse("applications:status", args=[application.status_token])


def text_of(response) -> str:
    """The page as a reader reads it: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def grant_health(user):
    user.user_permissions.add(Permission.objects.get(codename="view_health_results"))
    # A fresh copy: Django caches a user's permissions on the object.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def plan():
    """A correctional officer posting: screening, interview, then CSC's four steps."""
    posting = JobPostingFactory(
        classification_group=ClassificationGroup.CX, classification_level="01"
    )
    steps = {step.kind: step for step in assessment_plan_default(posting=posting)}
    return posting, steps


@pytest.fixture
def hr(django_user_model):
    """An HR administrator without the health permission (nobody has it by default)."""
    return staff_in(django_user_model, HR_ADMINISTRATORS, username="hr")


@pytest.fixture
def health_hr(django_user_model):
    return grant_health(staff_in(django_user_model, HR_ADMINISTRATORS, username="health-hr"))


@pytest.fixture
def candidate(plan):
    posting, _steps = plan
    return ApplicationFactory(posting=posting, reference_check=True)


def record(application, step, by, **fields):
    values = {"outcome": PreEmploymentOutcome.PENDING, "on": MARCH_3, **fields}
    return pre_employment_record(application=application, step=step, by=by, **values)


# --- The default plan --------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["01", "02"])
def test_correctional_officer_and_primary_worker_postings_get_cscs_steps_after_the_merit_ones(
    level,
):
    posting = JobPostingFactory(
        classification_group=ClassificationGroup.CX, classification_level=level
    )

    steps = assessment_plan_default(posting=posting)

    assert [step.kind for step in steps] == [
        StepKind.SCREENING,
        StepKind.INTERVIEW,
        *PRE_EMPLOYMENT,
    ]
    assert [step.kind for step in posting.assessment_steps.all()] == [step.kind for step in steps]
    assert all(not step.qualifications.exists() for step in steps[2:])
    assert posting.plan_gaps() == []


def test_other_postings_keep_the_two_merit_steps():
    posting = JobPostingFactory()  # WP-04, a parole officer

    assert [step.kind for step in assessment_plan_default(posting=posting)] == [
        StepKind.SCREENING,
        StepKind.INTERVIEW,
    ]


def test_the_demo_correctional_officer_posting_shows_the_steps(demo_postings):
    posting = JobPosting.objects.get(reference_number="CSC-26-CX-0201")

    kinds = [step.kind for step in posting.assessment_steps.all()]

    assert kinds[-4:] == PRE_EMPLOYMENT
    assert posting.plan_gaps() == []


# --- Not merit criteria ------------------------------------------------------------------------


def test_a_qualification_ticked_only_on_a_pre_employment_step_is_still_a_gap(plan):
    posting, steps = plan
    ability = posting.qualifications.create(
        kind=QualificationKind.ABILITY, text_en="Ability to stay calm.", order=5
    )
    steps[StepKind.MEDICAL].qualifications.add(ability)

    assert posting.plan_gaps() == [ability]


def test_the_plan_accepts_a_pre_employment_step_with_no_qualification_and_refuses_one_with(plan):
    posting, _steps = plan
    degree = posting.qualifications.first()
    data = {"kind": StepKind.MEDICAL, "order": 7, "name_en": "", "name_fr": ""}

    assert AssessmentStepForm(data, instance=AssessmentStep(posting=posting)).is_valid()
    refused = AssessmentStepForm(
        {**data, "qualifications": [degree.pk]}, instance=AssessmentStep(posting=posting)
    )
    assert not refused.is_valid()
    assert "A pre-employment step assesses no qualification" in refused.errors["qualifications"][0]


def test_a_pre_employment_step_is_never_rated(plan, hr):
    posting, steps = plan
    candidate = ApplicationFactory(posting=posting, screened_in=True)
    step = steps[StepKind.SECURITY_SCREENING]
    posting.reviewers.add(hr)

    with pytest.raises(AssessmentRefused, match="condition of employment, not a merit criterion"):
        rating_submit(
            application=candidate,
            step=step,
            assessor=hr,
            findings={
                q.pk: Finding(result=AssessmentResult.MET) for q in posting.qualifications.all()
            },
        )


def test_pre_employment_steps_have_no_funnel_level():
    assert {kind_level(kind) for kind in PRE_EMPLOYMENT} == {Level.APPLIED}
    assert kind_level(StepKind.INTERVIEW) == Level.INTERVIEW


def test_the_funnel_is_the_same_with_pre_employment_steps_in_the_plan(
    client, django_user_model, campaign
):
    posting, _other = campaign
    for order, kind in enumerate(PRE_EMPLOYMENT, start=10):
        AssessmentStep.objects.create(posting=posting, kind=kind, order=order)
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))

    response = client.get(report_url("funnel"), {"postings": [posting.pk]})

    # The figures of test_reports' funnel test: the plan's pre-employment steps change nothing.
    assert [row[:3] for row in shown(response, "funnel")] == [
        ["Applied", "11", "—"],
        ["Screened in", "9", "2"],
        ["Written exam", "7", "2"],
        ["Interview", "6", "1"],
        ["Reference check", "4", "2"],
        ["Qualified", "3", "1"],
        ["Offered a job", "2", "1"],
        ["Hired", "1", "1"],
    ]


# --- Recording a result: each refusal ----------------------------------------------------------


def test_a_step_of_another_posting_is_refused(candidate, hr):
    other = AssessmentStep.objects.create(
        posting=JobPostingFactory(), kind=StepKind.SECURITY_SCREENING
    )

    with pytest.raises(PreEmploymentRefused, match="another posting's assessment plan"):
        record(candidate, other, hr)


def test_a_merit_step_has_no_pre_employment_result(candidate, plan, hr):
    _posting, steps = plan

    with pytest.raises(PreEmploymentRefused, match="is a merit step"):
        record(candidate, steps[StepKind.INTERVIEW], hr)


def test_only_security_screening_has_a_security_level(candidate, plan, health_hr):
    _posting, steps = plan

    with pytest.raises(
        PreEmploymentRefused, match="Only a security screening has a security level"
    ):
        record(candidate, steps[StepKind.MEDICAL], health_hr, security_level=SecurityLevel.SECRET)


def test_a_passed_security_screening_names_its_level(candidate, plan, hr):
    _posting, steps = plan

    with pytest.raises(PreEmploymentRefused, match="Give the security level granted"):
        record(
            candidate, steps[StepKind.SECURITY_SCREENING], hr, outcome=PreEmploymentOutcome.PASSED
        )
    with pytest.raises(PreEmploymentRefused, match="Choose one of the security levels"):
        record(candidate, steps[StepKind.SECURITY_SCREENING], hr, security_level="cosmic")


def test_only_the_training_program_has_a_cohort_and_stages(candidate, plan, hr):
    _posting, steps = plan

    with pytest.raises(PreEmploymentRefused, match="Only the Correctional Training Program"):
        record(candidate, steps[StepKind.SECURITY_SCREENING], hr, cohort="2027-04")
    with pytest.raises(PreEmploymentRefused, match="Only the Correctional Training Program"):
        record(candidate, steps[StepKind.SECURITY_SCREENING], hr, stage_1_on=MARCH_3)


def test_the_training_programs_stages_come_in_order(candidate, plan, hr):
    _posting, steps = plan

    with pytest.raises(PreEmploymentRefused, match="completed in order"):
        record(
            candidate,
            steps[StepKind.TRAINING_PROGRAM],
            hr,
            stage_1_on=MARCH_3,
            stage_2_on=MARCH_3 - datetime.timedelta(days=1),
        )


def test_the_expiry_comes_after_the_date(candidate, plan, hr):
    _posting, steps = plan

    for expiry in (MARCH_3, MARCH_3 - datetime.timedelta(days=1)):
        with pytest.raises(PreEmploymentRefused, match="valid until a date after"):
            record(candidate, steps[StepKind.SECURITY_SCREENING], hr, expires_on=expiry)


def test_an_unknown_outcome_is_refused(candidate, plan, hr):
    _posting, steps = plan

    with pytest.raises(PreEmploymentRefused, match="Choose the outcome"):
        record(candidate, steps[StepKind.SECURITY_SCREENING], hr, outcome="maybe")


@pytest.mark.parametrize("stage", [Stage.RECEIVED, Stage.SCREENED_OUT, Stage.HIRED])
def test_results_are_recorded_from_screened_in_to_the_offer_only(plan, hr, stage):
    posting, steps = plan
    application = ApplicationFactory(posting=posting, stage=stage)

    with pytest.raises(PreEmploymentRefused, match="from “Screened in” up to “Job offer made”"):
        record(application, steps[StepKind.SECURITY_SCREENING], hr)
    assert not PreEmploymentResult.objects.exists()


def test_health_results_need_the_permission_to_be_recorded(candidate, plan, hr):
    _posting, steps = plan

    for kind in (StepKind.PSYCHOLOGICAL, StepKind.MEDICAL):
        with pytest.raises(PermissionDenied):
            record(candidate, steps[kind], hr)
    assert not PreEmploymentResult.objects.exists()
    assert record(candidate, steps[StepKind.MEDICAL], grant_health(hr)).pk


def test_a_role_without_the_add_permission_records_nothing(candidate, plan, django_user_model):
    _posting, steps = plan
    reviewer = staff_in(django_user_model, REVIEWERS)

    with pytest.raises(PermissionDenied):
        record(candidate, steps[StepKind.SECURITY_SCREENING], reviewer)


def test_a_correction_is_a_new_row_and_the_latest_is_in_force(candidate, plan, health_hr, hr):
    _posting, steps = plan
    security, medical = steps[StepKind.SECURITY_SCREENING], steps[StepKind.MEDICAL]
    first = record(candidate, security, hr)
    correction = record(
        candidate,
        security,
        hr,
        outcome=PreEmploymentOutcome.PASSED,
        security_level=SecurityLevel.RELIABILITY,
        expires_on=datetime.date(2037, 3, 3),
    )
    record(candidate, medical, health_hr, outcome=PreEmploymentOutcome.FAILED)

    assert PreEmploymentResult.objects.filter(step=security).count() == 2
    first.refresh_from_db()
    assert first.outcome == PreEmploymentOutcome.PENDING  # the record stays as it was
    assert results_in_force(candidate, health_hr) == {
        security.pk: correction,
        medical.pk: PreEmploymentResult.objects.get(step=medical),
    }
    # Without the health permission, the medical result is not among them.
    assert results_in_force(candidate, hr) == {security.pk: correction}


def test_nothing_recorded_is_logged(candidate, plan, health_hr, caplog):
    _posting, steps = plan

    with caplog.at_level(logging.DEBUG):
        record(candidate, steps[StepKind.MEDICAL], health_hr, note=SECRET_NOTE)

    assert SECRET_NOTE not in caplog.text
    assert "medical" not in caplog.text.lower()


# --- The workspace -----------------------------------------------------------------------------


@pytest.fixture
def recorded(candidate, plan, health_hr):
    """A medical assessment not passed (with a note) and a security screening passed."""
    _posting, steps = plan
    record(
        candidate,
        steps[StepKind.MEDICAL],
        health_hr,
        outcome=PreEmploymentOutcome.FAILED,
        note=SECRET_NOTE,
    )
    record(
        candidate,
        steps[StepKind.SECURITY_SCREENING],
        health_hr,
        outcome=PreEmploymentOutcome.PASSED,
        security_level=SecurityLevel.RELIABILITY,
        expires_on=datetime.date(2037, 3, 3),
        note="Fingerprints on file.",
    )
    return candidate


def step_section(response, step) -> str:
    page = response.content.decode()
    start = page.index(f'id="pre-employment-{step.pk}"')
    return " ".join(
        html.unescape(
            re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)])
        ).split()
    )


def test_without_the_health_permission_hr_reads_that_health_results_are_restricted(
    client, hr, plan, recorded
):
    _posting, steps = plan
    client.force_login(hr)

    response = client.get(page_url(recorded))

    assert response.status_code == 200
    text = text_of(response)
    assert "Pre-employment steps" in text
    for kind in (StepKind.PSYCHOLOGICAL, StepKind.MEDICAL):
        shown_step = step_section(response, steps[kind])
        assert "Results restricted" in shown_step
        assert "Record the result" not in shown_step
        assert "Outcome" not in shown_step and "Passed" not in shown_step
    assert SECRET_NOTE not in text
    security = step_section(response, steps[StepKind.SECURITY_SCREENING])
    assert "Outcome Passed" in security
    assert "Security level Reliability status" in security
    assert "Valid until March 3, 2037" in security
    assert "Note for HR Fingerprints on file." in security
    assert "Correct the result" in security
    assert "Record the result" in step_section(response, steps[StepKind.TRAINING_PROGRAM])


def test_with_the_health_permission_hr_reads_them(client, health_hr, plan, recorded):
    _posting, steps = plan
    client.force_login(health_hr)

    medical = step_section(client.get(page_url(recorded)), steps[StepKind.MEDICAL])

    assert "Outcome Not passed" in medical
    assert f"Note for HR {SECRET_NOTE}" in medical
    assert "Results restricted" not in medical


def test_a_reviewer_sees_no_pre_employment_section(client, django_user_model, candidate):
    reviewer = staff_in(django_user_model, REVIEWERS)
    candidate.posting.reviewers.add(reviewer)
    client.force_login(reviewer)

    response = client.get(page_url(candidate))

    assert response.status_code == 200
    assert "Pre-employment steps" not in text_of(response)


def form_data(step, **fields) -> dict:
    prefix = f"pre-employment-{step.pk}"
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def test_hr_records_a_security_screening_on_the_workspace(client, hr, plan, candidate):
    _posting, steps = plan
    step = steps[StepKind.SECURITY_SCREENING]
    client.force_login(hr)

    response = client.post(
        record_url(candidate, step),
        form_data(
            step,
            outcome="passed",
            on="2027-03-03",
            expires_on="2037-03-03",
            security_level="secret",
            note="Checked.",
        ),
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#pre-employment-{step.pk}")
    result = PreEmploymentResult.objects.get()
    assert (result.outcome, result.on, result.security_level, result.recorded_by) == (
        PreEmploymentOutcome.PASSED,
        MARCH_3,
        SecurityLevel.SECRET,
        hr,
    )


def test_a_refused_result_comes_back_with_the_reason(client, hr, plan, candidate):
    _posting, steps = plan
    step = steps[StepKind.SECURITY_SCREENING]
    client.force_login(hr)

    response = client.post(
        record_url(candidate, step), form_data(step, outcome="passed", on="2027-03-03")
    )

    assert response.status_code == 200
    assert "Nothing was recorded: Give the security level granted" in text_of(response)
    assert not PreEmploymentResult.objects.exists()


def test_recording_a_health_result_without_the_permission_is_forbidden(client, hr, plan, candidate):
    _posting, steps = plan
    step = steps[StepKind.MEDICAL]
    client.force_login(hr)

    response = client.post(
        record_url(candidate, step), form_data(step, outcome="passed", on="2027-03-03")
    )

    assert response.status_code == 403
    assert not PreEmploymentResult.objects.exists()


def test_with_the_permission_hr_records_a_health_result(client, health_hr, plan, candidate):
    _posting, steps = plan
    step = steps[StepKind.MEDICAL]
    client.force_login(health_hr)

    response = client.post(
        record_url(candidate, step), form_data(step, outcome="passed", on="2027-03-03")
    )

    assert response.status_code == 302
    assert PreEmploymentResult.objects.get().step == step


def test_the_record_address_takes_a_post_of_a_pre_employment_step_only(
    client, hr, plan, candidate, django_user_model
):
    _posting, steps = plan
    security = steps[StepKind.SECURITY_SCREENING]
    client.force_login(hr)

    assert client.get(record_url(candidate, security)).status_code == 405
    assert client.post(record_url(candidate, steps[StepKind.INTERVIEW]), {}).status_code == 404
    reviewer = staff_in(django_user_model, REVIEWERS)
    candidate.posting.reviewers.add(reviewer)
    client.force_login(reviewer)
    assert client.post(record_url(candidate, security), {}).status_code == 403


# --- The list and the exports ------------------------------------------------------------------


def test_the_list_cannot_be_filtered_by_a_health_result_without_the_permission(
    client, hr, recorded
):
    client.force_login(hr)

    assert client.get(CHANGELIST, {"pre_employment": "medical:failed"}).status_code == 400
    assert client.get(CHANGELIST, {"pre_employment_results__outcome": "failed"}).status_code == 400
    assert (
        client.get(CHANGELIST, {"pre_employment_results__step__kind": "medical"}).status_code == 400
    )
    sidebar = text_of(client.get(CHANGELIST))
    assert "Security screening: Passed" in sidebar
    assert "Pre-employment medical assessment: Not passed" not in sidebar
    listed = client.get(CHANGELIST, {"pre_employment": "security-screening:passed"})
    assert listed.status_code == 200
    assert [a.reference for a in listed.context["cl"].result_list] == [recorded.reference]


def test_with_the_permission_hr_filters_by_a_health_result(client, health_hr, plan, recorded):
    posting, _steps = plan
    ApplicationFactory(posting=posting, reference_check=True)  # no result
    client.force_login(health_hr)

    failed = client.get(CHANGELIST, {"pre_employment": "medical:failed"})
    passed = client.get(CHANGELIST, {"pre_employment": "medical:passed"})

    assert failed.status_code == 200
    assert [a.reference for a in failed.context["cl"].result_list] == [recorded.reference]
    assert list(passed.context["cl"].result_list) == []


def test_the_filter_follows_the_result_in_force(client, health_hr, plan, recorded):
    _posting, steps = plan
    record(recorded, steps[StepKind.MEDICAL], health_hr, outcome=PreEmploymentOutcome.PASSED)
    client.force_login(health_hr)

    failed = client.get(CHANGELIST, {"pre_employment": "medical:failed"})

    assert list(failed.context["cl"].result_list) == []


@pytest.mark.parametrize("action", ["export_csv", "export_decisions_csv"])
def test_exports_carry_no_pre_employment_result(client, health_hr, recorded, action):
    client.force_login(health_hr)

    response = client.post(
        CHANGELIST, {"action": action, "_selected_action": [recorded.pk], "index": 0}
    )

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    exported = " ".join(" ".join(row) for row in rows)
    assert recorded.reference in exported
    for absent in (SECRET_NOTE, "Fingerprints", "Not passed", "Pre-employment", "Reliability"):
        assert absent not in exported


# --- The candidate's status page ---------------------------------------------------------------


@pytest.fixture
def followed(plan, health_hr):
    """A candidate at the reference check: medical scheduled, psychological not passed,
    security screening passed, the training program under way; the plan dates the medical."""
    posting, steps = plan
    application = ApplicationFactory(posting=posting, reference_check=True)
    record(application, steps[StepKind.MEDICAL], health_hr, note=SECRET_NOTE)
    record(
        application,
        steps[StepKind.PSYCHOLOGICAL],
        health_hr,
        outcome=PreEmploymentOutcome.FAILED,
        on=datetime.date(2027, 2, 10),
        note="Hidden from the candidate.",
    )
    record(
        application,
        steps[StepKind.SECURITY_SCREENING],
        health_hr,
        outcome=PreEmploymentOutcome.PASSED,
        on=datetime.date(2027, 2, 1),
        security_level=SecurityLevel.RELIABILITY,
        expires_on=datetime.date(2037, 2, 1),
    )
    record(
        application,
        steps[StepKind.TRAINING_PROGRAM],
        health_hr,
        on=datetime.date(2027, 4, 5),
        cohort="Kingston 2027-04",
        stage_1_on=datetime.date(2027, 3, 20),
    )
    return application


def test_the_status_page_names_each_step_in_plain_words_with_dates(client, followed):
    text = text_of(client.get(status_url(followed)))

    assert (
        "Pre-employment psychological assessment Completed on Feb. 10, 2027. "
        "Human resources will contact you about the next steps."
    ) in text
    assert "Pre-employment medical assessment Scheduled for March 3, 2027." in text
    assert (
        "Security screening Completed on Feb. 1, 2027. "
        "Security level: Reliability status. Valid until Feb. 1, 2037."
    ) in text
    assert (
        "Correctional Training Program Scheduled for April 5, 2027. "
        "Cohort: Kingston 2027-04. "
        "Stage 1 (online) completed on March 20, 2027."
    ) in text
    assert SECRET_NOTE not in text and "Hidden from the candidate" not in text
    assert "Not passed" not in text


def test_the_status_page_in_french(client, followed):
    text = text_of(client.get(status_url(followed, "fr")))

    assert (
        "Évaluation psychologique préalable à l’emploi Terminée le 10 février 2027. "
        "Les ressources humaines communiqueront avec vous au sujet des prochaines étapes."
    ) in text
    assert "Évaluation médicale préalable à l’emploi Prévue le 3 mars 2027." in text
    assert "Niveau de sécurité : Cote de fiabilité." in text  # (a no-break space)
    assert "Valide jusqu’au 1 février 2037." in text
    assert "Étape 1 (en ligne) terminée le 20 mars 2027." in text
    assert SECRET_NOTE not in text


def test_a_step_without_a_result_shows_the_plans_date(client, plan):
    posting, steps = plan
    medical = steps[StepKind.MEDICAL]
    medical.starts_on = MARCH_3
    medical.save()
    application = ApplicationFactory(posting=posting, screened_in=True)

    text = text_of(client.get(status_url(application)))

    assert "Pre-employment medical assessment Scheduled for March 3, 2027." in text
    assert "Security screening Not scheduled yet: you will be told when it is." in text


def test_before_screening_in_the_status_page_lists_no_pre_employment_step(client, plan):
    posting, _steps = plan
    application = ApplicationFactory(posting=posting)

    assert "Pre-employment steps" not in text_of(client.get(status_url(application)))


@pytest.mark.parametrize("stage", [Stage.SCREENED_IN, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED])
def test_the_status_page_costs_no_more_queries_with_the_steps(
    client, plan, health_hr, django_assert_max_num_queries, stage
):
    posting, steps = plan
    application = ApplicationFactory(posting=posting, stage=Stage.SCREENED_IN)
    for kind in (StepKind.SECURITY_SCREENING, StepKind.MEDICAL):
        record(
            application,
            steps[kind],
            health_hr,
            outcome=PreEmploymentOutcome.PASSED,
            security_level=SecurityLevel.SECRET if kind == StepKind.SECURITY_SCREENING else "",
        )
    for move in [Stage.INTERVIEW, Stage.REFERENCE_CHECK, Stage.OFFER, Stage.HIRED]:
        if application.stage == stage:
            break
        application.move_to(move)

    # The limit test_status_steps pins for the page without pre-employment steps.
    with django_assert_max_num_queries(5):
        response = client.get(status_url(application))

    assert "Security screening Completed on March 3, 2027." in text_of(response)


# --- The workspace's cost ----------------------------------------------------------------------


@pytest.mark.parametrize("corrections", [1, 5])
def test_the_workspace_costs_the_same_queries_whatever_the_results(
    client, plan, health_hr, candidate, django_assert_max_num_queries, corrections
):
    _posting, steps = plan
    for _ in range(corrections):
        for kind in PRE_EMPLOYMENT:
            record(
                candidate,
                steps[kind],
                health_hr,
                outcome=PreEmploymentOutcome.PENDING,
            )
    client.force_login(health_hr)
    client.get(page_url(candidate))

    # The limit test_workspace pins for the page.
    with django_assert_max_num_queries(26):
        response = client.get(page_url(candidate))

    assert response.status_code == 200
    assert len(response.context["workspace"].pre_employment) == 4
