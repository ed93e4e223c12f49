"""The postings search renders each card and each filter once, for every search that shows them,
and shows HR's changes, the day's turn, each search's way back and each language at once."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from positions.models import JobPosting, posting_today
from tests.factories import (
    FacilityFactory,
    JobPostingFactory,
    OccupationFactory,
    ProvinceFactory,
    RegionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_pages")]

LIST_URL = reverse("positions:posting-list")


def cards(response) -> list[str]:
    return re.findall(r'<li class="card">.*?</li>', response.content.decode(), re.S)


def links(response) -> list[str]:
    return re.findall(r'<li class="card">\s*<h3><a href="([^"]*)"', response.content.decode())


def tomorrow():
    """Pretend it is the same time tomorrow (postings' day, their state and their cards)."""
    moment = timezone.now() + datetime.timedelta(days=1)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_card_rendered_for_one_search_is_shown_by_the_next_without_reading_its_places(
    client, django_assert_num_queries
):
    facility = FacilityFactory(city="Kingston")
    occupation = OccupationFactory(title="Parole officer")
    JobPostingFactory.create_batch(3, occupation=occupation, locations=[facility])
    first = client.get(LIST_URL, {"sort": "closing"})

    # Another search showing the same postings: the page's own query, nothing for its cards.
    with django_assert_num_queries(1):
        second = client.get(LIST_URL, {"sort": "newest"})

    assert len(cards(first)) == 3
    assert sorted(card.split("</h3>")[1] for card in cards(second)) == sorted(
        card.split("</h3>")[1] for card in cards(first)
    )
    assert "Parole officer · WP-04 · Indeterminate" in cards(second)[0]
    assert "<dd>Kingston (ON)</dd>" in cards(second)[0]


def test_each_search_keeps_its_own_way_back_from_a_card_it_shares(client):
    posting = JobPostingFactory(title="Parole officer, Kingston")
    client.get(LIST_URL, {"q": "parole"})

    by_keyword = client.get(LIST_URL, {"q": "parole"})
    by_city = client.get(LIST_URL, {"q": "kingston", "sort": "newest"})

    url = posting.get_absolute_url()
    assert links(by_keyword) == [f"{url}?back=%2Fen%2Fpostings%2F%3Fq%3Dparole"]
    assert links(by_city) == [f"{url}?back=%2Fen%2Fpostings%2F%3Fq%3Dkingston%26sort%3Dnewest"]


def test_hrs_changes_to_a_posting_its_occupation_or_its_places_show_in_its_card_at_once(client):
    facility = FacilityFactory(city="Kingston")
    occupation = OccupationFactory(title="Parole officer")
    posting = JobPostingFactory(occupation=occupation, locations=[facility], salary_max=97_000)
    client.get(LIST_URL)

    occupation.title = "Parole officer (community)"
    occupation.save()
    assert "Parole officer (community) ·" in cards(client.get(LIST_URL))[0]
    facility.city = "Bath"
    facility.save()
    assert "<dd>Bath (ON)</dd>" in cards(client.get(LIST_URL))[0]
    posting.salary_max = 99_000
    posting.save()
    assert "$80,000 to $99,000 a year" in cards(client.get(LIST_URL))[0]
    posting.locations.add(FacilityFactory(city="Ottawa"))
    assert "<dd>Bath (ON), Ottawa (ON)</dd>" in cards(client.get(LIST_URL))[0]


def test_a_card_says_how_many_days_are_left_on_the_day_it_is_shown(client):
    JobPostingFactory(closing_date=posting_today() + datetime.timedelta(days=10))
    assert "closes in 10 days" in cards(client.get(LIST_URL))[0]

    with tomorrow():
        assert "closes in 9 days" in cards(client.get(LIST_URL))[0]


def test_a_card_rendered_in_english_is_still_french_in_french(client):
    occupation = OccupationFactory(title="Parole officer", title_fr="Agent de libération")
    posting = JobPostingFactory(occupation=occupation, title="Parole officer, Kingston")
    english = cards(client.get(LIST_URL))[0]
    with translation.override("fr"):
        french_url = reverse("positions:posting-list")
        french_link = posting.get_absolute_url()
    french = cards(client.get(french_url))[0]

    assert "Parole officer ·" in english and "$80,000 to $97,000 a year" in english
    assert "Agent de libération · WP-04 · Durée indéterminée (permanent)" in french
    assert f'href="{french_link}' in french and "Parole officer ·" not in french


def test_the_filter_form_shows_each_visitors_choices_and_errors(client):
    facility = FacilityFactory()
    client.get(LIST_URL, {"location": facility.slug})

    chosen = client.get(LIST_URL, {"location": facility.slug}).content.decode()
    other = client.get(LIST_URL).content.decode()
    wrong = client.get(LIST_URL, {"location": "no-such-place", "q": "kingston"}).content.decode()

    selected = f'<option value="{facility.slug}" selected>'
    assert selected in chosen
    assert selected not in other and f'<option value="{facility.slug}">' in other
    assert selected not in wrong and 'id="id_location_error"' in wrong
    assert 'value="kingston"' in wrong and 'id="id_location_error"' not in other


def test_postings_at_places_read_as_a_list_are_the_postings_at_those_places():
    ontario = FacilityFactory()
    atlantic = FacilityFactory(
        province=ProvinceFactory(code="NB", region=RegionFactory(slug="atlantic"))
    )
    both = JobPostingFactory(locations=[ontario, FacilityFactory(), atlantic])
    inside = JobPostingFactory(locations=[ontario])
    outside = JobPostingFactory(locations=[atlantic])
    postings = JobPosting.objects.order_by("pk")

    for listed in (False, True):
        assert list(postings.in_region(ontario.region, listed=listed)) == [both, inside]
        assert list(postings.at_places(pk=atlantic.pk, listed=listed)) == [both, outside]
        assert postings.at_places(province=ontario.province, listed=listed).count() == 2
        inside_ontario = postings.in_region(ontario.region, listed=listed)
        assert list(postings.exclude(pk__in=inside_ontario)) == [outside]
