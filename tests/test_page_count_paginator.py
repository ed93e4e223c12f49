"""The paginator that counts in the page's own query (csc_careers.db.PageCountPaginator)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csc_careers.db import PageCountPaginator
from positions.models import JobPosting, Occupation
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven():
    return [JobPostingFactory(reference_number=f"CSC-26-WP-{n:04}") for n in range(7)]


def references(page) -> list[str]:
    return [posting.reference_number for posting in page.object_list]


def test_a_page_and_its_count_come_in_one_query(seven):
    paginator = PageCountPaginator(JobPosting.objects.order_by("reference_number"), 3)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(2)
        count, pages = paginator.count, paginator.num_pages
    assert len(queries.captured_queries) == 1
    assert (count, pages) == (7, 3)
    assert references(page) == ["CSC-26-WP-0003", "CSC-26-WP-0004", "CSC-26-WP-0005"]
    assert page.has_previous() and page.has_next()


@pytest.mark.parametrize("asked", ["9", "0", "-1", "two", None, ""])
def test_a_page_out_of_range_or_malformed_is_the_last_or_the_first(seven, asked):
    paginator = PageCountPaginator(JobPosting.objects.order_by("reference_number"), 3)
    page = paginator.get_page(asked)
    expected = 3 if asked == "9" else 1
    assert page.number == expected
    assert paginator.count == 7
    assert references(page)[0] == f"CSC-26-WP-{(expected - 1) * 3:04}"


def test_an_empty_list_has_one_empty_page():
    paginator = PageCountPaginator(JobPosting.objects.order_by("pk"), 3)
    page = paginator.get_page(1)
    assert (paginator.count, page.number, list(page.object_list)) == (0, 1, [])


def test_a_distinct_list_is_counted_without_its_duplicates(seven):
    occupation = seven[0].occupation
    JobPosting.objects.update(occupation=occupation)
    # Joined to its postings, the occupation comes seven times; DISTINCT makes it one.
    joined = Occupation.objects.filter(postings__isnull=False).distinct().order_by("pk")
    paginator = PageCountPaginator(joined, 3)
    page = paginator.get_page(1)
    assert paginator.count == 1
    assert list(page.object_list) == [occupation]
