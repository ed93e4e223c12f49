"""Issue 16's pool journey: HR qualifies a candidate the board found to meet every essential
qualification into the posting's pool, offers a placement at a facility, records the acceptance,
and reads the pool's history."""

import datetime

import pytest
from django.utils import dateformat
from playwright.sync_api import expect

from applications.models import AssessmentResult, PoolMember, PoolStatus, Stage
from applications.roles import HR_ADMINISTRATORS
from positions.services import assessment_plan_default
from tests.applications.factories import ApplicationFactory, consensus_of
from tests.browser.test_merit_journey import person, signed_in
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_qualifies_offers_a_placement_records_the_acceptance_and_reads_the_history(
    browser, live_server, django_user_model
):
    posting = JobPostingFactory(title="Correctional officer")
    assessment_plan_default(posting=posting)
    candidate = ApplicationFactory(
        posting=posting, first_name="Jordan", last_name="Tremblay", reference_check=True
    )
    consensus_of(candidate, {posting.qualifications.get(): AssessmentResult.MET})
    not_yet = ApplicationFactory(
        posting=posting, first_name="Sam", last_name="Roy", reference_check=True
    )
    FacilityFactory(name="Collins Bay Institution")
    person(django_user_model, HR_ADMINISTRATORS, "harper.hr", "Harper", "Lee")
    violations = []
    starts_on = datetime.date.today() + datetime.timedelta(days=14)

    # 1. From the application list, HR qualifies both: one joins, the other is refused, and why.
    hr = signed_in(browser, violations, live_server, "harper.hr")
    hr.goto(f"{live_server.url}/en/admin/applications/application/?posting={posting.pk}")
    for application in (candidate, not_yet):
        hr.locator(f'input[name="_selected_action"][value="{application.pk}"]').check()
    hr.get_by_label("Action:").select_option(label="Qualify into the pool (fully assessed)")
    hr.get_by_role("button", name="Go").click()
    messages = hr.locator(".messagelist")
    expect(messages).to_contain_text("1 candidate joined the pool.")
    expect(messages).to_contain_text(
        f"{not_yet.reference}: The board has not yet found every essential qualification met"
    )

    # 2. The pool lists Jordan, qualified for twelve months.
    hr.goto(f"{live_server.url}/en/admin/applications/poolmember/?posting={posting.pk}")
    member = PoolMember.objects.get()
    row = hr.get_by_role("row").filter(has_text=candidate.reference)
    expect(row).to_contain_text("Qualified, available")
    expect(row).to_contain_text(dateformat.format(member.expires_on, "N j, Y"))  # English's date
    row.get_by_role("link").first.click()

    # 3. HR offers a placement at Collins Bay: the application becomes "Job offer made".
    offer = hr.get_by_role("form", name="Offer a placement")
    offer.get_by_label("Facility").select_option(label="Collins Bay Institution (Kingston)")
    offer.get_by_label("Tenure").select_option(label="Term")
    offer.get_by_label("Start date").fill(starts_on.isoformat())
    offer.get_by_role("button", name="Offer the placement").click()
    expect(hr.locator(".messagelist")).to_contain_text("A placement is offered to Jordan Tremblay.")
    placements = hr.locator("#placements table")
    expect(placements).to_contain_text("Collins Bay Institution")
    expect(placements).to_contain_text("Offered")
    candidate.refresh_from_db()
    assert candidate.stage == Stage.OFFER

    # 4. The candidate accepted: HR records it; they are hired and placed.
    expect(
        hr.get_by_role(
            "form", name="The candidate's answer to the offer at Collins Bay Institution"
        )
    ).to_be_visible()
    hr.get_by_role("button", name="Accepted").click()
    expect(hr.locator(".messagelist")).to_contain_text(
        "The answer of Jordan Tremblay is recorded: “Accepted”."
    )
    expect(hr.get_by_role("button", name="Accepted")).to_have_count(0)
    candidate.refresh_from_db()
    member.refresh_from_db()
    assert (candidate.stage, member.status) == (Stage.HIRED, PoolStatus.PLACED)

    # 5. The history says what happened, by whom.
    history = hr.locator("#pool-history table")
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Qualified into the pool")
    expect(rows.nth(1)).to_contain_text("Offered a placement")
    expect(rows.nth(1)).to_contain_text("Collins Bay Institution")
    expect(rows.nth(2)).to_contain_text("Accepted a placement")
    expect(rows.nth(2)).to_contain_text("Harper Lee")
    expect(hr.get_by_role("form", name="Offer a placement")).to_have_count(0)
    assert violations == []
