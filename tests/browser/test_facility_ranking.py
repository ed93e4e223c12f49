"""On a phone, an applicant to a posting at three places ranks two of them, gives both the same
choice, reads the error at the field, fixes it and sends the form."""

import pytest
from playwright.sync_api import expect

from applications.models import Application
from tests.browser.test_accessibility import assert_accessible
from tests.documents import pdf_bytes
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_an_applicant_ranks_two_of_three_places_on_a_phone(browser, live_server, tmp_path):
    resume = tmp_path / "jordan-tremblay-cv.pdf"
    resume.write_bytes(pdf_bytes())
    millhaven = FacilityFactory(name="Millhaven Institution", city="Bath")
    collins_bay = FacilityFactory(name="Collins Bay Institution", city="Kingston")
    joyceville = FacilityFactory(name="Joyceville Institution", city="Kingston")
    posting = JobPostingFactory(
        title="Correctional Officer I", locations=[millhaven, collins_bay, joyceville]
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/postings/{posting.reference_number}/apply/")

    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Tremblay")
    page.get_by_label("E-mail address").fill("jordan.tremblay@example.ca")
    page.get_by_label("Telephone number").fill("613-555-0142")
    page.get_by_label("Province or territory of residence").select_option("ON")
    page.get_by_role("group", name="Citizenship or residence status").get_by_label(
        "Canadian citizen"
    ).check()
    page.get_by_role("group", name="Language for correspondence").get_by_label("English").check()
    page.get_by_role("group", name="Language for assessment").get_by_label("English").check()
    page.get_by_label("Résumé").set_input_files(resume)

    places = page.get_by_role("group", name="Where would you work?")
    expect(places.get_by_role("combobox")).to_have_count(3)
    # The mistake: both places get "1st choice" (one by mouse, one by keyboard).
    places.get_by_label("Millhaven Institution (Bath)").select_option(label="1st choice")
    places.get_by_label("Collins Bay Institution (Kingston)").focus()
    page.keyboard.press("ArrowDown")  # from "I would not work here" to "1st choice"
    expect(places.get_by_label("Collins Bay Institution (Kingston)")).to_have_value("1")
    # The form fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("I declare that the information I give is true").check()
    page.get_by_role("button", name="Submit my application").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(
        "There are 2 problems: correct the fields below, then send the form again."
    )
    message = "Another place has “1st choice” too: give each place its own choice."
    collins = page.get_by_label("Collins Bay Institution (Kingston)")
    # Screen readers hear the error with the field it belongs to.
    expect(collins).to_have_accessible_description(f"Error: {message}")
    expect(page.locator(f"#id_facility_{collins_bay.pk}_error")).to_be_visible()
    expect(page.get_by_text("jordan-tremblay-cv.pdf — kept; choose another file")).to_be_visible()
    assert_accessible(page)
    assert not Application.objects.exists()

    summary.get_by_role("link", name="Collins Bay Institution (Kingston)").click()
    expect(collins).to_be_focused()
    expect(page.get_by_label("Millhaven Institution (Bath)")).to_have_value("1")  # kept
    collins.select_option(label="2nd choice")
    page.get_by_role("button", name="Submit my application").click()

    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    application = Application.objects.get()
    assert [p.facility for p in application.facility_preferences.order_by("rank")] == [
        millhaven,
        collins_bay,
    ]
    context.close()
