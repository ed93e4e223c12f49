"""A posting's assessment plan: the ordered steps that assess its qualifications, and their boards.

Merit requires that every essential qualification is assessed by at least one planned step; the
plan's gaps are the essential qualifications no step assesses (JobPosting.plan_gaps). What the
board finds at each step is recorded by the applications app (StepRating).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from csc_careers.db import PermanentRecord


class StepKind(models.TextChoices):
    """What a step of the plan is; the labels are what candidates read on their status page."""

    SCREENING = "screening", _("Application screening")
    WRITTEN_EXAM = "written-exam", _("Written exam")
    INTERVIEW = "interview", _("Interview")
    REFERENCE_CHECK = "reference-check", _("Reference check")
    OTHER = "other", _("Other assessment")
    # CSC's pre-employment steps: conditions of employment, not merit criteria (they assess no
    # qualification, and their results are applications.PreEmploymentResult, not ratings).
    PSYCHOLOGICAL = "psychological", _("Pre-employment psychological assessment")
    MEDICAL = "medical", _("Pre-employment medical assessment")
    SECURITY_SCREENING = "security-screening", _("Security screening")
    TRAINING_PROGRAM = "ctp", _("Correctional Training Program")


# The kinds whose results are pass / fail / pending (PreEmploymentResult), not board ratings.
PRE_EMPLOYMENT_KINDS = frozenset(
    {
        StepKind.PSYCHOLOGICAL,
        StepKind.MEDICAL,
        StepKind.SECURITY_SCREENING,
        StepKind.TRAINING_PROGRAM,
    }
)
# The kinds candidates sit at a given time and place: HR creates sessions of them, and invited
# candidates book one (applications/sessions.py). Screening, reference checks and security
# screening happen on paper.
SESSION_KINDS = frozenset(
    {
        StepKind.WRITTEN_EXAM,
        StepKind.INTERVIEW,
        StepKind.OTHER,
        StepKind.PSYCHOLOGICAL,
        StepKind.MEDICAL,
        StepKind.TRAINING_PROGRAM,
    }
)
# Their results are health information: readable only with applications.view_health_results.
HEALTH_KINDS = frozenset({StepKind.PSYCHOLOGICAL, StepKind.MEDICAL})


class AssessmentStep(models.Model):
    """One step of a posting's assessment plan: what it assesses, when, and by whom."""

    posting = models.ForeignKey(
        "positions.JobPosting",
        on_delete=models.CASCADE,
        related_name="assessment_steps",
        verbose_name=_("job posting"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Required for “Other assessment” (e.g. Role play); optional otherwise."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    qualifications = models.ManyToManyField(
        "positions.Qualification",
        related_name="assessment_steps",
        blank=True,
        verbose_name=_("qualifications assessed"),
    )
    starts_on = models.DateField(_("date"), null=True, blank=True)
    ends_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("For a step that runs over a period.")
    )
    board = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="positions.BoardMember",
        related_name="assessment_steps",
        blank=True,
        verbose_name=_("assessment board"),
    )

    class Meta:
        ordering = ["posting", "order", "pk"]
        verbose_name = _("assessment step")
        verbose_name_plural = _("assessment plan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=False, ends_on__gte=models.F("starts_on")),
                name="assessment_step_period_in_order",
                violation_error_message=_("A step cannot end before it starts."),
            )
        ]

    def __str__(self):
        return str(self.title)  # a kind's label is a lazy translation

    @property
    def title(self) -> str:
        """The step as candidates and HR read it: its name, or its kind's."""
        return self.name or StepKind(self.kind).label

    @property
    def when(self) -> str:
        """The step's date or period in the active language ("" when not planned yet)."""
        if not self.starts_on:
            return ""
        start = formats.date_format(self.starts_on, "DATE_FORMAT")
        if not self.ends_on or self.ends_on == self.starts_on:
            return start
        return _("%(start)s to %(end)s") % {
            "start": start,
            "end": formats.date_format(self.ends_on, "DATE_FORMAT"),
        }

    def assessor_ids(self) -> set[int]:
        """The users who rate this step: its board, or when it has none, the posting's reviewers.

        Reads prefetched board_members and posting.reviewers when they are there.
        """
        members = {member.user_id for member in self.board_members.all()}
        return members or {user.pk for user in self.posting.reviewers.all()}

    def may_record_consensus(self, user) -> bool:
        """Whether the user records the board's consensus: its chair, or with no chair, any
        of its assessors."""
        chairs = {member.user_id for member in self.board_members.all() if member.is_chair}
        return user.pk in (chairs or self.assessor_ids())

    def clean(self):
        if self.kind == StepKind.OTHER and not (self.name or "").strip():
            raise ValidationError({"name": _("Name the step: what is this assessment?")})
        if self.ends_on and not self.starts_on:
            raise ValidationError({"starts_on": _("Give the date the step starts.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A step cannot end before it starts.")})


class BoardMember(models.Model):
    """A member of a step's assessment board; the chair records the board's consensus."""

    step = models.ForeignKey(AssessmentStep, on_delete=models.CASCADE, related_name="board_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="board_memberships",
        verbose_name=_("assessor"),
    )
    is_chair = models.BooleanField(_("chair"), default=False)

    class Meta:
        ordering = ["step", "-is_chair", "pk"]
        verbose_name = _("board member")
        verbose_name_plural = _("board members")
        constraints = [
            models.UniqueConstraint(fields=["step", "user"], name="one_seat_per_assessor"),
            models.UniqueConstraint(
                fields=["step"],
                condition=models.Q(is_chair=True),
                name="one_chair_per_board",
                violation_error_message=_("A board has one chair."),
            ),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class PlanChange(PermanentRecord):
    """A change to a plan after results were recorded for the step: what, by whom, and why."""

    posting = models.ForeignKey(
        "positions.JobPosting",
        on_delete=models.CASCADE,
        related_name="plan_changes",
        verbose_name=_("job posting"),
    )
    step = models.ForeignKey(
        AssessmentStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("step"),
    )
    step_title = models.CharField(_("step"), max_length=200)
    change = models.TextField(_("what changed"), max_length=2000)
    reason = models.TextField(_("reason"), max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    edit_refused_message = _("Changes to an assessment plan are a permanent record.")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("assessment plan change")
        verbose_name_plural = _("assessment plan changes")

    def __str__(self):
        return f"{self.step_title}: {self.change[:60]}"
