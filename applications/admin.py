"""HR's view of applications: what the applicant gave, the résumé, and the history of stages."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from applications.exports import ExportFormat, export_response
from applications.forms import AssignForm, MoveForm
from applications.models import (
    Application,
    ApplicationNote,
    EquityDeclaration,
    ExportLog,
    OfficialLanguage,
    ScreeningAnswer,
    StageChange,
    StageMessage,
)
from applications.pipeline import Stage
from applications.services import application_assign, applications_move
from applications.storage import PrivateFileSystemStorage
from csc_careers.db import EstimatedCountPaginator
from positions.models import JobPosting, Region


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScreeningAnswerInline(ReadOnlyInline):
    model = ScreeningAnswer
    fields = ["question", "answer", "meets_requirement"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")


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


def lookup_reaches_equity(model, lookup: str) -> bool:
    """Return whether a lookup such as "application__equity_declaration__isnull" reaches equity."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or a lookup ("isnull", "in"): the path has ended
        if field.related_model is EquityDeclaration:
            return True
        if not field.related_model:
            return False
        model = field.related_model
    return False


class EquityLookupsMixin:
    """Refuse list filters that reach equity declarations to those who may not read them.

    Otherwise ?equity_declaration__isnull=False would list who filed one. Django answers a
    refused lookup with 400 (DisallowedModelAdminLookup).
    """

    def lookup_allowed(self, lookup, value, request):
        if lookup_reaches_equity(self.model, lookup) and not request.user.has_perm(
            "applications.view_equitydeclaration"
        ):
            return False
        return super().lookup_allowed(lookup, value, request)


class Assigned(models.TextChoices):
    ME = "me", _("Assigned to me")
    NOBODY = "nobody", _("Not assigned")


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return Assigned.choices

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
        return queryset.filter(posting__in=JobPosting.objects.in_region(region))


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
class ApplicationAdmin(EquityLookupsMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "full_name",
        "posting_title",
        "stage",
        "assignee",
        "days_waiting",
    ]
    list_filter = [AssigneeFilter, "stage", PostingFilter, RegionFilter, "submitted_at"]
    list_select_related = ["posting", "assignee"]
    search_fields = ["reference", "first_name", "last_name", "email"]
    # No date hierarchy: its month list scans every row; the submitted-date filter does the job.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    actions = ["move_to_stage", "assign_to_reviewer", "export_csv", "export_xlsx"]
    inlines = [
        ScreeningAnswerInline,
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
            *super().get_urls(),
        ]

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
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            moved, refused = applications_move(
                applications=queryset,
                stage=form.cleaned_data["stage"],
                by=request.user,
                reason=form.cleaned_data["reason"],
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

    def download_resume(self, request, pk):
        """Send a résumé to someone allowed to see it; there is no other way to reach one."""
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        if not (
            self.has_view_permission(request, application)
            and request.user.has_perm("applications.view_resume")
        ):
            raise PermissionDenied
        if not application.resume:
            raise Http404("This résumé was deleted under the retention rules.")
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
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


@admin.register(StageMessage)
class StageMessageAdmin(TranslationAdmin):
    """The wording of the e-mails sent on stage moves, in both languages."""

    list_display = ["stage", "subject", "is_active"]
    fields = ["stage", "is_active", "placeholders", "subject", "body", "preview"]
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
        """Show the e-mail in each language as a made-up applicant would receive it."""
        rendered = (
            (language, message.render(self.sample_application(language)))
            for language in OfficialLanguage
        )
        return format_html(
            "<p>{}</p>{}",
            _("For a made-up applicant and job posting."),
            format_html_join(
                "",
                # The e-mail is plain text: shown as sent, lines kept, long links wrapped.
                '<section lang="{}"><h3>{}</h3><p><strong>{}</strong> {}</p>'
                '<pre style="white-space: pre-wrap; overflow-wrap: anywhere">{}</pre></section>',
                (
                    (
                        language.value,
                        language.label,
                        _("Subject:"),
                        subject,
                        body,
                    )
                    for language, (subject, body) in rendered
                ),
            ),
        )

    @staticmethod
    def sample_application(language: str) -> Application:
        """Return a made-up application, never saved, to preview the e-mails with."""
        posting = JobPosting(
            title_en="Correctional Officer", title_fr="Agente ou agent correctionnel"
        )
        return Application(
            posting=posting,
            first_name="Alex",
            reference="A-7K3M-9QX2",
            correspondence_language=language,
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
class StageChangeAdmin(EquityLookupsMixin, RecordAdminMixin, admin.ModelAdmin):
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
