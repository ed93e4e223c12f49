"""The review queue stays fast with a million applications: what makes it so is tested here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.admin import EstimatedCountPaginator
from applications.roles import HR_ADMINISTRATORS
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import FacilityFactory, JobPostingFactory, ProvinceFactory, RegionFactory

CHANGELIST = reverse("admin:applications_application_changelist")


def counts(queries):
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT COUNT(*) AS "__count"')]


@pytest.fixture
def hr(client, django_user_model):
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    return client


@pytest.mark.django_db
def test_the_unfiltered_queue_of_a_large_table_is_counted_from_statistics(hr, monkeypatch):
    posting = JobPostingFactory()
    for _ in range(3):
        ApplicationFactory(posting=posting)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE applications_application")
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 2)

    with CaptureQueriesContext(connection) as queries:
        response = hr.get(CHANGELIST)
    assert response.status_code == 200
    assert not counts(queries.captured_queries)
    assert any("reltuples" in q["sql"] for q in queries.captured_queries)
    assert response.context["cl"].result_count == 3

    # A filter narrows the list: its count is exact.
    with CaptureQueriesContext(connection) as queries:
        response = hr.get(CHANGELIST, {"stage__exact": "received"})
    assert counts(queries.captured_queries)
    assert response.context["cl"].result_count == 3


@pytest.mark.django_db
def test_a_small_or_never_analyzed_table_is_counted_exactly(hr):
    ApplicationFactory()
    with CaptureQueriesContext(connection) as queries:
        response = hr.get(CHANGELIST)
    assert counts(queries.captured_queries)
    assert response.context["cl"].result_count == 1


@pytest.mark.django_db
def test_search_has_trigram_indexes_and_finds_part_of_a_name(hr):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'applications_application' "
            "AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        indexes = {row[0] for row in cursor.fetchall()}
    assert indexes == {
        f"application_{column}_trgm" for column in ("reference", "first_name", "last_name", "email")
    }
    wanted = ApplicationFactory(last_name="Tremblay-Côté")
    ApplicationFactory(last_name="Smith")

    response = hr.get(CHANGELIST, {"q": "blay-c"})
    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_region_filter_keeps_the_applications_of_that_regions_postings(hr):
    prairies = ProvinceFactory(
        code="AB", name="Alberta", region=RegionFactory(slug="prairies", name="Prairies")
    )
    ontario_posting = JobPostingFactory()  # its facility is in Ontario
    prairie_posting = JobPostingFactory()
    prairie_posting.locations.set([FacilityFactory(province=prairies)])
    in_ontario = ApplicationFactory(posting=ontario_posting)
    in_prairies = ApplicationFactory(posting=prairie_posting)

    for region, expected in [("ontario", in_ontario), ("prairies", in_prairies)]:
        response = hr.get(CHANGELIST, {"region": region})
        assert list(response.context["cl"].result_list) == [expected]
    response = hr.get(CHANGELIST, {"region": "nowhere"})
    assert list(response.context["cl"].result_list) == []
