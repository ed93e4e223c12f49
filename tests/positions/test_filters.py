"""The filter forms: their choices, read once and shared, and their widgets' HTML."""

import copy
import html
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from positions.filters import PostingFilter
from positions.models import JobPosting
from positions.widgets import NumberInput, Select, TextInput
from tests.factories import (
    CareerStreamFactory,
    FacilityFactory,
    JobPostingFactory,
    OccupationFactory,
    RegionFactory,
)

LIST_URL = reverse("positions:posting-list")

SELECT_CASES = [
    pytest.param([("", "All"), ("a", "A")], None, {"id": "id_x"}, id="nothing chosen"),
    pytest.param([("", "All"), ("a", "A"), ("b", "B")], "b", None, id="one chosen"),
    pytest.param([("a", "A"), ("a", "A again")], "a", {}, id="the first of equal values"),
    pytest.param(
        [('"><script>', "<b>&'\"</b>"), ("safe", mark_safe("<em>kept</em>"))],
        '"><script>',
        {"data-x": '"quoted" & <tagged>'},
        id="text to escape",
    ),
    pytest.param(
        [(None, gettext_lazy("Any tenure")), (7, 7), (14, 1400.5)],
        14,
        {},
        id="lazy labels, numbers and none",
    ),
    pytest.param(
        [("", "All"), ("East", [("qc", "Quebec"), ("on", "Ontario")]), ("x", "X")],
        "on",
        {"id": "id_g"},
        id="groups",
    ),
    pytest.param(
        [("a", "A")], "a", {"required": True, "disabled": False, "id": "i"}, id="true and false"
    ),
]


@pytest.mark.parametrize(("choices", "value", "attrs"), SELECT_CASES)
def test_select_writes_the_html_of_djangos_templates(choices, value, attrs):
    fast = Select(attrs={"class": "wide"}, choices=choices)
    django = forms.Select(attrs={"class": "wide"}, choices=choices)

    assert fast.render("x", value, attrs) == django.render("x", value, attrs)


INPUT_CASES = [
    pytest.param(None, {"type": "search", "autocomplete": "off"}, id="empty search box"),
    pytest.param("parole officer", {"maxlength": "100", "id": "id_q"}, id="words"),
    pytest.param('"><script>&', {"data-x": "<&>"}, id="text to escape"),
    pytest.param(72000, {"min": 0, "required": True, "disabled": False}, id="a number"),
]


@pytest.mark.parametrize(("value", "attrs"), INPUT_CASES)
@pytest.mark.parametrize(
    ("fast_class", "django_class"),
    [(TextInput, forms.TextInput), (NumberInput, forms.NumberInput)],
    ids=["text", "number"],
)
def test_inputs_write_the_html_of_djangos_templates(fast_class, django_class, value, attrs):
    fast = fast_class(attrs={"class": "wide", **attrs})
    django = django_class(attrs={"class": "wide", **attrs})

    assert fast.render("q", value, {"aria-describedby": "id_q_helptext"}) == django.render(
        "q", value, {"aria-describedby": "id_q_helptext"}
    )


DJANGO_WIDGETS = {Select: forms.Select, TextInput: forms.TextInput, NumberInput: forms.NumberInput}


@pytest.mark.django_db
def test_the_postings_filter_form_is_written_as_django_would(demo_postings):
    data = {"region": "ontario", "province": "nowhere", "q": "parole", "salary": "-5"}
    form = PostingFilter(data, queryset=JobPosting.objects.open()).form
    form.is_valid()

    assert {type(field.field.widget) for field in form} == set(DJANGO_WIDGETS)
    for field in form:
        stock = copy.deepcopy(field.field.widget)
        stock.__class__ = DJANGO_WIDGETS[type(stock)]  # the same widget, rendered by templates
        assert str(field) == field.as_widget(widget=stock), field.name


def option_labels(response, name: str) -> list[str]:
    """Return the labels of a <select>'s options as the page shows them, the empty one left out."""
    select = re.search(rf'<select name="{name}".*?</select>', response.content.decode(), re.S)
    return [
        html.unescape(label) for label in re.findall(r"<option [^>]*>(.*?)</option>", select[0])
    ][1:]


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached_pages")
def test_places_and_streams_hr_adds_or_renames_are_offered_at_once(client):
    facility = FacilityFactory(
        name="Collins Bay Institution", name_fr="Établissement de Collins Bay"
    )
    client.get(LIST_URL)

    RegionFactory(name="Pacific", slug="pacific")
    facility.name = "Collins Bay Institution (multi-level)"
    facility.save()
    stream = CareerStreamFactory(name="Health care", name_fr="Soins de santé")
    response = client.get(LIST_URL)

    assert "Pacific" in option_labels(response, "region")
    assert "Collins Bay Institution (multi-level) (Kingston)" in option_labels(response, "location")
    assert "Health care" in option_labels(response, "stream")
    with translation.override("fr"):
        french = client.get(reverse("positions:posting-list"))
    assert f'<option value="{stream.slug}">Soins de santé</option>' in french.content.decode()
    assert "Établissement de Collins Bay (Kingston)" in option_labels(french, "location")


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached_pages")
def test_a_choice_still_filters_and_an_unknown_one_is_refused(client):
    facility = FacilityFactory()
    inside = JobPostingFactory(locations=[facility])
    JobPostingFactory(
        locations=[FacilityFactory(region=RegionFactory(), province=facility.province)]
    )
    client.get(LIST_URL)  # the choices are read and kept

    chosen = client.get(LIST_URL, {"location": facility.slug})
    unknown = client.get(LIST_URL, {"location": "no-such-place"})

    assert [posting.pk for posting in chosen.context["postings"]] == [inside.pk]
    assert unknown.context["filter"].form.errors["location"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert len(unknown.context["postings"]) == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached_pages")
@pytest.mark.parametrize("count", [3, 40])
def test_a_search_reads_no_choice_list_from_the_database(
    client, django_assert_max_num_queries, count
):
    """The page of postings with their count, their occupations and their places: nothing per
    filter, and no count of its own."""
    facility = FacilityFactory()
    occupation = OccupationFactory()
    JobPostingFactory.create_batch(count, occupation=occupation, locations=[facility])
    query = {"region": facility.region.slug, "stream": occupation.stream.slug, "tenure": ""}
    client.get(LIST_URL, query)

    with django_assert_max_num_queries(3):
        response = client.get(LIST_URL, query)
    assert response.context["result_count"] == count
