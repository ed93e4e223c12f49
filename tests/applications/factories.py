"""Factories for applications and staff roles."""

import factory
from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, Citizenship, OfficialLanguage, Residence, Stage
from applications.pipeline import NOT_MET_STAGES
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from tests.documents import pdf_bytes
from tests.factories import JobPostingFactory

RESUME = pdf_bytes()

# The stage each stage is reached from on a legal path (the README's pipeline table: received →
# screened in/out (or screening first) → assessment → interview → reference and security checks →
# offer → hired; not retained or withdrawn from any stage that is not final).
REACHED_FROM = {
    Stage.SCREENING: Stage.RECEIVED,
    Stage.SCREENED_IN: Stage.RECEIVED,
    Stage.SCREENED_OUT: Stage.RECEIVED,
    Stage.ASSESSMENT: Stage.SCREENED_IN,
    Stage.INTERVIEW: Stage.ASSESSMENT,
    Stage.REFERENCE_CHECK: Stage.INTERVIEW,
    Stage.OFFER: Stage.REFERENCE_CHECK,
    Stage.HIRED: Stage.OFFER,
    Stage.REJECTED: Stage.RECEIVED,
    Stage.WITHDRAWN: Stage.RECEIVED,
}


def path_to(stage: str) -> list[Stage]:
    """Return the moves that take a received application to `stage`, in order."""
    path = []
    while stage != Stage.RECEIVED:
        path.insert(0, Stage(stage))
        stage = REACHED_FROM[stage]
    return path


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application, with a PDF résumé in private storage, in the stage asked for.

    It reaches that stage the way the pipeline takes it there: created received, then moved with
    `move_to` along the shortest legal path (`REACHED_FROM`), so its history (StageChange rows)
    and `stage_changed_at` are what HR's moves leave. A trait names each stage
    (`ApplicationFactory(hired=True)`); `stage=` takes a Stage for parametrized tests. Like HR's
    moves, moves to a notified stage queue the applicant's e-mail (sent on commit, so only in
    transactional tests). `stage_changed_at=` dates those moves (the retention rule counts from it).
    """

    class Meta:
        model = Application

    class Params:
        screening = factory.Trait(stage=Stage.SCREENING)
        screened_in = factory.Trait(stage=Stage.SCREENED_IN)
        screened_out = factory.Trait(stage=Stage.SCREENED_OUT)
        assessment = factory.Trait(stage=Stage.ASSESSMENT)
        interview = factory.Trait(stage=Stage.INTERVIEW)
        reference_check = factory.Trait(stage=Stage.REFERENCE_CHECK)
        offer = factory.Trait(stage=Stage.OFFER)
        hired = factory.Trait(stage=Stage.HIRED)
        rejected = factory.Trait(stage=Stage.REJECTED)
        withdrawn = factory.Trait(stage=Stage.WITHDRAWN)

    posting = factory.SubFactory(JobPostingFactory)
    first_name = "Applicant"
    last_name = factory.Sequence(lambda n: f"Number {n}")
    email = factory.Sequence(lambda n: f"applicant{n}@example.ca")
    phone = "613-555-0100"
    residence = Residence.ON
    eligibility = Citizenship.CITIZEN
    correspondence_language = OfficialLanguage.ENGLISH
    assessment_language = OfficialLanguage.ENGLISH
    resume = factory.django.FileField(filename="cv.pdf", data=RESUME)
    resume_name = "cv.pdf"
    resume_type = "application/pdf"
    resume_size = len(RESUME)
    consented_at = factory.LazyFunction(timezone.now)
    declared_at = factory.LazyFunction(timezone.now)
    stage = Stage.RECEIVED
    stage_changed_at = None

    @classmethod
    def _create(cls, model_class, *args, stage, stage_changed_at, **kwargs):
        application = super()._create(model_class, *args, **kwargs)
        for step in path_to(stage):
            # Screening out or rejecting names what was not met: the posting's first essential.
            not_met = (
                application.posting.qualifications.filter(is_asset=False)[:1]
                if step in NOT_MET_STAGES
                else ()
            )
            application.move_to(step, not_met=not_met)
        if stage_changed_at is not None:
            # Test data dated in the past: the moves just made, and the row, as if made then.
            application.stage_changes.update(changed_at=stage_changed_at)
            Application.objects.filter(pk=application.pk).update(stage_changed_at=stage_changed_at)
            application.stage_changed_at = stage_changed_at
        return application


# What each role may do, as Django permission names: the README's roles ("An admin account for
# HR") in the admin's terms. Migrations 0003 and 0005 create the same groups; test_roles.py fails
# if the two differ.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    # Write and publish postings and their assessment plans; see every application and every
    # rating; move, assign and annotate them; download résumés; edit the stage e-mails; read the
    # export log, the changes to plans and the reports.
    HR_ADMINISTRATORS: {
        "positions.add_jobposting",
        "positions.change_jobposting",
        "positions.delete_jobposting",
        "positions.view_jobposting",
        "positions.add_qualification",
        "positions.change_qualification",
        "positions.delete_qualification",
        "positions.view_qualification",
        "positions.add_screeningquestion",
        "positions.change_screeningquestion",
        "positions.delete_screeningquestion",
        "positions.view_screeningquestion",
        "positions.view_occupation",
        "positions.view_facility",
        "positions.view_region",
        "positions.view_province",
        # Job alerts: read, and delete one when its owner asks by other means.
        "positions.view_jobalert",
        "positions.delete_jobalert",
        "applications.view_application",
        "applications.change_application",
        "applications.view_all_applications",
        "applications.view_resume",
        "applications.move_application",
        "applications.assign_application",
        "applications.export_applications",
        "applications.view_screeninganswer",
        "applications.add_applicationnote",
        "applications.view_applicationnote",
        "positions.add_assessmentstep",
        "positions.change_assessmentstep",
        "positions.delete_assessmentstep",
        "positions.view_assessmentstep",
        "positions.view_planchange",
        "applications.view_steprating",
        "applications.view_stagechange",
        "applications.view_stagemessage",
        "applications.change_stagemessage",
        "applications.view_exportlog",
        "applications.view_reports",
        # Pools and placements; entitlement checks and pre-employment results (the health
        # results need, besides, view_health_results, granted person by person).
        "applications.view_poolmember",
        "applications.manage_pool",
        "applications.view_poolevent",
        "applications.view_placement",
        "applications.view_entitlementcheck",
        "applications.add_entitlementcheck",
        "applications.view_preemploymentresult",
        "applications.add_preemploymentresult",
        # Sessions candidates book: create, change and cancel them, invite, mark attendance.
        "applications.manage_sessions",
        "applications.view_assessmentsession",
        "applications.add_assessmentsession",
        "applications.change_assessmentsession",
        "applications.delete_assessmentsession",
        "applications.view_sessioninvitation",
        "applications.view_bookingevent",
    },
    # Only the applications of their postings; move them and add notes; rate the steps whose
    # board they sit on (a seat, not a permission); download their résumés; read the reports
    # on their postings; cannot edit postings or export.
    REVIEWERS: {
        "positions.view_jobposting",
        "positions.view_occupation",
        "applications.view_application",
        "applications.change_application",
        "applications.view_resume",
        "applications.move_application",
        "applications.view_screeninganswer",
        "applications.add_applicationnote",
        "applications.view_applicationnote",
        "applications.view_stagechange",
        "applications.view_reports",
    },
    # Read every application and the reports, and export applicant lists; cannot move
    # applications or edit postings.
    RECRUITERS: {
        "positions.view_jobposting",
        "positions.view_occupation",
        "positions.view_region",
        "applications.view_application",
        "applications.view_all_applications",
        "applications.view_resume",
        "applications.export_applications",
        "applications.view_screeninganswer",
        "applications.view_applicationnote",
        "positions.view_assessmentstep",
        "applications.view_steprating",
        "applications.view_stagechange",
        "applications.view_exportlog",
        "applications.view_reports",
        "applications.view_poolmember",
        "applications.view_poolevent",
        "applications.view_placement",
        "applications.view_assessmentsession",
        "applications.view_sessioninvitation",
        "applications.view_bookingevent",
    },
}


def permissions_named(names: set[str]) -> list[Permission]:
    """Return the permissions named "app_label.codename", or raise LookupError for any unknown."""
    wanted = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(wanted).select_related("content_type"))
    missing = names - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(f"Unknown permissions: {sorted(missing)}")
    return found


class RoleFactory(factory.django.DjangoModelFactory):
    """A staff role (a group) with exactly the permissions of ROLE_PERMISSIONS.

    The migrations create the roles, but a transactional test's flush deletes them; the factory
    gives every test the same role whether or not one ran before it on this process.
    """

    class Meta:
        model = Group
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = HR_ADMINISTRATORS

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        if create:
            self.permissions.set(permissions_named(ROLE_PERMISSIONS[self.name]))


def staff_in(django_user_model, role: str, username: str | None = None):
    """Return a new staff member in `role` (password "x")."""
    user = django_user_model.objects.create_user(
        username or role.lower().replace(" ", "."), password="x", is_staff=True
    )
    user.groups.add(RoleFactory(name=role))
    return user


def consensus_of(application, results: dict, *, step=None, chair=None):
    """Record the board's consensus on an application's qualifications, as rows (no service).

    `results` maps each Qualification to a result (AssessmentResult) or a (result, score) pair;
    `step` defaults to the first step of the plan that assesses the first of them. For tests of
    what reads ratings (exports, the record of decision), not of the rules that write them.
    """
    from applications.models import QualificationResult, StepRating

    if step is None:
        step = next(iter(results)).assessment_steps.order_by("order", "pk").first()
    rating = StepRating.objects.create(
        application=application,
        step=step,
        assessor=chair,
        is_consensus=True,
        justification="The board agreed.",
    )
    for qualification, result in results.items():
        result, score = result if isinstance(result, tuple) else (result, None)
        QualificationResult.objects.create(
            rating=rating,
            qualification=qualification,
            result=result,
            score=score,
            justification="Shown in the interview.",
        )
    return rating
