"""Issue 16's pre-employment steps: HR (given the health results' permission) records a medical
assessment and a security screening on the application's page, and the candidate reads both on
their status page, in plain words with dates, without HR's note."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from playwright.sync_api import expect

from applications.models import PreEmploymentOutcome, PreEmploymentResult, SecurityLevel
from applications.roles import HR_ADMINISTRATORS
from positions.models import ClassificationGroup, StepKind
from positions.services import assessment_plan_default
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "x"  # staff_in's
NOTE = "Hearing test to be repeated in a year."


def test_hr_records_a_medical_result_and_a_security_screening_and_the_candidate_reads_them(
    browser, live_server, django_user_model
):
    posting = JobPostingFactory(
        title="Correctional Officer I",
        classification_group=ClassificationGroup.CX,
        classification_level="01",
    )
    steps = {step.kind: step for step in assessment_plan_default(posting=posting)}
    candidate = ApplicationFactory(posting=posting, reference_check=True)
    hr = staff_in(django_user_model, HR_ADMINISTRATORS, username="hr")
    hr.user_permissions.add(Permission.objects.get(codename="view_health_results"))

    page = browser.new_page()
    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill("hr")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/en/admin/applications/application/{candidate.pk}/change/")
    expect(page.get_by_role("heading", name="Pre-employment steps")).to_be_visible()

    medical = page.locator(f"#pre-employment-{steps[StepKind.MEDICAL].pk}")
    expect(medical.get_by_text("No result yet.")).to_be_visible()
    medical.get_by_label("Passed", exact=True).check()
    medical.get_by_label("Date", exact=True).fill("2027-03-03")
    medical.get_by_label("Note for HR").fill(NOTE)
    medical.get_by_role("button", name="Record the result").click()
    expect(page.get_by_text("The result of “Pre-employment medical assessment”")).to_be_visible()
    medical = page.locator(f"#pre-employment-{steps[StepKind.MEDICAL].pk}")
    expect(medical.get_by_text(NOTE)).to_be_visible()

    security = page.locator(f"#pre-employment-{steps[StepKind.SECURITY_SCREENING].pk}")
    security.get_by_label("Passed", exact=True).check()
    security.get_by_label("Date", exact=True).fill("2027-02-01")
    security.get_by_label("Valid until").fill("2037-02-01")
    security.get_by_label("Security level").select_option(SecurityLevel.RELIABILITY.value)
    security.get_by_role("button", name="Record the result").click()
    expect(page.get_by_text("The result of “Security screening”")).to_be_visible()

    assert sorted(PreEmploymentResult.objects.values_list("outcome", flat=True)) == [
        PreEmploymentOutcome.PASSED,
        PreEmploymentOutcome.PASSED,
    ]

    with translation.override("en"):
        status = candidate.get_absolute_url()
    reader = browser.new_page()  # the candidate's own browser
    reader.goto(f"{live_server.url}{status}")
    expect(reader.get_by_role("heading", name="Pre-employment steps")).to_be_visible()
    steps_list = reader.locator(".pre-employment-steps")
    expect(steps_list).to_contain_text(
        "Pre-employment medical assessment Completed on March 3, 2027."
    )
    expect(steps_list).to_contain_text(
        "Security screening Completed on Feb. 1, 2027. Security level: Reliability status. "
        "Valid until Feb. 1, 2037."
    )
    expect(steps_list).to_contain_text("Correctional Training Program Not scheduled yet")
    expect(reader.locator("body")).not_to_contain_text(NOTE)
