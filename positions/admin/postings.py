"""HR's writing, publishing and closing of job postings, their assessment plans, and the
postings' history."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
)

from applications.admin import ReadOnlyInline, RecordAdminMixin
from applications.admin_privacy import PrivateLookupsMixin
from applications.pipeline import Stage
from positions.forms import (
    AssessmentStepForm,
    AssessmentStepFormSet,
    PublishedPostingForm,
    QualificationFormSet,
    ScreeningQuestionFormSet,
    person_label,
)
from positions.models import (
    AssessmentStep,
    Facility,
    JobPosting,
    PlanChange,
    PostingAction,
    PostingEvent,
    PostingMoveRefused,
    PostingState,
    Qualification,
    ScreeningQuestion,
    posting_today,
)
from positions.models.postings import POSTING_MOVES
from positions.services import (
    assessment_plan_change_record,
    assessment_plan_default,
    free_reference_number,
    posting_duplicate,
)


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


class QualificationInline(TranslationStackedInline):
    model = Qualification
    formset = QualificationFormSet
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})}
    }
    fields = [
        ("order", "is_asset", "kind"),
        "text",
        ("pass_mark", "out_of"),
        "not_met_reason",
    ]


class ScreeningQuestionInline(TranslationStackedInline):
    model = ScreeningQuestion
    formset = ScreeningQuestionFormSet
    extra = 0
    fields = ["order", "kind", "is_essential", "text", "choices", "qualification"]


class AssessmentStepInline(TranslationStackedInline):
    """The posting's assessment plan: each step, what it assesses, when, and its board."""

    model = AssessmentStep
    form = AssessmentStepForm
    formset = AssessmentStepFormSet
    extra = 0
    readonly_fields = ["results"]
    fields = [
        ("kind", "order"),
        "name",
        "qualifications",
        ("starts_on", "ends_on"),
        "assessors",
        "chair",
        "results",
        "change_reason",
    ]
    # What those who may only read the plan see: the board as names, no reason to give.
    read_only_fields = [
        ("kind", "order"),
        "name",
        "qualifications",
        ("starts_on", "ends_on"),
        "board_names",
        "results",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(rated_candidates=Count("ratings__application", distinct=True))
            .prefetch_related("qualifications", "board_members__user")
        )

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.replace_orig_field(self.fields)
        return self.replace_orig_field(self.read_only_fields)

    def get_readonly_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.readonly_fields
        return [*self.readonly_fields, "board_names"]

    @admin.display(description=_("assessment board"))
    def board_names(self, step):
        members = [
            _("%(name)s (chair)") % {"name": person_label(member.user)}
            if member.is_chair
            else person_label(member.user)
            for member in step.board_members.all()
        ]
        return ", ".join(members) or _("None: the posting's reviewers rate this step.")

    @admin.display(description=_("results"))
    def results(self, step):
        count = getattr(step, "rated_candidates", 0) if step.pk else 0
        if not count:
            return _("No candidate rated yet: the step may be changed or deleted.")
        return ngettext(
            "%(count)d candidate rated: a change needs its reason, and the step cannot be deleted.",
            "%(count)d candidates rated: a change needs its reason, and the step cannot be "
            "deleted.",
            count,
        ) % {"count": count}


class PostingViewersMixin:
    """A posting's history is read by whoever may see the posting itself."""

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.has_perm("positions.view_jobposting") or user.has_perm(
            "positions.change_jobposting"
        )


class PostingEventInline(PostingViewersMixin, ReadOnlyInline):
    """The posting's history on its page: when, what, by whom; never changed there."""

    model = PostingEvent
    verbose_name_plural = _("Publication history")
    fields = ["at", "action", "by", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class PlanChangeInline(ReadOnlyInline):
    """Changes to the plan after results were recorded, on the posting's page; never changed."""

    model = PlanChange
    verbose_name_plural = _("Assessment plan changes")
    fields = ["at", "step_title", "change", "reason", "by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class PostingPageMove(models.TextChoices):
    """The moves offered on a posting's own page; the labels are the buttons'."""

    PUBLISH = "publish", _("Publish")
    REOPEN = "reopen", _("Reopen")
    CLOSE = "close", _("Close now")
    ARCHIVE = "archive", _("Archive")
    DUPLICATE = "duplicate", _("Duplicate as a new draft")


# The workflow move each page move makes (duplicating makes a new posting instead).
PAGE_MOVE_ACTIONS = {
    PostingPageMove.PUBLISH: PostingAction.PUBLISHED,
    PostingPageMove.REOPEN: PostingAction.REOPENED,
    PostingPageMove.CLOSE: PostingAction.CLOSED,
    PostingPageMove.ARCHIVE: PostingAction.ARCHIVED,
}


@dataclass(frozen=True)
class PageMove:
    """A move offered on a posting's page: its button, and one line saying what it will do."""

    move: PostingPageMove
    explanation: str

    @property
    def name(self) -> str:
        return self.move.value

    @property
    def label(self) -> str:
        return self.move.label


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
class JobPostingAdmin(PrivateLookupsMixin, TranslationAdmin):
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
    readonly_fields = [
        "state_label",
        "funnel",
        "plan_summary",
        "published_at",
        "closed_early_at",
        "archived_at",
    ]
    actions = ["publish", "close_now", "archive", "duplicate_as_draft"]
    inlines = [
        QualificationInline,
        ScreeningQuestionInline,
        AssessmentStepInline,
        PostingEventInline,
        PlanChangeInline,
    ]
    # Only a saved posting has a plan to edit (its qualifications must exist first) and a history.
    inlines_once_saved = [AssessmentStepInline, PostingEventInline, PlanChangeInline]
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
        (_("Assessment plan"), {"fields": ["plan_summary"]}),
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
            # A posting being added has no history yet, and its plan is made when it is saved:
            # no empty tables, nor their forms to send.
            return [inline for inline in self.inlines if inline not in self.inlines_once_saved]
        return self.inlines

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/<slug:move>/",
                self.admin_site.admin_view(self.move_view),
                name="positions_jobposting_move",
            ),
            *super().get_urls(),
        ]

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
        posting = form.instance
        posting.update_search_documents()
        # A posting without a plan gets the default one once it has qualifications to assess.
        if not posting.assessment_steps.exists() and posting.qualifications.exists():
            steps = assessment_plan_default(posting=posting)
            self.message_user(
                request,
                _(
                    "The posting has the default assessment plan: %(steps)s. Change it under "
                    "“Assessment plan” if this selection process assesses otherwise."
                )
                % {"steps": " → ".join(str(step.title) for step in steps)},
                messages.INFO,
            )
        gaps = posting.plan_gaps()
        if gaps:
            self.message_user(request, self.gaps_message(gaps), messages.WARNING)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, AssessmentStepFormSet):
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for step_form in formset.forms:
                if step_form.plan_change and step_form.instance.pk:
                    assessment_plan_change_record(
                        step=step_form.instance,
                        change=step_form.plan_change,
                        reason=step_form.cleaned_data["change_reason"],
                        by=request.user,
                    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(posting_moves=self.page_moves(request, obj), plan_gaps=obj.plan_gaps())
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def gaps_message(gaps: list[Qualification]) -> str:
        return ngettext(
            "No step of the assessment plan assesses this essential qualification: %(list)s. "
            "Tick it on a step under “Assessment plan”.",
            "No step of the assessment plan assesses these essential qualifications: %(list)s. "
            "Tick each on a step under “Assessment plan”.",
            len(gaps),
        ) % {"list": "; ".join(f"“{gap.text.rstrip('.')}”" for gap in gaps)}

    @admin.display(description=_("assessment plan"))
    def plan_summary(self, posting):
        if not posting.pk:
            return _(
                "Saving the posting gives it the default plan: application screening (the "
                "qualifications its screening questions screen, and education), then an "
                "interview for the others. Change it here once the posting is saved."
            )
        gaps = posting.plan_gaps()
        if gaps:
            return self.gaps_message(gaps)
        if not posting.qualifications.filter(is_asset=False).exists():
            return _("No essential qualification yet: add them above, then save.")
        return _("Complete: every essential qualification is assessed by a step of the plan.")

    # --- Moves from the posting's own page -------------------------------------------------

    def page_moves(self, request, posting: JobPosting) -> list[PageMove]:
        """The moves this person may make on this posting as it stands, each with its effect."""
        moves = []
        if self.has_change_permission(request, posting):
            state = posting.state
            for move, action in PAGE_MOVE_ACTIONS.items():
                allowed = state in POSTING_MOVES[action]
                if move == PostingPageMove.REOPEN:
                    # Publishing cannot reopen a posting whose closing date has passed.
                    allowed = allowed and posting.closing_date >= posting_today()
                if allowed:
                    moves.append(PageMove(move, self.move_explanation(move, posting)))
        if self.has_add_permission(request):
            moves.append(
                PageMove(
                    PostingPageMove.DUPLICATE,
                    _(
                        "A new draft, %(reference)s, with this posting's text, places, "
                        "qualifications, questions and assessment plan; this one stays as it is."
                    )
                    % {"reference": free_reference_number(posting)},
                ),
            )
        return moves

    @staticmethod
    def move_explanation(move: PostingPageMove, posting: JobPosting) -> str:
        """What a workflow move will do to this posting, in one line."""
        dates = {
            "open": formats.date_format(posting.open_date, "DATE_FORMAT"),
            "closing": formats.date_format(posting.closing_date, "DATE_FORMAT"),
        }
        opens_later = posting.open_date > posting_today()
        if move in (PostingPageMove.PUBLISH, PostingPageMove.REOPEN):
            problems = posting.publication_problems()
            if posting.closing_date < posting_today():
                problems.append(_("its closing date has passed"))
            if problems:
                return _("Not possible yet: %(problems)s.") % {
                    "problems": "; ".join(map(str, problems))
                }
            if opens_later:
                return _("It opens on %(open)s and closes on %(closing)s.") % dates
            return _("It is open at once, until %(closing)s.") % dates
        if move == PostingPageMove.CLOSE:
            if opens_later:
                return _("It will not open on %(open)s: nobody can apply.") % dates
            return _("It takes no more applications from now on, before %(closing)s.") % dates
        return _("It leaves the site for good; its applications are kept.")

    def move_view(self, request, object_id, move):
        """Make a move from the posting's page (POST only) and say what came of it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        posting = self.get_object(request, unquote(object_id))
        if posting is None or move not in PostingPageMove.values:
            raise Http404
        page = reverse("admin:positions_jobposting_change", args=[posting.pk])
        if move == PostingPageMove.DUPLICATE:
            if not self.has_add_permission(request):
                raise PermissionDenied
            copy = posting_duplicate(
                posting=posting, reference_number=free_reference_number(posting), by=request.user
            )
            self.message_user(
                request,
                _(
                    "%(copy)s is a new draft copy of %(posting)s: edit its dates and publish it "
                    "when ready."
                )
                % {"copy": copy.reference_number, "posting": posting.reference_number},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:positions_jobposting_change", args=[copy.pk])
            )
        if not self.has_change_permission(request, posting):
            raise PermissionDenied
        # Publishing reopens a posting closed early: one method makes both moves.
        make = {
            PostingPageMove.PUBLISH: posting.publish,
            PostingPageMove.REOPEN: posting.publish,
            PostingPageMove.CLOSE: posting.close_now,
            PostingPageMove.ARCHIVE: posting.archive,
        }[PostingPageMove(move)]
        try:
            event = make(by=request.user)
        except PostingMoveRefused as refusal:
            for reason in refusal.messages:
                self.message_user(request, reason, messages.ERROR)
        else:
            self.message_user(request, self.moved_message(posting, event), messages.SUCCESS)
        return HttpResponseRedirect(page)

    @staticmethod
    def moved_message(posting: JobPosting, event: PostingEvent) -> str:
        values = {
            "posting": posting.reference_number,
            "open": formats.date_format(posting.open_date, "DATE_FORMAT"),
            "closing": formats.date_format(posting.closing_date, "DATE_FORMAT"),
        }
        if event.action == PostingAction.PUBLISHED:
            if posting.open_date > posting_today():
                return _("%(posting)s is published: it opens on %(open)s.") % values
            return _("%(posting)s is published and open until %(closing)s.") % values
        if event.action == PostingAction.REOPENED:
            return _("%(posting)s is reopened, until %(closing)s.") % values
        if event.action == PostingAction.CLOSED:
            return _("%(posting)s is closed: it takes no more applications.") % values
        return _("%(posting)s is archived: it is off the site; its applications are kept.") % values

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
            '<div><a href="{}?posting={}&amp;stage__exact={}&amp;assigned=all">{}</a>: {}</div>',
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


@admin.register(PlanChange)
class PlanChangeAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Every change to an assessment plan made after results: readable, never edited."""

    list_display = ["at", "posting", "step_title", "change", "reason", "by"]
    list_filter = ["at"]
    list_select_related = ["posting", "by"]
    search_fields = ["posting__reference_number", "step_title", "change", "reason"]

    def get_queryset(self, request):
        # The changes to the plans of the postings this person may see, and no other.
        visible = JobPosting.objects.visible_to(request.user)
        return super().get_queryset(request).filter(posting__in=visible)
