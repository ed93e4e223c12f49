"""Applicant lists for recruiters, as CSV (streamed) or Excel.

Rows are read with a server-side cursor in chunks and written as they come, so memory stays flat
at any size; per-question answers, ratings and equity answers are columns of the one query, so the
number of queries does not grow with the rows either.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin import helpers
from django.db import connections, models
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Left
from django.db.models.lookups import Exact, In
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from applications.models import (
    AssessmentResult,
    Citizenship,
    EquityDeclaration,
    ExportLog,
    OfficialLanguage,
    QualificationResult,
    ScreeningAnswer,
)
from applications.pipeline import Stage
from applications.preferences import preferences_text
from positions.models import JobPosting, QuestionKind, ScreeningQuestion
from positions.models.postings import NO, YES

CHUNK_SIZE = 2000
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(models.TextChoices):
    """The kinds of file an export can be (ExportLog.file_format holds the value)."""

    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"


@dataclass(frozen=True)
class Column:
    header: str
    expression: object  # a field name or a query expression that yields the cell's text


def neutralize(value):
    """Make a text cell inert for spreadsheets (formula injection); other values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def inert(expression) -> Case:
    """The SQL twin of neutralize(): prefix a text that a spreadsheet would run as a formula."""
    expression = F(expression) if isinstance(expression, str) else expression
    return Case(
        When(In(Left(expression, 1), list(FORMULA_TRIGGERS)), then=Concat(Value("'"), expression)),
        default=expression,
        output_field=CharField(),
    )


def labelled(field: str, choices) -> Case:
    """A coded column shown with its label, in the language of the request."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=F(field),
        output_field=CharField(),
    )


def yes_no(field: str) -> Case:
    return Case(
        When(**{field: True}, then=Value(_("Yes"))),
        When(**{field: False}, then=Value(_("No"))),
        default=Value(""),
        output_field=CharField(),
    )


def answer_label(question: ScreeningQuestion) -> Case | F:
    """An answer as the person exporting reads it: yes/no and choices in their language.

    Yes/no answers are stored as codes and choices by position, so one column has one label per
    answer whichever language the applicants applied in; text answers stay as written.
    """
    if question.kind == QuestionKind.YES_NO:
        whens = [When(answer=YES, then=Value(_("Yes"))), When(answer=NO, then=Value(_("No")))]
    elif question.kind == QuestionKind.CHOICE:
        whens = [
            When(choice=position, then=Value(label))
            for position, label in enumerate(question.choice_list, start=1)
        ]
    else:
        return F("answer")
    # An answer that matched none of the choices when it was stored is shown as given.
    return Case(*whens, default=F("answer"), output_field=CharField())


def columns_for(*, posting: JobPosting | None, with_equity: bool, dates_as_text: bool):
    """Return the export's columns; one posting adds its questions and rated qualifications.

    The facilities applicants ranked are a column unless the one posting exported is offered
    at a single place (`posting.location_count`, from single_posting, says so).

    Every cell is computed by PostgreSQL (labels, yes/no, local time, formula neutralization), so
    writing a row costs no Python per cell; Excel gets the submission time as a real date.
    """
    submitted = F("submitted_at")
    if dates_as_text:
        local = Func(submitted, Value(settings.TIME_ZONE), template="(%(expressions)s)")
        local.arg_joiner = " AT TIME ZONE "
        submitted = Func(
            local, Value("YYYY-MM-DD HH24:MI"), function="to_char", output_field=CharField()
        )
    columns = [
        Column(_("Reference"), "reference"),
        Column(_("First name"), inert("first_name")),
        Column(_("Last name"), inert("last_name")),
        Column(_("E-mail"), inert("email")),
        Column(_("Telephone"), inert("phone")),
        Column(_("Posting reference"), "posting__reference_number"),
        Column(_("Posting title"), inert(F("posting__title"))),
        Column(_("Stage"), labelled("stage", Stage.choices)),
        Column(_("Assigned to"), inert("assignee__username")),
        Column(_("Submitted"), submitted),
        Column(
            _("Language of correspondence"),
            labelled("correspondence_language", OfficialLanguage.choices),
        ),
        Column(_("Eligibility"), labelled("eligibility", Citizenship.choices)),
        Column(_("Veteran"), yes_no("is_veteran")),
        Column(_("Priority entitlement"), yes_no("has_priority_entitlement")),
    ]
    if posting is None or getattr(posting, "location_count", 2) > 1:
        # "1. Millhaven Institution; 2. Collins Bay Institution": it starts with a digit, so no
        # spreadsheet runs it as a formula.
        columns.append(Column(_("Facility preferences"), preferences_text()))
    if posting is not None:
        for question in posting.screening_questions.all():
            answer = Subquery(
                ScreeningAnswer.objects.filter(application=OuterRef("pk"), question=question)
                .order_by()
                .annotate(label=answer_label(question))
                .values("label")[:1]
            )
            columns.append(Column(question.text, inert(answer)))
        for qualification in posting.essential_qualifications:
            # The board's consensus in force, from the latest step that assessed it.
            result = Subquery(
                QualificationResult.objects.filter(
                    rating__application=OuterRef("pk"),
                    rating__is_consensus=True,
                    rating__replaced_by__isnull=True,
                    qualification=qualification,
                )
                .order_by("-rating__submitted_at")
                .values("result")[:1]
            )
            labels = [
                When(Exact(result, value), then=Value(str(label)))
                for value, label in AssessmentResult.choices
            ]
            columns.append(
                Column(
                    _("Result: %(qualification)s") % {"qualification": qualification.text},
                    Case(*labels, default=result, output_field=CharField()),
                )
            )
    if with_equity:
        for field in ("woman", "indigenous", "disability", "visible_minority"):
            label = EquityDeclaration._meta.get_field(field).verbose_name
            columns.append(
                Column(
                    _("Employment equity: %(group)s") % {"group": label},
                    labelled(f"equity_declaration__{field}", EquityDeclaration.Answer.choices),
                )
            )
    return columns


def export_rows(queryset: QuerySet, columns: list[Column]) -> QuerySet:
    """Return the rows as value tuples, in column order, from one query."""
    cells = {f"cell_{i}": column.expression for i, column in enumerate(columns)}
    plain = {name: F(value) if isinstance(value, str) else value for name, value in cells.items()}
    return (
        queryset.order_by("posting__reference_number", "submitted_at", "pk")
        .annotate(**plain)
        .values_list(*plain)
    )


def cursor_batches(rows: QuerySet) -> Iterator[list[tuple]]:
    """Yield the rows of a values_list query CHUNK_SIZE at a time, from a server-side cursor."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(CHUNK_SIZE):
            yield batch


def csv_stream(headers: list[str], batches: Iterable[list], log: ExportLog) -> Iterator[bytes]:
    """Yield a CSV (UTF-8 with a byte-order mark, so Excel reads accents) batch by batch.

    Each batch of rows goes through the C csv writer in one call; the cells must already be
    inert (neutralize), the headers are made so here.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize(header) for header in headers])
    yield ("\ufeff" + buffer.getvalue()).encode()
    count = 0
    batches = iter(batches)
    try:
        for batch in batches:
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(batch)
            count += len(batch)
            yield buffer.getvalue().encode()
    finally:
        # A download cut short closes the rows' source too (a server-side cursor) right away.
        if hasattr(batches, "close"):
            batches.close()
    # Only a download that ran to its end has a row count: an interrupted one (the generator closed
    # at a yield, or an error) leaves it empty, as the log says.
    ExportLog.objects.filter(pk=log.pk).update(row_count=count)


def csv_chunks(rows: QuerySet, columns: list[Column], log: ExportLog) -> Iterator[bytes]:
    """Yield the applicants' CSV chunk by chunk, the rows already formatted by the database."""
    return csv_stream([column.header for column in columns], cursor_batches(rows), log)


def xlsx_workbook(headers: list[str], rows: Iterable[Sequence], log: ExportLog, *, title: str):
    """Write the rows to a temporary .xlsx (openpyxl write-only mode) and return the open file.

    Date-times become real, local dates; text cells must already be inert (neutralize).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=neutralize(text))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm"
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
        count += 1
    output = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    workbook.save(output)
    output.seek(0)
    ExportLog.objects.filter(pk=log.pk).update(row_count=count)
    return output


def xlsx_file(rows: QuerySet, columns: list[Column], log: ExportLog):
    """Write the applicants to a temporary .xlsx and return the open file."""
    return xlsx_workbook(
        [column.header for column in columns],
        rows.iterator(chunk_size=CHUNK_SIZE),
        log,
        title=_("Applicants"),
    )


def export_file_name(
    *, posting: JobPosting | None, stages: list[str], extension: str, kind: str = "applicants"
) -> str:
    """Say what the file is: what it lists, posting (or "all-postings"), stage(s), date."""
    parts = [
        kind,
        posting.reference_number if posting else "all-postings",
        "-".join(stages) if stages else "all-stages",
        timezone.localdate().isoformat(),
    ]
    return "_".join(parts) + f".{extension}"


def single_posting(applications: QuerySet, *prefetch: str) -> JobPosting | None:
    """The posting of every application in the queryset, when they share one (else None)."""
    posting_ids = list(applications.order_by().values_list("posting_id", flat=True).distinct()[:2])
    if len(posting_ids) != 1:
        return None
    # How many places it is offered at comes with it, not with a query of its own.
    return (
        JobPosting.objects.prefetch_related(*prefetch)
        .annotate(location_count=Count("locations"))
        .get(pk=posting_ids[0])
    )


def selection_filters(request, queryset: QuerySet) -> dict:
    """What an admin list action exported, for the ExportLog: the references ticked, or the
    list's filters when "select all" took every application they match (maybe a million)."""
    if request.POST.get(helpers.ACTION_CHECKBOX_NAME) and request.POST.get("select_across") != "1":
        selected = sorted(queryset.values_list("reference", flat=True))
    else:
        selected = "all matching the list filters"
    filters = {"selected": selected, "list_filters": request.GET.urlencode()}
    if request.GET.get("stage__exact") in Stage.values:
        filters["stages"] = [request.GET["stage__exact"]]  # named in the file name
    return filters


def download_response(file_format: ExportFormat, content, *, name: str):
    """Return an export as an attachment: a CSV stream (bytes chunks) or an open .xlsx file."""
    if file_format == ExportFormat.XLSX:
        response = FileResponse(
            content,
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_response(
    request, applications: QuerySet, *, filters: dict, file_format: ExportFormat | str
):
    """Log the export and return the file: CSV streamed, Excel as a finished workbook."""
    file_format = ExportFormat(file_format)
    posting = single_posting(applications, "screening_questions", "qualifications")
    with_equity = request.user.has_perm("applications.view_equitydeclaration")
    columns = columns_for(
        posting=posting, with_equity=with_equity, dates_as_text=file_format == ExportFormat.CSV
    )
    rows = export_rows(applications, columns)
    log = ExportLog.objects.create(
        exported_by=request.user, file_format=file_format, filters=filters
    )
    name = export_file_name(
        posting=posting, stages=filters.get("stages") or [], extension=file_format.value
    )
    if file_format == ExportFormat.XLSX:
        content = xlsx_file(rows, columns, log)
    else:
        content = csv_chunks(rows, columns, log)
    return download_response(file_format, content, name=name)
