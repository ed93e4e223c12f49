"""HR's editing of the occupation catalogue: every text in English and French.

Occupations with their duties, requirements and page sections; career streams, work
environments, program areas and strategic priorities.
"""

from django.contrib import admin
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from positions.models import (
    AlternativeTitle,
    CareerStream,
    Duty,
    DutyList,
    Occupation,
    OccupationSection,
    ProgramArea,
    Requirement,
    Specialization,
    StrategicPriority,
    Video,
    WorkEnvironment,
)


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
    # Without accents or capitals (unaccent), in titles, other titles, summaries and duties.
    search_fields = [
        "title_en__unaccent__icontains",
        "title_fr__unaccent__icontains",
        "alternative_titles__title_en__unaccent__icontains",
        "alternative_titles__title_fr__unaccent__icontains",
        "summary_en__unaccent__icontains",
        "summary_fr__unaccent__icontains",
        "noc_code",
        "duty_lists__duties__text_en__unaccent__icontains",
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

    def get_search_results(self, request, queryset, search_term):
        """Find occupations as the admin does, titles first: one whose title starts with what
        was typed, then one whose title holds every word, then one of whose other titles does,
        then those found in their description only (the occupation picker lists them so)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The words as the admin's search reads them (a quoted phrase is one word).
        words = [
            unescape_string_literal(bit)
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]
            else bit
            for bit in smart_split(search_term.strip())
        ]
        if not words:
            return queryset, may_have_duplicates
        phrase = " ".join(words)

        def every_word_in(field: str) -> Q:
            return Q.create([(f"{field}__unaccent__icontains", word) for word in words])

        other_titles = AlternativeTitle.objects.filter(occupation=OuterRef("pk")).filter(
            every_word_in("title_en") | every_word_in("title_fr")
        )
        title_match = Case(
            When(
                Q(title_en__unaccent__istartswith=phrase)
                | Q(title_fr__unaccent__istartswith=phrase),
                then=Value(0),
            ),
            When(every_word_in("title_en") | every_word_in("title_fr"), then=Value(1)),
            When(Exists(other_titles), then=Value(2)),
            default=Value(3),
        )
        ordering = queryset.query.order_by or Occupation._meta.ordering
        queryset = queryset.annotate(title_match=title_match).order_by("title_match", *ordering)
        return queryset, may_have_duplicates

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
