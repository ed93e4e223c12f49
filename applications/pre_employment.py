"""CSC's pre-employment steps: recording their results, and who may read them.

Psychological and medical assessments, security screening and the Correctional Training Program
are conditions of employment, not merit criteria (applications.assessment.PRE_EMPLOYMENT_STAGES
says when a candidate is at them). Their results are written once: a correction is a new row,
and the latest per step is in force. Psychological and medical results are health information
(HEALTH_KINDS): recording or reading one needs `applications.view_health_results`, checked here,
in one place, for the workspace and anything else that shows them. Nothing here is logged.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from applications.assessment import PRE_EMPLOYMENT_STAGES
from applications.models import (
    Application,
    PreEmploymentOutcome,
    PreEmploymentResult,
    SecurityLevel,
)
from applications.pipeline import Stage
from positions.models import HEALTH_KINDS, PRE_EMPLOYMENT_KINDS, AssessmentStep, StepKind

HEALTH_PERMISSION = "applications.view_health_results"
RECORD_PERMISSION = "applications.add_preemploymentresult"
READ_PERMISSION = "applications.view_preemploymentresult"

# The fields of the Correctional Training Program's results, and of security screening's.
CTP_FIELDS = ("cohort", "stage_1_on", "stage_2_on", "stage_3_on")


class PreEmploymentRefused(Exception):
    """A pre-employment result that cannot be recorded: the message says why, translated."""


def may_read_health_results(user) -> bool:
    """Whether this person may read (and record) psychological and medical results."""
    return user.has_perm(HEALTH_PERMISSION)


def may_read_step(user, step: AssessmentStep) -> bool:
    """Whether this person may read the results of this pre-employment step."""
    return step.kind not in HEALTH_KINDS or may_read_health_results(user)


def pre_employment_record(
    *,
    application: Application,
    step: AssessmentStep,
    outcome: str,
    on: datetime.date,
    by,
    expires_on: datetime.date | None = None,
    security_level: str = "",
    cohort: str = "",
    stage_1_on: datetime.date | None = None,
    stage_2_on: datetime.date | None = None,
    stage_3_on: datetime.date | None = None,
    note: str = "",
) -> PreEmploymentResult:
    """Record the result of a pre-employment step for a candidate; a correction is a new row.

    Raise PermissionDenied for someone who may not record results (or, for a psychological or
    medical assessment, who may not read health results), and PreEmploymentRefused when the step
    is not a pre-employment step of the candidate's posting, the candidate is not at the
    pre-employment steps, or the fields do not fit the step.
    """
    if not by.has_perm(RECORD_PERMISSION):
        raise PermissionDenied(_("Your role does not record pre-employment results."))
    if step.kind in HEALTH_KINDS and not may_read_health_results(by):
        raise PermissionDenied(
            _(
                "Psychological and medical results are health information: only those given "
                "the permission to read them record them."
            )
        )
    if step.posting_id != application.posting_id:
        raise PreEmploymentRefused(_("This step belongs to another posting's assessment plan."))
    if step.kind not in PRE_EMPLOYMENT_KINDS:
        raise PreEmploymentRefused(
            _("“%(step)s” is a merit step: the board rates it, it has no pre-employment result.")
            % {"step": step.title}
        )
    _check_fields(
        step,
        outcome=outcome,
        on=on,
        expires_on=expires_on,
        security_level=security_level,
        cohort=cohort.strip(),
        stages=(stage_1_on, stage_2_on, stage_3_on),
    )
    result = PreEmploymentResult(
        application=application,
        step=step,
        outcome=outcome,
        on=on,
        expires_on=expires_on,
        security_level=security_level,
        cohort=cohort.strip(),
        stage_1_on=stage_1_on,
        stage_2_on=stage_2_on,
        stage_3_on=stage_3_on,
        note=note.strip(),
        recorded_by=by,
    )
    try:
        result.full_clean(exclude=["application", "step", "recorded_by"])
    except ValidationError as error:
        raise PreEmploymentRefused(" ".join(error.messages)) from error
    with transaction.atomic():
        # The candidate's row is the lock: the stage cannot change while the result is recorded.
        current = Application.objects.select_for_update().only("pk", "stage", "reference")
        current = current.get(pk=application.pk)
        if current.stage not in PRE_EMPLOYMENT_STAGES:
            raise PreEmploymentRefused(
                _(
                    "%(reference)s is “%(stage)s”: pre-employment results are recorded from "
                    "“Screened in” up to “Job offer made”."
                )
                % {"reference": current.reference, "stage": Stage(current.stage).label}
            )
        result.save()
    return result


def _check_fields(step, *, outcome, on, expires_on, security_level, cohort, stages) -> None:
    if outcome not in PreEmploymentOutcome.values:
        raise PreEmploymentRefused(_("Choose the outcome: pending, passed or not passed."))
    if on is None:
        raise PreEmploymentRefused(_("Give the date the step took place or is planned."))
    if expires_on is not None and expires_on <= on:
        raise PreEmploymentRefused(_("The result must be valid until a date after the step's."))
    if step.kind == StepKind.SECURITY_SCREENING:
        if security_level and security_level not in SecurityLevel.values:
            raise PreEmploymentRefused(_("Choose one of the security levels offered."))
        if outcome == PreEmploymentOutcome.PASSED and not security_level:
            raise PreEmploymentRefused(
                _("Give the security level granted: a passed security screening has one.")
            )
    elif security_level:
        raise PreEmploymentRefused(_("Only a security screening has a security level."))
    if step.kind == StepKind.TRAINING_PROGRAM:
        given = [day for day in stages if day is not None]
        if given != sorted(given):
            raise PreEmploymentRefused(
                _("The Correctional Training Program's stages are completed in order (1, 2, 3).")
            )
    elif cohort or any(day is not None for day in stages):
        raise PreEmploymentRefused(
            _("Only the Correctional Training Program has a cohort and stages.")
        )


def latest_results(results: Iterable[PreEmploymentResult]) -> dict[int, PreEmploymentResult]:
    """The result in force per step id among these rows (the latest recorded)."""
    latest: dict[int, PreEmploymentResult] = {}
    for result in results:
        held = latest.get(result.step_id)
        if held is None or (result.recorded_at, result.pk) > (held.recorded_at, held.pk):
            latest[result.step_id] = result
    return latest


def results_in_force(application: Application, reader) -> dict[int, PreEmploymentResult]:
    """The result in force of each pre-employment step of the candidate, by step id, that this
    person may read: health results are left out for a reader without the permission.

    Reads prefetched pre_employment_results (with their step) when they are there.
    """
    if not reader.has_perm(READ_PERMISSION):
        return {}
    rows = application.pre_employment_results.all()
    if not may_read_health_results(reader):
        if "pre_employment_results" in getattr(application, "_prefetched_objects_cache", {}):
            health = {
                step.pk
                for step in application.posting.assessment_steps.all()
                if step.kind in HEALTH_KINDS
            }
            rows = [row for row in rows if row.step_id not in health]
        else:
            rows = rows.exclude(step__kind__in=HEALTH_KINDS)
    return latest_results(rows)


# A result's facts, without the note (for HR only): what the status page reads, and what a
# correction starts from.
RESULT_FACTS = ("outcome", "on", "expires_on", "security_level", *CTP_FIELDS)


def steps_for_status(application: Application):
    """The posting's plan with, on each pre-employment step, the candidate's result in force
    as `status_<field>` (RESULT_FACTS; None when no result): one query for the whole plan."""
    latest = PreEmploymentResult.objects.filter(
        application=application, step=OuterRef("pk")
    ).order_by("-recorded_at", "-id")
    return AssessmentStep.objects.filter(posting_id=application.posting_id).annotate(
        **{f"status_{name}": Subquery(latest.values(name)[:1]) for name in RESULT_FACTS}
    )


@dataclass(frozen=True)
class StatusLine:
    """A pre-employment step as the candidate reads it: its name, and where it stands."""

    title: str
    sentences: list[str]


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def status_lines(steps: Iterable[AssessmentStep]) -> list[StatusLine]:
    """What the status page says of each pre-employment step, in plain words with dates.

    `steps` come from steps_for_status. The candidate reads their own results (health ones
    too) but never HR's note; a step not passed says only that HR will be in touch.
    """
    lines = []
    for step in steps:
        if step.kind not in PRE_EMPLOYMENT_KINDS:
            continue
        outcome, on = step.status_outcome, step.status_on
        if outcome is None:
            sentences = (
                [_("Scheduled for %(date)s.") % {"date": _day(step.starts_on)}]
                if step.starts_on
                else [_("Not scheduled yet: you will be told when it is.")]
            )
        elif outcome == PreEmploymentOutcome.PENDING:
            sentences = [_("Scheduled for %(date)s.") % {"date": _day(on)}]
        elif outcome == PreEmploymentOutcome.PASSED:
            sentences = [_("Completed on %(date)s.") % {"date": _day(on)}]
            if step.status_security_level:
                sentences.append(
                    _("Security level: %(level)s.")
                    % {"level": SecurityLevel(step.status_security_level).label}
                )
            if step.status_expires_on:
                sentences.append(
                    _("Valid until %(date)s.") % {"date": _day(step.status_expires_on)}
                )
        else:  # not passed: the facts are HR's to explain, in person
            sentences = [
                _("Completed on %(date)s.") % {"date": _day(on)},
                _("Human resources will contact you about the next steps."),
            ]
        if step.kind == StepKind.TRAINING_PROGRAM:
            if step.status_cohort:
                sentences.append(_("Cohort: %(cohort)s.") % {"cohort": step.status_cohort})
            for label, day in (
                (_("Stage 1 (online) completed on %(date)s."), step.status_stage_1_on),
                (_("Stage 2 (pre-session work) completed on %(date)s."), step.status_stage_2_on),
                (
                    _("Stage 3 (in class at the National Training Academy) completed on %(date)s."),
                    step.status_stage_3_on,
                ),
            ):
                if day:
                    sentences.append(label % {"date": _day(day)})
        lines.append(StatusLine(title=str(step.title), sentences=[str(s) for s in sentences]))
    return lines
