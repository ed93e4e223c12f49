"""The HR reports in the admin: a page per report (funnel, time, reach, employment equity), each
table with its chart and its CSV download.

The reports hang on a proxy model (ApplicationReport) so that the admin lists them and the
`applications.view_reports` permission opens them; its list redirects to the first report.
Reviewers see the figures of their own postings only (JobPosting.objects.reviewable_by); the
equity report needs, besides, the equity permission, for its page and its CSV alike.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from applications import charts
from applications.exports import neutralize
from applications.filters import ReportFilter
from applications.models import ApplicationReport
from applications.report_cache import Counted, counted_report
from applications.reports import (
    SUPPRESSED,
    EquityReport,
    FunnelReport,
    Percent,
    ReachReport,
    Table,
    TimeReport,
    equity_report,
    funnel_report,
    reach_report,
    report_scope,
    time_report,
)
from positions.models import JobPosting

VIEW_REPORTS = "applications.view_reports"
VIEW_EQUITY = "applications.view_equitydeclaration"


class Report(models.TextChoices):
    """The report pages, in the order of their tabs."""

    # In context: "Time" alone is a time of day elsewhere.
    FUNNEL = "funnel", pgettext_lazy("HR report", "Funnel")
    TIME = "time", pgettext_lazy("HR report", "Time")
    REACH = "reach", pgettext_lazy("HR report", "Reach")
    EQUITY = "equity", pgettext_lazy("HR report", "Employment equity")


BUILDERS = {
    Report.FUNNEL: funnel_report,
    Report.TIME: time_report,
    Report.REACH: reach_report,
    Report.EQUITY: equity_report,
}


def figures_of(report: Report, scope, *, fresh: bool = False, **options) -> Counted:
    """The report's figures for the scope, as counted in the last minutes or counted now."""
    return counted_report(BUILDERS[report], scope, fresh=fresh, **options)


def number(value, decimals: int = 0) -> str:
    # Rounded here: number_format cuts the decimals it does not show.
    return formats.number_format(
        round(value, decimals), decimals, use_l10n=True, force_grouping=True
    )


def cell_text(value) -> str:
    """A cell as the page shows it, in the active language."""
    if value is None:
        return "—"
    if value is SUPPRESSED:
        return str(value)
    if isinstance(value, Percent):
        if value.value is None:
            return "—"
        return _("%(percent)s%%") % {"percent": number(value.value, 1)}
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return number(value, 1)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_value(value):
    """A cell as the CSV holds it: plain numbers, ISO dates, texts inert for spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return "" if value.value is None else round(value.value, 1)
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return neutralize(str(value))


def is_number(value) -> bool:
    """Whether a cell holds a figure (aligned right, as figures are)."""
    return isinstance(value, int | float | Percent) or value is SUPPRESSED


@dataclass(frozen=True)
class Section:
    """A table of a report as its page shows it: caption, chart, cells and download link."""

    table: Table
    chart: SafeString | None
    download_url: str

    @property
    def heading_id(self) -> str:
        return f"{self.table.slug}-heading"

    @property
    def header_cells(self) -> list[tuple[str, bool]]:
        return [(header, index > 0) for index, header in enumerate(self.table.headers)]

    @property
    def body(self) -> list[list[tuple[str, bool]]]:
        return [[(cell_text(value), is_number(value)) for value in row] for row in self.table.rows]

    @property
    def footer(self) -> list[list[tuple[str, bool]]]:
        return [
            [(cell_text(value), is_number(value)) for value in row] for row in self.table.footer
        ]


def days(value) -> str:
    return _("%(days)s d") % {"days": number(value, 1)}


def count(value) -> str:
    return number(value)


def chart_for(report, table: Table) -> SafeString | None:
    """The chart of a table, if it has one: the funnel, time in stage, applications over time
    and the reach's distributions."""
    chart_id = f"{table.slug}-chart"
    if isinstance(report, FunnelReport) and table.slug == "funnel":
        labels = [level.label for level in report.levels]
        values = [level.count for level in report.levels]
        return charts.horizontal_bars(
            chart_id=chart_id,
            title=table.caption,
            description=charts.describe(labels, [count(v) for v in values]),
            labels=labels,
            series=[charts.Series(_("Candidates"), values, count)],
        )
    if isinstance(report, TimeReport) and table.slug == "time-in-stage" and report.stages:
        labels = [str(stage.stage.label) for stage in report.stages]
        medians = [stage.median for stage in report.stages]
        p90s = [stage.p90 for stage in report.stages]
        return charts.horizontal_bars(
            chart_id=chart_id,
            title=table.caption,
            description=charts.describe(
                labels,
                [
                    _("median %(median)s, 90th percentile %(p90)s")
                    % {"median": cell_text(m), "p90": cell_text(p)}
                    for m, p in zip(medians, p90s, strict=True)
                ],
            ),
            labels=labels,
            series=[
                charts.Series(_("Median"), medians, days),
                charts.Series(_("90th percentile"), p90s, days),
            ],
            at_least=1,  # a day: stays of minutes are short, not full bars
        )
    if isinstance(report, TimeReport) and table.slug == "applications-per-period":
        if not report.periods:
            return None
        labels = [period.start.isoformat() for period in report.periods]
        values = [period.applications for period in report.periods]
        return charts.columns(
            chart_id=chart_id,
            title=table.caption,
            description=charts.describe(labels, [count(v) for v in values]),
            labels=labels,
            values=values,
            text=count,
        )
    if isinstance(report, ReachReport) and table.rows:
        labels = [row[0] for row in table.rows]
        values = [row[1] for row in table.rows]
        return charts.horizontal_bars(
            chart_id=chart_id,
            title=table.caption,
            description=charts.describe(labels, [count(v) for v in values]),
            labels=labels,
            series=[charts.Series(_("Applications"), values, count)],
        )
    return None


@admin.register(ApplicationReport)
class ApplicationReportAdmin(admin.ModelAdmin):
    """The reports' pages: no list, no form, only figures."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_REPORTS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_model_perms(self, request):
        return {"view": self.has_view_permission(request)}

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.changelist_view), name=f"{info}_changelist"),
            path("<slug:report>/", wrap(self.report_view), name=f"{info}_report"),
            path(
                "<slug:report>/<slug:table>.csv",
                wrap(self.download_view),
                name=f"{info}_download",
            ),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        url = reverse("admin:applications_applicationreport_report", args=[Report.FUNNEL])
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    def reports_for(self, request) -> list[Report]:
        """The reports this person may open: all, less equity without its permission."""
        return [
            report
            for report in Report
            if report != Report.EQUITY or request.user.has_perm(VIEW_EQUITY)
        ]

    def chosen(self, request, report: str) -> Report:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if report not in Report.values:
            raise Http404
        if report not in self.reports_for(request):
            raise PermissionDenied
        return Report(report)

    def filters(self, request) -> ReportFilter:
        return ReportFilter(
            request.GET,
            queryset=JobPosting.objects.reviewable_by(request.user),
            request=request,
        )

    def report_view(self, request, report):
        report = self.chosen(request, report)
        filters = self.filters(request)
        query = request.GET.urlencode()
        if request.method == "POST":
            # "Count again": count now, then show the page as any other time (no form resent).
            if filters.is_valid():
                figures_of(report, report_scope(filters.qs, **filters.dates()), fresh=True)
            return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
        figures, sections, counted_at = None, [], None
        if filters.is_valid():
            counted = figures_of(report, report_scope(filters.qs, **filters.dates()))
            figures, counted_at = counted.figures, counted.counted_at
            sections = [
                Section(
                    table=table,
                    chart=chart_for(figures, table),
                    download_url=reverse(
                        "admin:applications_applicationreport_download",
                        args=[report, table.slug],
                    )
                    + (f"?{query}" if query else ""),
                )
                for table in figures.tables()
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reports: %(report)s") % {"report": report.label},
            "report": report,
            "figures": figures,
            "counted_at": counted_at,
            "kept": settings.REPORT_CACHE_SECONDS > 0,
            "kept_minutes": max(1, settings.REPORT_CACHE_SECONDS // 60),
            "sections": sections,
            "filters": filters,
            "tabs": [
                (
                    tab,
                    reverse("admin:applications_applicationreport_report", args=[tab])
                    + (f"?{query}" if query else ""),
                )
                for tab in self.reports_for(request)
            ],
            "is_funnel": report == Report.FUNNEL,
            "is_time": report == Report.TIME,
            "is_reach": report == Report.REACH,
            "is_equity": isinstance(figures, EquityReport),
        }
        return TemplateResponse(request, "admin/reports/report.html", context)

    def download_view(self, request, report, table):
        report = self.chosen(request, report)
        filters = self.filters(request)
        if not filters.is_valid():
            raise Http404
        figures = figures_of(
            report, report_scope(filters.qs, **filters.dates()), **limits(report)
        ).figures
        wanted = next((t for t in figures.tables() if t.slug == table), None)
        if wanted is None:
            raise Http404
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([neutralize(header) for header in wanted.headers])
        writer.writerows([csv_value(value) for value in row] for row in wanted.rows)
        writer.writerows([csv_value(value) for value in row] for row in wanted.footer)
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        name = f"report_{wanted.slug}_{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


def limits(report: Report) -> dict:
    """A download holds every posting, not only those the page lists."""
    return {"limit": None} if report in (Report.FUNNEL, Report.TIME) else {}
