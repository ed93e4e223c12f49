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
    # 01:30 in Toronto on the 16th is still 23:30 on the 15th in Vancouver (two hours behind in
    # winter since British Columbia stays on UTC-7 all year, from November 2026).
    with frozen(datetime.datetime(2026, 12, 16, 1, 30, tzinfo=ZoneInfo("America/Toronto"))):
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


# --- Keyword search: places, codes, accents, prefixes, suggestions -----------------------------


def search(client, language: str, keyword: str, **filters) -> list[str]:
    return references(client.get(f"/{language}/postings/", {"q": keyword, **filters}))


@pytest.fixture
def postings_across_canada():
    """Three open postings, each at its own place with its own classification."""
    ontario = ProvinceFactory(
        code="ON", name="Ontario", region=RegionFactory(slug="ontario", name="Ontario")
    )
    quebec = ProvinceFactory(
        code="QC",
        name="Quebec",
        name_fr="Québec",
        region=RegionFactory(slug="quebec", name="Quebec", name_fr="Québec"),
    )
    alberta = ProvinceFactory(
        code="AB", name="Alberta", region=RegionFactory(slug="prairies", name="Prairies")
    )
    JobPostingFactory(
        reference_number="KINGSTON",
        title="Parole officer",
        title_fr="Agent de libération conditionnelle",
        classification_group="WP",
        classification_level="04",
        locations=[
            FacilityFactory(
                name="Kingston Parole Office",
                name_fr="Bureau de libération conditionnelle de Kingston",
                city="Kingston",
                province=ontario,
            )
        ],
    )
    JobPostingFactory(
        reference_number="MONTREAL",
        title="Electrician",
        title_fr="Électricien",
        classification_group="GL",
        classification_level="ELE-10",
        locations=[
            FacilityFactory(
                name="Montréal Metropolitan Office",
                name_fr="Bureau métropolitain de Montréal",
                city="Montréal",
                province=quebec,
            )
        ],
    )
    JobPostingFactory(
        reference_number="DRUMHELLER",
        title="Correctional officer",
        title_fr="Agent correctionnel",
        classification_group="CX",
        classification_level="01",
        locations=[
            FacilityFactory(
                name="Drumheller Institution",
                name_fr="Établissement de Drumheller",
                city="Drumheller",
                province=alberta,
            )
        ],
    )


@pytest.mark.usefixtures("postings_across_canada")
def test_keyword_finds_cities_facilities_provinces_and_regions_in_both_languages(client):
    for language in ("en", "fr"):
        assert search(client, language, "Kingston") == ["KINGSTON"], language
        assert search(client, language, "Drumheller") == ["DRUMHELLER"], language
        assert search(client, language, "Alberta") == ["DRUMHELLER"], language
        assert search(client, language, "Prairies") == ["DRUMHELLER"], language
    assert search(client, "en", "Drumheller Institution") == ["DRUMHELLER"]
    assert search(client, "fr", "établissement Drumheller") == ["DRUMHELLER"]
    assert search(client, "en", "Quebec") == ["MONTREAL"]
    assert search(client, "fr", "Québec") == ["MONTREAL"]
    assert search(client, "en", "parole office Kingston") == ["KINGSTON"]


@pytest.mark.usefixtures("postings_across_canada")
def test_keyword_finds_classification_groups_and_levels_however_written(client):
    for language in ("en", "fr"):
        for keyword in ("CX", "cx", "CX-01", "CX 01", "cx01", "cx-01"):
            assert search(client, language, keyword) == ["DRUMHELLER"], (language, keyword)
        for keyword in ("WP 04", "wp-04", "WP-04", "WP"):
            assert search(client, language, keyword) == ["KINGSTON"], (language, keyword)
        assert search(client, language, "GL-ELE-10") == ["MONTREAL"], language
        assert search(client, language, "CX 02") == [], language
    # The group's name, in each language (the labels of the classification filter).
    assert search(client, "en", "correctional services") == ["DRUMHELLER"]
    assert search(client, "en", "general labour") == ["MONTREAL"]


@pytest.mark.usefixtures("postings_across_canada")
def test_keyword_ignores_accents_and_capitals_in_both_languages(client):
    for language in ("en", "fr"):
        for keyword in ("Montréal", "montreal", "MONTREAL", "montréal"):
            assert search(client, language, keyword) == ["MONTREAL"], (language, keyword)
    for keyword in ("electricien", "Électricien", "ÉLECTRICIEN", "électricien"):
        assert search(client, "fr", keyword) == ["MONTREAL"], keyword
    assert search(client, "fr", "liberation conditionnelle") == ["KINGSTON"]
    assert search(client, "fr", "etablissement") == ["DRUMHELLER"]
    assert search(client, "en", "Électrician") == ["MONTREAL"]


@pytest.mark.usefixtures("postings_across_canada")
def test_keyword_finds_words_by_their_start_in_both_languages(client):
    assert search(client, "en", "electric") == ["MONTREAL"]
    assert search(client, "en", "parol") == ["KINGSTON"]
    assert search(client, "en", "correctio offic") == ["DRUMHELLER"]
    assert search(client, "en", "Kings") == ["KINGSTON"]
    assert search(client, "fr", "électric") == ["MONTREAL"]
    assert search(client, "fr", "electr") == ["MONTREAL"]
    assert search(client, "fr", "libérati condition") == ["KINGSTON"]
    assert search(client, "fr", "correctionn") == ["DRUMHELLER"]
    assert search(client, "fr", "Montr") == ["MONTREAL"]


def test_a_keyword_search_ranks_by_relevance_and_other_sorts_still_apply(client):
    kingston = FacilityFactory(city="Kingston")
    JobPostingFactory(
        reference_number="PLACE",
        title="Cook",
        locations=[kingston],
        open_date=days(-1),
    )
    JobPostingFactory(
        reference_number="TITLE",
        title="Kingston parole officer",
        locations=[FacilityFactory(city="Ottawa")],
        open_date=days(-9),
    )
    JobPostingFactory(reference_number="ELSEWHERE", locations=[FacilityFactory(city="Ottawa")])

    assert search(client, "en", "kingston") == ["TITLE", "PLACE"]
    assert search(client, "fr", "kingston") == ["TITLE", "PLACE"]
    assert search(client, "en", "kingston", sort="newest") == ["PLACE", "TITLE"]

    # Both words in a title rank above the same words scattered through a long description.
    JobPostingFactory(
        reference_number="WORDY",
        title_fr="Agent de libération conditionnelle",
        work_description_fr="L’agent travaille avec le personnel correctionnel. " * 10,
    )
    JobPostingFactory(reference_number="CX", title_fr="Agent correctionnel")
    assert search(client, "fr", "agent correctionnel") == ["CX", "WORDY"]


def test_renaming_a_place_or_an_occupation_updates_what_finds_its_postings(client):
    facility = FacilityFactory(city="Laval")
    posting = JobPostingFactory(reference_number="P-1", locations=[facility])
    assert search(client, "en", "Laval") == ["P-1"]

    facility.city_en = facility.city_fr = "Sainte-Anne-des-Plaines"
    facility.save()
    posting.occupation.title_en = "Stationary engineer"
    posting.occupation.title_fr = "Mécanicien de machines fixes"
    posting.occupation.save()
    facility.province.name_fr = "Ontario-Nord"
    facility.province.save()

    assert search(client, "en", "Laval") == []
    assert search(client, "en", "Sainte-Anne") == ["P-1"]
    assert search(client, "en", "stationary engineer") == ["P-1"]
    assert search(client, "fr", "mecanicien") == ["P-1"]
    assert search(client, "fr", "ontario-nord") == ["P-1"]


def test_a_misspelt_keyword_gets_a_did_you_mean_link_to_a_search_that_finds_postings(client):
    JobPostingFactory(
        reference_number="PAROLE",
        title="Parole officer",
        title_fr="Agent de libération conditionnelle",
    )
    JobPostingFactory(
        reference_number="CX",
        title="Correctional officer",
        title_fr="Agent correctionnel",
    )

    for language, keyword, corrected in [
        ("en", "parol oficer", "parole officer"),
        ("en", "corectional oficer", "correctional officer"),
        ("fr", "agent corectionnel", "agent correctionnel"),
        ("fr", "liberation conditionelle", "liberation conditionnelle"),
        ("fr", "libératoin", "libération"),
    ]:
        response = client.get(f"/{language}/postings/", {"q": keyword})
        content = response.content.decode()
        assert references(response) == [], keyword
        link = re.search(r'<p class="suggestion"><a href="([^"]+)">([^<]+)</a>', content)
        assert link, (language, keyword)
        assert corrected in link.group(2), (language, keyword, link.group(2))
        followed = client.get(f"/{language}/postings/" + link.group(1).replace("&amp;", "&"))
        assert references(followed), (language, keyword)
        assert followed.context["filter"].form.cleaned_data["q"] == corrected


def test_did_you_mean_keeps_the_other_filters_and_only_offers_what_finds_postings(client):
    ontario = ProvinceFactory(code="ON", region=RegionFactory(slug="ontario"))
    JobPostingFactory(
        reference_number="PAROLE",
        title="Parole officer",
        locations=[FacilityFactory(province=ontario)],
    )
    JobPostingFactory(
        reference_number="OLD",
        title="Astronomer",
        open_date=days(-30),
        closing_date=days(-1),
    )

    content = client.get(LIST_URL, {"q": "parol oficer", "region": "ontario"}).content.decode()
    assert 'href="?q=parole+officer&amp;region=ontario"' in content

    def suggestion(**query):
        return client.get(LIST_URL, query).context["suggestion"]

    assert suggestion(q="parole officer") is None  # found: nothing to correct
    assert suggestion(q="astronomr") is None  # only a closed posting has the word
    assert suggestion(q="zzyzx") is None
    quebec = RegionFactory(slug="quebec")
    assert suggestion(q="parol oficer", region=quebec.slug) is None  # would find nothing either


@pytest.mark.parametrize("count", [10, 60])
def test_a_misspelt_search_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    for _ in range(count):
        JobPostingFactory(title="Parole officer")

    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL, {"q": "parol oficer"})
    assert response.context["suggestion"]["keyword"] == "parole officer"


def test_the_feed_link_follows_the_filters_shown_and_the_feed_applies_them(client):
    ontario = RegionFactory(slug="ontario", name="Ontario")
    JobPostingFactory(
        title="Parole officer, Kingston",
        locations=[FacilityFactory(province=ProvinceFactory(code="ON", region=ontario))],
    )
    JobPostingFactory(
        title="Parole officer, Moncton",
        locations=[
            FacilityFactory(
                city="Moncton",
                province=ProvinceFactory(code="NB", region=RegionFactory(slug="atlantic")),
            )
        ],
    )
    JobPostingFactory(title="Cook, Kingston")

    content = client.get(
        LIST_URL, {"q": "parole", "region": "ontario", "sort": "newest", "page": "1"}
    ).content.decode()
    feed_urls = re.findall(r'href="(/en/postings/feed/[^"]*)"', content)
    assert feed_urls == ["/en/postings/feed/?q=parole&amp;region=ontario"] * 2

    feed = client.get(feed_urls[0].replace("&amp;", "&")).content.decode()
    assert "Parole officer, Kingston" in feed
    assert "Moncton" not in feed and "Cook" not in feed
    assert "New job postings at CSC: “parole”, Ontario" in feed
    assert re.search(r'<link href="[^"]*/en/postings/\?q=parole&amp;region=ontario"', feed)

    for query, titles in [
        ({"province": "NB"}, ["Parole officer, Moncton"]),
        ({"q": "moncton"}, ["Parole officer, Moncton"]),
        ({"q": "cook", "region": "ontario"}, ["Cook, Kingston"]),
    ]:
        feed = client.get(reverse("positions:posting-feed"), query).content.decode()
        assert re.findall(r"<title>([^<(]+) \(", feed) == titles, query

    unfiltered = client.get(LIST_URL, {"sort": "salary"}).content.decode()
    assert re.findall(r'href="(/en/postings/feed/[^"]*)"', unfiltered) == ["/en/postings/feed/"] * 2


def test_a_card_shows_the_language_requirement_in_each_language(client):
    JobPostingFactory(language_requirement="french-essential")
    JobPostingFactory(language_requirement="bilingual-imperative", language_profile="CBC/CBC")

    english = client.get(LIST_URL).content.decode()
    french = client.get("/fr/postings/").content.decode()

    assert "<dt>Language requirement</dt><dd>French essential</dd>" in english
    assert "<dd>Bilingual imperative (CBC/CBC)</dd>" in english
    assert "<dd>Français essentiel</dd>" in french
    assert "<dd>Bilingue impératif (CBC/CBC)</dd>" in french


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
