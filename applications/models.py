"""Candidate applications: what a job seeker submits, and the stages HR moves it through.

Résumés are personal information: they are stored under random names in private storage that no
URL serves (see storage.py), and only permission-checked views hand them out.
"""

import datetime
import re
import secrets
import uuid
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.functions import RandomUUID
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from applications.pipeline import (
    ACTIVE_STAGES,
    ALLOWED_MOVES,
    FINAL_STAGES,
    NOT_MET_STAGES,
    NOTIFIED_STAGES,
    MoveRefused,
    Stage,
)
from applications.signals import application_moved
from applications.storage import get_private_storage
from csc_careers.db import PermanentRecord
from csc_careers.formats import clock
from csc_careers.mail import one_line
from csc_careers.telephone import validate_telephone
from positions.models import JobPosting, ScreeningQuestion, Tenure

STATUS_TOKEN_SALT = "applications.status-link"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def new_reference() -> str:
    """Return a random application reference such as A-7K3M-9QX2."""
    chars = [secrets.choice(REFERENCE_ALPHABET) for _ in range(8)]
    return f"A-{''.join(chars[:4])}-{''.join(chars[4:])}"


def resume_path(application, filename: str) -> str:
    """Store résumés under a random name: the applicant's file name never reaches the disk.

    The extension is the one of the type detected from the file's content (see `submit`).
    """
    extension = PurePath(filename).suffix.lower()[:8]
    return f"resumes/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class StatusLinkExpired(Exception):
    """A genuine status link, older than its lifetime (STATUS_LINK_MAX_AGE_DAYS)."""


class Citizenship(models.TextChoices):
    """Citizenship or residence status (the Application field `eligibility`)."""

    CITIZEN = "citizen", _("Canadian citizen")
    PERMANENT_RESIDENT = "permanent-resident", _("Permanent resident of Canada")
    OTHER = "other", _("Other")


class OfficialLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class Residence(models.TextChoices):
    AB = "AB", _("Alberta")
    BC = "BC", _("British Columbia")
    MB = "MB", _("Manitoba")
    NB = "NB", _("New Brunswick")
    NL = "NL", _("Newfoundland and Labrador")
    NS = "NS", _("Nova Scotia")
    NT = "NT", _("Northwest Territories")
    NU = "NU", _("Nunavut")
    ON = "ON", _("Ontario")
    PE = "PE", _("Prince Edward Island")
    QC = "QC", _("Quebec")
    SK = "SK", _("Saskatchewan")
    YT = "YT", _("Yukon")
    OUTSIDE = "outside", _("Outside Canada")


class HeardFrom(models.TextChoices):
    """How an applicant heard of the posting (an optional question of the form, for reach)."""

    CSC_SITE = "csc-site", _("The CSC website")
    GC_JOBS = "gc-jobs", _("GC Jobs")
    JOB_BOARD = "job-board", _("A job board")
    SOCIAL_MEDIA = "social-media", _("Social media")
    CSC_EMPLOYEE = "csc-employee", _("A CSC employee")
    CAREER_FAIR = "career-fair", _("A career fair")
    OTHER = "other", _("Other")


def retention_cutoff(days: int, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """Return the moment before which a final stage reached is past `days` days of retention."""
    if days < 1:
        raise ValueError(f"The retention period must be at least 1 day (got {days}).")
    return (now or timezone.now()) - datetime.timedelta(days=days)


class ApplicationQuerySet(models.QuerySet):
    def past_retention(self, days: int | None = None, *, now: datetime.datetime | None = None):
        """Return the applications to erase: in a final stage for more than `days` days.

        Retention counts from the moment the application reached screened out, not retained or
        withdrawn (its stage_changed_at; final stages have no way out). Hired applications and
        those still in progress are never included, nor the ones already anonymized.
        """
        days = settings.APPLICATION_RETENTION_DAYS if days is None else days
        return self.filter(
            stage__in=FINAL_STAGES,
            stage_changed_at__lt=retention_cutoff(days, now=now),
            anonymized_at__isnull=True,
        )

    def for_email(self, email: str):
        return self.filter(email=email.strip().lower())

    def visible_to(self, user):
        """Return the applications of the postings this staff member may review (reviewable_by)."""
        postings = JobPosting.objects.reviewable_by(user)
        if not postings.query.has_filters():
            # Every posting: no filter at all, so that the whole queue is still counted from
            # PostgreSQL's statistics (EstimatedCountPaginator) and walks its order index.
            return self
        return self.filter(posting__in=postings.values("pk"))

    def in_region(self, region):
        """Return the applications to postings at a place in the region (a Region or its pk)."""
        return self.filter(posting__in=JobPosting.objects.in_region(region))


class Application(models.Model):
    """One person's application to one posting."""

    posting = models.ForeignKey(
        JobPosting,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("job posting"),
    )
    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_reference, editable=False
    )
    # What status links name: random, so a link says nothing about how many applications exist.
    # The database default covers rows inserted in SQL (the synthetic-data generator).
    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), max_length=254)
    phone = models.CharField(_("telephone number"), max_length=30, validators=[validate_telephone])
    residence = models.CharField(
        _("province or territory of residence"), max_length=10, choices=Residence.choices
    )
    residence_country = models.CharField(
        _("country of residence"),
        max_length=100,
        blank=True,
        help_text=_("Only if you live outside Canada."),
    )
    eligibility = models.CharField(
        _("citizenship or residence status"), max_length=20, choices=Citizenship.choices
    )
    correspondence_language = models.CharField(
        _("language for correspondence"), max_length=2, choices=OfficialLanguage.choices
    )
    assessment_language = models.CharField(
        _("language for assessment"), max_length=2, choices=OfficialLanguage.choices
    )
    is_veteran = models.BooleanField(
        _("veteran or Canadian Armed Forces member with a preference or entitlement"),
        default=False,
    )
    has_priority_entitlement = models.BooleanField(_("priority entitlement"), default=False)
    accommodation_request = models.TextField(
        _("accommodation request"), max_length=2000, blank=True
    )
    cover_letter = models.TextField(_("cover letter"), max_length=5000, blank=True)
    heard_from = models.CharField(
        _("how did you hear about this job?"),
        max_length=20,
        choices=HeardFrom.choices,
        blank=True,
    )
    resume = models.FileField(_("résumé"), storage=get_private_storage, upload_to=resume_path)
    resume_name = models.CharField(_("résumé file name"), max_length=255)
    resume_type = models.CharField(_("résumé type"), max_length=100)
    resume_size = models.PositiveIntegerField(_("résumé size (bytes)"))
    consented_at = models.DateTimeField(_("privacy notice accepted"))
    declared_at = models.DateTimeField(_("declaration made"))
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.RECEIVED
    )
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("assigned to"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False)
    anonymized_at = models.DateTimeField(_("anonymized"), null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            # One application per person and posting; after withdrawing, a person may apply
            # again while the posting is open, and the withdrawn application stays on record.
            models.UniqueConstraint(
                Lower("email"),
                "posting",
                condition=~models.Q(stage=Stage.WITHDRAWN),
                name="one_application_per_email_per_posting",
                violation_error_message=_("You have already applied to this job posting."),
            )
        ]
        indexes = [
            models.Index(fields=["posting", "stage"], name="application_posting_stage_idx"),
            models.Index(fields=["stage", "-submitted_at"], name="application_stage_idx"),
            # The review queue's default order (newest first, then the admin's -pk tie-break).
            models.Index(fields=["-submitted_at", "-id"], name="application_submitted_idx"),
            # The queue sorted by applicant or by days waiting (either direction: an index serves
            # its exact reverse too).
            models.Index(fields=["last_name", "-id"], name="application_name_idx"),
            models.Index(fields=["stage_changed_at", "-id"], name="application_waiting_idx"),
        ]
        permissions = [
            ("view_all_applications", _("Can see the applications of every posting")),
            ("view_resume", _("Can download résumés")),
            ("move_application", _("Can move applications between stages")),
            ("assign_application", _("Can assign applications to reviewers")),
            ("export_applications", _("Can export applicant lists")),
        ]

    def __str__(self):
        return f"{self.reference} – {self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the private status page (the URL carries the signed token)."""
        return reverse("applications:status", kwargs={"token": self.status_token})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def status_token(self) -> str:
        """A tamper-proof token naming this application's random identifier, dated now.

        It is good for STATUS_LINK_MAX_AGE_DAYS; every e-mail carries a fresh one.
        """
        return signing.dumps(self.public_id.hex, salt=STATUS_TOKEN_SALT)

    @classmethod
    def from_status_token(cls, token: str) -> "Application":
        """Return the application a token names.

        Raise StatusLinkExpired for a genuine link past its lifetime, and
        Application.DoesNotExist for anything else (forged, altered, or naming no application).
        """
        max_age = datetime.timedelta(days=settings.STATUS_LINK_MAX_AGE_DAYS)
        try:
            public_id = uuid.UUID(hex=signing.loads(token, salt=STATUS_TOKEN_SALT, max_age=max_age))
        except signing.SignatureExpired as error:
            raise StatusLinkExpired from error
        except (signing.BadSignature, ValueError, TypeError, AttributeError) as error:
            raise cls.DoesNotExist from error
        # The posting with its state annotated: the status page asks whether it is still open.
        posting = models.Prefetch("posting", queryset=JobPosting.objects.with_state())
        return cls.objects.prefetch_related(posting).get(public_id=public_id)

    @property
    def is_active(self) -> bool:
        return self.stage in ACTIVE_STAGES

    def unmet_requirements(self) -> list[ScreeningQuestion]:
        """The essential questions this applicant's answers do not meet ("no" to a yes/no one)."""
        answers = self.answers.filter(meets_requirement=False).select_related("question")
        return [answer.question for answer in answers.order_by("question__order", "question__pk")]

    def can_apply_again(self) -> bool:
        """Whether the applicant may apply to this posting anew: they withdrew, it is open, and
        no other application of theirs to it stands (withdrawn ones do not count)."""
        return (
            self.stage == Stage.WITHDRAWN
            and self.posting.is_open
            and not Application.objects.for_email(self.email)
            .filter(posting_id=self.posting_id)
            .exclude(stage=Stage.WITHDRAWN)
            .exists()
        )

    def can_move_to(self, stage: str) -> bool:
        return stage in ALLOWED_MOVES.get(self.stage, set())

    def move_to(self, stage: str, *, by=None, reason: str = "", not_met=()) -> "StageChange":
        """Move the application to another stage and record who did it, or raise MoveRefused.

        Screening out or not retaining (NOT_MET_STAGES), staff name in `not_met` the
        qualifications of the posting that the candidate does not meet; the candidate reads them.
        The row is locked for the move, so two people moving it at once cannot both succeed: the
        second sees the stage the first left it in, and is refused if the move no longer applies.
        Once the move commits, application_moved is sent (listeners.py e-mails the applicant).
        """
        with transaction.atomic():
            current = Application.objects.select_for_update().get(pk=self.pk)
            if stage not in ALLOWED_MOVES.get(current.stage, set()):
                raise MoveRefused(
                    _("An application that is “%(current)s” cannot be moved to “%(target)s”.")
                    % {
                        "current": Stage(current.stage).label,
                        "target": Stage(stage).label if stage in Stage.values else stage,
                    }
                )
            not_met = list(not_met)
            if stage in NOT_MET_STAGES and by is not None and not not_met:
                raise MoveRefused(
                    _("Name the qualifications not met: the candidate is told which they were.")
                )
            if stage not in NOT_MET_STAGES and not_met:
                raise MoveRefused(
                    _("Qualifications not met are named only to screen out or reject.")
                )
            if any(q.posting_id != current.posting_id for q in not_met):
                raise MoveRefused(_("Name qualifications of this application's own posting."))
            now = timezone.now()
            change = StageChange.objects.create(
                application=current,
                from_stage=current.stage,
                to_stage=stage,
                changed_by=by,
                reason=reason[:1000],
                changed_at=now,
            )
            change.qualifications_not_met.set(not_met)
            Application.objects.filter(pk=self.pk).update(stage=stage, stage_changed_at=now)
            # Set before the commit: receivers of the signal see the application as moved.
            self.stage, self.stage_changed_at = stage, now
            transaction.on_commit(
                partial(application_moved.send, sender=Application, application=self, change=change)
            )
        return change

    move_to.alters_data = True


class ScreeningAnswer(models.Model):
    """The applicant's answer to one screening question of the posting."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        ScreeningQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    choice = models.PositiveSmallIntegerField(
        _("choice"),
        null=True,
        blank=True,
        help_text=_(
            "For choice questions: the position of the answer in the question's choices "
            "(1 for the first), the same in English and French."
        ),
    )
    meets_requirement = models.BooleanField(
        _("meets the requirement"),
        null=True,
        help_text=_("For essential yes/no questions: whether the answer was “yes”."),
    )

    class Meta:
        ordering = ["question__order", "question__pk"]
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self):
        return self.answer


class EquityDeclaration(models.Model):
    """A voluntary employment equity self-declaration, kept apart from the application.

    Only people holding the view_equitydeclaration permission may read it.
    """

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNDISCLOSED = "undisclosed", _("I prefer not to say")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="equity_declaration"
    )
    woman = models.CharField(_("woman"), max_length=12, choices=Answer.choices)
    indigenous = models.CharField(_("Indigenous person"), max_length=12, choices=Answer.choices)
    disability = models.CharField(
        _("person with a disability"), max_length=12, choices=Answer.choices
    )
    visible_minority = models.CharField(
        _("member of a visible minority or racialized group"),
        max_length=12,
        choices=Answer.choices,
    )

    class Meta:
        verbose_name = _("employment equity declaration")
        verbose_name_plural = _("employment equity declarations")
        default_permissions = ["view", "delete"]

    def __str__(self):
        return str(_("Employment equity declaration of %(reference)s")) % {
            "reference": self.application.reference
        }


class StageChange(PermanentRecord):
    """One move of an application between stages: who, when, from, to and why. Never edited."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the applicant made the move (e.g. a withdrawal)."),
    )
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    qualifications_not_met = models.ManyToManyField(
        "positions.Qualification",
        blank=True,
        related_name="+",
        verbose_name=_("qualifications not met"),
        help_text=_("Named when screening out or not retaining: what the candidate reads."),
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)

    edit_refused_message = _("Stage changes are a permanent record and cannot be edited.")

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self):
        return f"{self.application_id}: {self.from_stage} → {self.to_stage}"


class ApplicationNote(models.Model):
    """A reviewer's note on an application. Notes are added, never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return self.text[:60]


class AssessmentResult(models.TextChoices):
    """What an assessor or the board finds for one qualification at one step."""

    MET = "met", _("Met")
    NOT_MET = "not-met", _("Not met")
    LATER = "later", _("To be assessed later")


class StepRatingQuerySet(models.QuerySet):
    def current(self):
        """The ratings in force: each assessor's latest, and the board's latest consensus.

        A correction is a new rating; the one it replaces stays in the record.
        """
        return self.filter(replaced_by__isnull=True)


class StepRating(PermanentRecord):
    """One assessor's ratings of one candidate at one step of the plan, or the board's consensus.

    Written once: a corrected rating is a new row that names the one it replaces (`replaces`).
    Each assessor rates on their own; the consensus, recorded by the chair, is what counts.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="step_ratings"
    )
    step = models.ForeignKey(
        "positions.AssessmentStep",
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("step"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("assessor"),
        help_text=_("Empty for ratings made before assessment plans existed."),
    )
    is_consensus = models.BooleanField(_("board consensus"), default=False)
    justification = models.TextField(_("justification"), max_length=4000, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("corrects"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    objects = StepRatingQuerySet.as_manager()

    edit_refused_message = _(
        "Ratings are a permanent record: a correction is a new rating, not an edit."
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("step rating")
        verbose_name_plural = _("step ratings")
        indexes = [models.Index(fields=["application", "step"], name="step_rating_idx")]

    def __str__(self):
        who = _("consensus") if self.is_consensus else (self.assessor or _("carried over"))
        return f"{self.application_id} · {self.step_id} · {who}"


class QualificationResult(PermanentRecord):
    """The result for one qualification within a step rating, with its justification."""

    rating = models.ForeignKey(StepRating, on_delete=models.CASCADE, related_name="results")
    qualification = models.ForeignKey(
        "positions.Qualification",
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("qualification"),
    )
    result = models.CharField(_("result"), max_length=10, choices=AssessmentResult.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    justification = models.TextField(_("justification"), max_length=4000, blank=True)

    edit_refused_message = StepRating.edit_refused_message

    class Meta:
        ordering = ["qualification__is_asset", "qualification__order", "qualification__pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["rating", "qualification"], name="one_result_per_qualification"
            )
        ]

    def __str__(self):
        return f"{self.qualification}: {self.get_result_display()}"


def absolute_url(path: str) -> str:
    """Return the full address of a path on this site, for links in e-mails."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def qualifications_named_not_met(application) -> list:
    """The qualifications HR named as not met when the application reached its stage (screened
    out or not retained), in the posting's order; [] at any other stage.

    Reads prefetched stage_changes (and their qualifications_not_met) when they are there.
    """
    if application.pk is None or application.stage not in NOT_MET_STAGES:
        return []
    into_stage = [c for c in application.stage_changes.all() if c.to_stage == application.stage]
    return list(into_stage[-1].qualifications_not_met.all()) if into_stage else []


def not_met_text(qualifications) -> str:
    """Qualifications not met as plain text, one per line, in the words candidates read."""
    return "\n".join(f"- {qualification.reason_not_met}" for qualification in qualifications)


class StageMessage(models.Model):
    """The e-mail an applicant receives when their application reaches a stage (HR edits it).

    The subject and text may use the names in PLACEHOLDERS between braces, such as {first_name}:
    nothing else. `render` is the only place they are replaced.
    """

    stage = models.CharField(
        _("stage"),
        max_length=20,
        choices=[(stage.value, stage.label) for stage in Stage if stage in NOTIFIED_STAGES],
        unique=True,
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    is_active = models.BooleanField(_("send this e-mail"), default=True)
    status_text = models.TextField(
        _("text on the status page"),
        max_length=2000,
        blank=True,
        help_text=_(
            "What the applicant's status page says at this stage, under the stage's name (for "
            "screening out and rejection: how to ask for an informal discussion; the "
            "qualifications not met are listed after it)."
        ),
    )

    class Meta:
        ordering = ["stage"]
        verbose_name = _("stage e-mail")
        verbose_name_plural = _("stage e-mails")

    # What HR may write between braces, what each stands for, and its value for an application.
    # Values are looked up by name, never evaluated: unlike str.format, no attribute access,
    # indexing or format specification ({first_name.__class__}, {first_name:>2000000}).
    PLACEHOLDERS = {
        "first_name": (_("the applicant's first name"), lambda application: application.first_name),
        "posting_title": (
            _("the title of the job posting"),
            lambda application: application.posting.title,
        ),
        "reference": (_("the application's reference"), lambda application: application.reference),
        "status_url": (
            _("the link to the applicant's status page"),
            lambda application: absolute_url(application.get_absolute_url()),
        ),
        "hr_contact": (
            _("the posting's HR contact, with their e-mail address"),
            lambda application: (
                f"{application.posting.hr_contact_name} ({application.posting.hr_contact_email})"
            ),
        ),
        "requirements_not_met": (
            _("the qualifications not met, one per line (screening out and not retaining)"),
            lambda application: not_met_text(qualifications_named_not_met(application)),
        ),
    }
    # A pair of braces and what is between them, or a brace on its own.
    BRACES = re.compile(r"\{([^{}]*)\}|[{}]")

    def __str__(self):
        return self.get_stage_display()

    def clean_fields(self, exclude=None):
        # modeltranslation makes every translation optional; an empty French subject would fall
        # back to English, and French applicants would get English. Both are required.
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.error_dict
        status_texts = [f"status_text_{code}" for code, _name in settings.LANGUAGES]
        optional = set(status_texts) if not any(getattr(self, n) for n in status_texts) else set()
        for name in self.translated_field_names():
            if name in (exclude or ()) or name in errors or name in optional:
                continue
            if not (getattr(self, name) or "").strip():
                errors[name] = [
                    ValidationError(
                        _("Write this text in both English and French."), code="required"
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def clean(self):
        errors = {}
        for name in self.translated_field_names():
            text = getattr(self, name) or ""
            refused = [
                m.group(0)
                for m in self.BRACES.finditer(text)
                if m.group(1) not in self.PLACEHOLDERS
            ]
            if refused:
                errors[name] = ValidationError(
                    _("Use braces only around %(allowed)s. Not allowed: %(refused)s"),
                    code="placeholder",
                    params={
                        "allowed": self.placeholder_list(),
                        "refused": ", ".join(dict.fromkeys(refused)),
                    },
                )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def translated_field_names(cls) -> list[str]:
        """Return subject_en, subject_fr, body_en, body_fr, status_text_en and status_text_fr."""
        return [
            f"{field}_{code}"
            for field in ("subject", "body", "status_text")
            for code, _name in settings.LANGUAGES
        ]

    @classmethod
    def placeholder_list(cls) -> str:
        """Return the placeholders as HR writes them: "{first_name}, {posting_title}, …"."""
        return ", ".join(f"{{{name}}}" for name in cls.PLACEHOLDERS)

    @classmethod
    def _fill(cls, text: str | None, values: dict[str, str]) -> str:
        # A known name is replaced; anything else stays as written (clean refuses it).
        return cls.BRACES.sub(lambda match: values.get(match.group(1), match.group(0)), text or "")

    def _values(self, application, given: dict[str, str] | None = None) -> dict[str, str]:
        given = given or {}
        return {
            name: given[name] if name in given else str(value(application))
            for name, (_description, value) in self.PLACEHOLDERS.items()
        }

    def render(self, application, *, given: dict[str, str] | None = None) -> tuple[str, str]:
        """Return the subject and text for this application, in the applicant's language.

        `given` sets placeholders' values outright (the admin's preview of a made-up applicant).
        """
        with translation.override(application.correspondence_language):
            values = self._values(application, given)
            subject, body = self._fill(self.subject, values), self._fill(self.body, values)
        return one_line(subject), body  # a subject cannot carry a header

    def render_status_text(self, application, *, given: dict[str, str] | None = None) -> str:
        """Return the status page's text for this application, in the active language."""
        return self._fill(self.status_text, self._values(application, given))


class ExportLog(models.Model):
    """A record of every applicant-list export: who, when, with which filters, how many rows."""

    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    exported_at = models.DateTimeField(_("when"), default=timezone.now)
    file_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict)
    row_count = models.PositiveIntegerField(
        _("rows"), null=True, help_text=_("Empty if the download was interrupted.")
    )

    class Meta:
        ordering = ["-exported_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.exported_by} {self.exported_at:%Y-%m-%d %H:%M} ({self.file_format})"


class ApplicationReport(Application):
    """HR's reports on applications (funnel, time, reach, equity), in the admin.

    A proxy with no data of its own: it gives the reports their place in the admin and their
    permission. The figures are in applications/reports.py.
    """

    class Meta:
        proxy = True
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        default_permissions = []
        permissions = [("view_reports", _("Can see the HR reports"))]

    def __str__(self):
        return str(self._meta.verbose_name)


# ---------------------------------------------------------------------------------------------
# From assessment to appointment: pools, placements, entitlements, pre-employment steps.


class FacilityPreference(models.Model):
    """A facility an applicant to a posting at several places will work at, in their order (1 is
    their first choice); the places they would not work at are not ranked."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="facility_preferences",
        verbose_name=_("application"),
    )
    facility = models.ForeignKey(
        "positions.Facility", on_delete=models.PROTECT, related_name="+", verbose_name=_("facility")
    )
    rank = models.PositiveSmallIntegerField(_("choice"))

    class Meta:
        ordering = ["application", "rank"]
        verbose_name = _("facility preference")
        verbose_name_plural = _("facility preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "facility"], name="one_rank_per_facility"
            ),
            models.UniqueConstraint(fields=["application", "rank"], name="one_facility_per_rank"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="rank_from_one"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.facility}"


class PoolStatus(models.TextChoices):
    AVAILABLE = "available", _("Qualified, available")
    PLACED = "placed", _("Placed")
    REMOVED = "removed", _("Removed from the pool")


class PoolAssessment(models.TextChoices):
    FULL = "full", _("Fully assessed")
    PARTIAL = "partial", _("Partially assessed")


class PoolMember(models.Model):
    """A candidate qualified in the pool of the posting they applied to, until an expiry date.

    Only a candidate the board found to meet every essential qualification joins (the record of
    decision's verdict). What happens to them afterwards is recorded as PoolEvent rows.
    """

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="pool_member",
        verbose_name=_("application"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PoolStatus.choices, default=PoolStatus.AVAILABLE
    )
    assessment = models.CharField(
        _("assessment"),
        max_length=10,
        choices=PoolAssessment.choices,
        default=PoolAssessment.FULL,
        help_text=_(
            "Partially assessed: some merit criteria (e.g. asset qualifications) are assessed "
            "only when a candidate is considered for a placement."
        ),
    )
    qualified_on = models.DateField(_("qualified on"))
    expires_on = models.DateField(_("qualified until"))
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")
        permissions = [
            ("manage_pool", _("Can qualify, place, extend and remove candidates in pools")),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="pool_status_expiry_idx")]

    def __str__(self):
        return f"{self.application} ({self.get_status_display()})"


class PoolEventKind(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified into the pool")
    EXTENDED = "extended", _("Qualification extended")
    REMOVED = "removed", _("Removed from the pool")
    RESTORED = "restored", _("Put back in the pool")
    OFFERED = "offered", _("Offered a placement")
    ACCEPTED = "accepted", _("Accepted a placement")
    DECLINED = "declined", _("Declined a placement")


class PoolEvent(PermanentRecord):
    """What happened to a pool member, by whom and why: the pool's history, written once."""

    member = models.ForeignKey(
        PoolMember, on_delete=models.CASCADE, related_name="events", verbose_name=_("member")
    )
    kind = models.CharField(_("what"), max_length=12, choices=PoolEventKind.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    expires_on = models.DateField(_("qualified until"), null=True, blank=True)
    placement = models.ForeignKey(
        "applications.Placement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("placement"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("pool event")
        verbose_name_plural = _("pool events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class PlacementStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Placement(models.Model):
    """An offer to a pool member: a facility, a tenure and a start date; accepted or declined."""

    member = models.ForeignKey(
        PoolMember, on_delete=models.PROTECT, related_name="placements", verbose_name=_("member")
    )
    facility = models.ForeignKey(
        "positions.Facility", on_delete=models.PROTECT, related_name="+", verbose_name=_("facility")
    )
    tenure = models.CharField(_("tenure"), max_length=20, choices=Tenure.choices)
    starts_on = models.DateField(_("start date"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.OFFERED
    )
    stays_available = models.BooleanField(
        _("stays available for other facilities"),
        default=False,
        help_text=_("On acceptance, keep the candidate in the pool for other facilities."),
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered by"),
    )
    offered_at = models.DateTimeField(_("offered"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-offered_at"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            # One offer waits for an answer at a time: a double click cannot make two.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="offered"),
                name="one_open_placement_per_member",
            )
        ]

    def __str__(self):
        return f"{self.facility} {self.starts_on} ({self.get_status_display()})"


class Entitlement(models.TextChoices):
    PRIORITY = "priority", _("Priority entitlement")
    VETERAN = "veteran", _("Veterans' preference")


class EntitlementCheck(PermanentRecord):
    """HR's verification of an entitlement the applicant declared; the latest of each kind is in
    force. Verified priority persons come first in a pool (Priority Administration Directive)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="entitlement_checks",
        verbose_name=_("application"),
    )
    entitlement = models.CharField(_("entitlement"), max_length=10, choices=Entitlement.choices)
    verified = models.BooleanField(_("verified"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("entitlement check")
        verbose_name_plural = _("entitlement checks")

    def __str__(self):
        return f"{self.get_entitlement_display()}: {self.verified}"


class PreEmploymentOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not passed")


class SecurityLevel(models.TextChoices):
    RELIABILITY = "reliability", _("Reliability status")
    SECRET = "secret", _("Secret")
    TOP_SECRET = "top-secret", _("Top secret")


class PreEmploymentResult(PermanentRecord):
    """The result of one of CSC's pre-employment steps for one candidate (psychological or
    medical assessment, security screening, Correctional Training Program), written once: a
    correction is a new row, and the latest per step is in force.

    Psychological and medical results are health information (HEALTH_KINDS): only holders of
    `view_health_results` may read them, and the note is for HR only, never the candidate.
    """

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="pre_employment_results",
        verbose_name=_("application"),
    )
    step = models.ForeignKey(
        "positions.AssessmentStep",
        on_delete=models.PROTECT,
        related_name="pre_employment_results",
        verbose_name=_("step"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=PreEmploymentOutcome.choices)
    on = models.DateField(_("date"), help_text=_("When the step took place or is planned."))
    expires_on = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("E.g. a security clearance's expiry.")
    )
    security_level = models.CharField(
        _("security level"), max_length=12, choices=SecurityLevel.choices, blank=True
    )
    cohort = models.CharField(_("CTP cohort"), max_length=100, blank=True)
    stage_1_on = models.DateField(_("CTP stage 1 (online) completed"), null=True, blank=True)
    stage_2_on = models.DateField(
        _("CTP stage 2 (pre-session work) completed"), null=True, blank=True
    )
    stage_3_on = models.DateField(
        _("CTP stage 3 (in class, National Training Academy) completed"), null=True, blank=True
    )
    note = models.TextField(_("note for HR"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("pre-employment result")
        verbose_name_plural = _("pre-employment results")
        permissions = [
            (
                "view_health_results",
                _("Can view psychological and medical assessment results"),
            ),
        ]

    def __str__(self):
        return f"{self.step}: {self.get_outcome_display()}"


class AssessmentSession(models.Model):
    """A sitting of a step of the plan that invited candidates book: when, where, how many seats.

    The seats taken are the invitations booked into it (SessionInvitation.session); booking locks
    the session's row, so the last seat goes to one candidate only (applications/sessions.py).
    """

    step = models.ForeignKey(
        "positions.AssessmentStep",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("step"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    facility = models.ForeignKey(
        "positions.Facility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facility"),
        help_text=_("Where the session takes place; leave empty for a session held online."),
    )
    location_details = models.CharField(
        _("room or directions"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Room 204, enter by the visitors' entrance. Candidates read it."),
    )
    online_url = models.URLField(
        _("link to join online"),
        blank=True,
        help_text=_("For a session held online: the link candidates follow to join."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats"), help_text=_("How many candidates the session takes.")
    )
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assessment_sessions",
        verbose_name=_("assessors"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # The calendar files sent to booked candidates are revised from it (their SEQUENCE grows).
    changed_at = models.DateTimeField(
        _("time or place last changed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When HR last changed what booked candidates were told: time or place."),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("cancelled by"),
    )
    cancellation_reason = models.TextField(
        _("reason for cancelling"), max_length=2000, blank=True, editable=False
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("assessment session")
        verbose_name_plural = _("assessment sessions")
        permissions = [
            (
                "manage_sessions",
                _("Can create and cancel sessions, invite candidates and mark attendance"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_it_starts",
                violation_error_message=_("A session ends after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1),
                name="session_has_a_seat",
                violation_error_message=_("A session has at least one seat."),
            ),
            models.CheckConstraint(
                condition=models.Q(facility__isnull=False) | ~models.Q(online_url=""),
                name="session_has_a_place",
                violation_error_message=_("Give the facility, or the link to join online."),
            ),
        ]
        indexes = [models.Index(fields=["step", "starts_at"], name="session_step_start_idx")]

    def __str__(self):
        return f"{self.step} – {clock.datetime_text(self.starts_at)}"

    @property
    def is_online(self) -> bool:
        return self.facility_id is None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def where(self) -> str:
        """The place as candidates read it: the facility and town (or "Online"), and the room."""
        place = str(_("Online")) if self.facility is None else str(self.facility)
        return f"{place} – {self.location_details}" if self.location_details else place

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session ends after it starts.")})
        if self.facility_id is None and not self.online_url:
            raise ValidationError({"facility": _("Give the facility, or the link to join online.")})
        if self.online_url and not self.online_url.startswith("https://"):
            raise ValidationError({"online_url": _("Give a secure link (https://…).")})


# What booked candidates were told of their session and rely on, when and where: HR's change of
# any of it is e-mailed to them (applications/sessions.py, session_changed).
SESSION_WHEN_FIELDS = frozenset({"starts_at", "ends_at"})
# The room is written in both languages (applications/translation.py): HR's form changes each.
SESSION_WHERE_FIELDS = frozenset(
    {"facility", "location_details", "location_details_en", "location_details_fr", "online_url"}
)


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited, not booked")
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no-show", _("Did not attend")
    CLOSED = "closed", _("Application closed")


# The invitations that still stand: a candidate has one per step at a time. A no-show's invitation
# is over, so they may be invited again.
OPEN_INVITATION_STATUSES = (
    InvitationStatus.INVITED,
    InvitationStatus.BOOKED,
    InvitationStatus.ATTENDED,
)
# The invitations that hold no seat: not booked yet, or closed with their application.
SEATLESS_STATUSES = (InvitationStatus.INVITED, InvitationStatus.CLOSED)


class SessionInvitation(models.Model):
    """An invitation to book a session of a step, its booking, and whether the candidate came."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="session_invitations",
        verbose_name=_("application"),
    )
    step = models.ForeignKey(
        "positions.AssessmentStep",
        on_delete=models.PROTECT,
        related_name="invitations",
        verbose_name=_("step"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    book_by = models.DateTimeField(
        _("book or change by"),
        help_text=_("Until then the candidate may book a session, and change it."),
    )
    session = models.ForeignKey(
        AssessmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("session booked"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    booked_at = models.DateTimeField(_("booked"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-id"]
        verbose_name = _("session invitation")
        verbose_name_plural = _("session invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "step"],
                condition=models.Q(status__in=OPEN_INVITATION_STATUSES),
                name="one_open_invitation_per_step",
                violation_error_message=_("This candidate is already invited to this step."),
            ),
            # A seat is held exactly when the invitation is booked, attended or missed.
            models.CheckConstraint(
                condition=models.Q(status__in=SEATLESS_STATUSES, session__isnull=True)
                | (~models.Q(status__in=SEATLESS_STATUSES) & models.Q(session__isnull=False)),
                name="invitation_session_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["step", "status"], name="invitation_step_status_idx"),
            # The reminder pass: booked invitations not reminded yet.
            models.Index(
                fields=["session"],
                condition=models.Q(status="booked", reminded_at__isnull=True),
                name="invitation_to_remind_idx",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} – {self.step}"

    def may_change(self, *, now: datetime.datetime | None = None) -> bool:
        """Whether the candidate may still book or change: invited or booked, before the
        deadline, before the booked session starts, and while the application is active."""
        now = now or timezone.now()
        if self.status not in (InvitationStatus.INVITED, InvitationStatus.BOOKED):
            return False
        if now >= self.book_by or self.application.stage not in ACTIVE_STAGES:
            return False
        return self.session is None or self.session.starts_at > now


class BookingEventKind(models.TextChoices):
    INVITED = "invited", _("Invited")
    BOOKED = "booked", _("Booked")
    CHANGED = "changed", _("Changed to another session")
    SESSION_CHANGED = "session-changed", _("Session's time or place changed")
    SESSION_CANCELLED = "session-cancelled", _("Session cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no-show", _("Did not attend")
    CLOSED = "closed", _("Seat released: the application closed")


class BookingEvent(PermanentRecord):
    """What happened to an invitation: booked, changed, its session cancelled, attended or not."""

    invitation = models.ForeignKey(
        SessionInvitation,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("invitation"),
    )
    kind = models.CharField(_("what"), max_length=20, choices=BookingEventKind.choices)
    session = models.ForeignKey(
        AssessmentSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the candidate, from their status page."),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
