"""A whole application, from the posting to the confirmation, with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from applications.models import Application
from positions.models import JobPosting
from tests.documents import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching the selector has the focus."""
    target = page.locator(selector).first
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_apply_without_a_mouse(page, live_server, demo_postings, tmp_path):
    resume = tmp_path / "resume.pdf"
    resume.write_bytes(pdf_bytes())
    posting = JobPosting.objects.open().filter(screening_questions__isnull=False).first()
    # Listening from the start makes the browser intercept file choosers before the key press;
    # subscribing only inside expect_file_chooser() races with the press.
    page.on("filechooser", lambda chooser: None)
    page.goto(f"{live_server.url}{posting.get_absolute_url()}")

    tab_to(page, "text=Apply online")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for this job")

    for field, value in [
        ("#id_first_name", "Kim"),
        ("#id_last_name", "Nguyen"),
        ("#id_email", "kim.nguyen@example.ca"),
        ("#id_phone", "204-555-0199"),
    ]:
        tab_to(page, field)
        page.keyboard.type(value)
    tab_to(page, "#id_residence")
    page.keyboard.type("Manitoba")
    for group in ("eligibility", "correspondence_language", "assessment_language"):
        tab_to(page, f"[name={group}]")
        page.keyboard.press("Space")  # the first choice of the radio group
    tab_to(page, "#id_resume")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(resume)
    for question in posting.screening_questions.order_by("order", "pk"):
        tab_to(page, f"[name=question_{question.pk}]")
        if question.kind == "short-text":
            page.keyboard.type("Five years in corrections")
        else:
            page.keyboard.press("Space")
    for checkbox in ("#id_privacy_consent", "#id_declaration"):
        tab_to(page, checkbox)
        page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Application sent")
    application = Application.objects.get()
    assert (application.first_name, application.residence) == ("Kim", "MB")
    assert application.answers.count() == posting.screening_questions.count()
