"""Short dates are year first in both languages (csc_careers/formats), never 12/01/2026."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["en", "fr"])
def test_short_dates_are_year_first_in_both_languages(language):
    moment = datetime.datetime(2026, 12, 1, 14, 5)
    template = Template(
        '{{ moment|date:"SHORT_DATE_FORMAT" }} {{ moment|date:"SHORT_DATETIME_FORMAT" }}'
    )
    with translation.override(language):
        assert template.render(Context({"moment": moment})) == "2026-12-01 2026-12-01 14:05"
