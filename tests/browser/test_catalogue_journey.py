"""A job seeker browses from the home page to an occupation's duties, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_to_stream_to_occupation_shows_the_duties(page, live_server, catalogue):
    page.goto(f"{live_server.url}/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Careers at the Correctional Service of Canada"
    )

    page.get_by_role("link", name="Case management and programs").click()
    expect(page).to_have_url(
        f"{live_server.url}/en/occupations/?stream=case-management-and-programs"
    )
    expect(page.get_by_label("Career stream")).to_have_value("case-management-and-programs")
    results = page.get_by_role("region", name="occupations")
    expect(results.get_by_role("link", name="Correctional officer")).to_have_count(0)

    results.get_by_role("link", name="Parole officer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parole officer")
    duties = page.locator("#duties")
    expect(duties.get_by_text("refer offenders to treatment and programs")).to_be_visible()
    nested = duties.locator("ul.duties > li > ul > li")
    expect(nested).to_have_text(
        ["interview", "observe", "listen", "question", "counsel", "intervene"]
    )


def test_keyword_search_of_occupations_on_a_phone(browser, live_server, catalogue):
    phone = browser.new_context(viewport={"width": 320, "height": 640})
    page = phone.new_page()
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("link", name="Browse all occupations").click()

    # On a phone the filters are folded away so that the results come first: open them.
    page.locator("summary", has_text="Filter occupations").click()
    page.get_by_label("Keyword").fill("electrician")
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"/en/occupations/\?q=electrician"))
    links = page.locator(".card h3 a")
    expect(links).to_have_text(
        ["CORCAN instructor", "Facilities maintenance and engineering"], ignore_case=True
    )
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, "the page scrolls sideways on a 320 px wide screen"
    phone.close()
