"""HR's writing, publishing and closing of job postings, and the postings' history."""

from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from applications.admin import EquityLookupsMixin, RecordAdminMixin
from applications.pipeline import Stage
from positions.forms import (
    PublishedPostingForm,
    PublishedPostingInlineFormSet,
    QualificationFormSet,
)
from positions.models import (
    Facility,
    JobPosting,
    PostingEvent,
    PostingMoveRefused,
    PostingState,
    Qualification,
    ScreeningQuestion,
)
from positions.services import free_reference_number, posting_duplicate


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


class PostingViewersMixin:
    """A posting's history is read by whoever may see the posting itself."""

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.has_perm("positions.view_jobposting") or user.has_perm(
            "positions.change_jobposting"
        )


class PostingEventInline(PostingViewersMixin, admin.TabularInline):
    """The posting's history on its page: when, what, by whom; never changed there."""

    model = PostingEvent
    verbose_name_plural = _("Publication history")
    fields = ["at", "action", "by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def move_each(postings, move, *, by) -> tuple[int, list[PostingMoveRefused]]:
    """Make a workflow move (a JobPosting method) on each posting: how many moved, and the
    refusals of the others."""
    moved, refused = 0, []
    for posting in postings:
        try:
            move(posting, by=by)
        except PostingMoveRefused as refusal:
            refused.append(refusal)
        else:
            moved += 1
    return moved, refused


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
    inlines = [QualificationInline, ScreeningQuestionInline, PostingEventInline]
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

    def get_inlines(self, request, obj):
        if obj is None:
            # A posting being added has no history yet: no empty table, nor its form to send.
            return [inline for inline in self.inlines if inline is not PostingEventInline]
        return self.inlines

    def save_model(self, request, obj, form, change):
        dates = {"open_date", "closing_date"} & set(form.changed_data)
        state_before = getattr(obj, "current_state", None)  # annotated by get_queryset
        super().save_model(request, obj, form, change)
        if change and dates and obj.is_published and state_before:
            obj.record_dates_changed(
                before={name: form.initial.get(name) for name in dates},
                state_before=state_before,
                by=request.user,
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
        published, refused = move_each(queryset, JobPosting.publish, by=request.user)
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
        for refusal in refused:
            for reason in refusal.messages:
                self.message_user(request, reason, messages.ERROR)

    @admin.action(description=_("Close the selected postings now"), permissions=["change"])
    def close_now(self, request, queryset):
        count, refused = move_each(queryset, JobPosting.close_now, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d posting closed.", "%(count)d postings closed.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d posting was not open or scheduled and was left as it was.",
                    "%(count)d postings were not open or scheduled and were left as they were.",
                    len(refused),
                )
                % {"count": len(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Archive the selected postings"), permissions=["change"])
    def archive(self, request, queryset):
        """Closed and draft postings leave the site; open or scheduled ones must be closed first."""
        count, refused = move_each(queryset, JobPosting.archive, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d posting archived.", "%(count)d postings archived.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d posting was open, scheduled or already archived and was left as "
                    "it was: close it first.",
                    "%(count)d postings were open, scheduled or already archived and were left "
                    "as they were: close them first.",
                    len(refused),
                )
                % {"count": len(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Duplicate as new drafts"), permissions=["add"])
    def duplicate_as_draft(self, request, queryset):
        copies = []
        for posting in queryset:
            copies.append(
                posting_duplicate(
                    posting=posting,
                    reference_number=free_reference_number(posting),
                    by=request.user,
                )
            )
        self.message_user(
            request,
            _("Created drafts: %(references)s. Edit their dates and publish them when ready.")
            % {"references": ", ".join(copy.reference_number for copy in copies)},
            messages.SUCCESS,
        )


@admin.register(PostingEvent)
class PostingEventAdmin(PostingViewersMixin, RecordAdminMixin, admin.ModelAdmin):
    """Every posting's history: readable, never added, changed or deleted, by anyone."""

    list_display = ["at", "posting", "action", "by", "note"]
    list_filter = ["action", "at"]
    list_select_related = ["posting", "by"]
    search_fields = ["posting__reference_number", "posting__title_en", "posting__title_fr"]

    def get_queryset(self, request):
        # The history of the postings this person may see, and no other.
        visible = JobPosting.objects.visible_to(request.user)
        return super().get_queryset(request).filter(posting__in=visible)
