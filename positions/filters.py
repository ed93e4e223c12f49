"""Filters of the public occupations list; their state lives in the query string."""

import copy
import datetime
import time

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.forms import BoundField
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from csc_careers.page_cache import generation
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
    SearchWord,
    Tenure,
    WorkEnvironment,
    posting_today,
)
from positions.models.search import search_language
from positions.widgets import NumberInput, Select, TextInput

NO_POST_SECONDARY = "no-post-secondary"

REQUIREMENT_CHOICES = [
    (NO_POST_SECONDARY, _("No post-secondary degree required")),
    (RequirementKind.LICENCE_CERTIFICATE.value, _("Trade or professional certificate")),
    (RequirementKind.SECURITY_CHECK.value, _("Security and background check")),
    (RequirementKind.PHYSICAL_FITNESS.value, _("Physical fitness")),
    (RequirementKind.TRAINING.value, _("Training provided or required")),
]

# The choices of the catalogue and places filters, by filter and language: (generation, time
# built, [(value, label), …], {value: row}, {value: the field shown with it}). Every visitor sees
# the same ones until HR changes the catalogue, places or postings, which starts a new generation
# of the public pages (csc_careers.page_cache).
catalogue_choices: dict[
    tuple[str, str], tuple[int, float, list[tuple[str, str]], dict, dict[str, str]]
] = {}
# The other fields of the filter forms as shown (includes/field.html), by form, field, language
# and value (see SharedFormFilterSet.shown_fields).
shown_fields: dict[tuple[str, str, str, str], str] = {}
FIELD_TEMPLATE = "includes/field.html"
# A change signals its new generation before it commits: a list built in that moment may miss
# it, so no list is kept longer than this.
CATALOGUE_CHOICES_MAX_AGE = 60  # seconds


class ChoiceField(django_filters.fields.ChoiceField):
    widget = Select

    def __deepcopy__(self, memo):
        # Each form copies its fields: the choices, never changed, are shared rather than copied
        # (most of the cost of making the postings form).
        memo.setdefault(id(self._choices.choices), self._choices.choices)
        return super().__deepcopy__(memo)


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = ChoiceField


class CatalogueOptionsIterator(django_filters.fields.ModelChoiceIterator):
    """The field's options from the shared lists, not a query each time the form is shown."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.field.options()

    def __len__(self):
        extra = (self.field.empty_label is not None) + (self.field.null_label is not None)
        return extra + len(self.field.options())

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.options())


class CatalogueChoiceField(django_filters.fields.ModelChoiceField):
    """A choice of catalogue or place rows, read from the shared lists (see catalogue_choices)."""

    iterator = CatalogueOptionsIterator
    widget = Select

    def __init__(self, *args, options_key: str, **kwargs):
        self.options_key = options_key
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.__dict__.pop("_looked_up", None)  # each form looks the lists up afresh
        return copied

    def _kept(self) -> tuple:
        """Return the shared lists' entry of this field in the active language (see above)."""
        key = (self.options_key, get_language() or "")
        if getattr(self, "_looked_up", (None,))[0] == key:  # once per form (a form is per request)
            return self._looked_up[1]
        # The form reads the generation once for all its catalogue fields (SharedFormFilterSet).
        current = self.__dict__.get("generation_read") or generation()
        kept = catalogue_choices.get(key)
        if not (
            kept and kept[0] == current and time.monotonic() - kept[1] < CATALOGUE_CHOICES_MAX_AGE
        ):
            rows = {str(self.prepare_value(row)): row for row in self.queryset}
            options = [(value, self.label_from_instance(row)) for value, row in rows.items()]
            kept = (current, time.monotonic(), options, rows, {})
            catalogue_choices[key] = kept
        self._looked_up = key, kept
        return kept

    def choices_and_rows(self) -> tuple[list[tuple[str, str]], dict]:
        """Return the (value, label) options in the active language, and the row of each value."""
        kept = self._kept()
        return kept[2], kept[3]

    def shown(self) -> dict[str, str]:
        """Return the field as shown with each value, kept with the choices it shows."""
        return self._kept()[4]

    def options(self) -> list[tuple[str, str]]:
        return self.choices_and_rows()[0]

    def to_python(self, value):
        """Return the row the value names, as ModelChoiceField does, without a query."""
        if value in self.empty_values or not self.to_field_name or not isinstance(value, str):
            return super().to_python(value)
        self.validate_no_null_characters(value)
        row = self.choices_and_rows()[1].get(value)
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return row


class CatalogueChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose choices every visitor shares (see catalogue_choices)."""

    field_class = CatalogueChoiceField

    @property
    def field(self):
        if callable(self.queryset):
            raise TypeError("A per-request queryset cannot have shared options.")
        parent = type(self.parent)
        self.extra["options_key"] = (
            f"{parent.__module__}.{parent.__qualname__}.{self.field_name}__{self.lookup_expr}"
        )
        return super().field


class FiltersSharingFieldArguments(dict):
    """A FilterSet's filters, whose copies share the arguments of their form fields.

    django-filter copies (deepcopy) the filters for each FilterSet, with what their form fields
    are made of (choices, querysets, widgets); a SharedFormFilterSet makes its fields once, so
    those are only read then and never changed: the copies share them.
    """

    def __deepcopy__(self, memo):
        for filter_ in self.values():
            for value in (*filter_.extra.values(), getattr(filter_, "queryset", None)):
                memo.setdefault(id(value), value)
        return {name: copy.deepcopy(filter_, memo) for name, filter_ in self.items()}


class SharedFormFilterSet(django_filters.FilterSet):
    """A FilterSet whose form class is made once, not for each request.

    Its fields are the same for every request (labels are translated when shown, and no filter
    takes its queryset from the request): django-filter would build a dozen fields and a class.
    Its filters are copied for each FilterSet without the arguments of those fields, and the
    fields as shown are kept (shown_fields).
    """

    def __init__(self, *args, **kwargs):
        self.base_filters = FiltersSharingFieldArguments(type(self).base_filters)
        super().__init__(*args, **kwargs)  # which copies base_filters into self.filters
        del self.base_filters

    @property
    def form(self):
        if not hasattr(self, "_form"):
            current = generation()  # one file or network read for all the catalogue fields
            for field in super().form.fields.values():
                if isinstance(field, CatalogueChoiceField):
                    field.generation_read = current
        return self._form

    def get_form_class(self):
        filterset = type(self)
        if "_shared_form_class" not in filterset.__dict__:
            filterset._shared_form_class = super().get_form_class()
        return filterset._shared_form_class

    def shown_fields(self) -> list[tuple[BoundField, str]]:
        """Return each field of the form with its HTML (includes/field.html).

        A field without errors is the same for every visitor who gave it the same value, in a
        language: its HTML is rendered once and kept, for a value among its choices or an empty
        one (so no more are kept than there are choices; a typed keyword is rendered each time).
        A catalogue field's are kept with its choices, and made again with them.
        """
        language = get_language() or ""
        form_name = f"{type(self).__module__}.{type(self).__qualname__}"
        shown = []
        for field in self.form:
            value = field.value()
            kept, key = None, None
            if field.errors:
                pass
            elif isinstance(field.field, CatalogueChoiceField):
                kept, key = field.field.shown(), str(value or "")
            elif isinstance(field.field, forms.ChoiceField) or value in (None, ""):
                kept, key = shown_fields, (form_name, field.name, language, str(value or ""))
            html = kept.get(key) if kept is not None else None
            if html is None:
                html = render_to_string(FIELD_TEMPLATE, {"field": field})
                if kept is not None:
                    kept[key] = html
            shown.append((field, html))
        return shown


class OccupationFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(
        label=_("Keyword"),
        method="filter_keyword",
        max_length=100,
        widget=TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Searches titles, summaries and duties."),
    )
    stream = CatalogueChoiceFilter(
        label=_("Career stream"),
        queryset=CareerStream.objects.all(),
        to_field_name="slug",
        empty_label=_("All streams"),
    )
    environment = CatalogueChoiceFilter(
        label=_("Work environment"),
        field_name="work_environments",
        queryset=WorkEnvironment.objects.all(),
        to_field_name="slug",
        empty_label=_("All work environments"),
    )
    requirement = ChoiceFilter(
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


class PostingFilter(SharedFormFilterSet):
    q = django_filters.CharFilter(
        label=_("Keyword"),
        method="filter_keyword",
        max_length=100,
        widget=TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_(
            "Job title, occupation, classification (e.g. CX or WP-04), city or words from the "
            "work description."
        ),
    )
    region = CatalogueChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        empty_label=_("All regions"),
    )
    province = CatalogueChoiceFilter(
        label=_("Province or territory"),
        queryset=Province.objects.all(),
        to_field_name="code",
        method="filter_province",
        empty_label=_("All provinces and territories"),
    )
    location = CatalogueChoiceFilter(
        label=_("City or facility"),
        queryset=Facility.objects.order_by("city", "name"),
        to_field_name="slug",
        method="filter_location",
        empty_label=_("All locations"),
    )
    stream = CatalogueChoiceFilter(
        label=_("Career stream"),
        field_name="occupation__stream",
        queryset=CareerStream.objects.all(),
        to_field_name="slug",
        empty_label=_("All streams"),
    )
    occupation = CatalogueChoiceFilter(
        label=_("Occupation"),
        queryset=Occupation.objects.published(),
        to_field_name="slug",
        empty_label=_("All occupations"),
    )
    classification = ChoiceFilter(
        label=_("Classification group"),
        field_name="classification_group",
        choices=ClassificationGroup.choices,
        empty_label=_("All groups"),
    )
    tenure = ChoiceFilter(label=_("Tenure"), choices=Tenure.choices, empty_label=_("Any tenure"))
    language = ChoiceFilter(
        label=_("Language requirement"),
        field_name="language_requirement",
        choices=LanguageRequirement.choices,
        empty_label=_("Any language requirement"),
    )
    salary = django_filters.NumberFilter(
        label=_("Minimum salary per year ($)"),
        widget=NumberInput,
        field_name="salary_max",
        lookup_expr="gte",
        min_value=0,
        max_value=1_000_000,
        help_text=_("Shows postings whose salary range reaches this amount."),
    )
    closing_within = ChoiceFilter(
        label=_("Closing within"),
        choices=[("7", _("7 days")), ("14", _("14 days")), ("30", _("30 days"))],
        method="filter_closing_within",
        empty_label=_("Any closing date"),
    )
    sort = ChoiceFilter(
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
        return queryset.search(value)

    # Whatever runs these filters reads the postings (the list and its count, the feed, alerts),
    # never as a subquery of another table's query: the places' postings as an array of ids.
    def filter_region(self, queryset, name, region):
        return queryset.in_region(region, listed=True)

    def filter_province(self, queryset, name, province):
        return queryset.at_places(province=province, listed=True)

    def filter_location(self, queryset, name, facility):
        return queryset.at_places(pk=facility.pk, listed=True)

    def filter_closing_within(self, queryset, name, days):
        last_day = posting_today() + datetime.timedelta(days=int(days))
        return queryset.filter(closing_date__lte=last_day)

    def sort_postings(self, queryset, name, value):
        return queryset  # Applied last, in qs, so that it sees the keyword's rank.

    def filter_query(self) -> QueryDict:
        """Return the filters in use for a query string: no sort or page, nothing empty or wrong."""
        errors = self.form.errors if self.is_bound else {}
        query = QueryDict(mutable=True)
        for name in self.filters:
            value = (self.data or {}).get(name)
            if value and name != "sort" and name not in errors:
                query[name] = value
        return query

    # A keyword that finds fewer postings than this may be misspelt.
    FEW_RESULTS = 3

    def spelling_suggestion(self, result_count: int) -> dict | None:
        """Return the keyword with its misspelt words corrected, when that finds more postings.

        The words come from the postings searched (the open ones), in the active language; the
        correction is searched with the same filters, and offered only if it finds more.
        Returns {"keyword": …, "query": …} (the query string of the corrected search), or None.
        """
        if result_count >= self.FEW_RESULTS or not (self.is_bound and self.is_valid()):
            return None
        keyword = self.form.cleaned_data.get("q")
        if not keyword:
            return None
        corrected = SearchWord.objects.correction(
            keyword, language=search_language(), postings=self.queryset
        )
        if corrected is None:
            return None
        query = self.filter_query()
        query["q"] = corrected
        found = type(self)(query, queryset=self.queryset, request=self.request).qs.count()
        if found <= result_count:
            return None
        return {"keyword": corrected, "query": query.urlencode()}


SORT_ORDER = {
    PostingSort.RELEVANCE: ["-rank", "closing_date", "reference_number"],
    PostingSort.CLOSING: ["closing_date", "reference_number"],
    PostingSort.NEWEST: ["-open_date", "reference_number"],
    PostingSort.SALARY: ["-salary_max", "closing_date", "reference_number"],
}
