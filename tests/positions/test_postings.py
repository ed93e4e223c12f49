"""Job postings: state from dates, search and filters, detail, JSON-LD, feed and sitemap."""

import datetime
import json
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from positions.models import JobPosting, PostingState, Tenure, posting_today
from tests.factories import (
    CareerStreamFactory,
    FacilityFactory,
    JobPostingFactory,
    OccupationFactory,
    ProvinceFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("positions:posting-list")
PACIFIC = ZoneInfo("America/Vancouver")


def frozen(moment: datetime.datetime):
    """Pretend it is `moment` (aware) for everything that asks django.utils.timezone.now()."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def days(n: int) -> datetime.date:
    return posting_today() + datetime.timedelta(days=n)


def references(response):
    return [posting.reference_number for posting in response.context["postings"]]


# --- State -----------------------------------------------------------------------------------


def test_state_follows_decisions_and_the_clock():
    draft = JobPostingFactory(published_at=None)
    scheduled = JobPostingFactory(open_date=days(2), closing_date=days(10))
    open_ = JobPostingFactory()
    closed = JobPostingFactory(open_date=days(-20), closing_date=days(-1))
    closed_early = JobPostingFactory(closed_early_at=timezone.now())
    archived = JobPostingFactory(archived_at=timezone.now())

    expected = {
        draft.pk: PostingState.DRAFT,
        scheduled.pk: PostingState.SCHEDULED,
        open_.pk: PostingState.OPEN,
        closed.pk: PostingState.CLOSED,
        closed_early.pk: PostingState.CLOSED,
        archived.pk: PostingState.ARCHIVED,
    }
    annotated = dict(JobPosting.objects.with_state().values_list("pk", "current_state"))
    assert annotated == expected
    assert {p.pk: p.state for p in JobPosting.objects.all()} == expected
    assert list(JobPosting.objects.open()) == [open_]
    assert list(JobPosting.objects.scheduled()) == [scheduled]
    assert set(JobPosting.objects.closed()) == {closed, closed_early}


def test_a_scheduled_posting_opens_on_its_open_date_by_itself():
    opens = datetime.date(2026, 12, 1)
    posting = JobPostingFactory(open_date=opens, closing_date=datetime.date(2026, 12, 15))

    with frozen(datetime.datetime(2026, 11, 30, 23, 59, tzinfo=PACIFIC)):
        assert posting.state == PostingState.SCHEDULED
        assert not JobPosting.objects.open().exists()
    with frozen(datetime.datetime(2026, 12, 1, 0, 0, 1, tzinfo=PACIFIC)):
        assert posting.state == PostingState.OPEN
        assert list(JobPosting.objects.open()) == [posting]


def test_a_posting_closes_at_2359_pacific_time_on_its_closing_date():
    posting = JobPostingFactory(
        open_date=datetime.date(2026, 12, 1), closing_date=datetime.date(2026, 12, 15)
    )
    # 02:30 in Toronto on the 16th is still 23:30 on the 15th in Vancouver.
    with frozen(datetime.datetime(2026, 12, 16, 2, 30, tzinfo=ZoneInfo("America/Toronto"))):
        assert posting.is_open
        assert JobPosting.objects.open().count() == 1
    with frozen(datetime.datetime(2026, 12, 16, 0, 0, 1, tzinfo=PACIFIC)):
        assert posting.state == PostingState.CLOSED
        assert not JobPosting.objects.open().exists()
    assert posting.closes_at == datetime.datetime(2026, 12, 15, 23, 59, 59, tzinfo=PACIFIC)


def test_publish_needs_an_essential_qualification_and_a_location():
    posting = JobPostingFactory(published_at=None, locations=[], qualifications=[])

    with pytest.raises(Exception, match="at least one essential qualification") as refused:
        posting.publish()
    assert "at least one location" in str(refused.value)
    posting.refresh_from_db()
    assert posting.published_at is None


def test_model_validation_gives_clear_messages():
    posting = JobPostingFactory.build(
        occupation=OccupationFactory(),
        salary_min=90_000,
        salary_max=80_000,
        open_date=days(5),
        closing_date=days(1),
        tenure=Tenure.TERM,
        language_requirement="bilingual-imperative",
        eligibility="area",
    )
    with pytest.raises(Exception) as raised:
        posting.full_clean()
    errors = raised.value.message_dict
    assert errors["term_months"] == ["Give the length of the term in months."]
    assert errors["language_profile"] == ["Bilingual positions need a language profile."]
    assert errors["area_of_selection"] == ["Say who can apply."]
    assert "The minimum salary cannot be above the maximum." in errors["__all__"]
    assert "The closing date cannot be before the open date." in errors["__all__"]


# --- The public list --------------------------------------------------------------------------


def test_only_open_postings_are_listed(client):
    JobPostingFactory(reference_number="OPEN-1")
    JobPostingFactory(reference_number="DRAFT-1", published_at=None)
    JobPostingFactory(reference_number="SOON-1", open_date=days(3), closing_date=days(9))
    JobPostingFactory(reference_number="PAST-1", open_date=days(-9), closing_date=days(-1))

    assert references(client.get(LIST_URL)) == ["OPEN-1"]


def test_full_text_search_ranks_title_matches_first_and_stems_words(client):
    JobPostingFactory(
        reference_number="DESC",
        title="Program officer",
        work_description="Prepare reports for the parole board.",
    )
    JobPostingFactory(reference_number="TITLE", title="Parole officer")
    JobPostingFactory(reference_number="NONE", title="Cook")

    response = client.get(LIST_URL, {"q": "paroles"})

    assert references(response) == ["TITLE", "DESC"]


def test_a_card_names_each_town_once(client):
    on = ProvinceFactory(code="ON")
    kingston = [FacilityFactory(city="Kingston", province=on) for _ in range(2)]
    ottawa = FacilityFactory(city="Ottawa", province=on)
    JobPostingFactory(locations=[*kingston, ottawa])

    content = client.get(LIST_URL).content.decode()

    assert "<dd>Kingston (ON), Ottawa (ON)</dd>" in content


def test_location_filters_do_not_duplicate_postings_with_several_places(client):
    ontario = RegionFactory(slug="ontario")
    on = ProvinceFactory(code="ON", region=ontario)
    qc = ProvinceFactory(code="QC", name="Quebec", region=RegionFactory(slug="quebec"))
    kingston = FacilityFactory(slug="kingston-po", province=on)
    ottawa = FacilityFactory(slug="ottawa-po", province=on, city="Ottawa")
    montreal = FacilityFactory(slug="montreal-po", province=qc, city="Montréal")
    JobPostingFactory(reference_number="ON-2", locations=[kingston, ottawa])
    JobPostingFactory(reference_number="QC-1", locations=[montreal])

    assert references(client.get(LIST_URL, {"region": "ontario"})) == ["ON-2"]
    assert references(client.get(LIST_URL, {"province": "QC"})) == ["QC-1"]
    assert references(client.get(LIST_URL, {"location": "ottawa-po"})) == ["ON-2"]


def test_stream_occupation_classification_tenure_language_filters(client):
    stream = CareerStreamFactory(slug="programs")
    teacher = OccupationFactory(slug="teacher", stream=stream)
    JobPostingFactory(
        reference_number="ED",
        occupation=teacher,
        classification_group="ED",
        classification_level="EDS",
        tenure=Tenure.TERM,
        term_months=12,
        language_requirement="french-essential",
    )
    JobPostingFactory(reference_number="WP")

    for query in (
        {"stream": "programs"},
        {"occupation": "teacher"},
        {"classification": "ED"},
        {"tenure": "term"},
        {"language": "french-essential"},
    ):
        assert references(client.get(LIST_URL, query)) == ["ED"], query


def test_minimum_salary_and_closing_within(client):
    JobPostingFactory(reference_number="LOW", salary_min=50_000, salary_max=60_000)
    JobPostingFactory(
        reference_number="HIGH", salary_min=90_000, salary_max=110_000, closing_date=days(40)
    )

    assert references(client.get(LIST_URL, {"salary": "100000"})) == ["HIGH"]
    assert references(client.get(LIST_URL, {"closing_within": "30"})) == ["LOW"]


def test_sort_orders(client):
    JobPostingFactory(
        reference_number="A",
        salary_min=60_000,
        salary_max=70_000,
        open_date=days(-1),
        closing_date=days(30),
    )
    JobPostingFactory(
        reference_number="B", salary_max=99_000, open_date=days(-9), closing_date=days(5)
    )
    JobPostingFactory(
        reference_number="C",
        salary_min=60_000,
        salary_max=80_000,
        open_date=days(-5),
        closing_date=days(15),
    )

    assert references(client.get(LIST_URL)) == ["B", "C", "A"]
    assert references(client.get(LIST_URL, {"sort": "newest"})) == ["A", "C", "B"]
    assert references(client.get(LIST_URL, {"sort": "salary"})) == ["B", "C", "A"]


def test_empty_result_suggests_widening_the_search(client):
    JobPostingFactory()

    response = client.get(LIST_URL, {"q": "astronaut"})

    assert references(response) == []
    assert "Choose a whole region" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"salary": "lots"},
        {"salary": "-5"},
        {"closing_within": "9999"},
        {"sort": "random()"},
        {"region": "atlantis"},
        {"q": "!!! & | :* ( ' \""},
        {"q": "x" * 300},
        {"page": "-1"},
    ],
)
def test_malformed_filters_give_the_list_with_an_error_never_a_500(client, query):
    JobPostingFactory()

    response = client.get(LIST_URL, query)

    assert response.status_code == 200
    if "page" not in query and "q" not in query:
        assert "were not understood" in response.content.decode()


def test_a_malformed_filter_is_flagged_and_the_others_still_apply(client):
    ontario = ProvinceFactory(code="ON", region=RegionFactory(slug="ontario"))
    quebec = ProvinceFactory(code="QC", name="Quebec", region=RegionFactory(slug="quebec"))
    JobPostingFactory(reference_number="ON-1", locations=[FacilityFactory(province=ontario)])
    JobPostingFactory(reference_number="QC-1", locations=[FacilityFactory(province=quebec)])

    response = client.get(LIST_URL, {"salary": "abc", "region": "ontario"})

    assert references(response) == ["ON-1"]
    content = response.content.decode()
    assert "were not understood" in content
    assert "Choose a whole region" not in content  # not the "nothing matches" advice
    assert response.context["filter"].form.errors.keys() == {"salary"}


def test_search_operators_are_treated_as_words(client):
    JobPostingFactory(reference_number="PAROLE", title="Parole officer")

    response = client.get(LIST_URL, {"q": "parole & | !"})

    assert response.status_code == 200
    assert references(response) == ["PAROLE"]


@pytest.mark.parametrize("count", [10, 60])
def test_list_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    facilities = FacilityFactory.create_batch(3)
    for _ in range(count):
        JobPostingFactory(locations=facilities)

    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL, {"q": "posting", "region": "ontario"})
    assert response.status_code == 200


# --- Detail -----------------------------------------------------------------------------------


def test_detail_shows_the_poster_and_closes_in(client):
    posting = JobPostingFactory(title="Parole officer", closing_date=days(4))
    posting.qualifications.create(kind="experience", is_asset=True, text="Experience in Cree.")

    response = client.get(posting.get_absolute_url())

    content = response.content.decode()
    assert "Parole officer" in content
    assert "A degree in social sciences." in content
    assert "Experience in Cree." in content
    assert "closes in 4 days" in content
    assert "$80,000 to $97,000 a year" in content


def test_draft_scheduled_and_archived_postings_are_404_for_the_public(client):
    for posting in (
        JobPostingFactory(published_at=None),
        JobPostingFactory(open_date=days(2), closing_date=days(9)),
        JobPostingFactory(archived_at=timezone.now()),
    ):
        assert client.get(posting.get_absolute_url()).status_code == 404


def test_a_closed_posting_says_so_and_offers_similar_open_ones(client):
    closed = JobPostingFactory(title="Old cook job", open_date=days(-30), closing_date=days(-2))
    similar = JobPostingFactory(title="New cook job", occupation=closed.occupation)

    response = client.get(closed.get_absolute_url())

    assert response.status_code == 410
    content = response.content.decode()
    assert "This job posting is closed" in content
    assert similar.get_absolute_url() in content
    assert "A degree in social sciences." not in content


def test_staff_can_preview_a_draft(client, django_user_model):
    draft = JobPostingFactory(published_at=None)
    staff = django_user_model.objects.create_user("hr", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(draft.get_absolute_url()).status_code == 404  # no permission yet

    staff.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename="view_jobposting")
    )
    # Reading postings is not enough: a reviewer previews only the postings assigned to them.
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.reviewers.add(staff)
    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "Preview for HR staff." in response.content.decode()
    assert "application/ld+json" not in response.content.decode()


def test_json_ld_describes_the_posting(client):
    facility = FacilityFactory(city="Kingston")
    posting = JobPostingFactory(
        title="Parole officer",
        reference_number="CSC-26-WP-0001",
        locations=[facility],
        tenure=Tenure.TERM,
        term_months=12,
        open_date=datetime.date(2026, 11, 20),
        closing_date=days(10),
    )

    content = client.get(posting.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    data = json.loads(block.group(1))

    assert data["@type"] == "JobPosting"
    assert data["title"] == "Parole officer"
    assert data["identifier"]["value"] == "CSC-26-WP-0001"
    assert data["datePosted"] == "2026-11-20"
    assert data["validThrough"] == posting.closes_at.isoformat()
    assert data["employmentType"] == ["FULL_TIME", "TEMPORARY"]
    assert data["hiringOrganization"]["name"] == "Correctional Service of Canada"
    assert data["jobLocation"][0]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Kingston",
        "addressRegion": "ON",
        "addressCountry": "CA",
    }
    assert data["baseSalary"]["value"]["minValue"] == 80_000
    assert data["baseSalary"]["value"]["unitText"] == "YEAR"
    assert "<li>A degree in social sciences.</li>" in data["description"]


def test_json_ld_cannot_be_broken_out_of_by_posting_text(client):
    posting = JobPostingFactory(title="</script><script>alert(1)</script>")

    content = client.get(posting.get_absolute_url()).content.decode()

    assert "</script><script>alert(1)" not in content


@pytest.mark.parametrize("qualifications", [1, 8])
def test_detail_query_count_does_not_grow(client, django_assert_max_num_queries, qualifications):
    posting = JobPostingFactory(locations=FacilityFactory.create_batch(qualifications))
    for number in range(qualifications):
        posting.qualifications.create(kind="ability", text=f"Ability {number}")
        posting.screening_questions.create(kind="yes-no", text=f"Question {number}?")

    with django_assert_max_num_queries(10):
        client.get(posting.get_absolute_url())


def test_occupation_page_lists_its_open_postings(client):
    posting = JobPostingFactory(title="Teacher, Bath Institution")
    JobPostingFactory(
        title="Closed teacher job",
        occupation=posting.occupation,
        closing_date=days(-1),
        open_date=days(-9),
    )

    content = client.get(posting.occupation.get_absolute_url()).content.decode()

    assert "Teacher, Bath Institution" in content
    assert "Closed teacher job" not in content


# --- Feed, sitemap, robots --------------------------------------------------------------------


def test_feed_lists_newly_opened_postings_and_filters_by_region(client):
    ontario = RegionFactory(slug="ontario")
    JobPostingFactory(
        title="Kingston job", locations=[FacilityFactory(province=ProvinceFactory(region=ontario))]
    )
    JobPostingFactory(
        title="Moncton job",
        locations=[
            FacilityFactory(
                province=ProvinceFactory(code="NB", region=RegionFactory(slug="atlantic"))
            )
        ],
    )
    JobPostingFactory(title="Draft job", published_at=None)

    everything = client.get(reverse("positions:posting-feed")).content.decode()
    ontario_only = client.get(reverse("positions:posting-feed"), {"region": "ontario"})

    assert "Kingston job" in everything and "Moncton job" in everything
    assert "Draft job" not in everything
    assert "Moncton job" not in ontario_only.content.decode()
    assert ontario_only["Content-Type"].startswith("application/atom+xml")
    assert client.get(reverse("positions:posting-feed"), {"region": "x"}).status_code == 404


def test_occupation_page_counts_all_its_open_postings_and_links_to_them(client, monkeypatch):
    monkeypatch.setattr("positions.views.OccupationDetailView.POSTINGS_SHOWN", 2)
    first = JobPostingFactory()
    for _ in range(2):
        JobPostingFactory(occupation=first.occupation)

    response = client.get(first.occupation.get_absolute_url())

    content = response.content.decode()
    assert len(response.context["open_postings"]) == 2
    assert "CSC has 3 open job postings for this occupation." in content
    assert f"?occupation={first.occupation.slug}" in content
    assert "See all 3 open job postings for this occupation" in content


def test_sitemap_lists_open_postings_in_both_languages(client):
    open_posting = JobPostingFactory(reference_number="OPEN-9")
    JobPostingFactory(reference_number="DRAFT-9", published_at=None)

    content = client.get("/sitemap.xml").content.decode()

    assert f"/en{open_posting.get_absolute_url()[3:]}" in content
    assert "/fr/postings/OPEN-9/" in content
    assert 'hreflang="fr"' in content
    assert "DRAFT-9" not in content


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert "Disallow: /en/admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
