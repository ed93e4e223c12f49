"""Times of day as Canada.ca writes them in each official language (csc_careers/formats/clock.py):
in French the 24-hour clock with "h" between non-breaking spaces and no minutes on the hour
(9 h, 9 h 30, 13 h 45), in English 9 a.m., 9:30 a.m., noon; in the site's zone."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import translation

from csc_careers.formats.clock import datetime_text, time_text

EASTERN = zoneinfo.ZoneInfo("America/Toronto")
NBSP = "\u00a0"


def eastern(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2030, 3, 4, hour, minute, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("hour", "minute", "french", "english"),
    [
        (9, 0, f"9{NBSP}h", "9 a.m."),
        (9, 30, f"9{NBSP}h{NBSP}30", "9:30 a.m."),
        (13, 45, f"13{NBSP}h{NBSP}45", "1:45 p.m."),
        (12, 0, f"12{NBSP}h", "noon"),
        (0, 5, f"0{NBSP}h{NBSP}05", "12:05 a.m."),
    ],
)
def test_a_time_of_day_in_each_language(hour, minute, french, english):
    with translation.override("fr"):
        assert time_text(eastern(hour, minute)) == french
    with translation.override("en"):
        assert time_text(eastern(hour, minute)) == english


def test_a_date_and_time_in_each_language():
    with translation.override("fr"):
        assert datetime_text(eastern(9)) == f"4 mars 2030 à 9{NBSP}h"
        assert datetime_text(eastern(17, 30)) == f"4 mars 2030 à 17{NBSP}h{NBSP}30"
    with translation.override("en"):
        assert datetime_text(eastern(9)) == "March 4, 2030, 9 a.m."
        assert datetime_text(eastern(17, 30)) == "March 4, 2030, 5:30 p.m."


def test_times_are_read_in_the_sites_zone():
    two_pm_utc = datetime.datetime(2030, 3, 4, 14, tzinfo=datetime.UTC)  # 9 a.m. in Toronto
    with translation.override("fr"):
        assert time_text(two_pm_utc) == f"9{NBSP}h"
        template = Template("{% load clock %}{{ moment|time_text }} – {{ moment|datetime_text }}")
        assert template.render(Context({"moment": two_pm_utc})) == (
            f"9{NBSP}h – 4 mars 2030 à 9{NBSP}h"
        )


def test_django_s_french_formats_write_the_h_too():
    """Pages that use Django's TIME_FORMAT and DATETIME_FORMAT directly write "9 h 30" too (only
    the minutes on the hour need csc_careers.formats.clock)."""
    with translation.override("fr"):
        rendered = Template(
            '{{ moment|date:"TIME_FORMAT" }} / {{ moment|date:"DATETIME_FORMAT" }}'
        ).render(Context({"moment": eastern(9, 30)}))
    assert rendered == f"9{NBSP}h{NBSP}30 / 4 mars 2030 à 9{NBSP}h{NBSP}30"
