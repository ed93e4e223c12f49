"""A reviewer screens an application in, with a note and a rating, and sees it in the history."""

import pytest
from playwright.sync_api import expect

from applications.models import Application, Rating, Stage
from applications.roles import REVIEWERS
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def move(page, reference, stage_label, reason):
    page.get_by_role("row").filter(has_text=reference).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("move_to_stage")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Move to").select_option(label=stage_label)
    page.get_by_label("Reason (kept in the history)").fill(reason)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Moved to “{stage_label}”: {reference}")


def test_reviewer_screens_in_with_a_note_and_a_rating(page, live_server, django_user_model):
    reviewer = staff_in(django_user_model, REVIEWERS, username="rae.reviewer")
    reviewer.set_password("correct horse battery staple")
    reviewer.save()
    posting = JobPostingFactory(title="Parole officer")
    posting.reviewers.add(reviewer)
    mine = ApplicationFactory(posting=posting, assignee=reviewer, last_name="Tremblay")
    ApplicationFactory(posting=posting, last_name="Someone-Else")

    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill("rae.reviewer")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.locator("tr.model-application").get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="Assigned to me").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)

    move(page, mine.reference, "Being screened", "Complete application.")
    move(page, mine.reference, "Screened in", "Meets every essential qualification.")

    page.get_by_role("link", name=mine.reference).click()
    page.locator("textarea[name^=notes-][name$=-text]").first.fill(
        "Strong case management experience."
    )
    page.locator("select[name^=ratings-][name$=-qualification]").first.select_option(index=1)
    page.locator("select[name^=ratings-][name$=-rating]").first.select_option(Rating.STRONG)
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    history = page.locator("#stage_changes-group")
    expect(history).to_contain_text("Screened in")
    expect(history).to_contain_text("Meets every essential qualification.")
    expect(page.locator("#notes-group")).to_contain_text("Strong case management experience.")
    application = Application.objects.get(pk=mine.pk)
    assert application.stage == Stage.SCREENED_IN
    assert application.notes.get().author == reviewer
    assert application.ratings.get().rating == Rating.STRONG
