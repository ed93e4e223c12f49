import datetime
import re

import pytest
from django.urls import reverse

from positions.models import Occupation, RequirementKind, posting_today
from tests.factories import (
    CareerStreamFactory,
    DutyFactory,
    DutyListFactory,
    JobPostingFactory,
    OccupationFactory,
    RequirementFactory,
    WorkEnvironmentFactory,
    make_full_occupation,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("positions:occupation-list")


def titles(response):
    return [occupation.title for occupation in response.context["occupations"]]


def test_root_redirects_to_a_language(client):
    response = client.get("/", headers={"accept-language": "fr-CA,fr;q=0.9"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_home_shows_mission_streams_and_their_occupations(client):
    occupation = OccupationFactory(title="Parole officer")
    OccupationFactory(title="Hidden draft", is_published=False, stream=occupation.stream)

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert "contributes to public safety" in content
    assert occupation.stream.name in content
    assert occupation.get_absolute_url() in content
    assert "Hidden draft" not in content
    assert 'action="/en/postings/"' in content


def test_list_shows_published_occupations_only(client):
    OccupationFactory(title="Teacher")
    OccupationFactory(title="Secret draft", is_published=False)

    response = client.get(LIST_URL)

    assert titles(response) == ["Teacher"]
    assert response.context["result_count"] == 1


def test_keyword_searches_titles_and_duties(client):
    OccupationFactory(title="Parole officer")
    teacher = OccupationFactory(title="Teacher")
    DutyFactory(duty_list=DutyListFactory(occupation=teacher), text="develop lesson plans")

    assert titles(client.get(LIST_URL, {"q": "parole"})) == ["Parole officer"]
    assert titles(client.get(LIST_URL, {"q": "lesson plans"})) == ["Teacher"]


def test_stream_filter(client):
    programs = CareerStreamFactory(slug="programs")
    OccupationFactory(title="Teacher", stream=programs)
    OccupationFactory(title="Cook")

    assert titles(client.get(LIST_URL, {"stream": "programs"})) == ["Teacher"]


def test_work_environment_filter(client):
    parole_offices = WorkEnvironmentFactory(slug="parole-offices")
    OccupationFactory(title="Parole officer", work_environments=[parole_offices])
    OccupationFactory(title="Cook", work_environments=[WorkEnvironmentFactory()])

    assert titles(client.get(LIST_URL, {"environment": "parole-offices"})) == ["Parole officer"]


def test_requirement_filters(client):
    teacher = OccupationFactory(title="Teacher")
    RequirementFactory(occupation=teacher, kind=RequirementKind.POST_SECONDARY_EDUCATION)
    RequirementFactory(occupation=teacher, kind=RequirementKind.LICENCE_CERTIFICATE)
    electrician = OccupationFactory(title="Electrician")
    RequirementFactory(occupation=electrician, kind=RequirementKind.LICENCE_CERTIFICATE)
    OccupationFactory(title="Cook")

    certificate = client.get(LIST_URL, {"requirement": "licence-certificate"})
    no_degree = client.get(LIST_URL, {"requirement": "no-post-secondary"})

    assert sorted(titles(certificate)) == ["Electrician", "Teacher"]
    assert sorted(titles(no_degree)) == ["Cook", "Electrician"]


def test_filters_combine_and_live_in_the_url(client):
    stream = CareerStreamFactory(slug="programs")
    OccupationFactory(title="Parole officer", stream=stream)
    OccupationFactory(title="Parole clerk")

    response = client.get(LIST_URL, {"q": "parole", "stream": "programs"})

    assert titles(response) == ["Parole officer"]
    content = response.content.decode()
    assert 'value="parole"' in content
    assert '<option value="programs" selected>' in content


def test_a_filter_that_matches_nothing_shows_an_empty_state(client):
    OccupationFactory(title="Teacher")

    response = client.get(LIST_URL, {"q": "astronaut"})

    assert titles(response) == []
    content = response.content.decode()
    assert "No occupation matches your search" in content
    assert "0 occupations" in content


@pytest.mark.parametrize(
    "query",
    [
        {"stream": "no-such-stream"},
        {"requirement": "<script>"},
        {"environment": "x" * 500},
        {"q": "x" * 5000},
        {"page": "abc"},
        {"page": "99999"},
    ],
)
def test_malformed_query_strings_never_give_a_500(client, query):
    OccupationFactory(title="Teacher")

    response = client.get(LIST_URL, query)

    assert response.status_code == 200
    if "page" not in query:
        assert "were not understood" in response.content.decode()


def test_a_nul_character_in_the_query_gets_the_400_page(client):
    response = client.get(LIST_URL, {"q": "\x00null"})

    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


def test_list_is_paginated_with_filters_kept_in_page_links(client, settings):
    stream = CareerStreamFactory(slug="programs")
    OccupationFactory.create_batch(settings.PAGINATE_BY + 3, stream=stream)

    first = client.get(LIST_URL, {"stream": "programs"})
    second = client.get(LIST_URL, {"stream": "programs", "page": 2})

    assert len(first.context["occupations"]) == settings.PAGINATE_BY
    assert len(second.context["occupations"]) == 3
    assert "?stream=programs&amp;page=2" in first.content.decode()


def test_correctional_officer_comes_first_on_the_first_page_of_occupations(client, catalogue):
    for language in ("en", "fr"):
        response = client.get(f"/{language}/occupations/")

        occupations = list(response.context["occupations"])
        assert occupations[0].slug == "correctional-officer", language
        content = response.content.decode()
        assert content.index(occupations[0].get_absolute_url()) < content.index(
            occupations[1].get_absolute_url()
        )


def test_a_featured_occupation_comes_first_then_the_catalogues_order(client):
    programs = CareerStreamFactory(slug="programs", order=1)
    officers = CareerStreamFactory(slug="officers", order=2)
    OccupationFactory(title="Teacher", stream=programs, order=2)
    OccupationFactory(title="Parole officer", stream=programs, order=1)
    OccupationFactory(title="Correctional officer", stream=officers, featured=True)
    OccupationFactory(title="Primary worker", stream=officers)

    assert titles(client.get(LIST_URL)) == [
        "Correctional officer",
        "Parole officer",
        "Teacher",
        "Primary worker",
    ]
    assert titles(client.get(LIST_URL, {"stream": "programs"})) == ["Parole officer", "Teacher"]


def test_detail_shows_the_salary_range_of_its_open_postings_in_each_language(client):
    occupation = OccupationFactory()
    JobPostingFactory(occupation=occupation, salary_min=61_000, salary_max=72_000)
    JobPostingFactory(occupation=occupation, salary_min=75_500, salary_max=108_250)
    JobPostingFactory(  # closed: not part of the range
        occupation=occupation,
        salary_min=40_000,
        salary_max=130_000,
        open_date=days_from_today(-30),
        closing_date=days_from_today(-1),
    )

    english = client.get(occupation.get_absolute_url()).content.decode()
    french = client.get(f"/fr{occupation.get_absolute_url()[3:]}").content.decode()

    assert "Salary in the open job postings: $61,000 to $108,250 a year" in english
    space = "[\u00a0\u202f ]"
    assert re.search(rf"61{space}000{space}\$\D{{1,8}}108{space}250{space}\$", french)


def test_detail_says_when_no_posting_is_open_for_a_salary(client):
    occupation = OccupationFactory()

    content = client.get(occupation.get_absolute_url()).content.decode()

    assert "Salary: no job posting for this occupation is open right now." in content


def test_detail_shows_duties_nested_requirements_and_sections(client):
    occupation = make_full_occupation(title="Parole officer")
    duty_list = occupation.duty_lists.first()
    parent = duty_list.duties.filter(parent=None).first()

    response = client.get(occupation.get_absolute_url())

    content = response.content.decode()
    assert "<h1" in content and "Parole officer" in content
    child = parent.children.first()
    assert f"{parent.text}\n" in content
    assert f"<li>{child.text}</li>" in content
    assert "Secondary education" in content
    assert "Licence or certificate" in content
    assert "Challenges" in content
    assert occupation.specializations.first().name in content


def test_unpublished_or_unknown_occupation_is_a_404(client):
    draft = OccupationFactory(is_published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404
    response = client.get(reverse("positions:occupation-detail", args=["nope"]))
    assert response.status_code == 404
    assert "could not be found" in response.content.decode()


def test_about_page_shows_mandate_priorities_and_programs(client, catalogue):
    response = client.get(reverse("positions:about"))

    content = response.content.decode()
    assert "custody of offenders serving sentences of two years or more" in content
    assert "Safe transition of offenders to the community" in content
    assert "Chaplaincy services" in content


def test_every_catalogue_occupation_has_a_working_page(client, catalogue):
    for occupation in Occupation.objects.all():
        response = client.get(occupation.get_absolute_url())
        assert response.status_code == 200, occupation.slug
        assert occupation.title in response.content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_list_queries_do_not_grow_with_the_data(client, django_assert_max_num_queries, count):
    environments = WorkEnvironmentFactory.create_batch(3)
    for _ in range(count):
        OccupationFactory(work_environments=environments)

    with django_assert_max_num_queries(6):
        client.get(LIST_URL, {"q": "occupation", "requirement": "no-post-secondary"})


@pytest.mark.parametrize("size", [1, 6])
def test_detail_queries_do_not_grow_with_the_data(client, django_assert_max_num_queries, size):
    occupation = make_full_occupation()
    for _ in range(size):
        duty_list = DutyListFactory(occupation=occupation)
        parent = DutyFactory(duty_list=duty_list)
        DutyFactory.create_batch(size, duty_list=duty_list, parent=parent)
        RequirementFactory(occupation=occupation)

    with django_assert_max_num_queries(12):
        client.get(occupation.get_absolute_url())


def test_home_queries_do_not_grow_with_the_data(client, django_assert_max_num_queries):
    for _ in range(3):
        stream = CareerStreamFactory()
        OccupationFactory.create_batch(5, stream=stream)

    with django_assert_max_num_queries(6):
        client.get(reverse("home"))


def days_from_today(days: int):
    return posting_today() + datetime.timedelta(days=days)
