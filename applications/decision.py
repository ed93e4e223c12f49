"""The record of decision: every step, qualification, rating and decision about a candidate.

A candidate may ask for an informal discussion or complain to the Public Service Staffing
Tribunal, so HR must show, per step and per qualification, what was assessed, by whom, what each
assessor and the board found and why, and how the application moved. The record is a printable
page per candidate, in either official language, and an export with one row per candidate, step
and qualification. Both read the same rows the same way: a fixed number of queries for a
candidate, and a fixed number per chunk of candidates for the export.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.shortcuts import render
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.assessment import (
    current_ratings,
    merit_steps,
    ratings_visible_to,
    steps_at_stage,
)
from applications.exports import (
    CHUNK_SIZE,
    ExportFormat,
    csv_stream,
    download_response,
    export_file_name,
    neutralize,
    selection_filters,
    single_posting,
    xlsx_workbook,
)
from applications.models import (
    Application,
    AssessmentResult,
    ExportLog,
    QualificationResult,
    StageChange,
    StepRating,
)
from applications.pipeline import FINAL_STAGES, NOT_MET_STAGES, Stage
from positions.models import AssessmentStep, BoardMember, JobPosting, Qualification

EXPORT_PERMISSION = "applications.export_applications"
TEMPLATE = "admin/applications/application/record_of_decision.html"


class Verdict(models.TextChoices):
    """Where a candidate stands on the posting's essential qualifications."""

    QUALIFIED = "qualified", gettext_lazy("Qualified")
    NOT_QUALIFIED = "not-qualified", gettext_lazy("Not qualified")
    UNDETERMINED = "undetermined", gettext_lazy("Not determined yet")


@dataclass(frozen=True)
class Outcome:
    """The summary of a record: the verdict, and the step at which the candidate stopped."""

    verdict: Verdict
    stopped_at: AssessmentStep | None


def rater_name(rating: StepRating) -> str:
    """Who made a rating: the assessor's name (ratings carried over from before plans have none)."""
    if rating.assessor is None:
        return _("carried over from before assessment plans")
    return rating.assessor.get_full_name() or rating.assessor.get_username()


def result_text(result: QualificationResult) -> str:
    """A result as people read it: "Met", or with its score, "Met (7/10)"."""
    label = AssessmentResult(result.result).label
    if result.score is None:
        return str(label)
    out_of = result.qualification.out_of
    score = f"{result.score}/{out_of}" if out_of else str(result.score)
    return f"{label} ({score})"


def findings_in_force(consensus: Iterable[StepRating]) -> dict[int, str]:
    """The board's finding on each qualification: that of the latest consensus in force that gave
    one ("to be assessed later" leaves the matter to a later step), by qualification id."""
    found: dict[int, str] = {}
    for rating in sorted(consensus, key=lambda rating: (rating.submitted_at, rating.pk)):
        for result in rating.results.all():
            if result.result != AssessmentResult.LATER:
                found[result.qualification_id] = result.result
    return found


def not_met_essentials(rating: StepRating, essential_ids: set[int]) -> bool:
    return any(
        result.result == AssessmentResult.NOT_MET and result.qualification_id in essential_ids
        for result in rating.results.all()
    )


def outcome_of(
    application: Application,
    *,
    steps: list[AssessmentStep],
    ratings: Iterable[StepRating],
    essentials: list[Qualification],
    changes: Iterable[StageChange],
) -> Outcome:
    """Return the candidate's verdict and the step they stopped at, from prefetched rows.

    Qualified: the consensus in force found every essential qualification met (a posting with
    none has nothing to be qualified on). Not qualified: it
    found one not met, or HR screened the candidate out or did not retain them. Otherwise the
    assessment is not over. A candidate stopped when their application ended (screened out, not
    retained, withdrawn): at the step of the stage they left, or when they left between steps,
    at the step whose consensus found an essential qualification not met.
    """
    consensus = [rating for rating in current_ratings(ratings) if rating.is_consensus]
    found = findings_in_force(consensus)
    findings = [found.get(qualification.pk) for qualification in essentials]
    if AssessmentResult.NOT_MET in findings or application.stage in NOT_MET_STAGES:
        verdict = Verdict.NOT_QUALIFIED
    elif findings and all(finding == AssessmentResult.MET for finding in findings):
        verdict = Verdict.QUALIFIED
    else:
        verdict = Verdict.UNDETERMINED
    if application.stage not in FINAL_STAGES:
        return Outcome(verdict, None)
    essential_ids = {qualification.pk for qualification in essentials}
    failed = {rating.step_id for rating in consensus if not_met_essentials(rating, essential_ids)}
    into = [change for change in changes if change.to_stage == application.stage]
    left_from = steps_at_stage(steps, into[-1].from_stage) if into else []
    candidates = (
        [step for step in left_from if step.pk in failed]
        or left_from
        or [step for step in steps if step.pk in failed]
    )
    return Outcome(verdict, candidates[0] if candidates else None)


# --- The page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingEntry:
    """One rating as the record shows it, with the later rating that corrected it, if any."""

    rating: StepRating
    corrected_by: StepRating | None
    results: dict[int, QualificationResult]

    @property
    def rater(self) -> str:
        return rater_name(self.rating)


@dataclass(frozen=True)
class ResultLine:
    """One rating's result on one qualification."""

    entry: RatingEntry
    result: QualificationResult

    @property
    def text(self) -> str:
        return result_text(self.result)


@dataclass(frozen=True)
class QualificationLines:
    """What each assessor and the board found on one qualification at one step."""

    qualification: Qualification
    still_assessed: bool  # False: a result recorded before the plan stopped assessing it here
    assessors: list[ResultLine]
    consensus: list[ResultLine]


@dataclass(frozen=True)
class StepRecord:
    """One step of the plan in the record: its board and what was found on each qualification."""

    number: int
    step: AssessmentStep
    board: list[BoardMember]
    reviewers: list  # who assesses when the step has no board: the posting's reviewers
    qualifications: list[QualificationLines]
    ratings: list[RatingEntry]
    hidden: bool  # the reader sits on the board and has not submitted their own rating yet

    @property
    def justified(self) -> list[RatingEntry]:
        """The ratings that justify the step as a whole (the consensus must; others may)."""
        return [entry for entry in self.ratings if entry.rating.justification]


def record_queryset() -> QuerySet:
    """Applications with everything their record shows, in a fixed number of queries."""
    return Application.objects.select_related("posting").prefetch_related(
        "posting__qualifications",
        "posting__reviewers",
        Prefetch(
            "posting__assessment_steps",
            queryset=AssessmentStep.objects.prefetch_related(
                "qualifications",
                Prefetch("board_members", queryset=BoardMember.objects.select_related("user")),
            ),
        ),
        Prefetch(
            "step_ratings",
            queryset=StepRating.objects.select_related("assessor").prefetch_related(
                Prefetch(
                    "results", queryset=QualificationResult.objects.select_related("qualification")
                )
            ),
        ),
        Prefetch(
            "stage_changes",
            queryset=StageChange.objects.select_related("changed_by").prefetch_related(
                "qualifications_not_met"
            ),
        ),
    )


def step_record(number: int, step: AssessmentStep, ratings: list[StepRating], reader) -> StepRecord:
    """Return what the record shows of one step, from the candidate's prefetched ratings."""
    ratings = [rating for rating in ratings if rating.step_id == step.pk]
    corrected_by = {rating.replaces_id: rating for rating in ratings if rating.replaces_id}
    entries = [
        RatingEntry(
            rating=rating,
            corrected_by=corrected_by.get(rating.pk),
            results={result.qualification_id: result for result in rating.results.all()},
        )
        for rating in ratings
    ]
    hidden = bool(ratings) and not ratings_visible_to(reader, step, ratings)
    qualifications = list(step.qualifications.all())
    assessed = {qualification.pk for qualification in qualifications}
    # Results recorded before the plan stopped assessing a qualification here stay on record.
    for entry in entries:
        for result in entry.results.values():
            if result.qualification_id not in assessed:
                assessed.add(result.qualification_id)
                qualifications.append(result.qualification)
    still_assessed = {qualification.pk for qualification in step.qualifications.all()}
    lines = [
        QualificationLines(
            qualification=qualification,
            still_assessed=qualification.pk in still_assessed,
            assessors=[
                ResultLine(entry, entry.results[qualification.pk])
                for entry in entries
                if not entry.rating.is_consensus and qualification.pk in entry.results
            ],
            consensus=[
                ResultLine(entry, entry.results[qualification.pk])
                for entry in entries
                if entry.rating.is_consensus and qualification.pk in entry.results
            ],
        )
        for qualification in qualifications
    ]
    board = list(step.board_members.all())
    return StepRecord(
        number=number,
        step=step,
        board=board,
        reviewers=[] if board else list(step.posting.reviewers.all()),
        qualifications=[] if hidden else lines,
        ratings=[] if hidden else entries,
        hidden=hidden,
    )


def record_context(application: Application, *, reader) -> dict:
    """Return what the record of decision shows of one candidate (prefetched: record_queryset)."""
    posting = application.posting
    # Merit steps only: pre-employment steps are conditions of employment, with no ratings.
    steps = merit_steps(posting.assessment_steps.all())
    ratings = list(application.step_ratings.all())
    changes = list(application.stage_changes.all())
    essentials = posting.essential_qualifications
    return {
        "application": application,
        "posting": posting,
        "steps": [
            step_record(number, step, ratings, reader) for number, step in enumerate(steps, start=1)
        ],
        "changes": changes,
        "outcome": outcome_of(
            application, steps=steps, ratings=ratings, essentials=essentials, changes=changes
        ),
        "essentials": essentials,
    }


def record_language(request) -> str:
    """The language the record is asked for in (?language=fr), or the page's own."""
    asked = request.GET.get("language", "")
    return asked if asked in dict(settings.LANGUAGES) else translation.get_language()


def record_of_decision_response(request, application: Application, *, context: dict):
    """Render the printable record of one candidate, in the language asked for.

    The admin has checked that the reader may see the application. The whole page is rendered
    inside the language asked for, so labels and content fields (English and French columns,
    which follow the active language) agree.
    """
    language = record_language(request)
    application = record_queryset().get(pk=application.pk)
    with translation.override(language):
        languages = [
            {
                "code": code,
                "name": capfirst(translation.get_language_info(code)["name_local"]),
                "current": code == language,
            }
            for code, _name in settings.LANGUAGES
        ]
        response = render(
            request,
            TEMPLATE,
            {
                **context,
                **record_context(application, reader=request.user),
                "title": _("Record of decision: %(reference)s")
                % {"reference": application.reference},
                "languages": languages,
                "language": language,
                "opts": Application._meta,
            },
        )
    response["Content-Language"] = language
    response["Cache-Control"] = "private, no-store"
    return response


# --- The export ----------------------------------------------------------------------------


def export_headers() -> list[str]:
    return [
        _("Reference"),
        _("Candidate"),
        _("Posting reference"),
        _("Assessment step"),
        _("Step date"),
        _("Qualification"),
        _("Essential or asset"),
        _("Consensus result"),
        _("Consensus score"),
        _("Consensus justification"),
        _("Assessors' results"),
        _("Outcome"),
        _("Stopped at step"),
        _("Current stage"),
    ]


def export_queryset(applications: QuerySet) -> QuerySet:
    """The applications in export order, with the rows their record needs (only those in force).

    The posting is prefetched, not joined: each chunk then holds one posting object (and one
    copy of its plan) per posting, not one per application.
    """
    return (
        applications.select_related(None)
        .order_by("posting__reference_number", "submitted_at", "pk")
        .prefetch_related(
            Prefetch(
                "posting",
                queryset=JobPosting.objects.prefetch_related(
                    "qualifications",
                    Prefetch(
                        "assessment_steps",
                        queryset=AssessmentStep.objects.prefetch_related("qualifications"),
                    ),
                ),
            ),
            Prefetch(
                "step_ratings",
                queryset=StepRating.objects.current()
                .select_related("assessor")
                .prefetch_related(
                    Prefetch(
                        "results",
                        queryset=QualificationResult.objects.select_related("qualification"),
                    )
                ),
            ),
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.filter(to_stage__in=FINAL_STAGES),
            ),
        )
    )


def step_date(step: AssessmentStep) -> str:
    """The step's date or period as data: ISO dates, which sort and filter."""
    if not step.starts_on:
        return ""
    if not step.ends_on or step.ends_on == step.starts_on:
        return step.starts_on.isoformat()
    return _("%(start)s to %(end)s") % {
        "start": step.starts_on.isoformat(),
        "end": step.ends_on.isoformat(),
    }


def application_rows(application: Application) -> Iterator[tuple]:
    """Yield one candidate's rows: one per step of the plan and qualification it assesses."""
    posting = application.posting
    steps = merit_steps(posting.assessment_steps.all())  # no pre-employment step
    ratings = list(application.step_ratings.all())  # those in force only
    essentials = posting.essential_qualifications
    outcome = outcome_of(
        application,
        steps=steps,
        ratings=ratings,
        essentials=essentials,
        changes=application.stage_changes.all(),
    )
    candidate = (application.reference, application.full_name, posting.reference_number)
    summary = (
        str(outcome.verdict.label),
        outcome.stopped_at.title if outcome.stopped_at else "",
        str(Stage(application.stage).label),
    )
    if not steps:
        yield (*candidate, "", "", "", "", "", None, "", "", *summary)
        return
    for step in steps:
        at_step = [rating for rating in ratings if rating.step_id == step.pk]
        consensus = max(
            (rating for rating in at_step if rating.is_consensus),
            key=lambda rating: (rating.submitted_at, rating.pk),
            default=None,
        )
        found_by_board = {
            result.qualification_id: result
            for result in (consensus.results.all() if consensus else ())
        }
        found_by_assessor = [
            (rater_name(rating), {r.qualification_id: r for r in rating.results.all()})
            for rating in at_step
            if not rating.is_consensus
        ]
        step_cells = (step.title, step_date(step))
        qualifications = list(step.qualifications.all())
        if not qualifications:
            yield (*candidate, *step_cells, "", "", "", None, "", "", *summary)
            continue
        for qualification in qualifications:
            found = found_by_board.get(qualification.pk)
            by_assessor = [
                _("%(name)s: %(result)s")
                % {"name": name, "result": result_text(results[qualification.pk])}
                for name, results in found_by_assessor
                if qualification.pk in results
            ]
            yield (
                *candidate,
                *step_cells,
                qualification.text,
                _("Asset") if qualification.is_asset else _("Essential"),
                str(AssessmentResult(found.result).label) if found else "",
                found.score if found else None,
                found.justification if found else "",
                "; ".join(by_assessor),
                *summary,
            )


def decision_rows(applications: QuerySet, *, language: str) -> Iterator[tuple]:
    """Yield the export's rows, text made inert for spreadsheets, in `language`.

    Rows are written after the view has returned (the CSV streams), so the language is set here.
    """
    with translation.override(language):
        for application in export_queryset(applications).iterator(chunk_size=CHUNK_SIZE):
            for row in application_rows(application):
                yield tuple(neutralize(cell) for cell in row)


def batches(rows: Iterator[tuple], size: int = CHUNK_SIZE) -> Iterator[list[tuple]]:
    while batch := list(islice(rows, size)):
        yield batch


def decisions_export_response(request, queryset: QuerySet, file_format: ExportFormat | str):
    """Log the export of the records of decision and return it: CSV streamed, or Excel."""
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied
    file_format = ExportFormat(file_format)
    filters = {"export": "records-of-decision", **selection_filters(request, queryset)}
    posting = single_posting(queryset)
    log = ExportLog.objects.create(
        exported_by=request.user, file_format=file_format, filters=filters
    )
    name = export_file_name(
        posting=posting,
        stages=filters.get("stages") or [],
        extension=file_format.value,
        kind="records-of-decision",
    )
    language = translation.get_language()
    rows = decision_rows(queryset, language=language)
    if file_format == ExportFormat.XLSX:
        content = xlsx_workbook(export_headers(), rows, log, title=_("Records of decision"))
    else:
        content = csv_stream(export_headers(), batches(rows), log)
    return download_response(file_format, content, name=name)
