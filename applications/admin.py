"""HR's view of applications: what the applicant gave, the résumé, and the history of stages."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.models import Application, EquityDeclaration, ScreeningAnswer, StageChange


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


class EquityDeclarationInline(admin.StackedInline):
    model = EquityDeclaration
    fields = ["woman", "indigenous", "disability", "visible_minority"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Only people given the dedicated permission see employment equity answers.
        return request.user.has_perm("applications.view_equitydeclaration")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference", "full_name", "posting", "stage", "submitted_at"]
    list_filter = ["stage", "submitted_at"]
    list_select_related = ["posting"]
    search_fields = ["reference", "first_name", "last_name", "email"]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["posting"]
    inlines = [ScreeningAnswerInline, EquityDeclarationInline, StageChangeInline]
    fieldsets = [
        (None, {"fields": ["reference", "posting", "stage", "submitted_at"]}),
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

    def get_readonly_fields(self, request, obj=None):
        # What the applicant gave is a record: HR reads it, never rewrites it.
        return [
            field
            for fieldset in self.fieldsets
            for row in fieldset[1]["fields"]
            for field in (row if isinstance(row, tuple) else (row,))
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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

    def download_resume(self, request, pk):
        """Send a résumé to someone allowed to see it; there is no other way to reach one."""
        application = get_object_or_404(Application, pk=pk)
        if not (
            self.has_view_permission(request, application)
            and request.user.has_perm("applications.view_resume")
        ):
            raise PermissionDenied
        if not application.resume:
            raise Http404("This résumé was deleted under the retention rules.")
        extension = (
            application.resume.name.rsplit(".", 1)[-1] if "." in application.resume.name else "bin"
        )
        response = FileResponse(
            application.resume.open("rb"),
            as_attachment=True,
            filename=f"{application.reference}-resume.{extension}",
            content_type=application.resume_type,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    """The audit trail: readable, never changed or deleted, by anyone."""

    list_display = ["changed_at", "application", "from_stage", "to_stage", "changed_by"]
    list_filter = ["to_stage", "changed_at"]
    list_select_related = ["application", "changed_by"]
    search_fields = ["application__reference"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
