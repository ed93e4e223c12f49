"""Filters of the public occupations list; their state lives in the query string."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from positions.models import CareerStream, Occupation, RequirementKind, WorkEnvironment

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
