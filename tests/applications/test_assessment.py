"""The rules of merit-based assessment (issue 15), one test or more per rule.

Expected values come from the issue: who rates a step (its board, or the posting's reviewers),
who records the consensus (the chair, or any assessor when there is none), results recorded only
while the candidate is at the step, every qualification of the step rated, scores against the
pass mark, justified consensus, append-only ratings, one winner when two save at once,
independent rating, screening out and rejecting naming what was not met, and the plan.
"""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from applications.assessment import (
    AssessmentRefused,
    Finding,
    RatingConflict,
    consensus_not_met,
    rating_submit,
    ratings_visible_to,
)
from applications.models import (
    AssessmentResult,
    QualificationResult,
    StageChange,
    StepRating,
)
from applications.pipeline import MoveRefused, Stage
from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from applications.services import application_withdraw
from positions.models import (
    AssessmentStep,
    BoardMember,
    QualificationKind,
    QuestionKind,
    StepKind,
)
from positions.services import assessment_plan_default
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

MET, NOT_MET, LATER = AssessmentResult.MET, AssessmentResult.NOT_MET, AssessmentResult.LATER


def qualification(posting, text, kind=QualificationKind.EXPERIENCE, **fields):
    return posting.qualifications.create(kind=kind, text=text, text_fr=f"{text} (FR)", **fields)


def step_of(posting, kind, qualifications, *, board=(), chair=None, order=1):
    step = AssessmentStep.objects.create(posting=posting, kind=kind, order=order)
    step.qualifications.set(qualifications)
    for user in board:
        BoardMember.objects.create(step=step, user=user, is_chair=user == chair)
    return step


def findings(step, result=MET, justification="Shown with examples.", changes=None):
    """The same finding for every qualification of the step, but those in `changes`."""
    found = {
        q.pk: Finding(result=result, justification=justification) for q in step.qualifications.all()
    }
    found.update({q.pk: finding for q, finding in (changes or {}).items()})
    return found


def nothing_saved():
    return not StepRating.objects.exists() and not QualificationResult.objects.exists()


@pytest.fixture
def people(django_user_model):
    """Two board members, their chair, a reviewer of the posting off the board, and HR."""
    return {
        name: staff_in(django_user_model, REVIEWERS if name != "hr" else HR_ADMINISTRATORS, name)
        for name in ("member", "other", "chair", "bystander", "hr")
    }


@pytest.fixture
def plan(db, people):
    """A posting with a screening step and an interview step, each with its board."""
    posting = JobPostingFactory(qualifications=[])
    education = qualification(posting, "Degree", QualificationKind.EDUCATION)
    experience = qualification(posting, "Experience with offenders")
    judgement = qualification(posting, "Judgement", QualificationKind.PERSONAL_SUITABILITY)
    posting.reviewers.add(people["bystander"])
    board = [people["member"], people["other"], people["chair"]]
    screening = step_of(
        posting, StepKind.SCREENING, [education], board=board, chair=people["chair"]
    )
    interview = step_of(
        posting,
        StepKind.INTERVIEW,
        [experience, judgement],
        board=board,
        chair=people["chair"],
        order=2,
    )
    return {
        "posting": posting,
        "screening": screening,
        "interview": interview,
        "education": education,
        "experience": experience,
        "judgement": judgement,
    }


def rate(
    application, step, assessor, *, result=MET, consensus=False, replaces=None, **finding_options
):
    return rating_submit(
        application=application,
        step=step,
        assessor=assessor,
        findings=findings(step, result, **finding_options),
        is_consensus=consensus,
        justification="The board agreed." if consensus else "",
        replaces=replaces,
    )


# --- Who rates a step ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_board_member_rates_the_step_and_the_results_are_recorded(plan, people):
    application = ApplicationFactory(posting=plan["posting"])

    rating = rate(application, plan["screening"], people["member"])

    assert rating.assessor == people["member"] and not rating.is_consensus
    assert [(r.qualification, r.result) for r in rating.results.all()] == [(plan["education"], MET)]


@pytest.mark.django_db
def test_someone_not_on_the_board_may_not_rate_the_step(plan, people):
    application = ApplicationFactory(posting=plan["posting"])

    # A reviewer of the posting, and HR itself: neither sits on this board.
    for outsider in (people["bystander"], people["hr"]):
        with pytest.raises(PermissionDenied):
            rate(application, plan["screening"], outsider)

    assert nothing_saved()


@pytest.mark.django_db
def test_a_step_without_a_board_is_rated_by_the_postings_reviewers(people):
    posting = JobPostingFactory()
    posting.reviewers.add(people["bystander"])
    step = step_of(posting, StepKind.SCREENING, posting.qualifications.all())
    application = ApplicationFactory(posting=posting)

    with pytest.raises(PermissionDenied):
        rate(application, step, people["member"])  # not a reviewer of this posting
    rating = rate(application, step, people["bystander"])

    assert rating.assessor == people["bystander"]


@pytest.mark.django_db
def test_once_a_step_has_a_board_the_postings_other_reviewers_do_not_rate_it(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    assert people["bystander"] in plan["posting"].reviewers.all()

    with pytest.raises(PermissionDenied):
        rate(application, plan["screening"], people["bystander"])


# --- Who records the consensus ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_board_member_who_is_not_the_chair_cannot_record_the_consensus(plan, people):
    application = ApplicationFactory(posting=plan["posting"])

    with pytest.raises(PermissionDenied):
        rate(application, plan["screening"], people["member"], consensus=True)

    assert nothing_saved()


@pytest.mark.django_db
def test_the_chair_records_the_consensus(plan, people):
    application = ApplicationFactory(posting=plan["posting"])

    rating = rate(application, plan["screening"], people["chair"], consensus=True)

    assert rating.is_consensus and rating.assessor == people["chair"]
    assert rating.justification == "The board agreed."
    assert [r.justification for r in rating.results.all()] == ["Shown with examples."]


@pytest.mark.django_db
def test_with_no_chair_any_assessor_records_the_consensus(people):
    posting = JobPostingFactory()
    step = step_of(
        posting, StepKind.SCREENING, posting.qualifications.all(), board=[people["member"]]
    )
    no_board = step_of(posting, StepKind.INTERVIEW, posting.qualifications.all(), order=2)
    posting.reviewers.add(people["bystander"])

    screened = ApplicationFactory(posting=posting)
    assert rate(screened, step, people["member"], consensus=True).is_consensus
    interviewed = ApplicationFactory(posting=posting, interview=True)
    assert rate(interviewed, no_board, people["bystander"], consensus=True).is_consensus


# --- Results only for a candidate at the step ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        (StepKind.SCREENING, Stage.SCREENED_IN),
        (StepKind.SCREENING, Stage.INTERVIEW),
        (StepKind.INTERVIEW, Stage.RECEIVED),
        (StepKind.INTERVIEW, Stage.ASSESSMENT),
        (StepKind.INTERVIEW, Stage.REJECTED),
        (StepKind.WRITTEN_EXAM, Stage.INTERVIEW),
        (StepKind.REFERENCE_CHECK, Stage.OFFER),
    ],
)
def test_results_for_a_candidate_not_at_the_step_are_refused_and_nothing_is_saved(
    people, kind, stage
):
    posting = JobPostingFactory()
    step = step_of(posting, kind, posting.qualifications.all(), board=[people["member"]])
    application = ApplicationFactory(posting=posting, stage=stage)

    with pytest.raises(AssessmentRefused) as refusal:
        rate(application, step, people["member"])

    assert application.reference in str(refusal.value)
    assert nothing_saved()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        (StepKind.SCREENING, Stage.RECEIVED),
        (StepKind.SCREENING, Stage.SCREENING),
        (StepKind.WRITTEN_EXAM, Stage.ASSESSMENT),
        (StepKind.INTERVIEW, Stage.INTERVIEW),
        (StepKind.REFERENCE_CHECK, Stage.REFERENCE_CHECK),
    ],
)
def test_results_for_a_candidate_at_the_step_are_recorded(people, kind, stage):
    posting = JobPostingFactory()
    step = step_of(posting, kind, posting.qualifications.all(), board=[people["member"]])
    application = ApplicationFactory(posting=posting, stage=stage)

    rate(application, step, people["member"])

    assert StepRating.objects.get().application == application


@pytest.mark.django_db
def test_a_step_of_another_postings_plan_is_refused(plan, people):
    other_posting = ApplicationFactory()  # at the screening stage of its own posting

    with pytest.raises(AssessmentRefused):
        rating_submit(
            application=other_posting,
            step=plan["screening"],
            assessor=people["member"],
            findings=findings(plan["screening"]),
        )

    assert nothing_saved()


# --- Every qualification of the step, each with a valid result -------------------------------


@pytest.mark.django_db
def test_every_qualification_the_step_assesses_must_be_rated(plan, people):
    application = ApplicationFactory(posting=plan["posting"], interview=True)
    partial = findings(plan["interview"])
    del partial[plan["judgement"].pk]

    with pytest.raises(AssessmentRefused, match="Judgement"):
        rating_submit(
            application=application,
            step=plan["interview"],
            assessor=people["member"],
            findings=partial,
        )

    assert nothing_saved()


@pytest.mark.django_db
def test_a_qualification_the_step_does_not_assess_is_refused(plan, people):
    application = ApplicationFactory(posting=plan["posting"], interview=True)
    extra = findings(plan["interview"])
    extra[plan["education"].pk] = Finding(result=MET)

    with pytest.raises(AssessmentRefused):
        rating_submit(
            application=application,
            step=plan["interview"],
            assessor=people["member"],
            findings=extra,
        )

    assert nothing_saved()


@pytest.mark.django_db
def test_a_result_must_be_met_not_met_or_later(plan, people):
    application = ApplicationFactory(posting=plan["posting"], interview=True)

    for result in ("", "maybe"):
        with pytest.raises(AssessmentRefused, match="Judgement"):
            rate(
                application,
                plan["interview"],
                people["member"],
                changes={plan["judgement"]: Finding(result=result)},
            )
    assert nothing_saved()

    rating = rate(application, plan["interview"], people["member"], result=LATER)
    assert {r.result for r in rating.results.all()} == {LATER}


# --- Scored qualifications -------------------------------------------------------------------


@pytest.fixture
def scored(plan):
    """The interview's judgement scored out of 10, passed at 6."""
    judgement = plan["judgement"]
    judgement.pass_mark, judgement.out_of = 6, 10
    judgement.save()
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("score", "result"), [(6, MET), (10, MET), (9, MET), (5, NOT_MET), (0, NOT_MET)]
)
def test_a_score_at_or_above_the_pass_mark_is_met_and_below_it_not_met(
    scored, people, score, result
):
    application = ApplicationFactory(posting=scored["posting"], interview=True)

    # The result written next to the score does not matter: the score decides.
    rating = rate(
        application,
        scored["interview"],
        people["member"],
        changes={
            scored["judgement"]: Finding(result=MET if result == NOT_MET else NOT_MET, score=score)
        },
    )

    judged = rating.results.get(qualification=scored["judgement"])
    assert (judged.result, judged.score) == (result, score)


@pytest.mark.django_db
@pytest.mark.parametrize("score", [11, 100, -1, None])
def test_a_score_outside_zero_to_out_of_is_refused_and_nothing_is_saved(scored, people, score):
    application = ApplicationFactory(posting=scored["posting"], interview=True)

    with pytest.raises(AssessmentRefused, match="from 0 to 10") as refusal:
        rate(
            application,
            scored["interview"],
            people["member"],
            changes={scored["judgement"]: Finding(result=MET, score=score)},
        )

    # Refused for what it is, not taken for someone else's rating saved at the same time.
    assert not isinstance(refusal.value, RatingConflict)
    assert nothing_saved()


@pytest.mark.django_db
def test_a_scored_qualification_may_be_left_for_later_without_a_score(scored, people):
    application = ApplicationFactory(posting=scored["posting"], interview=True)

    rating = rate(
        application,
        scored["interview"],
        people["member"],
        changes={scored["judgement"]: Finding(result=LATER, score=7)},
    )

    judged = rating.results.get(qualification=scored["judgement"])
    assert (judged.result, judged.score) == (LATER, None)


# --- The consensus and its justification -----------------------------------------------------


@pytest.mark.django_db
def test_a_consensus_missing_a_qualifications_justification_is_refused(plan, people):
    application = ApplicationFactory(posting=plan["posting"], interview=True)

    for blank in ("", "   \n"):
        with pytest.raises(AssessmentRefused, match="Judgement"):
            rate(
                application,
                plan["interview"],
                people["chair"],
                consensus=True,
                changes={plan["judgement"]: Finding(result=MET, justification=blank)},
            )

    assert nothing_saved()


@pytest.mark.django_db
def test_a_consensus_missing_its_overall_justification_is_refused(plan, people):
    application = ApplicationFactory(posting=plan["posting"], interview=True)

    with pytest.raises(AssessmentRefused):
        rating_submit(
            application=application,
            step=plan["interview"],
            assessor=people["chair"],
            findings=findings(plan["interview"]),
            is_consensus=True,
            justification=" ",
        )

    assert nothing_saved()


@pytest.mark.django_db
def test_an_individual_rating_needs_no_justification(plan, people):
    application = ApplicationFactory(posting=plan["posting"], interview=True)

    rating = rate(application, plan["interview"], people["member"], justification="")

    assert {r.justification for r in rating.results.all()} == {""}


# --- Append-only -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rating_and_its_results_cannot_be_saved_again(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    rating = rate(application, plan["screening"], people["member"])
    result = rating.results.get()

    rating.justification = "rewritten"
    with pytest.raises(ValidationError):
        rating.save()
    result.result = NOT_MET
    with pytest.raises(ValidationError):
        result.save()

    assert StepRating.objects.get().justification == ""
    assert QualificationResult.objects.get().result == MET


@pytest.mark.django_db
def test_a_correction_is_a_new_rating_that_replaces_the_old_one(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    first = rate(application, plan["screening"], people["member"])

    second = rate(application, plan["screening"], people["member"], result=NOT_MET, replaces=first)

    assert second.pk != first.pk and second.replaces == first
    assert list(StepRating.objects.current()) == [second]
    # The first stays on record, with its results.
    assert StepRating.objects.count() == 2
    assert first.results.get().result == MET
    assert second.results.get().result == NOT_MET


@pytest.mark.django_db
def test_a_rating_made_without_seeing_the_one_in_force_is_a_conflict(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    first = rate(application, plan["screening"], people["member"])
    second = rate(application, plan["screening"], people["member"], replaces=first)

    # The person started before any rating (None), or from the one since replaced.
    for stale in (None, first):
        with pytest.raises(RatingConflict):
            rate(application, plan["screening"], people["member"], replaces=stale)

    assert list(StepRating.objects.current()) == [second]


@pytest.mark.django_db
def test_each_assessor_has_a_seat_of_their_own(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    rate(application, plan["screening"], people["member"])

    # Another member's first rating replaces nothing: it is not a conflict.
    other = rate(application, plan["screening"], people["other"])
    consensus = rate(application, plan["screening"], people["chair"], consensus=True)

    assert other.replaces is None and consensus.replaces is None
    assert StepRating.objects.current().count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_chairs_recording_the_consensus_at_once_one_wins_the_other_is_told(
    django_user_model,
):
    # With no chair, any assessor records the consensus: two of them save at the same moment.
    first, second = (staff_in(django_user_model, REVIEWERS, name) for name in ("one", "two"))
    posting = JobPostingFactory()
    step = step_of(posting, StepKind.SCREENING, posting.qualifications.all(), board=[first, second])
    application = ApplicationFactory(posting=posting)
    barrier = threading.Barrier(2)
    outcomes = {}

    def record(chair):
        try:
            barrier.wait()
            rate(application, step, chair, consensus=True)
            outcomes[chair.username] = "saved"
        except RatingConflict as conflict:
            outcomes[chair.username] = str(conflict)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(chair,)) for chair in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["one", "two"]
    assert list(outcomes.values()).count("saved") == 1
    told = next(text for text in outcomes.values() if text != "saved")
    assert "Nothing was saved" in told
    winner = StepRating.objects.get(is_consensus=True)
    assert outcomes[winner.assessor.username] == "saved"
    assert QualificationResult.objects.filter(rating=winner).count() == 1
    assert QualificationResult.objects.count() == 1


# --- Independent rating ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_board_member_sees_the_others_ratings_only_after_submitting_their_own(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    step = plan["screening"]
    mine = rate(application, step, people["member"])

    def seen_by(user):
        return ratings_visible_to(user, step, application.step_ratings.all())

    assert seen_by(people["other"]) == []
    assert seen_by(people["member"]) == [mine]
    theirs = rate(application, step, people["other"])
    assert set(seen_by(people["other"])) == {mine, theirs}
    assert set(seen_by(people["member"])) == {mine, theirs}
    # Someone off the board who may see the application (HR, the record of decision) sees all.
    assert set(seen_by(people["hr"])) == {mine, theirs}


@pytest.mark.django_db
def test_with_no_chair_an_assessor_still_rates_without_seeing_the_others(people):
    """The default plan has no board: the posting's reviewers rate it, each on their own."""
    posting = JobPostingFactory()
    posting.reviewers.add(people["member"], people["other"])
    [screening, _interview] = assessment_plan_default(posting=posting)
    application = ApplicationFactory(posting=posting)
    mine = rate(application, screening, people["member"])

    assert ratings_visible_to(people["other"], screening, application.step_ratings.all()) == []
    theirs = rate(application, screening, people["other"])
    assert set(ratings_visible_to(people["other"], screening, application.step_ratings.all())) == {
        mine,
        theirs,
    }


@pytest.mark.django_db
def test_the_chair_reads_the_ratings_to_record_the_consensus(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    step = plan["screening"]
    ratings = [rate(application, step, people[name]) for name in ("member", "other")]

    assert set(ratings_visible_to(people["chair"], step, application.step_ratings.all())) == set(
        ratings
    )


@pytest.mark.django_db
def test_with_no_chair_whoever_recorded_the_consensus_reads_the_ratings(people):
    posting = JobPostingFactory()
    posting.reviewers.add(people["member"], people["other"])
    [screening, _interview] = assessment_plan_default(posting=posting)
    application = ApplicationFactory(posting=posting)
    theirs = rate(application, screening, people["other"])

    consensus = rate(application, screening, people["member"], consensus=True)

    assert set(ratings_visible_to(people["member"], screening, application.step_ratings.all())) == {
        theirs,
        consensus,
    }


@pytest.mark.django_db
def test_the_consensus_is_hidden_too_until_the_member_has_rated(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    step = plan["screening"]
    consensus = rate(application, step, people["chair"], consensus=True)

    assert ratings_visible_to(people["member"], step, application.step_ratings.all()) == []
    mine = rate(application, step, people["member"])
    assert set(ratings_visible_to(people["member"], step, application.step_ratings.all())) == {
        consensus,
        mine,
    }


@pytest.mark.django_db
def test_only_the_ratings_in_force_at_that_step_are_shown(plan, people):
    application = ApplicationFactory(posting=plan["posting"])
    first = rate(application, plan["screening"], people["member"])
    corrected = rate(application, plan["screening"], people["member"], replaces=first)
    application.move_to(Stage.SCREENED_IN)
    application.move_to(Stage.INTERVIEW)
    interviewed = rate(application, plan["interview"], people["member"])
    ratings = application.step_ratings.all()

    assert ratings_visible_to(people["hr"], plan["screening"], ratings) == [corrected]
    assert ratings_visible_to(people["hr"], plan["interview"], ratings) == [interviewed]


# --- What the consensus found not met --------------------------------------------------------


@pytest.mark.django_db
def test_consensus_not_met_lists_what_the_consensus_in_force_found_not_met(plan, people):
    application = ApplicationFactory(posting=plan["posting"], interview=True)
    step = plan["interview"]
    not_met = Finding(result=NOT_MET, justification="No example given.")

    # An assessor's own finding is not the board's.
    rate(application, step, people["member"], result=NOT_MET)
    assert consensus_not_met(application) == []
    first = rate(
        application, step, people["chair"], consensus=True, changes={plan["judgement"]: not_met}
    )
    assert consensus_not_met(application) == [plan["judgement"]]
    # A corrected consensus counts, not the one it replaced.
    rate(
        application,
        step,
        people["chair"],
        consensus=True,
        replaces=first,
        changes={plan["experience"]: not_met},
    )
    assert consensus_not_met(application) == [plan["experience"]]


# --- Moves that name what was not met --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "stage"), [("screening", Stage.SCREENED_OUT), ("interview", Stage.REJECTED)]
)
def test_staff_screening_out_or_rejecting_must_name_the_qualifications_not_met(
    plan, people, start, stage
):
    application = ApplicationFactory(posting=plan["posting"], **{start: True})

    with pytest.raises(MoveRefused):
        application.move_to(stage, by=people["hr"], reason="Not retained")
    application.refresh_from_db()
    assert application.stage == Stage(start.replace("_", "-"))

    change = application.move_to(stage, by=people["hr"], not_met=[plan["judgement"]])

    application.refresh_from_db()
    assert application.stage == stage
    assert list(StageChange.objects.get(pk=change.pk).qualifications_not_met.all()) == [
        plan["judgement"]
    ]


@pytest.mark.django_db
def test_the_qualifications_named_must_be_the_postings_own(plan, people):
    application = ApplicationFactory(posting=plan["posting"], screening=True)
    elsewhere = JobPostingFactory().qualifications.get()

    with pytest.raises(MoveRefused):
        application.move_to(
            Stage.SCREENED_OUT, by=people["hr"], not_met=[plan["education"], elsewhere]
        )

    application.refresh_from_db()
    assert application.stage == Stage.SCREENING
    assert not application.stage_changes.filter(to_stage=Stage.SCREENED_OUT).exists()


@pytest.mark.django_db
def test_an_applicants_own_withdrawal_names_nothing(plan):
    application = ApplicationFactory(posting=plan["posting"], interview=True)

    change = application_withdraw(application=application)

    assert change.to_stage == Stage.WITHDRAWN and change.changed_by is None
    assert not change.qualifications_not_met.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [Stage.SCREENED_IN, Stage.SCREENED_OUT])
def test_hr_screens_straight_from_the_queue(plan, people, stage):
    application = ApplicationFactory(posting=plan["posting"])
    assert application.stage == Stage.RECEIVED
    not_met = [plan["education"]] if stage == Stage.SCREENED_OUT else []

    change = application.move_to(stage, by=people["hr"], not_met=not_met)

    assert (change.from_stage, change.to_stage) == (Stage.RECEIVED, stage)


# --- The plan --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_plan_gaps_are_the_essential_qualifications_no_step_assesses():
    posting = JobPostingFactory(qualifications=[])
    education = qualification(posting, "Degree", QualificationKind.EDUCATION)
    experience = qualification(posting, "Experience with offenders", order=1)
    judgement = qualification(posting, "Judgement", QualificationKind.PERSONAL_SUITABILITY, order=2)
    qualification(posting, "Second language", is_asset=True, order=3)

    assert posting.plan_gaps() == [education, experience, judgement]
    step_of(posting, StepKind.SCREENING, [education])
    step_of(posting, StepKind.INTERVIEW, [judgement], order=2)
    assert posting.plan_gaps() == [experience]
    step_of(posting, StepKind.WRITTEN_EXAM, [experience, judgement], order=3)
    assert posting.plan_gaps() == []


@pytest.mark.django_db
def test_the_default_plan_screens_the_questions_and_education_then_interviews_the_rest():
    posting = JobPostingFactory(qualifications=[])
    education = qualification(posting, "Degree", QualificationKind.EDUCATION)
    licence = qualification(posting, "Driver's licence", QualificationKind.OTHER, order=1)
    experience = qualification(posting, "Experience with offenders", order=2)
    judgement = qualification(posting, "Judgement", QualificationKind.PERSONAL_SUITABILITY, order=3)
    language = qualification(posting, "Second language", is_asset=True, order=4)
    posting.screening_questions.create(
        kind=QuestionKind.YES_NO, text="Do you hold a licence?", qualification=licence
    )
    posting.screening_questions.create(kind=QuestionKind.YES_NO, text="Can you work nights?")

    screening, interview = assessment_plan_default(posting=posting)

    assert [step.kind for step in posting.assessment_steps.all()] == [
        StepKind.SCREENING,
        StepKind.INTERVIEW,
    ]
    assert set(screening.qualifications.all()) == {education, licence}
    assert set(interview.qualifications.all()) == {experience, judgement, language}
    # No board of its own: the posting's reviewers rate it.
    assert not BoardMember.objects.exists()
    assert posting.plan_gaps() == []


@pytest.mark.django_db
def test_a_posting_that_has_a_plan_keeps_it():
    posting = JobPostingFactory()
    exam = step_of(posting, StepKind.WRITTEN_EXAM, [])

    steps = assessment_plan_default(posting=posting)

    assert steps == [exam]
    assert list(posting.assessment_steps.all()) == [exam]
    assert not exam.qualifications.exists()
