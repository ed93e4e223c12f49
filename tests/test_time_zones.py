"""Python and PostgreSQL read the same time zone rules, and the newest ones."""

import datetime

import pytest
from django.db import connection

from positions.models.postings import POSTING_TIME_ZONE, closing_moment

MOMENTS = [
    datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC),
    datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC),
    datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC),
    datetime.datetime(2027, 7, 1, 12, tzinfo=datetime.UTC),
]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_python_and_the_database_agree_on_pacific_time(moment):
    with connection.cursor() as cursor:
        cursor.execute("SELECT (%s::timestamptz AT TIME ZONE 'America/Vancouver')", [moment])
        in_database = cursor.fetchone()[0]
    assert moment.astimezone(POSTING_TIME_ZONE).replace(tzinfo=None) == in_database


def test_a_winter_posting_closes_at_2359_under_british_columbias_permanent_utc_minus_7():
    # British Columbia stays on UTC-7 all year from November 2026 (IANA tzdata 2026 releases):
    # a posting closing on 1 December 2026 closes at 06:59:59 UTC on the 2nd, not 07:59:59.
    assert closing_moment(datetime.date(2026, 12, 1)) == datetime.datetime(
        2026, 12, 2, 6, 59, 59, tzinfo=datetime.UTC
    )
