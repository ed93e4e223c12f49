"""Filters of the public occupations list; their state lives in the query string."""

import datetime

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import models
from django.db.models import F, Value
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from positions.models import (
    CareerStream,
    ClassificationGroup,
    Facility,
    JobPosting,
    LanguageRequirement,
    Occupation,
    Province,
    Region,
    RequirementKind,
    Tenure,
    WorkEnvironment,
    posting_today,
)

NO_POST_SECONDARY = "no-post-secondary"

REQUIREMENT_CHOICES = [
    (NO_POST_SECONDARY, _("No post-secondary degree required")),
    (RequirementKind.LICENCE_CERTIFICATE.value, _("Trade or professional certificate")),
    (RequirementKind.SECURITY_CHECK.value, _("Security and background check")),
    (RequirementKind.PHYSICAL_FITNESS.value, _("Physical fitness")),
    (RequirementKind.TRAINING.value, _("Training provided or required")),
]


class OccupationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Keyword"),
        method="filter_keyword",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Searches titles, summaries and duties."),
    )
    stream = django_filters.ModelChoiceFilter(
        label=_("Career stream"),
        queryset=CareerStream.objects.all(),
        to_field_name="slug",
        empty_label=_("All streams"),
    )
    environment = django_filters.ModelChoiceFilter(
        label=_("Work environment"),
        field_name="work_environments",
        queryset=WorkEnvironment.objects.all(),
        to_field_name="slug",
        empty_label=_("All work environments"),
    )
    requirement = django_filters.ChoiceFilter(
        label=_("Requirements"),
        choices=REQUIREMENT_CHOICES,
        method="filter_requirement",
        empty_label=_("Any requirements"),
    )

    class Meta:
        model = Occupation
        fields = ["q", "stream", "environment", "requirement"]

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        return queryset.search(value) if value else queryset

    def filter_requirement(self, queryset, name, value):
        if value == NO_POST_SECONDARY:
            return queryset.without_post_secondary_requirement()
        return queryset.filter(requirements__kind=value).distinct()


class PostingSort(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    CLOSING = "closing", _("Closing soonest")
    NEWEST = "newest", _("Newest")
    SALARY = "salary", _("Highest salary")


SEARCH_CONFIGS = {"en": "english", "fr": "french"}


def posting_keyword_search(queryset, text: str):
    """Return postings matching the words, ranked, in the active language.

    Each language has its own full-text document (stemmed with its PostgreSQL configuration,
    GIN-indexed).
    """
    language = (get_language() or "en")[:2]
    language = language if language in SEARCH_CONFIGS else "en"
    query = SearchQuery(text, config=SEARCH_CONFIGS[language], search_type="websearch")
    document = F(f"search_{language}")
    return queryset.annotate(rank=SearchRank(document, query)).filter(
        **{f"search_{language}": query}
    )


def posting_location_subquery(**lookups):
    """Return ids of postings with a location matching the lookups (no duplicate rows)."""
    return JobPosting.locations.through.objects.filter(**lookups).values("jobposting_id")


class PostingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Keyword"),
        method="filter_keyword",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Job title, occupation or words from the work description."),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        empty_label=_("All regions"),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province or territory"),
        queryset=Province.objects.all(),
        to_field_name="code",
        method="filter_province",
        empty_label=_("All provinces and territories"),
    )
    location = django_filters.ModelChoiceFilter(
        label=_("City or facility"),
        queryset=Facility.objects.order_by("city", "name"),
        to_field_name="slug",
        method="filter_location",
        empty_label=_("All locations"),
    )
    stream = django_filters.ModelChoiceFilter(
        label=_("Career stream"),
        field_name="occupation__stream",
        queryset=CareerStream.objects.all(),
        to_field_name="slug",
        empty_label=_("All streams"),
    )
    occupation = django_filters.ModelChoiceFilter(
        label=_("Occupation"),
        queryset=Occupation.objects.published(),
        to_field_name="slug",
        empty_label=_("All occupations"),
    )
    classification = django_filters.ChoiceFilter(
        label=_("Classification group"),
        field_name="classification_group",
        choices=ClassificationGroup.choices,
        empty_label=_("All groups"),
    )
    tenure = django_filters.ChoiceFilter(
        label=_("Tenure"), choices=Tenure.choices, empty_label=_("Any tenure")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language requirement"),
        field_name="language_requirement",
        choices=LanguageRequirement.choices,
        empty_label=_("Any language requirement"),
    )
    salary = django_filters.NumberFilter(
        label=_("Minimum salary per year ($)"),
        field_name="salary_max",
        lookup_expr="gte",
        min_value=0,
        max_value=1_000_000,
        help_text=_("Shows postings whose salary range reaches this amount."),
    )
    closing_within = django_filters.ChoiceFilter(
        label=_("Closing within"),
        choices=[("7", _("7 days")), ("14", _("14 days")), ("30", _("30 days"))],
        method="filter_closing_within",
        empty_label=_("Any closing date"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=PostingSort.choices,
        method="sort_postings",
        empty_label=None,
        null_value=None,
    )

    class Meta:
        model = JobPosting
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Without a chosen order, a keyword search sorts by relevance and a browse by closing
        # date; putting that choice in the data lets the form show it.
        if data is not None and not data.get("sort"):
            data = data.copy()
            keyword = data.get("q", "").strip()
            data["sort"] = PostingSort.RELEVANCE if keyword else PostingSort.CLOSING
        super().__init__(data, *args, **kwargs)

    @property
    def qs(self):
        queryset = super().qs
        if "rank" not in queryset.query.annotations:
            queryset = queryset.annotate(rank=Value(0.0, output_field=models.FloatField()))
        valid = self.is_bound and self.is_valid()
        sort = (valid and self.form.cleaned_data.get("sort")) or PostingSort.CLOSING
        return queryset.order_by(*SORT_ORDER[sort])

    def filter_keyword(self, queryset, name, value):
        value = " ".join(value.split())
        return posting_keyword_search(queryset, value) if value else queryset

    def filter_region(self, queryset, name, region):
        return queryset.filter(pk__in=posting_location_subquery(facility__region=region))

    def filter_province(self, queryset, name, province):
        return queryset.filter(pk__in=posting_location_subquery(facility__province=province))

    def filter_location(self, queryset, name, facility):
        return queryset.filter(pk__in=posting_location_subquery(facility=facility))

    def filter_closing_within(self, queryset, name, days):
        last_day = posting_today() + datetime.timedelta(days=int(days))
        return queryset.filter(closing_date__lte=last_day)

    def sort_postings(self, queryset, name, value):
        return queryset  # Applied last, in qs, so that it sees the keyword's rank.


SORT_ORDER = {
    PostingSort.RELEVANCE: ["-rank", "closing_date", "reference_number"],
    PostingSort.CLOSING: ["closing_date", "reference_number"],
    PostingSort.NEWEST: ["-open_date", "reference_number"],
    PostingSort.SALARY: ["-salary_max", "closing_date", "reference_number"],
}
