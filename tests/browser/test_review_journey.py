"""A reviewer on the board rates a candidate on the application's page, the chair records the
board's consensus, and screens the candidate in with a button."""

import pytest
from playwright.sync_api import expect

from applications.models import Application, AssessmentResult, Stage, StepRating
from applications.roles import REVIEWERS
from positions.models import AssessmentStep, BoardMember, StepKind
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def reviewer(django_user_model, username, posting):
    user = staff_in(django_user_model, REVIEWERS, username=username)
    user.set_password(PASSWORD)
    user.save()
    posting.reviewers.add(user)
    return user


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("tr.model-application").get_by_role("link", name="Applications").click()


def watch_policy(page) -> list[str]:
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_the_board_rates_the_chair_records_the_consensus_and_screens_in(
    page, browser, live_server, django_user_model
):
    posting = JobPostingFactory(title="Parole officer")  # one essential: a degree
    degree = posting.qualifications.get()
    step = AssessmentStep.objects.create(posting=posting, kind=StepKind.SCREENING, order=1)
    step.qualifications.set([degree])
    rae = reviewer(django_user_model, "rae.reviewer", posting)
    chair = reviewer(django_user_model, "cam.chair", posting)
    BoardMember.objects.create(step=step, user=chair, is_chair=True)
    BoardMember.objects.create(step=step, user=rae)
    mine = ApplicationFactory(posting=posting, assignee=rae, last_name="Tremblay")
    ApplicationFactory(posting=posting, last_name="Someone-Else")

    # The reviewer's list opens on what is assigned to them.
    violations = watch_policy(page)
    sign_in(page, live_server, "rae.reviewer")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.get_by_role("link", name=mine.reference).click()

    # The résumé is read in the page, from this site, under its policy.
    expect(page.locator("iframe.workspace-resume-viewer")).to_be_visible()
    workspace = page.locator(f"#step-{step.pk}")
    expect(workspace).to_contain_text("Essential – A degree in social sciences.")
    rating = workspace.locator("form", has_text="Your rating")
    rating.get_by_role("radio", name="Met", exact=True).check()
    rating.get_by_label("Justification").fill("Bachelor of Social Work, 2018.")
    rating.get_by_role("button", name="Submit my rating").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Your rating of {mine.reference} at “Application screening” is recorded."
    )

    # The chair reads the rating and records the consensus, starting from it.
    chair_page = browser.new_page()
    sign_in(chair_page, live_server, "cam.chair")
    expect(chair_page.locator("#result_list tbody tr")).to_have_count(0)  # none is theirs
    chair_page.locator('details[data-filter-title="assigned to"]').get_by_role(
        "link", name="All"
    ).click()
    chair_page.get_by_role("link", name=mine.reference).click()
    board = chair_page.locator(f"#step-{step.pk}")
    expect(board.locator("table")).to_contain_text("Bachelor of Social Work, 2018.")
    consensus = board.locator("form", has_text="Record the consensus")
    expect(consensus.get_by_role("radio", name="Met", exact=True)).to_be_checked()
    expect(consensus.get_by_label("Justification:", exact=True)).to_have_value(
        "Bachelor of Social Work, 2018."
    )
    consensus.get_by_label("Justification of the consensus as a whole").fill(
        "The degree is in the résumé; the board agrees it is met."
    )
    consensus.get_by_role("button", name="Record the consensus").click()
    expect(chair_page.locator(".messagelist")).to_contain_text("The board's consensus on")

    # Then screens the candidate in, with a note, from the page's own button.
    move = chair_page.locator("form", has=chair_page.get_by_role("button", name="Screen in"))
    move.get_by_label("Note (kept in the history)").fill("Meets every essential qualification.")
    move.get_by_role("button", name="Screen in").click()
    expect(chair_page.locator(".messagelist")).to_contain_text(
        f"Moved to “Screened in”: {mine.reference}"
    )
    expect(chair_page.locator("#workspace-stage")).to_have_text("Screened in")
    history = chair_page.locator("#stage_changes-group")
    expect(history).to_contain_text("Meets every essential qualification.")

    application = Application.objects.get(pk=mine.pk)
    assert application.stage == Stage.SCREENED_IN
    assert application.stage_changes.get().changed_by == chair
    found = StepRating.objects.get(is_consensus=True)
    assert found.assessor == chair
    assert found.results.get().result == AssessmentResult.MET
    assert StepRating.objects.get(is_consensus=False).assessor == rae
    assert violations == []
