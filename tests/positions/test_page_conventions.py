"""Canada.ca conventions on every page: forms with an action, breadcrumbs, date modified,
"Back to results" that keeps the search (and goes nowhere else), sharing without scripts."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from positions.templatetags.site_tags import CONTENT_REVISED
from tests.applications.factories import ApplicationFactory
from tests.factories import JobPostingFactory, make_full_occupation

pytestmark = pytest.mark.django_db

FORM_TAG = re.compile(r"<form\b[^>]*>")


def public_paths() -> list[str]:
    """Return one URL of each public page type that shows a form or a layout of its own."""
    posting = JobPostingFactory()
    occupation = make_full_occupation()
    application = ApplicationFactory(posting=posting)
    return [
        reverse("home"),
        reverse("positions:occupation-list"),
        reverse("positions:occupation-list") + "?q=officer",
        occupation.get_absolute_url(),
        reverse("positions:posting-list"),
        reverse("positions:posting-list") + "?q=posting&sort=salary",
        posting.get_absolute_url(),
        reverse("positions:about"),
        reverse("applications:apply", args=[posting.reference_number]),
        reverse("applications:status-link"),
        application.get_absolute_url(),
        reverse("applications:withdraw", args=[application.status_token]),
        reverse("home") + "no-such-page/",
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_has_a_form_with_an_empty_action(client, language):
    forms_seen = 0
    with translation.override(language):
        paths = public_paths()
    for path in paths:
        content = client.get(path).content.decode()
        assert 'action=""' not in content, path
        for tag in FORM_TAG.findall(content):
            forms_seen += 1
            action = re.search(r'\saction="([^"]*)"', tag)
            assert action and action.group(1), f"{path}: {tag}"
    assert forms_seen >= 6  # the filters (twice), the home search, apply, status link, withdraw


@pytest.mark.parametrize(
    "name, parents",
    [
        ("home", []),
        ("positions:posting-list", ["/en/"]),
        ("positions:occupation-list", ["/en/"]),
        ("positions:about", ["/en/"]),
    ],
)
def test_breadcrumbs_list_the_parents_of_the_page(client, name, parents):
    content = client.get(reverse(name)).content.decode()

    trail = re.search(r"<gcds-breadcrumbs [^>]*>(.*?)</gcds-breadcrumbs>", content, re.S)
    assert trail, "no gcds-breadcrumbs"
    # Canada.ca comes first (the component adds it); the page itself is not in its own trail.
    assert re.findall(r'<gcds-breadcrumbs-item href="([^"]+)"', trail.group(1)) == parents


def test_a_posting_and_an_occupation_name_their_list_in_the_breadcrumbs(client):
    posting = JobPostingFactory()
    occupation = make_full_occupation()

    posting_page = client.get(posting.get_absolute_url()).content.decode()
    occupation_page = client.get(occupation.get_absolute_url()).content.decode()

    assert re.findall(r'<gcds-breadcrumbs-item href="([^"]+)"', posting_page) == [
        "/en/",
        "/en/postings/",
    ]
    assert re.findall(r'<gcds-breadcrumbs-item href="([^"]+)"', occupation_page) == [
        "/en/",
        "/en/occupations/",
    ]


def date_modified(content: str) -> str:
    found = re.findall(r"<gcds-date-modified>\s*([^<]*?)\s*</gcds-date-modified>", content)
    assert len(found) == 1, found
    return found[0]


def test_a_posting_is_dated_by_its_last_change_and_other_pages_by_the_content(client):
    posting = JobPostingFactory()
    last_change = timezone.make_aware(datetime.datetime(2026, 10, 2, 12, 0))
    type(posting).objects.filter(pk=posting.pk).update(updated_at=last_change)
    occupation = make_full_occupation()

    assert date_modified(client.get(posting.get_absolute_url()).content.decode()) == "2026-10-02"
    for path in (
        occupation.get_absolute_url(),
        reverse("positions:occupation-list"),
        reverse("positions:posting-list"),
        reverse("positions:about"),
        reverse("home"),
    ):
        content = client.get(path).content.decode()
        assert date_modified(content) == CONTENT_REVISED.isoformat(), path
        # Inside <main>, after the content: between the body of the page and the footer.
        assert content.index("<gcds-date-modified>") < content.index("</main>")


def back_link(content: str) -> str | None:
    found = re.search(r'<p class="back-link"><a href="([^"]*)"', content)
    return found.group(1).replace("&amp;", "&") if found else None


def test_back_to_results_returns_to_the_search_the_posting_was_opened_from(client):
    posting = JobPostingFactory(title="Parole officer")
    search = client.get(reverse("positions:posting-list"), {"q": "parole", "sort": "salary"})

    card_link = re.search(r'<h3><a href="([^"]+)">Parole officer</a>', search.content.decode())
    detail = client.get(card_link.group(1).replace("&amp;", "&"))

    assert back_link(detail.content.decode()) == "/en/postings/?q=parole&sort=salary"
    # The same posting reached another way has no "Back to results" link.
    assert back_link(client.get(posting.get_absolute_url()).content.decode()) is None


def test_back_to_results_follows_the_language_of_the_page(client):
    posting = JobPostingFactory()
    with translation.override("fr"):
        french_url = posting.get_absolute_url()

    response = client.get(french_url, {"back": "/en/postings/?region=ontario&page=2"})

    assert back_link(response.content.decode()) == "/fr/postings/?region=ontario&page=2"


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/en/postings/",
        "//evil.example/en/postings/?q=parole",
        "/\\evil.example/en/postings/",
        "javascript:alert(1)//en/postings/",
        "/en/occupations/?q=parole",
        "/en/postings/CSC-26-TEST-0001/",
        "/en/admin/",
        "en/postings/",
        "/en/postings/?" + "q=x&" * 2000,
    ],
)
def test_back_to_results_leads_only_to_the_postings_list_of_this_site(client, back):
    posting = JobPostingFactory()

    response = client.get(posting.get_absolute_url(), {"back": back})

    assert response.status_code == 200
    content = response.content.decode()
    assert back_link(content) is None
    assert not re.search(r'href="[^"]*(//|\\)evil', content)


def test_back_to_results_passes_only_the_search_itself(client):
    posting = JobPostingFactory()
    back = '/en/postings/?q="><script>alert(1)</script>&back=/en/postings/?q=loop'

    response = client.get(posting.get_absolute_url(), {"back": back})

    link = back_link(response.content.decode())
    assert link.startswith("/en/postings/?q=")
    assert "<script>" not in link and "back=" not in link
    assert parse_qs(urlsplit(link).query) == {"q": ['"><script>alert(1)</script>']}


def test_a_posting_can_be_shared_by_e_mail_without_any_other_sites_script(client):
    posting = JobPostingFactory(title="Parole officer", reference_number="CSC-26-WP-0142")

    content = client.get(posting.get_absolute_url(), {"back": "/en/postings/"}).content.decode()

    share = re.search(r'<a href="(mailto:[^"]+)">Share this job posting by e-mail</a>', content)
    assert share, "no share link"
    fields = parse_qs(urlsplit(share.group(1).replace("&amp;", "&")).query)
    assert "Parole officer" in fields["subject"][0]
    # The posting's own address, without the search it was opened from.
    assert "http://testserver/en/postings/CSC-26-WP-0142/" in fields["body"][0].split()
    assert "back=" not in fields["body"][0]
    scripts = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', content)
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts


def test_an_occupation_names_no_video_it_cannot_link_to(client):
    # The catalogue's videos are titles from CSC's pages with no address: no list of dead titles.
    occupation = make_full_occupation()
    assert not occupation.videos.exclude(url="").exists()

    content = client.get(occupation.get_absolute_url()).content.decode()

    assert "Meet someone" not in content
    assert "Videos about this work" not in content
