"""Times of day as Canada.ca writes them, in the active language and the site's zone.

English: 9 a.m., 9:30 a.m., noon. French: 9 h, 9 h 30, 13 h 45 (the 24-hour clock, a
non-breaking space on each side of the "h", no minutes on the hour). A Django format cannot
leave the minutes off a 24-hour time, so a time on the hour is written with the language's
ON_THE_HOUR_<name> format (csc_careers/formats/<language>/formats.py), any other with <name>.
Templates use them as filters: `{% load clock %}` then `|time_text` and `|datetime_text`.
"""

import datetime

from django.utils import formats, timezone


def format_for(name: str, moment: datetime.datetime | datetime.time) -> str:
    """The format `name` (TIME_FORMAT, DATETIME_FORMAT) of the active language for `moment`."""
    if moment.minute == 0:
        on_the_hour = f"ON_THE_HOUR_{name}"
        found = formats.get_format(on_the_hour)
        # Django hands back the name itself for a language whose formats do not define it.
        if found != on_the_hour:
            return found
    return formats.get_format(name)


def local(moment: datetime.datetime) -> datetime.datetime:
    """The moment in the site's zone (a naive one is taken as written)."""
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def time_text(moment: datetime.datetime | datetime.time) -> str:
    """The time of day, in the active language: "9 a.m." or "9 h", "9:30 a.m." or "9 h 30"."""
    if isinstance(moment, datetime.datetime):
        moment = local(moment)
    return formats.time_format(moment, format_for("TIME_FORMAT", moment))


def datetime_text(moment: datetime.datetime) -> str:
    """The date and time of day, in the active language: "March 4, 2030, 9 a.m." or
    "4 mars 2030 à 9 h"."""
    moment = local(moment)
    return formats.date_format(moment, format_for("DATETIME_FORMAT", moment))
