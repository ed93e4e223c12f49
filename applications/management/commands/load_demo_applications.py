"""Load demo applications to the demo postings, so HR, reviewers and recruiters have work to try.

Made-up people (names marked "Demo-", addresses at example.com, which no mail server accepts, and
telephone numbers of the fictional 555-01xx range) apply to the first open postings with a
one-page PDF résumé, through the service the application form uses, and answer every screening
question; some fail an essential one; those of a posting at several places rank one to three
of them. Each posting used gets the default assessment plan
(positions.services.assessment_plan_default), half of them a written exam too, and a board per
step: the demo HR administrator in the chair and the demo reviewers (create_demo_users' accounts,
made here if missing, plus a second reviewer). The applications then reach every stage of the
pipeline by its own moves (Application.move_to), and the board's ratings and consensus are
recorded by applications.assessment.rating_submit while the candidate is at the step, so the demo
obeys the rules HR does. The candidates the boards qualified who wait at the reference checks join
their posting's pool (applications.pools), and the first is placed. Each interview gets two
sessions to book, the candidates at the interview are invited, and the first of them books.
Running it again adds nothing already there. Never run this on a production database.
"""

import enum
import secrets
import unicodedata
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from applications.assessment import Finding, consensus_not_met, rating_submit
from applications.management.commands.create_demo_users import DEMO_USERS
from applications.models import (
    Application,
    AssessmentResult,
    AssessmentSession,
    Citizenship,
    OfficialLanguage,
    Placement,
    PoolMember,
    Residence,
    SessionInvitation,
    StepRating,
)
from applications.pipeline import NOT_MET_STAGES, Stage
from applications.pools import placement_answer, placement_offer, pool_qualify
from applications.roles import REVIEWERS
from applications.services import application_assign, application_submit, application_withdraw
from applications.sessions import book, invite
from applications.validators import PDF
from positions.models import (
    AssessmentStep,
    BoardMember,
    JobPosting,
    QualificationKind,
    QuestionKind,
    StepKind,
    posting_today,
)
from positions.models.postings import NO, YES
from positions.services import assessment_plan_default

# The demo staff who sit on the boards: create_demo_users' HR administrator (the chair) and
# reviewer, and a second reviewer, so that a board has two members who rate on their own.
HR, REVIEWER, REVIEWER_2 = "hr.admin", "reviewer", "reviewer.2"
BOARD_USERS = [*DEMO_USERS, (REVIEWER_2, "Robin", "Reviewer", REVIEWERS)]
BOARDS = {
    StepKind.SCREENING: [HR, REVIEWER],
    StepKind.WRITTEN_EXAM: [HR, REVIEWER_2],
    StepKind.INTERVIEW: [HR, REVIEWER, REVIEWER_2],
}

PEOPLE = [
    ("Alex", "Demo-Tremblay", OfficialLanguage.FRENCH, Residence.QC),
    ("Jordan", "Demo-MacDonald", OfficialLanguage.ENGLISH, Residence.NS),
    ("Sam", "Demo-Sharma", OfficialLanguage.ENGLISH, Residence.ON),
    ("Camille", "Demo-Gagnon", OfficialLanguage.FRENCH, Residence.QC),
    ("Riley", "Demo-Roy", OfficialLanguage.ENGLISH, Residence.NB),
    ("Dominique", "Demo-Bouchard", OfficialLanguage.FRENCH, Residence.ON),
    ("Morgan", "Demo-Chen", OfficialLanguage.ENGLISH, Residence.BC),
    ("Taylor", "Demo-Cardinal", OfficialLanguage.ENGLISH, Residence.AB),
    ("Maxime", "Demo-Côté", OfficialLanguage.FRENCH, Residence.QC),
    ("Casey", "Demo-Thompson", OfficialLanguage.ENGLISH, Residence.SK),
    ("Sacha", "Demo-Haddad", OfficialLanguage.FRENCH, Residence.QC),
    ("Jamie", "Demo-Wilson", OfficialLanguage.ENGLISH, Residence.MB),
    ("Avery", "Demo-Leblanc", OfficialLanguage.ENGLISH, Residence.PE),
    ("Frédérique", "Demo-Pelletier", OfficialLanguage.FRENCH, Residence.QC),
    ("Quinn", "Demo-Nguyen", OfficialLanguage.ENGLISH, Residence.ON),
    ("Andréa", "Demo-Lavoie", OfficialLanguage.FRENCH, Residence.NB),
    ("Charlie", "Demo-Singh", OfficialLanguage.ENGLISH, Residence.BC),
    ("Noa", "Demo-Fortin", OfficialLanguage.FRENCH, Residence.ON),
    ("Rowan", "Demo-Kowalski", OfficialLanguage.ENGLISH, Residence.SK),
    ("Claude", "Demo-Girard", OfficialLanguage.FRENCH, Residence.QC),
    ("Kai", "Demo-Okafor", OfficialLanguage.ENGLISH, Residence.NL),
    ("Eden", "Demo-Morin", OfficialLanguage.FRENCH, Residence.QC),
    ("Emerson", "Demo-Campbell", OfficialLanguage.ENGLISH, Residence.YT),
    ("Robin", "Demo-Bergeron", OfficialLanguage.FRENCH, Residence.ON),
]


class Verdict(enum.Enum):
    """What a made-up rating finds."""

    MET = enum.auto()  # every qualification met
    FAILS = enum.auto()  # the step's first essential qualification not met, the rest met
    LATER = enum.auto()  # the assets left for later, the rest met


class Rate(NamedTuple):
    """An assessor rates the step (`corrects`: replaces their own rating in force)."""

    kind: str
    assessor: str
    verdict: Verdict
    corrects: bool = False


class Consensus(NamedTuple):
    """The chair records the board's consensus at the step."""

    kind: str
    verdict: Verdict


class Move(NamedTuple):
    """HR moves the application (to screen out or reject: naming what the consensus found not
    met)."""

    stage: str


class Withdraw(NamedTuple):
    """The applicant withdraws."""


SCREENED_IN = [
    Rate(StepKind.SCREENING, REVIEWER, Verdict.MET),
    Rate(StepKind.SCREENING, HR, Verdict.MET),
    Consensus(StepKind.SCREENING, Verdict.MET),
    Move(Stage.SCREENED_IN),  # straight from the queue
]
EXAM_PASSED = [
    Move(Stage.ASSESSMENT),
    Rate(StepKind.WRITTEN_EXAM, REVIEWER_2, Verdict.MET),
    Rate(StepKind.WRITTEN_EXAM, HR, Verdict.MET),
    Consensus(StepKind.WRITTEN_EXAM, Verdict.MET),
    Move(Stage.INTERVIEW),
]
INTERVIEW_PASSED = [
    Move(Stage.INTERVIEW),  # a plan without a written exam
    Rate(StepKind.INTERVIEW, REVIEWER, Verdict.LATER),
    Rate(StepKind.INTERVIEW, REVIEWER, Verdict.MET, corrects=True),
    Rate(StepKind.INTERVIEW, REVIEWER_2, Verdict.MET),
    Rate(StepKind.INTERVIEW, HR, Verdict.MET),
    Consensus(StepKind.INTERVIEW, Verdict.MET),
    Move(Stage.REFERENCE_CHECK),
]
# What happens to each made-up application: (whether it answers "no" to an essential screening
# question, what follows). The first six go to postings with a written exam, the next six to
# postings with the default plan; together they reach every stage, some half-way through a step
# (one assessor has rated, the others have not) so that independent rating can be tried.
WITH_EXAM = [
    (False, []),
    (False, [Move(Stage.SCREENING), Rate(StepKind.SCREENING, REVIEWER, Verdict.MET)]),
    (False, SCREENED_IN),
    (
        True,
        [
            Move(Stage.SCREENING),
            Rate(StepKind.SCREENING, REVIEWER, Verdict.FAILS),
            Rate(StepKind.SCREENING, HR, Verdict.FAILS),
            Consensus(StepKind.SCREENING, Verdict.FAILS),
            Move(Stage.SCREENED_OUT),
        ],
    ),
    (
        False,
        [
            *SCREENED_IN,
            Move(Stage.ASSESSMENT),
            Rate(StepKind.WRITTEN_EXAM, REVIEWER_2, Verdict.MET),
        ],
    ),
    (False, [*SCREENED_IN, *EXAM_PASSED, Rate(StepKind.INTERVIEW, REVIEWER, Verdict.LATER)]),
]
DEFAULT_PLAN = [
    (False, [*SCREENED_IN, *INTERVIEW_PASSED]),
    (False, [*SCREENED_IN, *INTERVIEW_PASSED, Move(Stage.OFFER)]),
    (False, [*SCREENED_IN, *INTERVIEW_PASSED, Move(Stage.OFFER), Move(Stage.HIRED)]),
    (
        False,
        [
            *SCREENED_IN,
            Move(Stage.INTERVIEW),
            Rate(StepKind.INTERVIEW, REVIEWER, Verdict.FAILS),
            Rate(StepKind.INTERVIEW, REVIEWER_2, Verdict.FAILS),
            Rate(StepKind.INTERVIEW, HR, Verdict.MET),
            Consensus(StepKind.INTERVIEW, Verdict.FAILS),
            Move(Stage.REJECTED),
        ],
    ),
    (False, [*SCREENED_IN, Withdraw()]),
    (True, [Rate(StepKind.SCREENING, REVIEWER, Verdict.FAILS)]),
]
PER_POSTING = len(WITH_EXAM)
POSTINGS = 4  # with exam, default plan, with exam, default plan

JUSTIFICATIONS = {
    AssessmentResult.MET: "Clear, recent examples in the résumé and the answers.",
    AssessmentResult.NOT_MET: "The application gives no example of this.",
    AssessmentResult.LATER: "Left for a later step of the plan.",
}
CONSENSUS = "The board compared its members' ratings and agreed on each qualification."


def pdf_text(text: str) -> bytes:
    """Return text as a PDF string literal in the Windows-1252 encoding its font declares."""
    data = text.encode("cp1252", "replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def resume_pdf(title: str, lines: list[str]) -> bytes:
    """Return a one-page PDF showing the lines (the first as a heading), titled `title`."""
    text = b" T* ".join(pdf_text(line) + b" Tj" for line in lines[1:])
    content = (
        b"BT /F1 18 Tf 72 720 Td 22 TL " + pdf_text(lines[0]) + b" Tj /F1 11 Tf 16 TL T* "
        b"T* " + text + b" ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        # Latin-1 letters are the same in the PDF encoding of document information.
        b"<< /Title %s /Producer (CSC Careers demo data) >>"
        % pdf_text(title.encode("latin-1", "replace").decode("latin-1")),
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(pdf)


class Command(BaseCommand):
    help = "Load demo applications, with assessment plans and ratings (local use only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo applications are for local use only (DEBUG is off).")
        postings = list(
            JobPosting.objects.open()
            .prefetch_related("screening_questions")
            .order_by("reference_number")[:POSTINGS]
        )
        if not postings:
            raise CommandError("Load the demo postings first (manage.py load_demo_postings).")
        self.users = self.demo_staff()
        made = ratings = 0
        plans = {}
        # The made-up applicants are e-mailed nothing, not even in the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for number, (first_name, last_name, _language, _residence) in enumerate(PEOPLE):
                group = number // PER_POSTING
                posting = postings[group % len(postings)]
                fails, actions = (WITH_EXAM if group % 2 == 0 else DEFAULT_PLAN)[
                    number % PER_POSTING
                ]
                email = self.email(first_name, last_name)
                if Application.objects.filter(posting=posting, email=email).exists():
                    continue
                if posting.pk not in plans:
                    plans[posting.pk] = self.plan(posting, with_exam=group % 2 == 0)
                steps = plans[posting.pk]
                before = StepRating.objects.count()
                self.apply(posting, number, email, steps, fails, actions)
                made += 1
                ratings += StepRating.objects.count() - before
            self.pool()
            self.sessions()
        self.stdout.write(
            f"{made} demo applications added, with {ratings} board ratings "
            f"({Application.objects.count()} applications in all)."
        )

    def demo_staff(self) -> dict:
        """Return the demo board members by username, making (with a password printed once, as
        create_demo_users does) those missing."""
        User = get_user_model()
        users = {}
        for username, first_name, last_name, role in BOARD_USERS:
            if username not in (HR, REVIEWER, REVIEWER_2):
                continue
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.ca",
                    "is_staff": True,
                },
            )
            user.groups.add(Group.objects.get(name=role))
            if created:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(f"{role}: {username} / {password}")
            users[username] = user
        return users

    @staticmethod
    def email(first_name: str, last_name: str) -> str:
        # Without accents: an address is checked as the application form checks it.
        name = unicodedata.normalize("NFKD", f"{first_name}.{last_name}@example.com")
        return name.encode("ascii", "ignore").decode().lower()

    def plan(self, posting: JobPosting, *, with_exam: bool) -> dict[str, AssessmentStep]:
        """Give the posting its plan (the default one, with a written exam if asked) and the
        demo boards; return its first step of each kind."""
        steps = assessment_plan_default(posting=posting)
        kinds = {step.kind for step in steps}
        interview = next((s for s in steps if s.kind == StepKind.INTERVIEW), None)
        if with_exam and StepKind.WRITTEN_EXAM not in kinds and interview is not None:
            # What a written test shows best: knowledge, and the ability to write.
            written = [
                q
                for q in interview.qualifications.all()
                if q.kind == QualificationKind.KNOWLEDGE or "writing" in q.text_en.lower()
            ] or list(interview.qualifications.all()[:2])
            exam = AssessmentStep.objects.create(
                posting=posting,
                kind=StepKind.WRITTEN_EXAM,
                order=interview.order,
                starts_on=posting_today() + timedelta(days=7),
            )
            exam.qualifications.set(written)
            interview.order += 1
            interview.save(update_fields=["order"])
            steps = list(posting.assessment_steps.all())
        today = posting_today()
        for step in steps:
            if step.kind == StepKind.INTERVIEW and step.starts_on is None:
                step.starts_on, step.ends_on = (
                    today + timedelta(days=14),
                    today + timedelta(days=16),
                )
                step.save(update_fields=["starts_on", "ends_on"])
            self.seat_board(step)
        posting.reviewers.add(self.users[REVIEWER], self.users[REVIEWER_2])
        found = {}
        for step in posting.assessment_steps.prefetch_related("board_members", "qualifications"):
            found.setdefault(step.kind, step)
        return found

    def seat_board(self, step: AssessmentStep) -> None:
        """Seat the demo board members on the step (the HR administrator in the chair, unless
        the board has one)."""
        has_chair = step.board_members.filter(is_chair=True).exists()
        for username in BOARDS.get(step.kind, []):
            BoardMember.objects.get_or_create(
                step=step,
                user=self.users[username],
                defaults={"is_chair": username == HR and not has_chair},
            )

    def apply(self, posting, number, email, steps, fails, actions) -> None:
        """Submit one made-up application and play what happens to it, all or nothing."""
        first_name, last_name, language, residence = PEOPLE[number]
        phone = f"613-555-{100 + number:04d}"  # 555-0100 to 555-0199: kept for fiction
        lines = [
            f"{first_name} {last_name}",
            f"{email} · {phone}",
            "Demo résumé: a fictional person, made up for trying CSC Careers.",
            "",
            f"Applying for: {posting.title_en} ({posting.reference_number})",
            "",
            "Education",
            "    Bachelor of Social Science, Fictional University (2016)",
            "Experience",
            "    2019 to now: case worker, Demo Community Services",
            "    2016 to 2019: youth worker, Example Outreach Centre",
            "Languages",
            "    English and French",
        ]
        resume = ContentFile(
            resume_pdf(f"Demo résumé of {first_name} {last_name}", lines),
            name=f"{last_name}-resume.pdf",
        )
        application = None
        try:
            with transaction.atomic():
                application = application_submit(
                    posting=posting,
                    applicant={
                        "first_name": first_name,
                        "last_name": last_name,
                        "email": email,
                        "phone": phone,
                        "residence": residence,
                        "eligibility": Citizenship.CITIZEN,
                        "correspondence_language": language,
                        "assessment_language": language,
                        "is_veteran": number % 7 == 0,
                    },
                    resume=resume,
                    resume_type=PDF,
                    answers=self.answers(posting, fails=fails),
                    equity=None,
                    facilities=self.facilities(posting, number),
                )
                for action in actions:
                    self.play(application, steps, action)
                if application.is_active:
                    reviewer = self.users[
                        REVIEWER if number // PER_POSTING % 2 == 0 else REVIEWER_2
                    ]
                    application_assign(
                        applications=Application.objects.filter(pk=application.pk),
                        reviewer=reviewer,
                        by=self.users[HR],
                    )
        except BaseException:
            # The résumé was written with the row; a rollback after that must not leave it.
            if application is not None and application.resume:
                application.resume.storage.delete(application.resume.name)
            raise

    def pool(self) -> None:
        """Qualify the demo candidates waiting at the reference checks into their posting's pool
        and place the first of them at the posting's facility, so HR sees a pool (once: those in
        a pool already are left as they are, and a pool with a placement gets no other)."""
        hr = self.users[HR]
        waiting = Application.objects.filter(
            email__endswith="@example.com", stage=Stage.REFERENCE_CHECK
        ).order_by("pk")
        pool_qualify(applications=waiting, by=hr)
        members = list(
            PoolMember.objects.filter(application__email__endswith="@example.com")
            .select_related("application__posting")
            .order_by("pk")
        )
        if not members or Placement.objects.filter(member__in=members).exists():
            return
        first = members[0]
        posting = first.application.posting
        facility = posting.locations.order_by("pk").first()
        if facility is None:
            return
        placement = placement_offer(
            first,
            facility=facility,
            tenure=posting.tenure,
            starts_on=posting_today() + timedelta(days=30),
            stays_available=False,
            by=hr,
        )
        placement_answer(placement, accepted=True, by=hr)

    def sessions(self) -> None:
        """Give each demo posting's interview two sessions to book (one at the posting's first
        place, one online), invite the candidates waiting at the interview, and book the first
        of them into its first session, so HR sees who booked and who did not (once: a step with
        sessions is left as it is)."""
        booked = False
        hr = self.users[HR]
        steps = AssessmentStep.objects.filter(
            kind=StepKind.INTERVIEW,
            posting__applications__email__endswith="@example.com",
            sessions__isnull=True,
        ).distinct()
        for step in steps.select_related("posting"):
            start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
            facility = step.posting.locations.order_by("pk").first()
            made = []
            for days, seats, online in ((10, 4, False), (12, 10, True)):
                if facility is None and not online:
                    continue
                session = AssessmentSession.objects.create(
                    step=step,
                    starts_at=start + timedelta(days=days),
                    ends_at=start + timedelta(days=days, hours=3),
                    facility=None if online else facility,
                    location_details_en="" if online else "Room 101",
                    location_details_fr="" if online else "Salle 101",
                    online_url="https://meet.example.com/csc-interview" if online else "",
                    capacity=seats,
                )
                session.assessors.set(
                    [member.user for member in step.board_members.select_related("user")]
                )
                made.append(session)
            waiting = Application.objects.filter(
                posting=step.posting, email__endswith="@example.com", stage=Stage.INTERVIEW
            )
            result = invite(waiting, step=step, book_by=start + timedelta(days=8), by=hr)
            if result.invited and made and not booked:
                book(SessionInvitation.objects.get(pk=result.invited[0]), made[0])
                booked = True

    @staticmethod
    def facilities(posting: JobPosting, number: int) -> list:
        """The places applicant `number` would work at, in their order: one to three of the
        posting's locations, each applicant starting from another (none at a single place)."""
        places = list(posting.locations.order_by("pk"))
        if len(places) < 2:
            return []
        count = 1 + number % min(3, len(places))
        return [places[(number + shift) % len(places)] for shift in range(count)]

    @staticmethod
    def answers(posting: JobPosting, *, fails: bool) -> dict:
        """Answer every question; when `fails`, "no" to the first essential yes/no one."""
        answers, failed = {}, not fails
        for question in posting.screening_questions.all():
            if question.kind == QuestionKind.YES_NO:
                essential = question.is_essential and not failed
                answers[question] = NO if essential else YES
                failed = failed or essential
            elif question.kind == QuestionKind.CHOICE:
                answers[question] = question.choice_list[-1]
            else:
                answers[question] = "Five years in a community agency, in Kingston and Ottawa."
        return answers

    def play(self, application: Application, steps: dict, action) -> None:
        hr = self.users[HR]
        if isinstance(action, Withdraw):
            application_withdraw(application=application)
        elif isinstance(action, Move):
            not_met = ()
            if action.stage in NOT_MET_STAGES:
                # What the board found not met; failing that (a plan HR changed), the first
                # essential qualification.
                not_met = consensus_not_met(application) or list(
                    application.posting.qualifications.filter(is_asset=False)[:1]
                )
            application.move_to(action.stage, by=hr, reason="Demo data", not_met=not_met)
        elif action.kind in steps:
            step = steps[action.kind]
            consensus = isinstance(action, Consensus)
            if consensus:
                chair = next((m for m in step.board_members.all() if m.is_chair), None)
                assessor = chair.user if chair else hr
            else:
                assessor = self.users[action.assessor]
            in_force = None
            if consensus or action.corrects:
                in_force = (
                    StepRating.objects.current()
                    .filter(application=application, step=step, is_consensus=consensus)
                    .filter(**({} if consensus else {"assessor": assessor}))
                    .first()
                )
            rating_submit(
                application=application,
                step=step,
                assessor=assessor,
                findings=self.findings(step, action.verdict, consensus=consensus),
                is_consensus=consensus,
                justification=CONSENSUS if consensus else "",
                replaces=in_force,
            )

    @staticmethod
    def findings(step: AssessmentStep, verdict: Verdict, *, consensus: bool) -> dict:
        """A finding for each qualification the step assesses, as the verdict says."""
        qualifications = list(step.qualifications.all())
        failing = next((q for q in qualifications if not q.is_asset), None)
        findings = {}
        for qualification in qualifications:
            result = AssessmentResult.MET
            if verdict == Verdict.FAILS and qualification == failing:
                result = AssessmentResult.NOT_MET
            elif verdict == Verdict.LATER and qualification.is_asset:
                result = AssessmentResult.LATER
            score = None
            if qualification.is_scored and result != AssessmentResult.LATER:
                score = qualification.out_of if result == AssessmentResult.MET else 0
            justification = JUSTIFICATIONS[result]
            findings[qualification.pk] = Finding(
                result=result,
                score=score,
                justification=justification if consensus or result != AssessmentResult.MET else "",
            )
        return findings
