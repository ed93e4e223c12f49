"""A job seeker makes a mistake, corrects it and sends the form without choosing the file again."""

import pytest
from playwright.sync_api import expect

from applications.models import Application
from tests.browser.test_accessibility import assert_accessible
from tests.documents import pdf_bytes
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mistake_corrected_keeps_the_resume_chosen(page, live_server, tmp_path):
    resume = tmp_path / "jordan-tremblay-cv.pdf"
    resume.write_bytes(pdf_bytes())
    posting = JobPostingFactory(title="Parole officer")
    page.goto(f"{live_server.url}/en/postings/{posting.reference_number}/apply/")

    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Tremblay")
    page.get_by_label("E-mail address").fill("jordan.tremblay@example.ca")
    page.get_by_label("Telephone number").fill("12")  # the mistake: no area code
    page.get_by_label("Province or territory of residence").select_option("ON")
    page.get_by_role("group", name="Citizenship or residence status").get_by_label(
        "Canadian citizen"
    ).check()
    page.get_by_role("group", name="Language for correspondence").get_by_label("English").check()
    page.get_by_role("group", name="Language for assessment").get_by_label("English").check()
    page.get_by_label("Résumé").set_input_files(resume)
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("I declare that the information I give is true").check()
    page.get_by_role("button", name="Submit my application").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(
        "There is 1 problem: correct the field below, then send the form again."
    )
    expect(page.get_by_text("jordan-tremblay-cv.pdf — kept; choose another file")).to_be_visible()
    # Screen readers hear the note with the file field; the page passes axe.
    expect(page.get_by_label("Résumé")).to_have_attribute(
        "aria-describedby", "id_resume_helptext id_resume_note"
    )
    assert_accessible(page)
    assert not Application.objects.exists()

    summary.get_by_role("link", name="Telephone number").click()
    expect(page.get_by_label("Telephone number")).to_be_focused()
    page.get_by_label("Telephone number").fill("613-555-0142")
    # Everything else is as it was: nothing to type, tick or choose again.
    expect(page.get_by_label("First name")).to_have_value("Jordan")
    expect(page.get_by_label("I have read the privacy notice")).to_be_checked()
    page.get_by_role("button", name="Submit my application").click()

    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    application = Application.objects.get()
    assert (application.phone, application.resume_name) == (
        "613-555-0142",
        "jordan-tremblay-cv.pdf",
    )
    with application.resume.open("rb") as stored:
        assert stored.read() == pdf_bytes()
