"""HR's view of applications: what the applicant gave, the résumé, and the history of stages."""

import copy
from dataclasses import dataclass

from csp.decorators import csp_replace, csp_update
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, SuspiciousOperation
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from modeltranslation.admin import TranslationAdmin

from applications import decision
from applications.admin_pre_employment import (
    PreEmploymentFilter,
    PreEmploymentResultForm,
    pre_employment_section,
    results_prefetch_queryset,
)
from applications.admin_privacy import PrivateLookupsMixin
from applications.assessment import (
    AssessmentRefused,
    Finding,
    RatingConflict,
    consensus_not_met,
    current_ratings,
    current_steps,
    rating_submit,
    ratings_visible_to,
)
from applications.exports import ExportFormat, export_response
from applications.forms import (
    AssignForm,
    InviteToSessionForm,
    MoveForm,
    StageMoveForm,
    StepRatingForm,
    qualification_label,
)
from applications.models import (
    Application,
    ApplicationNote,
    EquityDeclaration,
    ExportLog,
    OfficialLanguage,
    PoolAssessment,
    ScreeningAnswer,
    StageChange,
    StageMessage,
    StepRating,
    not_met_text,
)
from applications.pipeline import ALLOWED_MOVES, NOT_MET_STAGES, MoveRefused, Stage
from applications.pools import pool_qualify
from applications.pre_employment import (
    READ_PERMISSION,
    RECORD_PERMISSION,
    PreEmploymentRefused,
    may_read_health_results,
    pre_employment_record,
)
from applications.preferences import preferences_text
from applications.resume_text import ResumeText, resume_text
from applications.services import application_assign, applications_move
from applications.sessions import SessionRefused, invite
from applications.storage import PrivateFileSystemStorage
from applications.validators import PDF
from csc_careers.db import EstimatedCountPaginator
from csc_careers.middleware import ADMIN_LOOKUP_ERRORS
from positions.models import (
    HEALTH_KINDS,
    PRE_EMPLOYMENT_KINDS,
    AssessmentStep,
    BoardMember,
    JobPosting,
    Qualification,
    QuestionKind,
    Region,
    ScreeningQuestion,
)
from positions.models.postings import NO, YES


def private_file(response):
    """A résumé's response: never stored by a browser or a proxy, never sniffed into HTML."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ReadOnlyInline(admin.TabularInline):
    """Rows of a record shown on their parent's page: never added, changed or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ["changed_at", "from_stage", "to_stage", "changed_by", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class EquityDeclarationInline(ReadOnlyInline):
    model = EquityDeclaration
    template = "admin/edit_inline/stacked.html"
    fields = ["woman", "indigenous", "disability", "visible_minority"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # Only people given the dedicated permission see employment equity answers.
        return request.user.has_perm("applications.view_equitydeclaration")


class Assigned(models.TextChoices):
    ME = "me", _("Assigned to me")
    NOBODY = "nobody", _("Not assigned")


class AssigneeFilter(admin.SimpleListFilter):
    """Who an application is assigned to. A reviewer's list opens on their own ("assigned to me",
    for whoever does not see every posting's applications); "All" shows the others too."""

    title = _("assigned to")
    parameter_name = "assigned"
    EVERYONE = "all"

    def __init__(self, request, params, model, model_admin):
        self.default = (
            None if request.user.has_perm("applications.view_all_applications") else Assigned.ME
        )
        super().__init__(request, params, model, model_admin)

    def value(self):
        return super().value() or self.default

    def lookups(self, request, model_admin):
        return Assigned.choices

    def choices(self, changelist):
        # With a default, "All" must say so in the address: without the parameter, the default.
        everyone = (
            changelist.get_query_string({self.parameter_name: self.EVERYONE})
            if self.default
            else changelist.get_query_string(remove=[self.parameter_name])
        )
        yield {
            "selected": self.value() in (None, self.EVERYONE),
            "query_string": everyone,
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == Assigned.ME:
            return queryset.filter(assignee=request.user)
        if self.value() == Assigned.NOBODY:
            return queryset.filter(assignee__isnull=True)
        return queryset


class PostingFilter(admin.SimpleListFilter):
    """The current campaigns this person may see: postings open now or closed lately, newest first.

    Older postings stay reachable through the funnel links of their own admin page (the parameter
    is applied whatever the list offers); a sidebar of every posting ever would be unusable.
    """

    title = _("job posting")
    parameter_name = "posting"
    RECENT_DAYS = 90
    LIMIT = 100

    def lookups(self, request, model_admin):
        postings = (
            JobPosting.objects.reviewable_by(request.user)
            .current_campaigns(days=self.RECENT_DAYS)
            .only("reference_number", "title")
        )
        return [(p.pk, f"{p.reference_number} – {p.title}") for p in postings[: self.LIMIT]]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(posting_id=self.value())


class RegionFilter(admin.SimpleListFilter):
    title = _("region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return [(region.slug, region.name) for region in Region.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # The region's id, not a join on its slug: with a constant, PostgreSQL estimates how many
        # applications the region holds and walks the list's order index (2 ms, not 700 ms, with
        # a million applications).
        region = Region.objects.filter(slug=self.value()).values_list("pk", flat=True).first()
        if region is None:
            return queryset.none()
        return queryset.in_region(region)


class ChosenOnly:
    """A list filter as chosen in the address, without listing its choices (which may query).

    For the neighbours of an application in its list: the filter still applies (it has output).
    """

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())]


class ChosenPostingFilter(ChosenOnly, PostingFilter):
    pass


class ChosenRegionFilter(ChosenOnly, RegionFilter):
    pass


class ApplicationChangeList(ChangeList):
    """The review queue, which shows at a glance who fails a screening requirement."""

    def get_queryset(self, request, exclude_parameters=None):
        # A correlated EXISTS in the select list: computed for the page's rows only.
        fails = ScreeningAnswer.objects.filter(application=OuterRef("pk"), meets_requirement=False)
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .annotate(fails_screening=Exists(fails))
        )


class NeighbourChangeList(ChangeList):
    """The queue as its filters, search and order make it, without fetching any of it."""

    def get_results(self, request):
        pass


def ordering_keys(application, ordering) -> list[tuple[str, bool, object, bool]] | None:
    """Return (lookup, descending, the application's value, nullable) for each ordering field,
    or None when the ordering is one this cannot follow (an expression, a related ordering)."""
    keys = []
    for term in ordering:
        if not isinstance(term, str) or term == "?":
            return None
        name = term.removeprefix("-")
        if name == "pk":
            keys.append(("pk", term.startswith("-"), application.pk, False))
            continue
        model, value, nullable = type(application), application, False
        parts = name.split(LOOKUP_SEP)
        for position, part in enumerate(parts):
            try:
                found = model._meta.get_field(part)
            except FieldDoesNotExist:
                return None
            nullable = nullable or found.null
            last = position == len(parts) - 1
            if found.is_relation and not last:
                model = found.related_model
                value = getattr(value, part) if value is not None else None
            elif found.is_relation:
                if found.related_model._meta.ordering or not found.concrete:
                    return None  # ordered by the related model's own ordering
                value = getattr(value, found.attname) if value is not None else None
            else:
                value = getattr(value, found.attname) if value is not None else None
        keys.append((name, term.startswith("-"), value, nullable))
    return keys


NOTHING = Q(pk__in=[])


def beyond(keys, *, reverse: bool = False) -> Q:
    """The rows after the one these keys describe in their order (before it, with reverse).

    PostgreSQL sorts NULL last going up and first going down, as these comparisons do.
    """
    found, equal = NOTHING, Q()
    for name, descending, value, nullable in keys:
        if descending != reverse:  # going down
            step = Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})
        elif value is None:
            step = NOTHING
        else:
            step = Q(**{f"{name}__gt": value})
            if nullable:
                step |= Q(**{f"{name}__isnull": True})
        found |= equal & step
        equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return found


def board_agreement(step, ratings, results) -> dict[int, Finding]:
    """What the board's ratings agree on, per qualification, for the consensus to start from.

    A result (or score) all of them gave is taken; their justifications are put together.
    """
    agreed = {}
    for qualification in step.qualifications.all():
        found = [
            results[r.pk][qualification.pk] for r in ratings if qualification.pk in results[r.pk]
        ]
        if not found:
            continue
        given = {(f.result, f.score) for f in found}
        result, score = given.pop() if len(given) == 1 else ("", None)
        justification = "\n".join(dict.fromkeys(f.justification for f in found if f.justification))
        agreed[qualification.pk] = Finding(result=result, score=score, justification=justification)
    return agreed


@dataclass
class AnswerRow:
    """A screening answer as the workspace shows it."""

    question: ScreeningQuestion
    answer: str
    fails: bool
    meets: bool


@dataclass
class RatingEntry:
    """A rating form of a step's panel, with what the page says around it."""

    form: StepRatingForm
    heading: str
    note: str
    button: str
    record: str  # what the button sends: "own" or "consensus"


@dataclass
class StepPanel:
    """One step the candidate is at: the qualifications it assesses, the ratings this person
    may read, and the forms they may fill in."""

    step: AssessmentStep
    is_current: bool
    board: list[BoardMember]
    ratings: list[StepRating]  # each assessor's rating in force that this person may read
    consensus: StepRating | None  # the consensus in force, if this person may read it
    rows: list[tuple[str, Qualification, list]]  # label, qualification, result of each rating
    hidden: bool  # an assessor who has not rated yet: the others' ratings are not shown
    entries: list[RatingEntry]
    rate_url: str


@dataclass
class Workspace:
    """What the application's page shows above the record: where it stands, the screening
    answers, the résumé, the ratings of the steps the candidate is at, and the moves."""

    application: Application
    answers: list[AnswerRow]
    unmet: int
    resume_url: str
    resume_text: ResumeText | None  # for résumés the browser cannot show
    may_read_resume: bool
    panels: list[StepPanel]
    moves: list[StageMoveForm]
    move_url: str
    previous_url: str = ""
    next_url: str = ""
    list_url: str = ""
    pre_employment: list | None = None  # a PreEmploymentRow per step this person sees


class ApplicationNoteInline(admin.TabularInline):
    """Notes are added, never changed: existing ones are shown read-only."""

    model = ApplicationNote
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Application)
class ApplicationAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "full_name",
        "posting_title",
        "stage",
        "screening",
        "assignee",
        "days_waiting",
    ]
    list_filter = [
        AssigneeFilter,
        "stage",
        PostingFilter,
        RegionFilter,
        PreEmploymentFilter,
        "submitted_at",
    ]
    list_select_related = ["posting", "assignee"]
    search_fields = ["reference", "first_name", "last_name", "email"]
    # No date hierarchy: its month list scans every row; the submitted-date filter does the job.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    actions = [
        "move_to_stage",
        "assign_to_reviewer",
        "qualify_into_pool",
        "qualify_into_pool_partially",
        "invite_to_book_session",
        "export_csv",
        "export_xlsx",
        "export_decisions_csv",
        "export_decisions_xlsx",
    ]
    # The page is the assessment workspace: the screening answers, the résumé, the ratings and
    # the moves come first (change_form.html); the record, the notes and the history follow.
    change_form_template = "admin/applications/application/change_form.html"
    inlines = [
        ApplicationNoteInline,
        EquityDeclarationInline,
        StageChangeInline,
    ]
    fieldsets = [
        (None, {"fields": ["reference", "posting", "stage", "assignee", "submitted_at"]}),
        (
            _("Applicant"),
            {
                "fields": [
                    ("first_name", "last_name"),
                    ("email", "phone"),
                    ("residence", "residence_country"),
                    "eligibility",
                    ("correspondence_language", "assessment_language"),
                    ("is_veteran", "has_priority_entitlement"),
                    "accommodation_request",
                ]
            },
        ),
        (_("Documents"), {"fields": ["resume_link", "cover_letter"]}),
        (_("Consent"), {"fields": ["consented_at", "declared_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_changelist(self, request, **kwargs):
        if getattr(request, "neighbours_only", False):
            return NeighbourChangeList
        return ApplicationChangeList

    def get_list_filter(self, request):
        if getattr(request, "neighbours_only", False):
            chosen = {PostingFilter: ChosenPostingFilter, RegionFilter: ChosenRegionFilter}
            return [chosen.get(spec, spec) for spec in self.list_filter]
        return super().get_list_filter(request)

    def get_readonly_fields(self, request, obj=None):
        # What the applicant gave is a record: HR reads it, never rewrites it. The stage moves
        # only through the "move" action, which checks the pipeline and writes the history.
        fields = [
            field
            for fieldset in self.fieldsets
            for row in fieldset[1]["fields"]
            for field in (row if isinstance(row, tuple) else (row,))
        ]
        if request.user.has_perm("applications.assign_application"):
            fields.remove("assignee")
        return fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_move_permission(self, request):
        return request.user.has_perm("applications.move_application")

    def has_assign_permission(self, request):
        return request.user.has_perm("applications.assign_application")

    def has_export_permission(self, request):
        return request.user.has_perm("applications.export_applications")

    def export(self, request, queryset, file_format):
        # "Select all" exports whatever the list's filters match (maybe a million rows): the log
        # records those filters, not every reference.
        if (
            request.POST.get(helpers.ACTION_CHECKBOX_NAME)
            and request.POST.get("select_across") != "1"
        ):
            selected = sorted(queryset.values_list("reference", flat=True))
        else:
            selected = "all matching the list filters"
        filters = {"selected": selected, "list_filters": request.GET.urlencode()}
        if request.GET.get("stage__exact") in Stage.values:
            filters["stages"] = [request.GET["stage__exact"]]  # named in the file name
        return export_response(request, queryset, filters=filters, file_format=file_format)

    @admin.action(description=_("Export the selected as CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        return self.export(request, queryset, ExportFormat.CSV)

    @admin.action(description=_("Export the selected as Excel"), permissions=["export"])
    def export_xlsx(self, request, queryset):
        return self.export(request, queryset, ExportFormat.XLSX)

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):
            if isinstance(item, ApplicationNote) and not item.author_id:
                item.author = request.user
            item.save()
        formset.save_m2m()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "assignee" in form.changed_data:
            # An assignment also makes the assignee a reviewer of the posting: the service's rule.
            application_assign(
                applications=Application.objects.filter(pk=obj.pk),
                reviewer=obj.assignee,
                by=request.user,
            )

    def get_urls(self):
        return [
            path(
                "<int:pk>/resume/",
                self.admin_site.admin_view(self.download_resume),
                name="applications_application_resume",
            ),
            path(
                "<int:pk>/resume/view/",
                self.admin_site.admin_view(self.view_resume),
                name="applications_application_resume_view",
            ),
            path(
                "<int:pk>/rate/<int:step_id>/",
                self.admin_site.admin_view(self.rate),
                name="applications_application_rate",
            ),
            path(
                "<int:pk>/move/",
                self.admin_site.admin_view(self.move),
                name="applications_application_move",
            ),
            path(
                "<int:pk>/pre-employment/<int:step_id>/",
                self.admin_site.admin_view(self.record_pre_employment),
                name="applications_application_pre_employment",
            ),
            path(
                "<int:pk>/record-of-decision/",
                self.admin_site.admin_view(self.record_of_decision),
                name="applications_application_decision",
            ),
            *super().get_urls(),
        ]

    def record_of_decision(self, request, pk):
        """The printable record of every step, rating and decision about one candidate."""
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        return decision.record_of_decision_response(
            request, application, context=self.admin_site.each_context(request)
        )

    @admin.action(description=_("Export the records of decision as CSV"), permissions=["export"])
    def export_decisions_csv(self, request, queryset):
        return decision.decisions_export_response(request, queryset, ExportFormat.CSV)

    @admin.action(description=_("Export the records of decision as Excel"), permissions=["export"])
    def export_decisions_xlsx(self, request, queryset):
        return decision.decisions_export_response(request, queryset, ExportFormat.XLSX)

    @admin.display(description=_("applicant"), ordering="last_name")
    def full_name(self, application):
        return application.full_name

    @admin.display(description=_("job posting"), ordering="posting__reference_number")
    def posting_title(self, application):
        return f"{application.posting.reference_number} – {application.posting.title}"

    @admin.display(description=_("days waiting"), ordering="stage_changed_at")
    def days_waiting(self, application):
        if not application.is_active:
            return "—"
        return (timezone.now() - application.stage_changed_at).days

    @admin.display(description=_("résumé"))
    def resume_link(self, application):
        if not application.resume:
            return _("Deleted under the retention rules")
        return format_html(
            '<a href="{}">{}</a> ({}, {} KB)',
            reverse("admin:applications_application_resume", args=[application.pk]),
            _("Download the résumé"),
            application.resume_type,
            round(application.resume_size / 1024),
        )

    @admin.action(description=_("Move to a stage…"), permissions=["move"])
    def move_to_stage(self, request, queryset):
        if self.too_many_for_one_action(request, queryset):
            return None
        # Screening out and not retaining name qualifications not met: offered when every
        # application selected is for one posting, whose qualifications they are.
        postings = list(queryset.order_by().values_list("posting_id", flat=True).distinct()[:2])
        qualifications = (
            list(Qualification.objects.filter(posting_id=postings[0]))
            if len(postings) == 1
            else None
        )
        form = MoveForm(
            request.POST if "apply" in request.POST else None, qualifications=qualifications
        )
        if form.is_valid():
            moved, refused = applications_move(
                applications=queryset,
                stage=form.cleaned_data["stage"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                not_met=form.qualifications_not_met(),
            )
            if moved:
                self.message_user(
                    request,
                    _("Moved to “%(stage)s”: %(references)s.")
                    % {
                        "stage": Stage(form.cleaned_data["stage"]).label,
                        "references": ", ".join(application.reference for application in moved),
                    },
                    messages.SUCCESS,
                )
            for application, refusal in refused:
                self.message_user(
                    request,
                    _("Not moved: %(reason)s") % {"reason": f"{application.reference}: {refusal}"},
                    messages.ERROR,
                )
            return None
        return self.intermediate_page(
            request, queryset, form, "move_to_stage", _("Move applications to a stage")
        )

    @admin.action(description=_("Assign to a reviewer…"), permissions=["assign"])
    def assign_to_reviewer(self, request, queryset):
        if self.too_many_for_one_action(request, queryset):
            return None
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            count = application_assign(applications=queryset, reviewer=reviewer, by=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(count)d application assigned to %(name)s.",
                    "%(count)d applications assigned to %(name)s.",
                    count,
                )
                % {"count": count, "name": reviewer.get_full_name() or reviewer.username},
                messages.SUCCESS,
            )
            return None
        return self.intermediate_page(
            request, queryset, form, "assign_to_reviewer", _("Assign applications")
        )

    def has_manage_pool_permission(self, request):
        return request.user.has_perm("applications.manage_pool")

    @admin.action(
        description=_("Qualify into the pool (fully assessed)"), permissions=["manage_pool"]
    )
    def qualify_into_pool(self, request, queryset):
        return self.qualify(request, queryset, PoolAssessment.FULL)

    @admin.action(
        description=_("Qualify into the pool (partially assessed)"), permissions=["manage_pool"]
    )
    def qualify_into_pool_partially(self, request, queryset):
        return self.qualify(request, queryset, PoolAssessment.PARTIAL)

    def qualify(self, request, queryset, assessment: str):
        if self.too_many_for_one_action(request, queryset):
            return None
        added, refused = pool_qualify(applications=queryset, by=request.user, assessment=assessment)
        self.message_user(
            request,
            ngettext(
                "%(count)d candidate joined the pool.",
                "%(count)d candidates joined the pool.",
                len(added),
            )
            % {"count": len(added)},
            messages.SUCCESS if added else messages.WARNING,
        )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d candidate was refused:",
                    "%(count)d candidates were refused:",
                    len(refused),
                )
                % {"count": len(refused)},
                messages.ERROR,
            )
        for application, refusal in refused:
            self.message_user(
                request,
                _("Not qualified into the pool: %(reason)s")
                % {"reason": f"{application.reference}: {refusal}"},
                messages.ERROR,
            )
        return None

    def has_manage_sessions_permission(self, request):
        return request.user.has_perm("applications.manage_sessions")

    @admin.action(description=_("Invite to book a session…"), permissions=["manage_sessions"])
    def invite_to_book_session(self, request, queryset):
        """Ask the step and the deadline, then invite the selected candidates (any number, "select
        all" included: the service invites them in a few queries) and report."""
        postings = list(queryset.order_by().values_list("posting_id", flat=True).distinct()[:2])
        if len(postings) != 1:
            self.message_user(
                request,
                _(
                    "The selection holds candidates of several job postings: invite those of one "
                    "posting at a time (filter the list by job posting)."
                ),
                messages.ERROR,
            )
            return None
        form = InviteToSessionForm(
            request.POST if "apply" in request.POST else None, posting_id=postings[0]
        )
        if not form.steps:
            self.message_user(
                request,
                _("This posting's assessment plan has no step that candidates book a session of."),
                messages.ERROR,
            )
            return None
        if form.is_valid():
            try:
                invited = invite(
                    queryset,
                    step=form.cleaned_data["step"],
                    book_by=form.cleaned_data["book_by"],
                    by=request.user,
                )
            except SessionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                self.report_invited(request, invited, form.cleaned_data["step"])
                return None
        return TemplateResponse(
            request,
            "admin/applications/application/invite_to_session.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Invite to book a session"),
                "opts": self.model._meta,
                "posting": JobPosting.objects.only("reference_number", "title").get(pk=postings[0]),
                "count": queryset.count(),
                "form": form,
                "action": "invite_to_book_session",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            },
        )

    def report_invited(self, request, invited, step) -> None:
        count = len(invited.invited)
        self.message_user(
            request,
            ngettext(
                "%(count)d candidate invited to book a session: they are e-mailed the link.",
                "%(count)d candidates invited to book a session: they are e-mailed the link.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if invited.already:
            self.message_user(
                request,
                ngettext(
                    "%(count)d candidate was invited to this step already (not invited again).",
                    "%(count)d candidates were invited to this step already (not invited again).",
                    invited.already,
                )
                % {"count": invited.already},
                messages.INFO,
            )
        if invited.not_active:
            self.message_user(
                request,
                ngettext(
                    "%(count)d candidate was not invited: the application is no longer active.",
                    "%(count)d candidates were not invited: their applications are no longer "
                    "active.",
                    invited.not_active,
                )
                % {"count": invited.not_active},
                messages.WARNING,
            )
        seats = max(step.seats - step.taken, 0)  # in the step's sessions to come, as annotated
        if count > seats:
            self.message_user(
                request,
                ngettext(
                    "The sessions to come of “%(step)s” have %(seats)d seat left: add sessions "
                    "or seats, so that those invited find one.",
                    "The sessions to come of “%(step)s” have %(seats)d seats left: add sessions "
                    "or seats, so that those invited find one.",
                    seats,
                )
                % {"step": step.title, "seats": seats},
                messages.WARNING,
            )

    # Each application moved is checked, locked and recorded on its own, and the confirmation page
    # carries one field per application: a bounded batch keeps both reasonable.
    BULK_LIMIT = 500

    def too_many_for_one_action(self, request, queryset) -> bool:
        count = queryset.count()
        if count <= self.BULK_LIMIT:
            return False
        self.message_user(
            request,
            _(
                "%(count)d applications are selected; move or assign at most %(limit)d at a "
                "time. Narrow the list with its filters, then select again."
            )
            % {"count": count, "limit": self.BULK_LIMIT},
            messages.ERROR,
        )
        return True

    def intermediate_page(self, request, queryset, form, action, title):
        return TemplateResponse(
            request,
            "admin/applications/application/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "applications": queryset.select_related("posting"),
                "form": form,
                "action": action,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def readable_resume(self, request, pk) -> Application:
        """The application whose résumé this person may read (else 404 or 403); it has one."""
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not (
            self.has_view_permission(request, application)
            and request.user.has_perm("applications.view_resume")
        ):
            raise PermissionDenied
        if not application.resume:
            raise Http404("This résumé was deleted under the retention rules.")
        return application

    def download_resume(self, request, pk):
        """Send a résumé to someone allowed to see it; there is no other way to reach one."""
        application = self.readable_resume(request, pk)
        name = application.resume.name
        extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
        filename = f"{application.reference}-resume.{extension}"
        storage = application.resume.storage
        if not isinstance(storage, PrivateFileSystemStorage):
            # Object storage: a signed URL valid for a minute, for this file and this person only.
            return HttpResponseRedirect(
                storage.url(
                    name,
                    parameters={
                        "ResponseContentDisposition": f'attachment; filename="{filename}"',
                        "ResponseContentType": application.resume_type,
                    },
                )
            )
        response = FileResponse(
            application.resume.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type=application.resume_type,
        )
        return private_file(response)

    @admin.display(description=_("screening"))
    def screening(self, application):
        # Text as well as a mark: the flag must not depend on colour or on the symbol alone.
        if getattr(application, "fails_screening", False):
            return format_html(
                '<span class="fails-screening">✗ {}</span>', _("Fails a requirement")
            )
        return "—"

    # --- The workspace: the application's page -------------------------------------------------

    def workspace_queryset(self, request):
        """The application with everything its page reads, in a constant number of queries."""
        return (
            self.get_queryset(request)
            .select_related("posting", "assignee")
            .annotate(facility_preferences_text=preferences_text())
            .prefetch_related(
                "posting__assessment_steps__qualifications",
                Prefetch(
                    "posting__assessment_steps__board_members",
                    queryset=BoardMember.objects.select_related("user"),
                ),
                "posting__reviewers",
                "posting__qualifications",
                Prefetch(
                    "step_ratings",
                    queryset=StepRating.objects.select_related("assessor").prefetch_related(
                        "results"
                    ),
                ),
                Prefetch(
                    "answers",
                    queryset=ScreeningAnswer.objects.select_related(
                        "question", "question__qualification"
                    ),
                ),
            )
            .prefetch_related(*self.pre_employment_prefetch(request))
        )

    @staticmethod
    def pre_employment_prefetch(request) -> list[Prefetch]:
        """The pre-employment results, for those who may read them (else no query)."""
        if not request.user.has_perm(READ_PERMISSION):
            return []
        return [
            Prefetch("pre_employment_results", queryset=results_prefetch_queryset(request.user))
        ]

    @csp_update({"frame-src": ["'self'"]})  # the résumé's viewer, served by this site only
    def change_view(self, request, object_id, form_url="", extra_context=None):
        bound = (extra_context or {}).pop("bound_forms", {})
        workspace = self.workspace(request, object_id, bound=bound)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "workspace": workspace}
        )

    def workspace(self, request, object_id, *, bound) -> Workspace | None:
        """Return what the page shows above the record (None: no such application here).

        `bound` holds forms sent and refused, by ("rate" | "consensus", step id) or
        ("move", stage): they are shown again as they were sent, with their errors.
        """
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            return None
        application = self.workspace_queryset(request).filter(pk=pk).first()
        if application is None:
            return None
        answers = [
            AnswerRow(
                question=answer.question,
                answer=self.answer_text(answer),
                fails=answer.meets_requirement is False,
                meets=answer.meets_requirement is True,
            )
            for answer in application.answers.all()
        ]
        may_read_resume = request.user.has_perm("applications.view_resume")
        is_pdf = application.resume_type == PDF.content_type
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        workspace = Workspace(
            application=application,
            answers=answers,
            unmet=sum(row.fails for row in answers),
            may_read_resume=may_read_resume,
            resume_url=(
                reverse("admin:applications_application_resume_view", args=[application.pk])
                if may_read_resume and is_pdf and application.resume
                else ""
            ),
            resume_text=resume_text(application) if may_read_resume and not is_pdf else None,
            panels=self.step_panels(request, application, bound=bound, preserved=preserved),
            moves=self.move_forms(request, application, answers, bound=bound),
            move_url=add_preserved_filters(
                preserved, reverse("admin:applications_application_move", args=[application.pk])
            ),
        )
        filters = request.GET.get("_changelist_filters", "")
        workspace.list_url = reverse("admin:applications_application_changelist") + (
            f"?{filters}" if filters else ""
        )
        workspace.pre_employment = pre_employment_section(
            request,
            application,
            bound=bound,
            url_of=lambda step: add_preserved_filters(
                preserved,
                reverse(
                    "admin:applications_application_pre_employment",
                    args=[application.pk, step.pk],
                ),
            ),
        )
        neighbours = self.neighbours(request, application, filters)
        for name, neighbour in zip(("previous_url", "next_url"), neighbours, strict=True):
            if neighbour is not None:
                url = reverse("admin:applications_application_change", args=[neighbour])
                setattr(workspace, name, add_preserved_filters(preserved, url))
        return workspace

    @staticmethod
    def answer_text(answer) -> str:
        """The answer as the reader's language says it (yes/no and choices are translated)."""
        question = answer.question
        if question.kind == QuestionKind.YES_NO:
            return {YES: _("Yes"), NO: _("No")}.get(answer.answer, answer.answer)
        if question.kind == QuestionKind.CHOICE and answer.choice:
            choices = question.choice_list
            if 0 < answer.choice <= len(choices):
                return choices[answer.choice - 1]
        return answer.answer

    def step_panels(self, request, application, *, bound, preserved) -> list[StepPanel]:
        """The steps the candidate is at (and any step a refused form was sent for)."""
        user = request.user
        steps = current_steps(application)
        current = {step.pk for step in steps}
        sent = {step_id for (kind, step_id) in bound if kind in ("rate", "consensus")}
        steps += [
            step
            for step in application.posting.assessment_steps.all()
            if step.pk in sent and step.pk not in current
        ]
        ratings = list(application.step_ratings.all())
        panels = []
        for step in steps:
            in_force = current_ratings(r for r in ratings if r.step_id == step.pk)
            latest = sorted(in_force, key=lambda r: (r.submitted_at, r.pk), reverse=True)
            own = next((r for r in latest if not r.is_consensus and r.assessor_id == user.pk), None)
            consensus = next((r for r in latest if r.is_consensus), None)
            visible = ratings_visible_to(user, step, ratings)
            columns = [r for r in visible if not r.is_consensus]
            shown = [*columns, consensus] if consensus in visible else columns
            results = {r.pk: {q.qualification_id: q for q in r.results.all()} for r in in_force}
            qualifications = list(step.qualifications.all())
            entries = []
            if qualifications and user.pk in step.assessor_ids():
                entries.append(
                    RatingEntry(
                        form=self.rating_form(
                            step, bound.get(("rate", step.pk)), own, results, is_consensus=False
                        ),
                        heading=_("Correct your rating") if own else _("Your rating"),
                        note=(
                            _(
                                "A correction is recorded as a new rating; the one it corrects "
                                "stays in the record of decision."
                            )
                            if own
                            else ""
                            if visible  # the chair reads the others' before rating
                            else _(
                                "Rate on your own: the board's other ratings show once you have "
                                "submitted yours."
                            )
                        ),
                        button=_("Submit my rating"),
                        record="own",
                    )
                )
            hidden = bool(in_force) and not visible
            # The consensus is recorded from the board's ratings: by someone who may read them.
            if qualifications and step.may_record_consensus(user) and not hidden:
                entries.append(
                    RatingEntry(
                        form=self.rating_form(
                            step,
                            bound.get(("consensus", step.pk)),
                            consensus,
                            results,
                            is_consensus=True,
                            board=columns,
                        ),
                        heading=(
                            _("Correct the board's consensus") if consensus else _("Consensus")
                        ),
                        note=_(
                            "As the board's chair, record what the board agreed and why: the "
                            "consensus is what counts. It starts from what the ratings agree on."
                        ),
                        button=_("Record the consensus"),
                        record="consensus",
                    )
                )
            panels.append(
                StepPanel(
                    step=step,
                    is_current=step.pk in current,
                    board=list(step.board_members.all()),
                    ratings=columns,
                    consensus=consensus if consensus in visible else None,
                    rows=[
                        (
                            qualification_label(qualification),
                            qualification,
                            [results[r.pk].get(qualification.pk) for r in shown],
                        )
                        for qualification in qualifications
                    ],
                    hidden=hidden,
                    entries=entries,
                    rate_url=add_preserved_filters(
                        preserved,
                        reverse(
                            "admin:applications_application_rate",
                            args=[application.pk, step.pk],
                        ),
                    ),
                )
            )
        return panels

    @staticmethod
    def rating_form(step, sent, in_force, results, *, is_consensus, board=()) -> StepRatingForm:
        """The form of one seat: as sent (refused), or to start from what is in force.

        A form sent against a rating since replaced carries the one in force now: the page shows
        it, so that sending again corrects what the person has just read.
        """
        if sent is not None:
            replaces = sent.data.get(sent.add_prefix("replaces"), "")
            if replaces != (str(in_force.pk) if in_force else ""):
                data = sent.data.copy()
                data[sent.add_prefix("replaces")] = in_force.pk if in_force else ""
                sent = StepRatingForm(data, step=step, is_consensus=is_consensus)
            return sent
        if in_force is not None:
            initial = StepRatingForm.initial_from(
                results[in_force.pk], replaces=in_force.pk, justification=in_force.justification
            )
        elif is_consensus:
            initial = StepRatingForm.initial_from(board_agreement(step, board, results))
        else:
            initial = {}
        return StepRatingForm(initial=initial, step=step, is_consensus=is_consensus)

    def move_forms(self, request, application, answers, *, bound) -> list[StageMoveForm]:
        """A form for each move the pipeline allows from the stage, for those who may move."""
        if not self.has_move_permission(request):
            return []
        allowed = ALLOWED_MOVES.get(application.stage, set())
        # HR never withdraws an application for the applicant.
        stages = [stage for stage in Stage if stage in allowed and stage != Stage.WITHDRAWN]
        qualifications = list(application.posting.qualifications.all())
        suggested = []
        if NOT_MET_STAGES & set(stages):
            # What the board found not met, and the requirements the screening answers failed.
            named = {q.pk for q in consensus_not_met(application)} | {
                row.question.qualification_id
                for row in answers
                if row.fails and row.question.qualification_id
            }
            suggested = [q for q in qualifications if q.pk in named]
        return [
            bound.get(("move", stage))
            or StageMoveForm(stage=stage, qualifications=qualifications, suggested=suggested)
            for stage in stages
        ]

    def neighbours(self, request, application, filters: str) -> tuple[int | None, int | None]:
        """The previous and next applications in the list the page was opened from.

        The list is rebuilt from its filters, search and order (preserved by the admin in
        `_changelist_filters`) without fetching it: one query for each neighbour, on the order's
        keys.
        """
        if not filters:
            return None, None
        list_request = copy.copy(request)
        list_request.GET = QueryDict(filters)
        list_request.neighbours_only = True
        try:
            changelist = self.get_changelist_instance(list_request)
        except (IncorrectLookupParameters, SuspiciousOperation, *ADMIN_LOOKUP_ERRORS):
            return None, None
        queryset = changelist.queryset
        keys = ordering_keys(application, queryset.query.order_by)
        if keys is None:
            return None, None
        pks = queryset.values_list("pk", flat=True)
        try:
            with transaction.atomic():  # a filter failing as it runs leaves the page's queries be
                previous = pks.filter(beyond(keys, reverse=True)).reverse().first()
                following = pks.filter(beyond(keys)).first()
        except ADMIN_LOOKUP_ERRORS:
            return None, None
        return previous, following

    def object_for_post(self, request, pk):
        """The application a form of its page is sent for, or 405 / 404 / 403."""
        application = get_object_or_404(self.workspace_queryset(request), pk=pk)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        return application

    def page_again(self, request, application, sent: tuple, form):
        """The application's page again, with the refused form as sent and a message above.

        `sent` names the form: ("rate" | "consensus", step id) or ("move", stage).
        """
        # The page as it is shown, not a change form sent: the admin's view would save it.
        request.method = "GET"
        url = reverse("admin:applications_application_change", args=[application.pk])
        return self.change_view(
            request,
            str(application.pk),
            form_url=add_preserved_filters(
                {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
                url,
            ),
            extra_context={"bound_forms": {sent: form}},
        )

    def back_to_page(self, request, application, anchor=""):
        url = reverse("admin:applications_application_change", args=[application.pk])
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(add_preserved_filters(preserved, url) + anchor)

    def rate(self, request, pk, step_id):
        """Record the signed-in assessor's rating of the candidate at a step, or the consensus."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self.object_for_post(request, pk)
        steps = application.posting.assessment_steps.all()
        step = next((s for s in steps if s.pk == step_id), None)
        if step is None:
            raise Http404("No such step in this posting's plan.")
        is_consensus = request.POST.get("record") == "consensus"
        # Only the board rates (and only its chair records the consensus): anyone else, 403.
        if request.user.pk not in step.assessor_ids() or (
            is_consensus and not step.may_record_consensus(request.user)
        ):
            raise PermissionDenied
        form = StepRatingForm(request.POST, step=step, is_consensus=is_consensus)
        kind = "consensus" if is_consensus else "rate"
        if not form.is_valid():
            self.message_user(
                request, _("Nothing was recorded: correct the ratings below."), messages.ERROR
            )
            return self.page_again(request, application, (kind, step.pk), form)
        replaces = next(
            (
                rating
                for rating in application.step_ratings.all()
                if rating.pk == form.cleaned_data["replaces"] and rating.step_id == step.pk
            ),
            None,
        )
        try:
            rating_submit(
                application=application,
                step=step,
                assessor=request.user,
                findings=form.findings(),
                is_consensus=is_consensus,
                justification=form.cleaned_data.get("justification", ""),
                replaces=replaces,
            )
        except RatingConflict as conflict:
            self.message_user(request, str(conflict), messages.ERROR)
        except AssessmentRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            message = (
                _("The board's consensus on %(reference)s at “%(step)s” is recorded.")
                if is_consensus
                else _("Your rating of %(reference)s at “%(step)s” is recorded.")
            )
            self.message_user(
                request,
                message % {"reference": application.reference, "step": step.title},
                messages.SUCCESS,
            )
            return self.back_to_page(request, application, f"#step-{step.pk}")
        return self.page_again(request, application, (kind, step.pk), form)

    def move(self, request, pk):
        """Make one of the moves the application's page offers."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self.object_for_post(request, pk)
        if not self.has_move_permission(request):
            raise PermissionDenied
        stage = request.POST.get("to_stage", "")
        if stage not in Stage.values or stage == Stage.WITHDRAWN:
            self.message_user(request, _("Choose one of the moves offered."), messages.ERROR)
            return self.back_to_page(request, application)
        form = StageMoveForm(
            request.POST,
            stage=stage,
            qualifications=list(application.posting.qualifications.all()),
        )
        if not form.is_valid():
            self.message_user(
                request,
                _("Not moved to “%(stage)s”: correct the form below.")
                % {"stage": Stage(stage).label},
                messages.ERROR,
            )
            return self.page_again(request, application, ("move", stage), form)
        try:
            application.move_to(
                stage,
                by=request.user,
                reason=form.cleaned_data["reason"],
                not_met=form.qualifications_not_met(),
            )
        except MoveRefused as refusal:
            self.message_user(
                request, _("Not moved: %(reason)s") % {"reason": refusal}, messages.ERROR
            )
            return self.page_again(request, application, ("move", stage), form)
        self.message_user(
            request,
            _("Moved to “%(stage)s”: %(references)s.")
            % {"stage": Stage(stage).label, "references": application.reference},
            messages.SUCCESS,
        )
        return self.back_to_page(request, application)

    def record_pre_employment(self, request, pk, step_id):
        """Record the result of one of the candidate's pre-employment steps (a correction is a
        new result); health steps only for holders of view_health_results (else 403)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self.object_for_post(request, pk)
        if not request.user.has_perm(RECORD_PERMISSION):
            raise PermissionDenied
        step = next(
            (s for s in application.posting.assessment_steps.all() if s.pk == step_id), None
        )
        if step is None or step.kind not in PRE_EMPLOYMENT_KINDS:
            raise Http404("No such pre-employment step in this posting's plan.")
        if step.kind in HEALTH_KINDS and not may_read_health_results(request.user):
            raise PermissionDenied
        form = PreEmploymentResultForm(request.POST, step=step)
        sent = ("pre-employment", step.pk)
        if not form.is_valid():
            self.message_user(
                request, _("Nothing was recorded: correct the result below."), messages.ERROR
            )
            return self.page_again(request, application, sent, form)
        try:
            pre_employment_record(
                application=application, step=step, by=request.user, **form.values()
            )
        except PreEmploymentRefused as refusal:
            self.message_user(
                request,
                _("Nothing was recorded: %(reason)s") % {"reason": refusal},
                messages.ERROR,
            )
            return self.page_again(request, application, sent, form)
        # The outcome is not in the message: messages travel in the session.
        self.message_user(
            request,
            _("The result of “%(step)s” for %(reference)s is recorded.")
            % {"step": step.title, "reference": application.reference},
            messages.SUCCESS,
        )
        return self.back_to_page(request, application, f"#pre-employment-{step.pk}")

    @csp_replace({"frame-ancestors": ["'self'"], "object-src": ["'self'"]})
    @xframe_options_sameorigin
    def view_resume(self, request, pk):
        """Show a PDF résumé in the application's page, to someone allowed to read it.

        Framed by this site's own pages only. The browser's PDF viewer is a plugin in the
        document it makes for the file: the file's own policy lets it load (object-src 'self').
        """
        application = self.readable_resume(request, pk)
        if application.resume_type != PDF.content_type:
            raise Http404("Only PDF résumés are shown in the page; the others are shown as text.")
        # Through this site whatever the storage: an address of the object storage would be
        # another origin, which the page's policy does not frame.
        response = FileResponse(
            application.resume.open("rb"),
            as_attachment=False,
            filename=f"{application.reference}-resume.pdf",
            content_type=PDF.content_type,
        )
        return private_file(response)


@admin.register(StageMessage)
class StageMessageAdmin(TranslationAdmin):
    """The wording of the e-mails sent on stage moves, in both languages."""

    list_display = ["stage", "subject", "is_active"]
    fields = ["stage", "is_active", "placeholders", "subject", "body", "preview", "status_text"]
    readonly_fields = ["stage", "placeholders", "preview"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("placeholders"))
    def placeholders(self, message):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>{{{}}}</code> – {}</li>",  # a dash: no colon to space for French
                (
                    (name, description)
                    for name, (description, _value) in StageMessage.PLACEHOLDERS.items()
                ),
            ),
        )

    @admin.display(description=_("preview"))
    def preview(self, message):
        """Show the e-mail and the status page's text in each language, as a made-up applicant
        would read them."""
        return format_html(
            "<p>{}</p>{}",
            _("For a made-up applicant and job posting."),
            format_html_join(
                "",
                # Both are plain text: shown as written, lines kept, long links wrapped.
                '<section lang="{}"><h3>{}</h3><p><strong>{}</strong> {}</p>'
                '<pre style="white-space: pre-wrap; overflow-wrap: anywhere">{}</pre>'
                "<h4>{}</h4>{}</section>",
                (
                    (
                        language.value,
                        language.label,
                        _("Subject:"),
                        subject,
                        body,
                        _("On the status page"),
                        status_text,
                    )
                    for language, subject, body, status_text in self.preview_texts(message)
                ),
            ),
        )

    def preview_texts(self, message):
        """Yield each language with the e-mail's subject and text and the status page's text."""
        for language in OfficialLanguage:
            application = self.sample_application(language)
            with translation.override(language):
                qualifications = (
                    [self.sample_qualification()] if message.stage in NOT_MET_STAGES else []
                )
                given = {"requirements_not_met": not_met_text(qualifications)}
                subject, body = message.render(application, given=given)
                text = message.render_status_text(application, given=given)
                status_text = format_html(
                    '<pre style="white-space: pre-wrap; overflow-wrap: anywhere">{}</pre>{}',
                    text or _("No text: the status page shows the stage alone."),
                    format_html(
                        "<ul>{}</ul>",
                        format_html_join(
                            "", "<li>{}</li>", ((q.reason_not_met,) for q in qualifications)
                        ),
                    )
                    if qualifications
                    else "",
                )
            yield language, subject, body, status_text

    @staticmethod
    def sample_application(language: str) -> Application:
        """Return a made-up application, never saved, to preview the e-mails with."""
        posting = JobPosting(
            title_en="Correctional Officer",
            title_fr="Agente ou agent correctionnel",
            hr_contact_name="Sam Tremblay",
            hr_contact_email="staffing@example.ca",
        )
        return Application(
            posting=posting,
            first_name="Alex",
            reference="A-7K3M-9QX2",
            correspondence_language=language,
        )

    @staticmethod
    def sample_qualification() -> Qualification:
        """Return a made-up qualification not met, never saved, for the preview."""
        return Qualification(
            text_en="A degree in criminology or a related field.",
            text_fr="Un diplôme en criminologie ou dans un domaine connexe.",
            not_met_reason_en="",
            not_met_reason_fr="",
        )


class RecordAdminMixin:
    """A record: readable in the admin, never added, changed or deleted there, by anyone."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StageChange)
class StageChangeAdmin(PrivateLookupsMixin, RecordAdminMixin, admin.ModelAdmin):
    """The audit trail: readable, never changed or deleted, by anyone."""

    list_display = ["changed_at", "application", "from_stage", "to_stage", "changed_by"]
    list_filter = ["to_stage", "changed_at"]
    list_select_related = ["application", "changed_by"]
    search_fields = ["application__reference"]

    def get_queryset(self, request):
        # The history of the applications this person may see, and no other.
        queryset = super().get_queryset(request)
        visible = Application.objects.visible_to(request.user)
        if not visible.query.has_filters():
            return queryset  # every application: no subquery on a million rows for nothing
        return queryset.filter(application__in=visible)


@admin.register(ExportLog)
class ExportLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    """Who exported what, and when: a record, not a document anyone edits."""

    list_display = ["exported_at", "exported_by", "file_format", "row_count"]
    list_filter = ["file_format", "exported_at"]
    list_select_related = ["exported_by"]


# Registered last: admin_sessions reads this module's inlines and filters.
from applications import (  # noqa: E402
    admin_pools,  # noqa: F401  (pools, placements, entitlement checks)
    admin_sessions,  # noqa: F401  (sessions, invitations, attendance)
)
