"""A job seeker finds a parole posting in Ontario, applies with a PDF, then withdraws."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.models import Application, Stage
from tests.documents import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_parole_in_ontario_and_read_a_posting(page, live_server, demo_postings):
    page.goto(f"{live_server.url}/en/")
    page.get_by_label("Keyword").fill("parole")
    page.get_by_label("Region").select_option(label="Ontario")
    page.get_by_role("button", name="Search job postings").click()

    expect(page).to_have_url(re.compile(r"/en/postings/\?q=parole&region=ontario"))
    cards = page.locator(".card")
    expect(cards.first).to_be_visible()
    for text in cards.all_inner_texts():
        assert "(ON)" in text, text

    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Essential qualifications")).to_be_visible()
    expect(page.locator("#essential-heading + p + h3 + ul li").first).to_be_visible()
    # The Apply link is under the title as well as at the end of the posting.
    expect(page.get_by_role("link", name="Apply online")).to_have_count(2)
    expect(page.get_by_role("link", name="Apply online").first).to_be_visible()


def test_apply_with_a_pdf_then_withdraw_from_the_e_mailed_link(
    page, live_server, demo_postings, tmp_path
):
    resume = tmp_path / "jordan-tremblay-resume.pdf"
    resume.write_bytes(pdf_bytes())
    posting = Application._meta.get_field("posting").related_model.objects.open().first()
    page.goto(f"{live_server.url}{posting.get_absolute_url()}")
    page.get_by_role("link", name="Apply online").first.click()

    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Tremblay")
    page.get_by_label("E-mail address").fill("jordan.tremblay@example.ca")
    page.get_by_label("Telephone number").fill("613-555-0142")
    page.get_by_label("Province or territory of residence").select_option("ON")
    page.get_by_role("group", name="Citizenship or residence status").get_by_label(
        "Canadian citizen"
    ).check()
    page.get_by_role("group", name="Language for correspondence").get_by_label("English").check()
    page.get_by_role("group", name="Language for assessment").get_by_label("French").check()
    page.get_by_label("Résumé").set_input_files(resume)
    for group in page.locator("fieldset.field").all():
        radios = group.get_by_role("radio")
        if group.locator("legend").inner_text().endswith("(required)") and radios.count():
            radios.first.check()
    for text_input in page.locator("input[name^=question_][type=text]").all():
        text_input.fill("Ten years of case management")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("I declare that the information I give is true").check()
    page.get_by_role("button", name="Submit my application").click()

    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    application = Application.objects.get()
    expect(page.get_by_text(application.email)).to_be_visible()
    assert application.reference in mail.outbox[-1].subject
    with application.resume.open("rb") as stored:
        assert stored.read() == pdf_bytes()

    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_text("Received", exact=True)).to_be_visible()
    page.get_by_role("link", name="Withdraw my application").click()
    page.get_by_role("button", name="Yes, withdraw my application").click()

    expect(page.get_by_text("Your application has been withdrawn.")).to_be_visible()
    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN


def test_a_misspelt_search_in_french_offers_the_right_spelling(page, live_server, demo_postings):
    page.goto(f"{live_server.url}/fr/postings/?q=agent+corectionnel")
    expect(page.locator(".card")).to_have_count(0)

    page.locator(".suggestion a").click()

    expect(page).to_have_url(re.compile(r"/fr/postings/\?q=agent\+correctionnel$"))
    expect(page.get_by_label("Mot-clé")).to_have_value("agent correctionnel")
    expect(page.locator(".card").first).to_contain_text("Agent correctionnel")
