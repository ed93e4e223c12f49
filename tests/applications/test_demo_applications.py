"""The demo applications of the run command (load_demo_applications): a queue HR can try at once.

What the issue asks of them: clearly fictional people with a PDF résumé each, at every stage of the
pipeline, with assessment plans, board ratings and a consensus on some, all obeying the rules of
the real thing; loading them again adds nothing.
"""

import io
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from applications import pdf_check
from applications.assessment import consensus_not_met, ratings_visible_to
from applications.models import (
    Application,
    AssessmentSession,
    InvitationStatus,
    QualificationResult,
    SessionInvitation,
    StageChange,
    StepRating,
)
from applications.pipeline import ACTIVE_STAGES, NOT_MET_STAGES, Stage
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from positions.models import PRE_EMPLOYMENT_KINDS, AssessmentStep, BoardMember, StepKind
from tests.applications.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles():
    for name in (HR_ADMINISTRATORS, REVIEWERS, RECRUITERS):
        RoleFactory(name=name)


@pytest.fixture
def load(demo_postings, roles, settings):
    settings.DEBUG = True

    def load():
        out = StringIO()
        call_command("load_demo_applications", stdout=out)
        return out.getvalue()

    return load


@pytest.fixture
def demo(load):
    return load()


def test_it_prints_the_accounts_it_made_then_one_summary_line(demo):
    lines = demo.splitlines()

    # The board members it needed (no create_demo_users before it), each with a password.
    assert [line.split(" / ")[0] for line in lines[:-1]] == [
        f"{HR_ADMINISTRATORS}: hr.admin",
        f"{REVIEWERS}: reviewer",
        f"{REVIEWERS}: reviewer.2",
    ]
    assert re.fullmatch(
        r"24 demo applications added, with \d+ board ratings \(24 applications in all\)\.",
        lines[-1],
    )
    for line in lines[:-1]:
        role, account = line.split(": ")
        username, password = account.split(" / ")
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password) and user.is_staff, username
        assert list(user.groups.values_list("name", flat=True)) == [role]


def test_accounts_made_by_create_demo_users_are_reused(load):
    call_command("create_demo_users", stdout=StringIO())

    output = load()

    # Only the second reviewer is new; the others keep the password printed before.
    assert [line.split(" / ")[0] for line in output.splitlines()[:-1]] == [
        f"{REVIEWERS}: reviewer.2"
    ]


def test_fictional_people_at_every_stage_each_with_a_pdf_resume(demo, private_media):
    stages = set(Application.objects.values_list("stage", flat=True))

    assert stages == set(Stage.values)
    assert Application.objects.values("posting").distinct().count() > 1
    assert Application.objects.values("email").distinct().count() == 24
    for application in Application.objects.all():
        # Clearly fictional people.
        assert application.last_name.startswith("Demo-"), application
        assert application.email.endswith("@example.com"), application
        assert re.fullmatch(r"613-555-01\d\d", application.phone), application
        # A résumé in private storage, as an upload leaves it.
        assert application.resume_type == "application/pdf"
        assert application.resume.name.endswith(".pdf")
        assert (private_media / application.resume.name).is_file()
        with application.resume.open("rb") as resume:
            data = resume.read()
        assert application.resume_size == len(data)
        # What the upload's own check would say, and what a viewer shows.
        assert pdf_check.verdict(data) == pdf_check.OK
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert application.full_name in text
        assert application.posting.reference_number in text
    # Everyone answered the screening questions; some say "no" to an essential one.
    failing = [a for a in Application.objects.all() if a.unmet_requirements()]

    assert failing
    assert Stage.SCREENED_OUT in {application.stage for application in failing}
    assert Application.objects.filter(answers__isnull=False).distinct().count() == 24


def test_each_posting_used_has_a_complete_plan_with_boards(demo):
    postings = {application.posting for application in Application.objects.all()}

    kinds = set()
    for posting in postings:
        assert posting.plan_gaps() == [], posting
        steps = list(posting.assessment_steps.all())
        kinds |= {step.kind for step in steps}
        assert {StepKind.SCREENING, StepKind.INTERVIEW} <= {step.kind for step in steps}
        # Boards rate the merit steps; CSC's pre-employment steps (CX postings) have none.
        for step in (step for step in steps if step.kind not in PRE_EMPLOYMENT_KINDS):
            assert step.board_members.filter(is_chair=True).count() == 1, step
            assert step.board_members.count() >= 2, step
    assert StepKind.WRITTEN_EXAM in kinds


def test_the_ratings_obey_the_assessment_rules(demo):
    """Every rating is one rating_submit accepts, and moves name what the consensus found."""
    ratings = StepRating.objects.select_related("step__posting", "application", "assessor")
    assert ratings.filter(is_consensus=True).exists()
    assert ratings.filter(is_consensus=False).exists()
    for rating in ratings:
        step = rating.step
        assert step.posting_id == rating.application.posting_id
        assert rating.assessor_id in step.assessor_ids()
        rated = {result.qualification_id for result in rating.results.all()}
        # Every qualification the step assesses, and no other.
        assert rated == set(step.qualifications.values_list("pk", flat=True)), rating
        if rating.is_consensus:
            assert step.may_record_consensus(rating.assessor)
            assert rating.justification.strip()
            assert all(result.justification.strip() for result in rating.results.all())
    # One seat, one rating in force: a correction replaced the first.
    corrected = ratings.filter(replaces__isnull=False)
    assert corrected.exists()
    for rating in corrected:
        assert rating.replaces.assessor_id == rating.assessor_id
        assert rating.replaces not in StepRating.objects.current()
    # A consensus on some, individual ratings only on others, nothing yet on the rest.
    with_consensus = Application.objects.filter(step_ratings__is_consensus=True).distinct()
    rated = Application.objects.filter(step_ratings__isnull=False).distinct()

    assert 0 < with_consensus.count() < rated.count() < Application.objects.count()
    for change in StageChange.objects.filter(to_stage__in=NOT_MET_STAGES):
        named = list(change.qualifications_not_met.all())
        assert named, change
        assert named == consensus_not_met(change.application)
        assert change.changed_by is not None
    # Half-way through a step, a board member who has not rated yet sees no one else's rating.
    waiting = []
    for application in Application.objects.filter(stage__in=ACTIVE_STAGES):
        ratings = list(application.step_ratings.all())
        for step in AssessmentStep.objects.filter(pk__in=[r.step_id for r in ratings]):
            rated = {r.assessor_id for r in ratings if r.step_id == step.pk}
            for member in BoardMember.objects.filter(step=step, is_chair=False):
                if member.user_id not in rated:
                    waiting.append((member.user, step, ratings))
    assert waiting
    for user, step, ratings in waiting:
        assert ratings_visible_to(user, step, ratings) == []


def test_running_it_again_changes_nothing(load, demo):
    def snapshot():
        return {
            model.__name__: set(model.objects.values_list("pk", flat=True))
            for model in (
                Application,
                StageChange,
                StepRating,
                QualificationResult,
                AssessmentStep,
                BoardMember,
                AssessmentSession,
                SessionInvitation,
            )
        } | {
            "qualifications assessed": set(
                AssessmentStep.qualifications.through.objects.values_list(
                    "assessmentstep_id", "qualification_id"
                )
            ),
            "not met": set(
                StageChange.qualifications_not_met.through.objects.values_list(
                    "stagechange_id", "qualification_id"
                )
            ),
        }

    before = snapshot()
    # As the run command does each time: the postings are reloaded in place first.
    call_command("load_demo_postings", stdout=StringIO())
    again = load()

    assert snapshot() == before
    assert again.splitlines() == [
        "0 demo applications added, with 0 board ratings (24 applications in all)."
    ]


def test_interviews_have_sessions_to_book_and_the_candidates_there_are_invited(demo):
    sessions = AssessmentSession.objects.select_related("step")
    assert sessions.exists()
    assert {session.step.kind for session in sessions} == {StepKind.INTERVIEW}
    assert all(session.starts_at > timezone.now() for session in sessions)
    assert {session.is_online for session in sessions} == {True, False}
    # The room of a session at a facility, in both languages: French candidates read it too.
    assert {
        (session.location_details_en, session.location_details_fr)
        for session in sessions
        if not session.is_online
    } == {("Room 101", "Salle 101")}
    invitations = SessionInvitation.objects.select_related("application")
    assert {i.application.stage for i in invitations} == {Stage.INTERVIEW}
    waiting = Application.objects.filter(
        stage=Stage.INTERVIEW, posting__assessment_steps__sessions__isnull=False
    ).distinct()
    assert invitations.count() == waiting.count()
    assert invitations.filter(status=InvitationStatus.BOOKED).exists()
    assert invitations.filter(status=InvitationStatus.INVITED).exists()


def test_it_refuses_to_run_with_debug_off(demo_postings, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="local use only"):
        call_command("load_demo_applications", stdout=StringIO())

    assert not Application.objects.exists()
