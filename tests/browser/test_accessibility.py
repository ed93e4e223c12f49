"""axe-core finds no WCAG 2.1 AA violation on any public page type, in English or French."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from applications.models import Application
from positions.models import JobPosting
from tests.applications.test_apply import form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Best practice, not a WCAG rule: all content sits in a landmark (banner, nav, main, footer).
    "rules": {"region": {"enabled": True}},
}


def assert_accessible(page, name=""):
    page.wait_for_load_state("networkidle")
    results = AXE.run(page, options=WCAG_AA)
    problems = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, first {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
    assert not problems, f"{name} {page.url}\n" + "\n".join(problems)
    assert page.locator("h1").count() == 1, f"{page.url} must have exactly one h1"


@pytest.fixture
def pages(live_server, demo_postings, client):
    """The URL of each public page type, as (name, path-without-language) pairs."""
    posting = JobPosting.objects.open().filter(screening_questions__isnull=False).first()
    client.post(
        f"/en/postings/{posting.reference_number}/apply/",
        form_data(posting, email="axe@example.ca"),
    )
    application = Application.objects.get()
    token = application.status_token
    return {
        "home": "/",
        "occupations": "/occupations/",
        "occupations, no result": "/occupations/?q=astronaut",
        "occupation": "/occupations/parole-officer/",
        "postings": "/postings/?region=ontario",
        "postings, no result": "/postings/?q=astronaut",
        "posting": posting.get_absolute_url()[3:],
        "posting, from a search": posting.get_absolute_url()[3:] + "?back=/en/postings/%3Fq%3Dx",
        "posting, closed": JobPosting.objects.closed().first().get_absolute_url()[3:],
        "apply form": f"/postings/{posting.reference_number}/apply/",
        "confirmation": f"/postings/{posting.reference_number}/apply/received/",
        "status": f"/applications/{token}/",
        "withdraw": f"/applications/{token}/withdraw/",
        "find your application": "/applications/status/",
        "about": "/about/",
        "not found": "/no-such-page/",
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_public_page_type_passes_axe(page, live_server, pages, language, client):
    # The confirmation page belongs to the browser that applied (the client above).
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    for name, path in pages.items():
        page.goto(f"{live_server.url}/{language}{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page, name)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_apply_form_with_errors_passes_axe(page, live_server, pages, language):
    page.goto(f"{live_server.url}/{language}{pages['apply form']}")
    page.locator("button[type=submit]").last.click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page)
    # Each error in the summary links to its field, and the field points back at its message.
    for link in summary.get_by_role("link").all():
        expect(page.locator(link.get_attribute("href"))).to_have_count(1)
    first_name = page.locator("#id_first_name")
    expect(first_name).to_have_attribute("aria-invalid", "true")
    expect(first_name).to_have_attribute("aria-describedby", "id_first_name_error")
    expect(page.locator("#id_first_name_error")).to_be_visible()
