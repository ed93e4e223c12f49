"""The facilities an applicant to a multi-site posting ranks (FacilityPreference): how a choice is
named, and the one SQL expression that lists them ("1. Millhaven Institution; 2. Collins Bay
Institution") for the workspace, the recruiter export and the pool.

Rank 1 is the first choice; the places the applicant would not work at are not ranked.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import get_language, pgettext

from applications.models import FacilityPreference
from positions.models.search import translated


def choice_label(rank: int) -> str:
    """Return how the form names a choice: "1st choice", "2nd choice", … (French "1er choix")."""
    # English ordinals end in st, nd, rd or th (11th to 13th too); French ones in "er" for the
    # first only and "e" after that: each ending is its own string, so that each language says
    # its own. Rank 1 alone is apart, since "21st" is "21e" in French.
    if rank == 1:
        return pgettext("choice of a facility", "1st choice")
    if rank % 100 in (11, 12, 13):
        text = pgettext("choice of a facility, the number ends in 0 or 4 to 9", "%(rank)dth choice")
    elif rank % 10 == 1:
        text = pgettext("choice of a facility, the number ends in 1", "%(rank)dst choice")
    elif rank % 10 == 2:
        text = pgettext("choice of a facility, the number ends in 2", "%(rank)dnd choice")
    elif rank % 10 == 3:
        text = pgettext("choice of a facility, the number ends in 3", "%(rank)drd choice")
    else:
        text = pgettext("choice of a facility, the number ends in 0 or 4 to 9", "%(rank)dth choice")
    return text % {"rank": rank}


def preferences_text(application: str = "pk", *, first: int | None = None) -> Subquery:
    """The application's ranked facilities as one text, in order: "1. Millhaven Institution;
    2. Collins Bay Institution" (None when it ranked none); `first` keeps only the first choices.

    `application` names the outer query's application id (e.g. "application_id" from a pool
    member). The facility names are in the active language (English when a French one is missing).
    """
    language = (get_language() or "en")[:2]
    preferences = FacilityPreference.objects.filter(application=OuterRef(application))
    if first is not None:
        preferences = preferences.filter(rank__lte=first)
    entry = Concat(
        Cast("rank", CharField()),
        Value(". "),
        translated("facility__name", language),
        output_field=CharField(),
    )
    return Subquery(
        preferences.order_by()
        .values("application")
        .annotate(text=StringAgg(entry, delimiter="; ", order_by=F("rank").asc()))
        .values("text")[:1],
        output_field=CharField(),
    )


def rank_at(facility_id: int, application: str = "application_id") -> Subquery:
    """The rank the application gave the facility (None: it would not work there)."""
    return Subquery(
        FacilityPreference.objects.filter(
            application=OuterRef(application), facility_id=facility_id
        ).values("rank")[:1]
    )
