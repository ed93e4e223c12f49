"""Assessing candidates against their posting's plan: which step they are at, who rates it, and
what the board found.

Each assessor on a step's board rates a candidate on their own (StepRating); the chair records
the board's consensus, which is what counts. Ratings are written once: a correction is a new
rating that replaces the one before, which stays in the record of decision.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Application,
    AssessmentResult,
    QualificationResult,
    StepRating,
)
from applications.pipeline import Stage
from positions.models import PRE_EMPLOYMENT_KINDS, AssessmentStep, Qualification, StepKind

# The stages at which a candidate is at each kind of step: the step's results may be recorded
# then, and the status page names the step.
STEP_STAGES: dict[str, set[str]] = {
    StepKind.SCREENING: {Stage.RECEIVED, Stage.SCREENING},
    StepKind.WRITTEN_EXAM: {Stage.ASSESSMENT},
    StepKind.OTHER: {Stage.ASSESSMENT},
    StepKind.INTERVIEW: {Stage.INTERVIEW},
    StepKind.REFERENCE_CHECK: {Stage.REFERENCE_CHECK},
}

# CSC's pre-employment steps (psychological and medical assessments, security screening, the
# Correctional Training Program) are conditions of employment, not merit criteria: they have no
# stage of their own and no rating. CSC runs them alongside the merit steps once a candidate is
# screened in, and they must be passed before the offer stands, so a candidate is at them from
# "screened in" up to "job offer made": their results are recorded then, and the status page
# names them then (and once hired). They are not in STEP_STAGES, whose steps are rated.
PRE_EMPLOYMENT_STAGES: set[str] = {
    Stage.SCREENED_IN,
    Stage.ASSESSMENT,
    Stage.INTERVIEW,
    Stage.REFERENCE_CHECK,
    Stage.OFFER,
}


class AssessmentRefused(Exception):
    """Results that cannot be recorded: the message says why, in the reader's language."""


class RatingConflict(AssessmentRefused):
    """Someone recorded a rating for the same candidate, step and seat while this one was made."""


@dataclass(frozen=True)
class Finding:
    """What a rating says of one qualification: a result or a score, and why."""

    result: str = ""
    score: int | None = None
    justification: str = ""


def steps_at_stage(steps: Iterable[AssessmentStep], stage: str) -> list[AssessmentStep]:
    """The steps of a plan (in its order) at which a candidate in the stage is."""
    return [step for step in steps if stage in STEP_STAGES.get(step.kind, set())]


def merit_steps(steps: Iterable[AssessmentStep]) -> list[AssessmentStep]:
    """The steps of a plan that assess qualifications (every step but the pre-employment ones)."""
    return [step for step in steps if step.kind not in PRE_EMPLOYMENT_KINDS]


def pre_employment_steps(steps: Iterable[AssessmentStep]) -> list[AssessmentStep]:
    """The pre-employment steps of a plan, in its order."""
    return [step for step in steps if step.kind in PRE_EMPLOYMENT_KINDS]


def current_steps(application: Application) -> list[AssessmentStep]:
    """The steps the candidate is at now (reads prefetched posting.assessment_steps)."""
    return steps_at_stage(application.posting.assessment_steps.all(), application.stage)


def current_ratings(ratings: Iterable[StepRating]) -> list[StepRating]:
    """The ratings in force among these (those no later rating replaces), from prefetched rows."""
    ratings = list(ratings)
    replaced = {rating.replaces_id for rating in ratings if rating.replaces_id}
    return [rating for rating in ratings if rating.pk not in replaced]


def ratings_visible_to(user, step: AssessmentStep, ratings: Iterable[StepRating]) -> list:
    """The current ratings of one candidate at one step that this person may read.

    An assessor of the step reads the others' ratings and the consensus only once they have
    submitted their own (or the consensus), so that each rates independently; the board's chair,
    who records the consensus from them, and anyone else who may see the application (HR, the
    record of decision) read them all.
    """
    ratings = [rating for rating in current_ratings(ratings) if rating.step_id == step.pk]
    if user.pk not in step.assessor_ids():
        return ratings
    own = [rating for rating in ratings if rating.assessor_id == user.pk]
    # Only a chair named on the board: with none, every assessor may record the consensus, and
    # may_record_consensus would let each of them read the others' ratings before rating.
    chairs = {member.user_id for member in step.board_members.all() if member.is_chair}
    if not own and user.pk not in chairs:
        return []
    return ratings


def consensus_not_met(application: Application) -> list[Qualification]:
    """The qualifications the board's consensus in force found not met, at any step."""
    ratings = current_ratings(
        StepRating.objects.filter(application=application, is_consensus=True).only(
            "pk", "replaces_id"
        )
    )
    return list(
        Qualification.objects.filter(
            results__rating__in=[rating.pk for rating in ratings],
            results__result=AssessmentResult.NOT_MET,
        )
        .distinct()
        .order_by("is_asset", "order", "pk")
    )


def _checked_results(
    step: AssessmentStep, findings: dict[int, Finding], *, is_consensus: bool
) -> list[QualificationResult]:
    """Return the results to save, one per qualification the step assesses, or refuse."""
    qualifications = list(step.qualifications.all())
    missing = [q for q in qualifications if q.pk not in findings]
    if missing:
        raise AssessmentRefused(
            _("Give a result for every qualification this step assesses. Missing: %(names)s")
            % {"names": "; ".join(q.text for q in missing)}
        )
    extra = set(findings) - {q.pk for q in qualifications}
    if extra:
        raise AssessmentRefused(_("Rate only the qualifications this step assesses."))
    results = []
    for qualification in qualifications:
        finding = findings[qualification.pk]
        result, score = finding.result, finding.score
        if qualification.is_scored and result != AssessmentResult.LATER:
            # A negative score would reach the database's check and pass for a conflict.
            if score is None or not 0 <= score <= qualification.out_of:
                raise AssessmentRefused(
                    _("Score “%(name)s” from 0 to %(total)d.")
                    % {"name": qualification.text, "total": qualification.out_of}
                )
            result = (
                AssessmentResult.MET
                if score >= qualification.pass_mark
                else AssessmentResult.NOT_MET
            )
        elif result not in AssessmentResult.values:
            raise AssessmentRefused(
                _("Choose a result for “%(name)s”.") % {"name": qualification.text}
            )
        else:
            score = None
        justification = finding.justification.strip()
        if is_consensus and not justification:
            raise AssessmentRefused(
                _("Justify the board's consensus on “%(name)s”: the record of decision needs it.")
                % {"name": qualification.text}
            )
        results.append(
            QualificationResult(
                qualification=qualification,
                result=result,
                score=score,
                justification=justification[:4000],
            )
        )
    return results


def rating_submit(
    *,
    application: Application,
    step: AssessmentStep,
    assessor,
    findings: dict[int, Finding],
    is_consensus: bool = False,
    justification: str = "",
    replaces: StepRating | None = None,
) -> StepRating:
    """Record an assessor's ratings of a candidate at a step, or (is_consensus) the board's.

    `findings` gives a Finding for each qualification the step assesses, by qualification id.
    `replaces` is the rating in force that the person saw when they started (None: there was
    none); if another has been recorded since, RatingConflict is raised and nothing is saved,
    so that two chairs saving at once cannot overwrite each other unknowingly.

    Raise PermissionDenied for someone not on the step's board (or not its chair, for the
    consensus) and AssessmentRefused when the candidate is not at this step or the ratings are
    incomplete.
    """
    if step.posting_id != application.posting_id:
        raise AssessmentRefused(_("This step belongs to another posting's assessment plan."))
    if step.kind in PRE_EMPLOYMENT_KINDS:
        raise AssessmentRefused(
            _(
                "“%(step)s” is a condition of employment, not a merit criterion: it is not rated. "
                "Record its result under “Pre-employment steps”."
            )
            % {"step": step.title}
        )
    if assessor.pk not in step.assessor_ids():
        raise PermissionDenied(_("Only the members of this step's board rate it."))
    if is_consensus and not step.may_record_consensus(assessor):
        raise PermissionDenied(_("Only the board's chair records its consensus."))
    results = _checked_results(step, findings, is_consensus=is_consensus)
    if is_consensus and not justification.strip():
        raise AssessmentRefused(_("Justify the board's consensus as a whole."))
    try:
        with transaction.atomic():
            # The candidate's row is the lock: ratings of one candidate are recorded one at a time.
            current = Application.objects.select_for_update().get(pk=application.pk)
            if current.stage not in STEP_STAGES.get(step.kind, set()):
                raise AssessmentRefused(
                    _(
                        "%(reference)s is “%(stage)s”, not at the step “%(step)s”: its results "
                        "are recorded while the candidate is at that step."
                    )
                    % {
                        "reference": current.reference,
                        "stage": Stage(current.stage).label,
                        "step": step.title,
                    }
                )
            seat = StepRating.objects.current().filter(
                application=current, step=step, is_consensus=is_consensus
            )
            if not is_consensus:
                seat = seat.filter(assessor=assessor)
            in_force = seat.order_by("-submitted_at", "-pk").first()
            if in_force != replaces:
                raise RatingConflict(
                    _(
                        "Another rating was recorded here while you were making yours (by "
                        "%(name)s). Nothing was saved: read it, then record yours again."
                    )
                    % {"name": _rater_name(in_force)}
                )
            rating = StepRating.objects.create(
                application=current,
                step=step,
                assessor=assessor,
                is_consensus=is_consensus,
                justification=justification.strip()[:4000],
                replaces=in_force,
            )
            for result in results:
                result.rating = rating
            QualificationResult.objects.bulk_create(results)
    except IntegrityError as error:  # the same rating replaced twice at once
        raise RatingConflict(
            _("Another rating was recorded here at the same moment. Nothing was saved.")
        ) from error
    return rating


def _rater_name(rating: StepRating | None) -> str:
    if rating is None or rating.assessor is None:
        return str(_("someone else"))
    return rating.assessor.get_full_name() or rating.assessor.get_username()
