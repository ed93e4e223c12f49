"""Postings where job seekers look: the job-board XML feed, the open-data JSON feed, the sitemap,
and postings leaving them all at the moment they close."""

import datetime
import email.utils
import json
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.roles import HR_ADMINISTRATORS
from positions.models import (
    JobPosting,
    LanguageRequirement,
    QuestionKind,
    Tenure,
    WhoCanApply,
    posting_today,
)
from tests.applications.factories import staff_in
from tests.factories import (
    FacilityFactory,
    JobPostingFactory,
    OccupationFactory,
    ProvinceFactory,
    RegionFactory,
)
from tests.positions.test_posting_admin import change_form_data

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Vancouver")
NBSP = "\N{NO-BREAK SPACE}"


def job_board_url(language: str) -> str:
    return f"/{language}/postings/jobs.xml"


def open_data_url(language: str) -> str:
    return f"/{language}/postings/postings.json"


@pytest.fixture
def places():
    """Kingston (Ontario) and Moncton (New Brunswick), named in both languages."""
    ontario = RegionFactory(slug="ontario", name_en="Ontario", name_fr="Ontario")
    atlantic = RegionFactory(slug="atlantic", name_en="Atlantic", name_fr="Atlantique")
    kingston = FacilityFactory(
        slug="kingston-parole-office",
        name_en="Kingston Parole Office",
        name_fr="Bureau de libération conditionnelle de Kingston",
        city_en="Kingston",
        city_fr="Kingston",
        province=ProvinceFactory(code="ON", region=ontario),
    )
    moncton = FacilityFactory(
        slug="moncton-parole-office",
        name_en="Moncton Parole Office",
        name_fr="Bureau de libération conditionnelle de Moncton",
        city_en="Moncton",
        city_fr="Moncton",
        province=ProvinceFactory(code="NB", name="New Brunswick", region=atlantic),
    )
    return kingston, moncton


@pytest.fixture
def parole_officer(places):
    """An open posting at Kingston, with its texts in both languages."""
    today = posting_today()
    return JobPostingFactory(
        reference_number="CSC-26-WP-0142",
        title_en="Parole officer",
        title_fr="Agent de libération conditionnelle",
        occupation=OccupationFactory(
            title_en="Parole officer", title_fr="Agent de libération conditionnelle"
        ),
        work_description_en="Supervise offenders on parole in Kingston.",
        work_description_fr="Surveiller des délinquants en liberté conditionnelle à Kingston.",
        tenure=Tenure.INDETERMINATE,
        salary_min=80_000,
        salary_max=97_000,
        language_requirement=LanguageRequirement.BILINGUAL_IMPERATIVE,
        language_profile="BBB/BBB",
        positions_to_fill=3,
        open_date=today - datetime.timedelta(days=3),
        closing_date=today + datetime.timedelta(days=20),
        locations=[places[0]],
    )


@pytest.fixture
def postings_not_open(places):
    """A posting in each state that is not open, each with a reference number naming it."""
    today = posting_today()
    yesterday = today - datetime.timedelta(days=1)
    JobPostingFactory(reference_number="DRAFT-1", published_at=None)
    JobPostingFactory(reference_number="SCHEDULED-1", open_date=today + datetime.timedelta(days=2))
    JobPostingFactory(
        reference_number="CLOSED-1",
        open_date=today - datetime.timedelta(days=30),
        closing_date=yesterday,
    )
    JobPostingFactory(reference_number="CLOSED-EARLY-1", closed_early_at=timezone.now())
    JobPostingFactory(
        reference_number="ARCHIVED-1",
        open_date=today - datetime.timedelta(days=30),
        closing_date=yesterday,
        archived_at=timezone.now(),
    )


def jobs(client, language: str) -> list[ET.Element]:
    response = client.get(job_board_url(language))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    source = ET.fromstring(response.content)
    assert source.tag == "source"
    return source.findall("job")


def fields(job: ET.Element) -> dict[str, str]:
    return {child.tag: child.text for child in job}


# --- The job-board (Indeed) XML feed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "title": "Parole officer",
                "url": "http://testserver/en/postings/CSC-26-WP-0142/",
                "company": "Correctional Service of Canada",
                "description": "Supervise offenders on parole in Kingston.",
                "salary": "$80,000 – $97,000 per year",
            },
        ),
        (
            "fr",
            {
                "title": "Agent de libération conditionnelle",
                "url": "http://testserver/fr/postings/CSC-26-WP-0142/",
                "company": "Service correctionnel du Canada",
                "description": "Surveiller des délinquants en liberté conditionnelle à Kingston.",
                "salary": f"80{NBSP}000{NBSP}$ – 97{NBSP}000{NBSP}$ par année",
            },
        ),
    ],
)
def test_the_job_board_feed_carries_indeed_fields_in_each_language(
    client, parole_officer, language, expected
):
    (job,) = jobs(client, language)

    values = fields(job)
    date = email.utils.parsedate_to_datetime(values.pop("date"))
    expiration = email.utils.parsedate_to_datetime(values.pop("expirationdate"))
    assert values == {
        **expected,
        "referencenumber": "CSC-26-WP-0142/kingston-parole-office",
        "requisitionid": "CSC-26-WP-0142",
        "city": "Kingston",
        "state": "ON",
        "country": "CA",
        "jobtype": "fulltime",
    }
    # It opened at the start of its open date and closes at 23:59:59 on its closing date, Pacific.
    assert date == datetime.datetime.combine(parole_officer.open_date, datetime.time(0), PACIFIC)
    assert expiration == datetime.datetime.combine(
        parole_officer.closing_date, datetime.time(23, 59, 59), PACIFIC
    )
    assert "postalcode" not in values  # facilities keep none


def test_the_job_board_feed_names_its_publisher(client, parole_officer):
    response = client.get(job_board_url("fr"))

    source = ET.fromstring(response.content)
    assert source.findtext("publisher") == "Carrières au SCC"
    assert source.findtext("publisherurl") == "http://testserver/fr/"
    built = email.utils.parsedate_to_datetime(source.findtext("lastBuildDate"))
    assert abs(built - timezone.now()) < datetime.timedelta(minutes=1)


def test_the_job_board_feed_lists_open_postings_only_one_job_per_place(
    client, places, parole_officer, postings_not_open
):
    kingston, moncton = places
    JobPostingFactory(reference_number="CSC-26-WP-0200", locations=[kingston, moncton])

    listed = [fields(job) for job in jobs(client, "en")]

    # Indeed: "The same job posted in multiple locations must have a unique" reference number.
    assert sorted((job["referencenumber"], job["city"], job["state"]) for job in listed) == [
        ("CSC-26-WP-0142/kingston-parole-office", "Kingston", "ON"),
        ("CSC-26-WP-0200/kingston-parole-office", "Kingston", "ON"),
        ("CSC-26-WP-0200/moncton-parole-office", "Moncton", "NB"),
    ]
    assert {job["requisitionid"] for job in listed} == {"CSC-26-WP-0142", "CSC-26-WP-0200"}


@pytest.mark.parametrize(
    ("tenure", "job_type"),
    [
        (Tenure.INDETERMINATE, "fulltime"),
        (Tenure.CASUAL, "temporary"),
        (Tenure.STUDENT, "internship"),
    ],
)
def test_the_job_type_follows_the_tenure(client, tenure, job_type):
    JobPostingFactory(tenure=tenure)

    (job,) = jobs(client, "en")

    assert job.findtext("jobtype") == job_type


def test_text_that_ends_cdata_or_looks_like_markup_survives_intact(client):
    title = "Cook ]]> <script>alert('x')</script> & <b>chef</b>"
    JobPostingFactory(
        title_en=title,
        work_description_en="Line one ]]>]]> two.\n\nA <p> & an &amp; stay as typed.\x0b",
    )

    (job,) = jobs(client, "en")

    assert job.findtext("title") == title
    # The vertical tab cannot be written in XML at all: it is left out, the rest kept.
    assert job.findtext("description") == (
        "Line one ]]>]]> two.\n\nA <p> & an &amp; stay as typed."
    )


# --- The open-data JSON feed ------------------------------------------------------------------


def open_data(client, language: str) -> dict:
    response = client.get(open_data_url(language))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "en",
            {
                "tenure": "Indeterminate (permanent)",
                "language_requirement": "Bilingual imperative",
                "who_can_apply": "Open to the public",
                "license": "Open Government Licence – Canada",
                "license_url": "https://open.canada.ca/en/open-government-licence-canada",
            },
        ),
        (
            "fr",
            {
                "tenure": "Durée indéterminée (permanent)",
                "language_requirement": "Bilingue impératif",
                "who_can_apply": "Ouvert au public",
                "license": "Licence du gouvernement ouvert – Canada",
                "license_url": "https://ouvert.canada.ca/fr/licence-du-gouvernement-ouvert-canada",
            },
        ),
    ],
)
def test_the_open_data_feed_carries_both_languages_whatever_its_language(
    client, parole_officer, language, labels
):
    data = open_data(client, language)

    parole_officer.refresh_from_db()
    generated = datetime.datetime.fromisoformat(data.pop("generated"))
    assert abs(generated - timezone.now()) < datetime.timedelta(minutes=1)
    assert data == {
        "version": 1,
        "language": language,
        "license": {"name": labels["license"], "url": labels["license_url"]},
        "postings": [
            {
                "id": "CSC-26-WP-0142",
                "url_en": "http://testserver/en/postings/CSC-26-WP-0142/",
                "url_fr": "http://testserver/fr/postings/CSC-26-WP-0142/",
                "title_en": "Parole officer",
                "title_fr": "Agent de libération conditionnelle",
                "occupation_en": "Parole officer",
                "occupation_fr": "Agent de libération conditionnelle",
                "classification": "WP-04",
                "tenure": {"value": "indeterminate", "label": labels["tenure"]},
                "salary_min": 80_000,
                "salary_max": 97_000,
                "language_requirement": {
                    "value": "bilingual-imperative",
                    "label": labels["language_requirement"],
                },
                "open_date": parole_officer.open_date.isoformat(),
                "closing_date": parole_officer.closing_date.isoformat(),
                "closes_at": datetime.datetime.combine(
                    parole_officer.closing_date, datetime.time(23, 59, 59), PACIFIC
                ).isoformat(),
                "places": [
                    {
                        "facility_en": "Kingston Parole Office",
                        "facility_fr": "Bureau de libération conditionnelle de Kingston",
                        "city_en": "Kingston",
                        "city_fr": "Kingston",
                        "province": "ON",
                        "region": "ontario",
                        "region_en": "Ontario",
                        "region_fr": "Ontario",
                    }
                ],
                "who_can_apply": {"value": "public", "label": labels["who_can_apply"]},
                "positions_to_fill": 3,
                "updated": data["postings"][0]["updated"],
            }
        ],
    }
    updated = datetime.datetime.fromisoformat(data["postings"][0]["updated"])
    assert updated == parole_officer.updated_at


def test_the_open_data_feed_lists_open_postings_only_by_their_reference_number(
    client, places, parole_officer, postings_not_open
):
    JobPostingFactory(
        reference_number="CSC-26-CX-0001",
        eligibility=WhoCanApply.AREA,
        area_of_selection="Employees of CSC in Ontario.",
        locations=list(places),
    )

    postings = open_data(client, "en")["postings"]

    assert [p["id"] for p in postings] == ["CSC-26-CX-0001", "CSC-26-WP-0142"]
    assert [place["city_en"] for place in postings[0]["places"]] == ["Kingston", "Moncton"]
    assert postings[0]["who_can_apply"] == {"value": "area", "label": "Area of selection"}


@pytest.mark.usefixtures("uncached_pages")
@pytest.mark.parametrize("url", [job_board_url("en"), open_data_url("fr")])
def test_the_feeds_ask_as_many_queries_for_30_postings_as_for_3(client, url):
    def queries_for(count: int) -> int:
        JobPosting.objects.all().delete()
        for _ in range(count):
            JobPostingFactory(locations=FacilityFactory.create_batch(2))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    few = queries_for(3)
    assert queries_for(30) == few <= 3


def test_the_postings_page_links_to_the_open_data_feed(client):
    content = client.get(reverse("positions:posting-list")).content.decode()

    assert (
        '<link rel="alternate" type="application/json" '
        'title="Open job postings at CSC (open data)" href="/en/postings/postings.json">'
    ) in content
    assert 'href="/en/postings/postings.json" type="application/json">Open data (JSON)</a>' in (
        content
    )


@pytest.mark.parametrize("url", [job_board_url("en"), open_data_url("en")])
def test_the_feeds_are_cached_like_the_other_public_pages_until_hr_changes_a_posting(
    client, parole_officer, url
):
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"

    parole_officer.title_en = "Senior parole officer"
    parole_officer.save()

    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Senior parole officer" in response.content.decode()


# --- The sitemap ------------------------------------------------------------------------------


def sitemap_lastmod(client, reference: str) -> str:
    root = ET.fromstring(client.get("/sitemap.xml").content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    (lastmod,) = {
        url.findtext("s:lastmod", namespaces=namespace)
        for url in root.findall("s:url", namespace)
        if f"/postings/{reference}/" in url.findtext("s:loc", namespaces=namespace)
    }
    return lastmod


def test_the_sitemap_lastmod_is_the_postings_last_change(client, parole_officer):
    JobPosting.objects.filter(pk=parole_officer.pk).update(
        updated_at=datetime.datetime(2026, 3, 14, 12, tzinfo=datetime.UTC)
    )

    assert sitemap_lastmod(client, "CSC-26-WP-0142") == "2026-03-14"


@pytest.mark.parametrize(
    "edit",
    [
        lambda data: data.update({"qualifications-0-text_en": "A degree in criminology."}),
        lambda data: data.update({"screening_questions-0-text_en": "Do you drive a truck?"}),
    ],
    ids=["qualification", "screening question"],
)
def test_editing_only_an_inline_in_the_admin_moves_the_sitemap_lastmod(
    client, django_user_model, parole_officer, edit
):
    parole_officer.screening_questions.create(
        kind=QuestionKind.YES_NO, text_en="Do you drive?", text_fr="Conduisez-vous?"
    )
    JobPosting.objects.filter(pk=parole_officer.pk).update(
        updated_at=datetime.datetime(2026, 3, 14, 12, tzinfo=datetime.UTC)
    )
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    url = reverse("admin:positions_jobposting_change", args=[parole_officer.pk])
    data = change_form_data(client.get(url))
    edit(data)

    assert client.post(url, data).status_code == 302

    client.logout()
    parole_officer.refresh_from_db()
    assert timezone.now() - parole_officer.updated_at < datetime.timedelta(minutes=1)
    today = timezone.localdate(parole_officer.updated_at)
    assert sitemap_lastmod(client, "CSC-26-WP-0142") == today.isoformat()


# --- Closing and opening at midnight Pacific, cached pages included ---------------------------


@pytest.mark.parametrize(
    "url",
    [
        job_board_url("en"),
        open_data_url("fr"),
        "/en/postings/",
        "/en/postings/feed/",
        "/sitemap.xml",
    ],
)
def test_a_posting_leaves_cached_pages_at_the_moment_it_closes(client, settings, monkeypatch, url):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    closing_day = posting_today() + datetime.timedelta(days=10)
    JobPostingFactory(
        reference_number="CLOSING-TONIGHT",
        title_en="Closing tonight",
        title_fr="Ferme ce soir",
        open_date=closing_day - datetime.timedelta(days=5),
        closing_date=closing_day,
    )
    JobPostingFactory(
        reference_number="OPENING-TOMORROW",
        title_en="Opening tomorrow",
        title_fr="Ouvre demain",
        open_date=closing_day + datetime.timedelta(days=1),
        closing_date=closing_day + datetime.timedelta(days=20),
    )

    def at(*clock) -> str:
        moment = datetime.datetime.combine(closing_day, datetime.time(*clock), PACIFIC)
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(datetime.UTC))
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    before = at(23, 59, 58)
    assert "CLOSING-TONIGHT" in before and "OPENING-TOMORROW" not in before
    assert at(23, 59, 59) == before  # still open, and the page is the one cached

    midnight = datetime.datetime.combine(closing_day + datetime.timedelta(days=1), datetime.time())
    monkeypatch.setattr(timezone, "now", lambda: midnight.replace(tzinfo=PACIFIC))
    after = client.get(url).content.decode()

    assert "CLOSING-TONIGHT" not in after
    assert "OPENING-TOMORROW" in after
