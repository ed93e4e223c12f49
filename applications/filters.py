"""Filters of the recruiters' applicant-list export."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.forms import ExportForm
from applications.models import OfficialLanguage
from applications.pipeline import Stage
from positions.models import CareerStream, JobPosting, Occupation, Region


def reviewable_postings(request):
    """Return the postings whose applications the person exporting may see, newest first."""
    if request is None:
        return JobPosting.objects.none()
    return JobPosting.objects.reviewable_by(request.user).order_by("-open_date", "reference_number")


class ApplicationExportFilter(django_filters.FilterSet):
    """Which applications an export holds; its form also asks for the file's format.

    Give it the applications the person may see (Application.objects.visible_to) and the request.
    """

    postings = django_filters.ModelMultipleChoiceFilter(
        label=_("Job postings"),
        queryset=reviewable_postings,
        method="filter_postings",
        help_text=_("None chosen: every posting you can see."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    stages = django_filters.MultipleChoiceFilter(
        label=_("Stages"),
        field_name="stage",
        choices=Stage.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
    )
    submitted_from = django_filters.DateFilter(
        label=_("Submitted from"),
        field_name="submitted_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
        label=_("Submitted to"),
        field_name="submitted_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
    )
    stream = django_filters.ModelChoiceFilter(
        label=_("Career stream"),
        field_name="posting__occupation__stream",
        queryset=CareerStream.objects.all(),
        to_field_name="slug",
    )
    language = django_filters.ChoiceFilter(
        label=_("Language of correspondence"),
        field_name="correspondence_language",
        choices=OfficialLanguage.choices,
        empty_label=_("Either"),
    )

    class Meta:
        form = ExportForm

    def filter_queryset(self, queryset):
        # The form has a field that is not a filter (the file's format): filter by filters only.
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def filter_postings(self, queryset, name, value):
        return queryset.filter(posting__in=value) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.in_region(value)

    def described(self) -> dict:
        """The filters as plain data, for the export log."""
        data = self.form.cleaned_data
        return {
            "postings": [p.reference_number for p in data["postings"]],
            "stages": data["stages"],
            "submitted_from": data["submitted_from"] and data["submitted_from"].isoformat(),
            "submitted_to": data["submitted_to"] and data["submitted_to"].isoformat(),
            "region": data["region"] and data["region"].slug,
            "stream": data["stream"] and data["stream"].slug,
            "language": data["language"],
        }


class ReportFilterForm(forms.Form):
    """The report filters' form: the filters of postings, and the dates of the applications."""

    submitted_from = forms.DateField(
        label=_("Applications submitted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = forms.DateField(
        label=_("Applications submitted to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("submitted_from"), data.get("submitted_to")
        if since and until and since > until:
            self.add_error("submitted_to", _("The end date is before the start date."))
        return data


class ReportFilter(django_filters.FilterSet):
    """Which postings a report counts; give it the postings the person may review
    (JobPosting.objects.reviewable_by) and the request.

    Several postings together are a campaign (e.g. a national CX-01 process). The form lists the
    POSTINGS_LISTED most recent postings and any chosen: older ones are chosen by their address.
    """

    POSTINGS_LISTED = 200

    postings = django_filters.ModelMultipleChoiceFilter(
        label=_("Job postings"),
        queryset=reviewable_postings,
        method="filter_postings",
        help_text=_("None chosen: every posting you can see. Several: a campaign."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        method="filter_region",
        empty_label=_("Every region"),
    )
    occupation = django_filters.ModelChoiceFilter(
        label=_("Occupation"),
        field_name="occupation",
        queryset=Occupation.objects.only("slug", "title_en", "title_fr").order_by("title"),
        to_field_name="slug",
        empty_label=_("Every occupation"),
    )

    class Meta:
        model = JobPosting
        fields = []
        form = ReportFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["postings"]
        given = self.data.getlist("postings") if hasattr(self.data, "getlist") else []
        chosen = [value for value in given if value.isdigit()]
        listed = Q(pk__in=reviewable_postings(self.request)[: self.POSTINGS_LISTED].values("pk"))
        postings = reviewable_postings(self.request).filter(listed | Q(pk__in=chosen))
        field.widget.choices = [
            (posting.pk, f"{posting.reference_number} – {posting.title}")
            for posting in postings.only("reference_number", "title_en", "title_fr")
        ]

    def filter_queryset(self, queryset):
        # The form has fields that are not filters of postings (the dates): filters only.
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def filter_postings(self, queryset, name, value):
        return queryset.filter(pk__in=[posting.pk for posting in value]) if value else queryset

    def filter_region(self, queryset, name, value):
        return queryset.in_region(value)

    def dates(self) -> dict:
        """The dates the applications were submitted between (None: no limit)."""
        data = self.form.cleaned_data if self.is_valid() else {}
        return {name: data.get(name) for name in ("submitted_from", "submitted_to")}
