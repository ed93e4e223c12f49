"""HR's editing of the occupation catalogue: every text in English and French."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from applications.admin import EquityLookupsMixin
from csc_careers.telephone import normalize_telephone
from positions.models import (
    AlternativeTitle,
    CareerStream,
    Duty,
    DutyList,
    Facility,
    JobPosting,
    Occupation,
    OccupationSection,
    PostingState,
    ProgramArea,
    Province,
    Qualification,
    Region,
    Requirement,
    ScreeningQuestion,
    Specialization,
    StrategicPriority,
    Video,
    WorkEnvironment,
)
from positions.services import posting_duplicate


class DutyListInline(TranslationStackedInline):
    model = DutyList
    extra = 0
    fields = ["order", "heading", "introduction", "specialization", "edit_duties"]
    readonly_fields = ["edit_duties"]
    show_change_link = True

    @admin.display(description=_("Duties"))
    def edit_duties(self, duty_list):
        if not duty_list.pk:
            return _("Save first, then add the duties.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:positions_dutylist_change", args=[duty_list.pk]),
            _("Edit the %(count)s duties of this list") % {"count": duty_list.duties.count()},
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the occupation's own specializations can own one of its duty lists.
        if db_field.name == "specialization":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Specialization.objects.filter(occupation_id=object_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RequirementInline(TranslationTabularInline):
    model = Requirement
    extra = 0
    fields = ["order", "kind", "text", "mandatory"]


class SpecializationInline(TranslationStackedInline):
    model = Specialization
    extra = 0
    fields = ["order", "name", "description"]


class AlternativeTitleInline(TranslationTabularInline):
    model = AlternativeTitle
    extra = 0
    fields = ["order", "title"]


class OccupationSectionInline(TranslationStackedInline):
    model = OccupationSection
    extra = 0
    fields = ["order", "heading", "body", "items"]


class VideoInline(TranslationTabularInline):
    model = Video
    extra = 0
    fields = ["order", "title", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Occupation)
class OccupationAdmin(TranslationAdmin):
    list_display = [
        "title",
        "stream",
        "noc_code",
        "duty_count",
        "specialization_count",
        "featured",
        "is_published",
        "image_preview",
    ]
    list_filter = ["stream", "featured", "is_published", "work_environments", "requirements__kind"]
    list_select_related = ["stream"]
    list_editable = ["featured", "is_published"]
    search_fields = [
        "title_en",
        "title_fr",
        "summary_en",
        "summary_fr",
        "noc_code",
        "duty_lists__duties__text_en",
    ]
    prepopulated_fields = {"slug": ["title_en"]}
    filter_horizontal = ["work_environments"]
    readonly_fields = ["image_preview"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "stream",
                    "noc_code",
                    ("order", "featured"),
                    "is_published",
                ]
            },
        ),
        (_("Description"), {"fields": ["summary", "overview", "schedule", "career_path"]}),
        (_("Where the work is"), {"fields": ["work_environments"]}),
        (_("Image"), {"fields": ["image", "image_alt", "image_preview"]}),
    ]
    inlines = [
        SpecializationInline,
        DutyListInline,
        RequirementInline,
        OccupationSectionInline,
        AlternativeTitleInline,
        VideoInline,
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                duty_total=Count("duty_lists__duties", distinct=True),
                specialization_total=Count("specializations", distinct=True),
            )
        )

    @admin.display(description=_("duties"), ordering="duty_total")
    def duty_count(self, occupation):
        return occupation.duty_total

    @admin.display(description=_("specializations"), ordering="specialization_total")
    def specialization_count(self, occupation):
        return occupation.specialization_total

    @admin.display(description=_("image"))
    def image_preview(self, occupation):
        picture = occupation.image_rendition or occupation.image
        if not picture:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="120">', picture.url, occupation.image_alt or ""
        )


class DutyInline(TranslationTabularInline):
    model = Duty
    extra = 1
    fields = ["order", "text", "parent"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A sub-item can only sit under a top-level duty of the same list.
        if db_field.name == "parent":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Duty.objects.filter(duty_list_id=object_id, parent=None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DutyList)
class DutyListAdmin(TranslationAdmin):
    list_display = ["__str__", "occupation", "specialization", "order"]
    list_filter = ["occupation__stream", "occupation"]
    list_select_related = ["occupation", "specialization"]
    search_fields = ["heading_en", "introduction_en", "occupation__title_en", "duties__text_en"]
    autocomplete_fields = ["occupation"]
    fields = ["occupation", "specialization", "order", "heading", "introduction"]
    inlines = [DutyInline]


@admin.register(CareerStream)
class CareerStreamAdmin(TranslationAdmin):
    list_display = ["name", "order", "occupation_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}
    search_fields = ["name_en", "name_fr"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(occupation_total=Count("occupations"))

    @admin.display(description=_("occupations"), ordering="occupation_total")
    def occupation_count(self, stream):
        return stream.occupation_total


@admin.register(WorkEnvironment)
class WorkEnvironmentAdmin(TranslationAdmin):
    list_display = ["name", "count", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}
    search_fields = ["name_en", "name_fr"]


@admin.register(ProgramArea)
class ProgramAreaAdmin(TranslationAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}
    search_fields = ["name_en", "name_fr"]


@admin.register(StrategicPriority)
class StrategicPriorityAdmin(TranslationAdmin):
    list_display = ["text", "order"]
    list_editable = ["order"]


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name_en"]}
    search_fields = ["name_en", "name_fr"]


@admin.register(Province)
class ProvinceAdmin(TranslationAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name_en", "name_fr", "code"]


@admin.register(Facility)
class FacilityAdmin(TranslationAdmin):
    list_display = ["name", "kind", "security_level", "city", "province", "region"]
    list_filter = ["kind", "security_level", "region", "province"]
    list_select_related = ["province", "region"]
    search_fields = ["name_en", "name_fr", "city_en", "city_fr"]
    prepopulated_fields = {"slug": ["name_en"]}


class PostingStateFilter(admin.SimpleListFilter):
    """Filter on the computed state (draft, scheduled, open, closed, archived)."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return PostingState.choices

    def queryset(self, request, queryset):
        if self.value() in PostingState.values:
            return queryset.filter(current_state=self.value())
        return queryset


class PublishedPostingForm(forms.ModelForm):
    """A published posting keeps what publishing required: French text, a location, a contact."""

    def clean_hr_contact_phone(self):
        phone = self.cleaned_data["hr_contact_phone"]
        return normalize_telephone(phone) if phone else phone

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_published:
            for field in ("title_fr", "work_description_fr"):
                if field in self.fields and not cleaned.get(field):
                    self.add_error(field, _("A published posting needs its French text."))
            if "locations" in self.fields and not cleaned.get("locations"):
                self.add_error("locations", _("A published posting needs at least one location."))
            for field in ("hr_contact_name", "hr_contact_email"):
                # An address refused as invalid already says what is wrong with it.
                missing = not (cleaned.get(field) or "").strip() and field not in self.errors
                if field in self.fields and missing:
                    self.add_error(field, _("A published posting needs its HR contact."))
        return cleaned


class PublishedPostingInlineFormSet(BaseInlineFormSet):
    """Qualifications and questions of a published posting keep their French text."""

    def kept_forms(self):
        """The forms whose rows remain after saving (filled in, and not marked for deletion)."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        super().clean()
        if not (self.instance.pk and self.instance.is_published):
            return
        for form in self.kept_forms():
            if not form.cleaned_data.get("text_fr"):
                form.add_error("text_fr", _("A published posting needs its French text."))


class QualificationFormSet(PublishedPostingInlineFormSet):
    def clean(self):
        super().clean()
        published = self.instance.pk and self.instance.is_published
        if published and all(form.cleaned_data.get("is_asset") for form in self.kept_forms()):
            raise ValidationError(
                _("A published posting needs at least one essential qualification.")
            )


class QualificationInline(TranslationTabularInline):
    model = Qualification
    formset = QualificationFormSet
    extra = 0
    fields = ["order", "is_asset", "kind", "text"]


class ScreeningQuestionInline(TranslationStackedInline):
    model = ScreeningQuestion
    formset = PublishedPostingInlineFormSet
    extra = 0
    fields = ["order", "kind", "is_essential", "text", "choices"]


@admin.register(JobPosting)
class JobPostingAdmin(EquityLookupsMixin, TranslationAdmin):
    form = PublishedPostingForm
    list_display = [
        "reference_number",
        "title",
        "occupation",
        "state_label",
        "open_date",
        "closing_date",
        "location_names",
        "application_count",
    ]
    list_display_links = ["reference_number", "title"]
    list_filter = [
        PostingStateFilter,
        "occupation__stream",
        "classification_group",
        "tenure",
        "language_requirement",
        "locations__region",
    ]
    list_select_related = ["occupation"]
    search_fields = ["reference_number", "selection_process_number", "title_en", "title_fr"]
    date_hierarchy = "closing_date"
    autocomplete_fields = ["occupation", "locations"]
    filter_horizontal = ["reviewers"]
    readonly_fields = ["state_label", "funnel", "published_at", "closed_early_at", "archived_at"]
    actions = ["publish", "close_now", "archive", "duplicate_as_draft"]
    inlines = [QualificationInline, ScreeningQuestionInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "occupation",
                    ("reference_number", "selection_process_number"),
                    ("classification_group", "classification_level"),
                    ("tenure", "term_months"),
                    ("salary_min", "salary_max"),
                    "positions_to_fill",
                ]
            },
        ),
        (_("Dates and state"), {"fields": [("open_date", "closing_date"), "state_label"]}),
        (_("Applications"), {"fields": ["funnel", "reviewers"]}),
        (_("Where"), {"fields": ["locations"]}),
        (
            _("HR contact"),
            {
                "fields": ["hr_contact_name", "hr_contact_email", "hr_contact_phone"],
                "description": _(
                    "Shown on the posting: whom applicants write to with questions. The name "
                    "and e-mail address are required to publish."
                ),
            },
        ),
        (
            _("Who can apply and conditions"),
            {
                "fields": [
                    "eligibility",
                    "area_of_selection",
                    ("language_requirement", "language_profile"),
                    "security_clearance",
                    "operational_requirements",
                    "conditions_of_employment",
                ]
            },
        ),
        (
            _("The poster"),
            {"fields": ["work_description", "intent_of_process", "other_information"]},
        ),
        (
            _("History"),
            {
                "fields": ["published_at", "closed_early_at", "archived_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .with_state()
            .annotate(application_total=Count("applications"))
            .prefetch_related(
                Prefetch("locations", queryset=Facility.objects.only("id", "name_en", "name_fr"))
            )
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.update_search_documents()

    @admin.display(description=_("state"), ordering="current_state")
    def state_label(self, posting):
        return posting.state_label

    @admin.display(description=_("applications"), ordering="application_total")
    def application_count(self, posting):
        return posting.application_total

    @admin.display(description=_("applications by stage"))
    def funnel(self, posting):
        """How many of this posting's applications are at each stage (one query)."""
        from applications.models import Stage

        if not posting.pk:
            return "—"
        counts = dict(
            posting.applications.values_list("stage").annotate(total=Count("pk")).order_by()
        )
        if not counts:
            return _("No application yet.")
        changelist = reverse("admin:applications_application_changelist")
        return format_html_join(
            "",
            '<div><a href="{}?posting={}&amp;stage__exact={}">{}</a>: {}</div>',
            (
                (changelist, posting.pk, stage.value, stage.label, counts[stage.value])
                for stage in Stage
                if stage.value in counts
            ),
        )

    @admin.display(description=_("locations"))
    def location_names(self, posting):
        return ", ".join(facility.name for facility in posting.locations.all())

    @admin.action(description=_("Publish the selected postings"), permissions=["change"])
    def publish(self, request, queryset):
        published, refused = 0, []
        for posting in queryset:
            try:
                posting.publish()
            except ValidationError as error:
                refused.extend(error.messages)
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d posting published; it opens on its open date.",
                    "%(count)d postings published; each opens on its open date.",
                    published,
                )
                % {"count": published},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)

    @admin.action(description=_("Close the selected postings now"), permissions=["change"])
    def close_now(self, request, queryset):
        closable = queryset.filter(
            current_state__in=[PostingState.OPEN, PostingState.SCHEDULED],
            closed_early_at__isnull=True,
        )
        count = 0
        for posting in closable:
            posting.close_now()
            count += 1
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d posting closed.", "%(count)d postings closed.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d posting was not open or scheduled and was left as it was.",
                    "%(count)d postings were not open or scheduled and were left as they were.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Archive the selected postings"), permissions=["change"])
    def archive(self, request, queryset):
        """Closed and draft postings leave the site; open or scheduled ones must be closed first."""
        archivable = queryset.filter(current_state__in=[PostingState.CLOSED, PostingState.DRAFT])
        count = 0
        for posting in archivable:
            posting.archive()
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d posting archived.", "%(count)d postings archived.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        skipped = queryset.count() - count
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d posting was open, scheduled or already archived and was left as "
                    "it was: close it first.",
                    "%(count)d postings were open, scheduled or already archived and were left "
                    "as they were: close them first.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Duplicate as new drafts"), permissions=["add"])
    def duplicate_as_draft(self, request, queryset):
        copies = []
        for posting in queryset:
            copies.append(
                posting_duplicate(posting=posting, reference_number=free_reference_number(posting))
            )
        self.message_user(
            request,
            _("Created drafts: %(references)s. Edit their dates and publish them when ready.")
            % {"references": ", ".join(copy.reference_number for copy in copies)},
            messages.SUCCESS,
        )


def free_reference_number(posting: JobPosting) -> str:
    """Return the posting's reference with the first free "-COPY-n" suffix."""
    taken = set(
        JobPosting.objects.filter(
            reference_number__startswith=f"{posting.reference_number}-COPY-"
        ).values_list("reference_number", flat=True)
    )
    number = 1
    while f"{posting.reference_number}-COPY-{number}" in taken:
        number += 1
    return f"{posting.reference_number}-COPY-{number}"
