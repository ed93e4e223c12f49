"""Reading, on a phone above all: lists that look like lists, what matters within the first screen,
results before filters, and Canada.ca's breadcrumbs and date modified, in Chromium."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from positions.models import JobPosting
from positions.templatetags.site_tags import CONTENT_REVISED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
# "Within the first screen" on a phone, with a little room for a longer title.
FIRST_SCREEN = 900


def top(locator) -> float:
    """Return the distance from the top of the page to the element, in CSS pixels."""
    return locator.evaluate("element => element.getBoundingClientRect().top + window.scrollY")


def left(locator) -> float:
    return locator.evaluate("element => element.getBoundingClientRect().left")


def computed(locator, css_property: str) -> str:
    return locator.evaluate(
        "(element, name) => getComputedStyle(element).getPropertyValue(name)", css_property
    )


@pytest.fixture
def open_page(browser, live_server):
    """Open a path in a new browser window of the given size; the windows close after the test."""
    contexts = []

    def opener(path, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}{path}")
        return page

    yield opener
    for context in contexts:
        context.close()


@VIEWPORTS
def test_duties_are_a_bulleted_list_with_the_nested_list_indented(
    open_page, demo_postings, viewport
):
    page = open_page("/en/occupations/parole-officer/", viewport)
    main = page.locator("main")
    duties = page.locator("#duties ul.duties").first
    duty = duties.locator(":scope > li").first
    nested = duties.locator(":scope > li > ul").first
    nested_duty = nested.locator(":scope > li").first

    assert computed(duties, "list-style-type") == "disc"
    assert computed(nested, "list-style-type") == "circle"
    # The bullets sit in the list's indentation, inside the text column, not in the margin...
    assert left(duties) >= left(main)
    assert left(duty) - left(main) >= 16
    # ...and a nested list is indented under its item.
    assert left(nested_duty) - left(duty) >= 16
    assert computed(page.locator("#where ul"), "list-style-type") == "disc"
    # Menus, "On this page" and cards stay bare.
    assert computed(page.locator(".site-nav ul"), "list-style-type") == "none"
    assert computed(page.locator(".on-this-page ul"), "list-style-type") == "none"
    assert computed(page.locator("#apply ul.card-list").first, "list-style-type") == "none"


def test_a_postings_qualifications_are_bulleted_and_its_questions_numbered(
    open_page, demo_postings
):
    posting = JobPosting.objects.open().filter(screening_questions__isnull=False).first()
    page = open_page(posting.get_absolute_url(), PHONE)

    qualifications = page.locator("#essential-heading ~ ul").first
    assert computed(qualifications, "list-style-type") == "disc"
    assert left(qualifications.locator("li").first) - left(page.locator("main")) >= 16
    questions = page.locator("#questions-heading ~ ol")
    assert computed(questions, "list-style-type") == "decimal"
    # The locations in the facts stay a plain list.
    assert computed(page.locator(".facts ul.plain"), "list-style-type") == "none"


def test_on_a_phone_a_posting_shows_its_closing_date_and_apply_button_first(
    open_page, demo_postings
):
    posting = JobPosting.objects.open().first()
    page = open_page(posting.get_absolute_url(), PHONE)

    apply_links = page.get_by_role("link", name="Apply online")
    expect(apply_links).to_have_count(2)
    first = apply_links.first
    expect(first).to_be_visible()
    assert top(first) < FIRST_SCREEN, "the Apply button is below a phone's first screen"
    closing = page.locator("main time").first
    expect(closing).to_contain_text("23:59")
    assert top(closing) < top(first) + 100
    # The other Apply button is still at the end, after the qualifications.
    end = page.locator("#apply").get_by_role("link", name="Apply online")
    assert top(end) > top(page.locator("#essential-heading"))
    assert first.get_attribute("href") == end.get_attribute("href")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], "the posting scrolls sideways on a phone"


@pytest.mark.parametrize(
    "path, summary",
    [
        # tenure is one of the "More filters": that disclosure opens when it is used.
        ("/en/postings/?tenure=term&sort=salary", "Filter job postings"),
        ("/en/occupations/?stream=case-management-and-programs", "Filter occupations"),
    ],
)
def test_on_a_phone_the_results_come_before_the_filters(open_page, demo_postings, path, summary):
    page = open_page(path, PHONE)

    first_result = page.locator(".results .card").first
    expect(first_result).to_be_visible()
    assert top(first_result) < FIRST_SCREEN, "the first result is below a phone's first screen"
    apply_filters = page.get_by_role("button", name="Apply filters")
    expect(apply_filters).to_be_hidden()

    page.locator("summary", has_text=summary).click()

    expect(apply_filters).to_be_visible()
    expect(page.get_by_label("Keyword")).to_be_visible()


def test_beside_the_results_on_a_wide_screen_the_filters_are_open(open_page, demo_postings):
    page = open_page("/en/postings/?tenure=term&sort=salary", DESKTOP)

    keyword = page.get_by_label("Keyword")
    expect(keyword).to_be_visible()
    expect(page.get_by_label("Tenure")).to_be_visible()
    expect(page.locator("summary", has_text="Filter job postings")).to_be_hidden()
    first_result = page.locator(".results .card").first
    assert left(keyword) < left(first_result)
    assert abs(top(page.locator("#filters-heading")) - top(page.locator("#results-heading"))) < 40


def content_pages() -> list[tuple[str, list[str], str]]:
    """Return (path, breadcrumb parents after Canada.ca, date modified) of each content page."""
    open_posting = JobPosting.objects.open().first()
    closed_posting = JobPosting.objects.closed().first()
    postings = reverse("positions:posting-list")
    occupations = reverse("positions:occupation-list")
    home = reverse("home")
    revised = CONTENT_REVISED.isoformat()
    return [
        (home, [], revised),
        (reverse("positions:about"), [home], revised),
        (occupations, [home], revised),
        (
            reverse("positions:occupation-detail", args=["parole-officer"]),
            [home, occupations],
            revised,
        ),
        (postings + "?q=parole", [home], revised),
        (open_posting.get_absolute_url(), [home, postings], day(open_posting.updated_at)),
        (closed_posting.get_absolute_url(), [home, postings], day(closed_posting.updated_at)),
    ]


def day(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


BREADCRUMB_LABEL = {"en": "Breadcrumb", "fr": "Chemin de navigation"}
CANADA_CA = {"en": "https://www.canada.ca/en.html", "fr": "https://www.canada.ca/fr.html"}
DATE_MODIFIED = {"en": "Date modified:", "fr": "Date de modification :"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_content_pages_have_canada_ca_breadcrumbs_and_a_date_modified(
    page, live_server, demo_postings, language
):
    with translation.override(language):
        pages = content_pages()
    for path, parents, modified_on in pages:
        page.goto(f"{live_server.url}{path}")
        trail = page.get_by_role("navigation", name=BREADCRUMB_LABEL[language])
        expect(trail).to_be_visible()
        # The items are the component's children, shown in its navigation landmark.
        links = page.locator("gcds-breadcrumbs").get_by_role("link")
        expect(links).to_have_count(1 + len(parents))
        hrefs = [link.get_attribute("href") for link in links.all()]
        assert hrefs == [CANADA_CA[language], *parents], path
        # The trail sits in the header, above the page's title.
        assert top(trail) < top(page.locator("h1"))

        modified = page.locator("main gcds-date-modified")
        expect(modified).to_be_visible()
        expect(modified).to_contain_text(DATE_MODIFIED[language])
        expect(modified).to_contain_text(modified_on)
        # The last thing in <main>, after the content.
        assert top(modified) > top(page.locator("main h2").last)


def test_back_to_results_returns_to_the_same_search_in_either_language(open_page, demo_postings):
    search = "/en/postings/?q=parole&region=ontario&sort=salary"
    page = open_page(search)
    page.locator(".results .card h3 a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.get_by_role("link", name="Back to search results").click()

    expect(page).to_have_url(re.compile(re.escape(search) + "$"))
    expect(page.get_by_label("Keyword")).to_have_value("parole")

    page.locator(".results .card h3 a").first.click()
    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator(".back-link a").click()
    expect(page).to_have_url(re.compile(re.escape(search.replace("/en/", "/fr/")) + "$"))
