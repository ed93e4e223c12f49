"""The language toggle leads to the same page in the other language, filters and page kept."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_toggle_round_trips_on_a_filtered_paginated_list(page, live_server, demo_postings):
    page.goto(f"{live_server.url}/en/postings/?sort=salary&page=2")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Sort by")).to_have_value("salary")

    page.get_by_role("link", name="Français").click()

    expect(page).to_have_url(re.compile(r"/fr/postings/\?sort=salary&page=2$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".pagination [aria-current=page]")).to_contain_text("2")

    page.get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"/en/postings/\?sort=salary&page=2$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
