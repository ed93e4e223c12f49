"""Job postings: one real opening of an occupation, at places, with dates and conditions.

A posting's state follows from HR's decisions (published, closed early, archived) and the clock
(its open and closing dates), and is computed, never stored: see PostingQuerySet. Federal postings
close at 23:59 Pacific time on their closing date, so "today" for postings is the date in Vancouver.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from csc_careers.db import PermanentRecord
from csc_careers.telephone import telephone_uri, validate_telephone
from positions.models.assessment import PRE_EMPLOYMENT_KINDS
from positions.models.catalogue import Occupation
from positions.models.places import Facility, Province, Region
from positions.models.search import keyword_query, rebuild_search_documents, search_language
from positions.text import lines, paragraphs

POSTING_TIME_ZONE = ZoneInfo("America/Vancouver")


def posting_today() -> datetime.date:
    """Return today's date where federal postings close (Pacific time)."""
    return timezone.localdate(timezone=POSTING_TIME_ZONE)


def closing_moment(closing_date: datetime.date) -> datetime.datetime:
    """Return the aware moment a posting closes: 23:59:59 Pacific time on its closing date."""
    return datetime.datetime.combine(closing_date, datetime.time(23, 59, 59), POSTING_TIME_ZONE)


class PostingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class ClassificationGroup(models.TextChoices):
    AS = "AS", _("AS – Administrative Services")
    CR = "CR", _("CR – Clerical and Regulatory")
    CX = "CX", _("CX – Correctional Services")
    ED = "ED", _("ED – Education")
    EG = "EG", _("EG – Engineering and Scientific Support")
    FI = "FI", _("FI – Financial Management")
    GL = "GL", _("GL – General Labour and Trades")
    GS = "GS", _("GS – General Services (including food services, GS-FOS)")
    HP = "HP", _("HP – Heating, Power and Stationary Plant Operation")
    IT = "IT", _("IT – Information Technology")
    NU = "NU", _("NU – Nursing")
    PE = "PE", _("PE – Personnel Administration")
    PM = "PM", _("PM – Programme Administration")
    PS = "PS", _("PS – Psychology")
    SW = "SW", _("SW – Social Work")
    WP = "WP", _("WP – Welfare Programmes")


class Tenure(models.TextChoices):
    INDETERMINATE = "indeterminate", _("Indeterminate (permanent)")
    TERM = "term", _("Term")
    CASUAL = "casual", _("Casual")
    STUDENT = "student", _("Student")
    INVENTORY = "inventory", _("Inventory (pool for future positions)")


class LanguageRequirement(models.TextChoices):
    ENGLISH_ESSENTIAL = "english-essential", _("English essential")
    FRENCH_ESSENTIAL = "french-essential", _("French essential")
    BILINGUAL_IMPERATIVE = "bilingual-imperative", _("Bilingual imperative")
    BILINGUAL_NON_IMPERATIVE = "bilingual-non-imperative", _("Bilingual non-imperative")
    VARIOUS = "various", _("Various language requirements")

    @property
    def is_bilingual(self) -> bool:
        return self in {self.BILINGUAL_IMPERATIVE, self.BILINGUAL_NON_IMPERATIVE}


class SecurityClearance(models.TextChoices):
    RELIABILITY = "reliability", _("Reliability status")
    SECRET = "secret", _("Secret")
    TOP_SECRET = "top-secret", _("Top secret")


class WhoCanApply(models.TextChoices):
    PUBLIC = "public", _("Open to the public")
    AREA = "area", _("Area of selection")


# Published and not archived: the public sees the posting (open or closed) or will (scheduled).
PUBLISHED = Q(published_at__isnull=False, archived_at__isnull=True)


def state_conditions(today: datetime.date) -> list[tuple[str, Q]]:
    """Return each state with the condition a posting in it meets today: the one definition.

    The conditions exclude one another, so each state's QuerySet method filters on its own, and
    with_state() tests them in this order.
    """
    not_closed = PUBLISHED & Q(closed_early_at__isnull=True, closing_date__gte=today)
    return [
        (PostingState.ARCHIVED, Q(archived_at__isnull=False)),
        (PostingState.DRAFT, Q(published_at__isnull=True, archived_at__isnull=True)),
        (
            PostingState.CLOSED,
            PUBLISHED & (Q(closed_early_at__isnull=False) | Q(closing_date__lt=today)),
        ),
        (PostingState.SCHEDULED, not_closed & Q(open_date__gt=today)),
        (PostingState.OPEN, not_closed & Q(open_date__lte=today)),
    ]


def state_condition(state: str, today: datetime.date) -> Q:
    """Return the condition a posting in this state meets today."""
    return dict(state_conditions(today))[state]


class PostingAction(models.TextChoices):
    """What a posting's history records: its workflow moves, and its making as a copy."""

    PUBLISHED = "published", _("Published")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed early")
    ARCHIVED = "archived", _("Archived")
    CREATED_AS_COPY = "created-as-copy", _("Created as a copy")
    DATES_CHANGED = "dates-changed", _("Dates changed")


# The states each workflow move starts from. Publishing also needs a complete posting whose
# closing date has not passed, so only a posting closed early can be reopened.
POSTING_MOVES: dict[str, set[str]] = {
    PostingAction.PUBLISHED: {PostingState.DRAFT},
    PostingAction.REOPENED: {PostingState.CLOSED},
    PostingAction.CLOSED: {PostingState.OPEN, PostingState.SCHEDULED},
    PostingAction.ARCHIVED: {PostingState.CLOSED, PostingState.DRAFT},
}


class PostingMoveRefused(ValidationError):
    """A workflow move the posting does not allow as it is: its state, or what it lacks."""

    def __init__(self, message, *, posting: "JobPosting", state: str, params: dict | None = None):
        super().__init__(
            message,
            code="posting_move_refused",
            params={
                "posting": posting.reference_number,
                "state": PostingState(state).label,
                **(params or {}),
            },
        )
        self.posting = posting
        self.state = state


# Of the document's weights D, C (qualifications), B (places, description), A (title,
# occupation, classification).
RANK_WEIGHTS = [0.01, 0.02, 0.1, 1.0]


class IsAnyOf(models.Func):
    """Whether a value is one of an array's: `value = ANY(array)`."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = models.BooleanField()


def postings_at_places(**lookup) -> RawSQL:
    """Return the ids of the postings with a location whose facility has the one value given
    (a Facility field: pk, province, region_id), as an array: ARRAY(SELECT …).

    Written in SQL: made by the ORM, its two subqueries took the postings search more time to
    build than PostgreSQL took to run them. It names only its own tables, so it means the same
    inside any query.
    """
    ((name, value),) = lookup.items()
    quote = connection.ops.quote_name
    facilities = Facility._meta
    field = facilities.pk if name == "pk" else facilities.get_field(name)
    locations = JobPosting.locations.through._meta
    sql = (
        f"ARRAY(SELECT {quote(locations.get_field('jobposting').column)}"
        f" FROM {quote(locations.db_table)}"
        f" WHERE {quote(locations.get_field('facility').column)} = ANY(ARRAY("
        f"SELECT {quote(facilities.pk.column)} FROM {quote(facilities.db_table)}"
        f" WHERE {quote(field.column)} = %s)))"
    )
    ids = ArrayField(models.BigIntegerField())
    return RawSQL(sql, (getattr(value, "pk", value),), output_field=ids)


class PostingQuerySet(models.QuerySet):
    """Every view, feed, sitemap and form asks these methods what "open" means."""

    def published(self):
        """Return postings the public sees (open or closed) or will see (scheduled)."""
        return self.filter(PUBLISHED)

    def in_state(self, state: str, today: datetime.date | None = None):
        """Return postings in a state (a PostingState) today."""
        return self.filter(state_condition(state, today or posting_today()))

    def open(self, today: datetime.date | None = None):
        """Return postings people can read and apply to today."""
        return self.in_state(PostingState.OPEN, today)

    def scheduled(self, today: datetime.date | None = None):
        """Return published postings whose open date is still to come."""
        return self.in_state(PostingState.SCHEDULED, today)

    def closed(self, today: datetime.date | None = None):
        """Return published postings past their closing date or closed early."""
        return self.in_state(PostingState.CLOSED, today)

    def with_state(self, today: datetime.date | None = None):
        """Annotate each posting's current_state: what JobPosting.state then reads, no query."""
        conditions = state_conditions(today or posting_today())
        return self.annotate(
            current_state=Case(
                *(When(condition, then=Value(state)) for state, condition in conditions),
                output_field=models.CharField(),
            )
        )

    def current_campaigns(self, days: int = 90):
        """Return the postings of current campaigns, newest first: those closing no more than
        `days` days ago, open now or closed lately (and drafts or scheduled ones dated so)."""
        since = posting_today() - datetime.timedelta(days=days)
        return self.filter(closing_date__gte=since).order_by("-open_date", "-pk")

    def for_list(self):
        # The few occupations are fetched apart, not joined: a join would carry each one's long
        # texts through the sort of every open posting, before the page's dozen are kept.
        return self.prefetch_related(
            models.Prefetch("occupation", queryset=Occupation.objects.select_related("stream")),
            models.Prefetch("locations", queryset=Facility.objects.select_related("province")),
        )

    def for_cards(self):
        """For posting cards (lists of postings): without the long texts a card never shows,
        nor the search documents, which would be read and thrown away for every posting."""
        long_texts = [
            field.attname
            for field in self.model._meta.concrete_fields
            if isinstance(field, models.TextField | SearchVectorField)
        ]
        occupation_texts = [
            field.attname
            for field in Occupation._meta.concrete_fields
            if isinstance(field, models.TextField)
        ]
        return self.defer(*long_texts).prefetch_related(
            models.Prefetch(
                "occupation",
                queryset=Occupation.objects.select_related("stream").defer(*occupation_texts),
            ),
            models.Prefetch("locations", queryset=Facility.objects.select_related("province")),
        )

    def for_detail(self):
        # One posting: its occupation is joined (no query of its own; the prefetch is skipped).
        return (
            self.for_list()
            .select_related("occupation__stream")
            .prefetch_related("qualifications", "screening_questions")
        )

    def search(self, text: str, language: str | None = None):
        """Return postings with every word of the text, ranked by relevance (annotated `rank`).

        Words are matched in the language's document (the active language by default) whatever
        their accents and capitals, stemmed ("paroles") or as the start of a word ("électric"):
        titles, occupation, classification ("CX 01"), places, work description, qualifications.
        A text without any word leaves the postings as they are.
        """
        language = search_language(language)
        query = keyword_query(text, language)
        if query is None:
            return self
        document = f"search_{language}"
        # Cover density (the words close together) with weights that put a title far above a
        # long description using the same words many times (ts_rank saturates).
        rank = SearchRank(F(document), query, weights=RANK_WEIGHTS, cover_density=True)
        return self.filter(**{document: query}).annotate(rank=rank)

    def at_places(self, *, listed: bool = False, **lookups):
        """Return postings with a location matching lookups on Facility, e.g. region_id=3.

        A subquery on the locations table, not a join: no posting is listed twice. For a list
        that reads the postings themselves (the search), listed=True asks for them as an array
        of ids, from the locations of an array of facilities (id = ANY(ARRAY(…)), one lookup:
        postings_at_places): PostgreSQL
        reads them in order, where it would probe once for each (the postings search took twice
        as long). Not for a subquery of another table's query (applications in a region): the
        planner cannot tell an array's length.
        """
        if listed:
            return self.filter(IsAnyOf(F("pk"), postings_at_places(**lookups)))
        places = JobPosting.locations.through.objects.filter(
            **{f"facility__{name}": value for name, value in lookups.items()}
        )
        return self.filter(pk__in=places.values("jobposting_id"))

    def in_region(self, region, *, listed: bool = False):
        """Return postings with a location in the region (a Region or its id); see at_places."""
        return self.at_places(region_id=getattr(region, "pk", region), listed=listed)

    def reviewable_by(self, user):
        """Return the postings whose applications this staff member may read and work on.

        Whoever reads every posting's applications (HR administrators, recruiters) has them
        all; anyone else (a reviewer) has only the postings they are a reviewer of.
        """
        if user.has_perm("applications.view_all_applications"):
            return self
        return self.filter(reviewers=user)

    def visible_to(self, user):
        """Return the postings this staff member may see in the admin.

        Whoever edits postings sees them all, drafts included; anyone else sees the postings
        they may review (reviewable_by).
        """
        if user.has_perm("positions.change_jobposting"):
            return self
        return self.reviewable_by(user)


class JobPosting(models.Model):
    """One opening that people can apply to, as on a GC Jobs poster."""

    occupation = models.ForeignKey(
        Occupation,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("occupation"),
    )
    title = models.CharField(_("title"), max_length=200)
    reference_number = models.CharField(
        _("reference number"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$",
                _("Use capital letters, digits and hyphens only, e.g. CSC-26-WP-0142."),
            )
        ],
        help_text=_("Unique; it appears in the posting's address. E.g. CSC-26-WP-0142."),
    )
    selection_process_number = models.CharField(
        _("selection process number"), max_length=60, help_text=_("E.g. 26-PEN-EA-ONT-0142.")
    )
    classification_group = models.CharField(
        _("classification group"), max_length=4, choices=ClassificationGroup.choices
    )
    classification_level = models.CharField(
        _("classification level"),
        max_length=20,
        validators=[RegexValidator(r"^[A-Z0-9-]+$", _("E.g. 04, 01, EDS or MAN-10."))],
        help_text=_("E.g. 04 for WP-04, EDS for ED-EDS."),
    )
    tenure = models.CharField(_("tenure"), max_length=20, choices=Tenure.choices)
    term_months = models.PositiveSmallIntegerField(
        _("term length (months)"), null=True, blank=True, help_text=_("Term positions only.")
    )
    salary_min = models.PositiveIntegerField(_("salary from (per year, $)"))
    salary_max = models.PositiveIntegerField(_("salary to (per year, $)"))
    locations = models.ManyToManyField(
        Facility, related_name="postings", blank=True, verbose_name=_("locations")
    )
    language_requirement = models.CharField(
        _("language requirement"), max_length=30, choices=LanguageRequirement.choices
    )
    language_profile = models.CharField(
        _("language profile"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^[ABCEP]{3}/[ABCEP]{3}$", _("E.g. BBB/BBB or CBC/CBC."))],
        help_text=_("Bilingual positions only, e.g. BBB/BBB."),
    )
    security_clearance = models.CharField(
        _("security clearance"), max_length=20, choices=SecurityClearance.choices
    )
    eligibility = models.CharField(
        _("who can apply"), max_length=10, choices=WhoCanApply.choices, default=WhoCanApply.PUBLIC
    )
    area_of_selection = models.TextField(
        _("area of selection"),
        max_length=1000,
        blank=True,
        help_text=_("Who can apply, in words, when the posting is not open to the public."),
    )
    positions_to_fill = models.PositiveSmallIntegerField(
        _("number of positions"), null=True, blank=True, help_text=_("Leave empty if unknown.")
    )
    open_date = models.DateField(_("open date"))
    closing_date = models.DateField(
        _("closing date"), help_text=_("The posting closes at 23:59 Pacific time on this date.")
    )
    work_description = models.TextField(
        _("work description"),
        max_length=10000,
        help_text=_("Paragraphs separated by a blank line."),
    )
    operational_requirements = models.TextField(
        _("operational requirements"),
        max_length=3000,
        blank=True,
        help_text=_("One per line, e.g. shift work, weekends, travel."),
    )
    conditions_of_employment = models.TextField(
        _("conditions of employment"),
        max_length=3000,
        blank=True,
        help_text=_("One per line, e.g. a valid trade licence."),
    )
    intent_of_process = models.TextField(_("intent of the process"), max_length=3000, blank=True)
    other_information = models.TextField(_("other information"), max_length=6000, blank=True)
    # Whom applicants write to about this posting (not translated: a name and an address).
    hr_contact_name = models.CharField(
        _("HR contact name"),
        max_length=200,
        blank=True,
        help_text=_("The person or team applicants may write to. Required to publish."),
    )
    hr_contact_email = models.EmailField(
        _("HR contact e-mail address"),
        max_length=254,
        blank=True,
        help_text=_("Required to publish."),
    )
    hr_contact_phone = models.CharField(
        _("HR contact telephone number"),
        max_length=30,
        blank=True,
        validators=[validate_telephone],
        help_text=_("Optional. E.g. 613-555-0142, or +44 20 7946 0958 outside North America."),
    )

    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="reviewed_postings",
        blank=True,
        verbose_name=_("reviewers"),
        help_text=_("Staff who screen and assess this posting's applications."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    closed_early_at = models.DateTimeField(_("closed early"), null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Full-text documents, one per language, kept up to date by update_search_documents().
    search_en = SearchVectorField(null=True, editable=False)
    search_fr = SearchVectorField(null=True, editable=False)

    objects = PostingQuerySet.as_manager()

    class Meta:
        ordering = ["closing_date", "reference_number"]
        verbose_name = _("job posting")
        verbose_name_plural = _("job postings")
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_min__lte=models.F("salary_max")),
                name="posting_salary_min_not_above_max",
                violation_error_message=_("The minimum salary cannot be above the maximum."),
            ),
            models.CheckConstraint(
                condition=Q(closing_date__gte=models.F("open_date")),
                name="posting_closes_after_it_opens",
                violation_error_message=_("The closing date cannot be before the open date."),
            ),
        ]
        indexes = [models.Index(fields=["open_date", "closing_date"], name="posting_dates_idx")]

    def __str__(self):
        return f"{self.title} ({self.reference_number})"

    def get_absolute_url(self):
        return reverse("positions:posting-detail", kwargs={"reference": self.reference_number})

    def clean(self):
        errors = {}
        if self.tenure == Tenure.TERM and not self.term_months:
            errors["term_months"] = _("Give the length of the term in months.")
        if self.tenure != Tenure.TERM and self.term_months:
            errors["term_months"] = _("Only term positions have a term length.")
        if LanguageRequirement(self.language_requirement or "various").is_bilingual:
            if not self.language_profile:
                errors["language_profile"] = _("Bilingual positions need a language profile.")
        elif self.language_profile:
            errors["language_profile"] = _("Only bilingual positions have a language profile.")
        if self.is_area_of_selection and not self.area_of_selection:
            errors["area_of_selection"] = _("Say who can apply.")
        if errors:
            raise ValidationError(errors)

    @property
    def classification(self) -> str:
        return f"{self.classification_group}-{self.classification_level}"

    @property
    def closes_at(self) -> datetime.datetime:
        return closing_moment(self.closing_date)

    @property
    def state(self) -> str:
        """Return this posting's state as annotated by with_state(), or else as the database
        says now (one query each time; an unsaved posting is a draft)."""
        if "current_state" in self.__dict__:
            return self.current_state
        if self.pk is None:
            return PostingState.DRAFT
        return (
            JobPosting.objects.with_state().values_list("current_state", flat=True).get(pk=self.pk)
        )

    @property
    def state_label(self) -> str:
        return PostingState(self.state).label

    @property
    def is_open(self) -> bool:
        return self.state == PostingState.OPEN

    @property
    def is_area_of_selection(self) -> bool:
        """Whether only an area of selection may apply (not the public)."""
        return self.eligibility == WhoCanApply.AREA

    @property
    def days_left(self) -> int:
        """Return whole days until the closing date (0 on the closing day itself)."""
        return (self.closing_date - posting_today()).days

    @property
    def work_description_paragraphs(self) -> list[str]:
        return paragraphs(self.work_description)

    @property
    def intent_of_process_paragraphs(self) -> list[str]:
        return paragraphs(self.intent_of_process)

    @property
    def other_information_paragraphs(self) -> list[str]:
        return paragraphs(self.other_information)

    @property
    def has_hr_contact(self) -> bool:
        """Whether the posting names whom to write to: a name and an e-mail address."""
        return bool(self.hr_contact_name.strip() and self.hr_contact_email.strip())

    @property
    def hr_contact_phone_uri(self) -> str:
        """Return the contact's number as a tel: link ("" without a number)."""
        return telephone_uri(self.hr_contact_phone)

    @property
    def operational_requirement_list(self) -> list[str]:
        return lines(self.operational_requirements)

    @property
    def condition_list(self) -> list[str]:
        return lines(self.conditions_of_employment)

    @property
    def places(self) -> list[str]:
        """Each town once, e.g. ["Kingston (ON)", "Ottawa (ON)"] (uses prefetched locations)."""
        names = [f"{f.city} ({f.province.code})" for f in self.locations.all()]
        return list(dict.fromkeys(names))

    @property
    def essential_qualifications(self) -> list["Qualification"]:
        return [q for q in self.qualifications.all() if not q.is_asset]

    @property
    def asset_qualifications(self) -> list["Qualification"]:
        return [q for q in self.qualifications.all() if q.is_asset]

    def plan_gaps(self) -> list["Qualification"]:
        """The essential qualifications that no step of the assessment plan assesses."""
        # Pre-employment steps assess no qualification: one ticked on them is still a gap.
        assessed = self.assessment_steps.exclude(kind__in=PRE_EMPLOYMENT_KINDS).filter(
            qualifications=models.OuterRef("pk")
        )
        return list(
            self.qualifications.filter(is_asset=False)
            .exclude(models.Exists(assessed))
            .order_by("order", "pk")
        )

    def publication_problems(self) -> list[str]:
        """Return why this posting cannot be published yet (empty when it can)."""
        problems = []
        if not (self.title_fr and self.work_description_fr):
            problems.append(_("its French title and work description are missing"))
        if self.qualifications.filter(Q(text_fr__isnull=True) | Q(text_fr="")).exists():
            problems.append(_("some qualifications have no French text"))
        if self.screening_questions.filter(Q(text_fr__isnull=True) | Q(text_fr="")).exists():
            problems.append(_("some screening questions have no French text"))
        if not self.qualifications.filter(is_asset=False).exists():
            problems.append(_("it needs at least one essential qualification"))
        if not self.locations.exists():
            problems.append(_("it needs at least one location"))
        if not self.has_hr_contact:
            problems.append(_("it needs the name and e-mail address of its HR contact"))
        return problems

    @property
    def is_published(self) -> bool:
        """Published and not archived: the public sees it (open or closed) or will (scheduled)."""
        return bool(self.published_at and not self.archived_at)

    def publish(self, *, by=None) -> "PostingEvent":
        """Publish a draft, or reopen a posting closed early; it opens on its open date.

        Raise PostingMoveRefused if it is in another state, is incomplete, or its closing date
        has passed.
        """
        with transaction.atomic():
            current = self._locked()
            state = current.current_state
            action = next(
                (
                    action
                    for action in (PostingAction.PUBLISHED, PostingAction.REOPENED)
                    if state in POSTING_MOVES[action]
                ),
                None,
            )
            if action is None:
                raise PostingMoveRefused(
                    _(
                        "%(posting)s cannot be published: it is “%(state)s”; only drafts and "
                        "postings closed early can be."
                    ),
                    posting=current,
                    state=state,
                )
            problems = current.publication_problems()
            if current.closing_date < posting_today():
                problems.append(_("its closing date has passed"))
            if problems:
                raise PostingMoveRefused(
                    _("%(posting)s cannot be published: %(problems)s."),
                    posting=current,
                    state=state,
                    params={"problems": "; ".join(map(str, problems))},
                )
            current.published_at = timezone.now()
            current.closed_early_at = None
            return self._record_move(current, action, by, ["published_at", "closed_early_at"])

    publish.alters_data = True

    def close_now(self, *, by=None) -> "PostingEvent":
        """Close an open or scheduled posting before its closing date (else PostingMoveRefused)."""
        with transaction.atomic():
            current = self._locked()
            self._check_move(
                current,
                PostingAction.CLOSED,
                _(
                    "%(posting)s cannot be closed: it is “%(state)s”; only open and scheduled "
                    "postings can be."
                ),
            )
            current.closed_early_at = timezone.now()
            return self._record_move(current, PostingAction.CLOSED, by, ["closed_early_at"])

    close_now.alters_data = True

    def archive(self, *, by=None) -> "PostingEvent":
        """Take a closed or draft posting off the site for good (its applications are kept).

        Raise PostingMoveRefused for an open, scheduled or archived posting.
        """
        with transaction.atomic():
            current = self._locked()
            self._check_move(
                current,
                PostingAction.ARCHIVED,
                _(
                    "%(posting)s cannot be archived: it is “%(state)s”; only closed postings and "
                    "drafts can be."
                ),
            )
            current.archived_at = timezone.now()
            return self._record_move(current, PostingAction.ARCHIVED, by, ["archived_at"])

    archive.alters_data = True

    def _locked(self) -> "JobPosting":
        """Return this posting's row, locked until the transaction ends, with its state.

        Two people moving it at once cannot both succeed: the second sees the state the first
        left it in, and is refused if the move no longer applies.
        """
        return JobPosting.objects.select_for_update().with_state().get(pk=self.pk)

    @staticmethod
    def _check_move(current: "JobPosting", action: str, refusal: str) -> None:
        """Raise PostingMoveRefused(refusal) unless the posting's state allows the move."""
        if current.current_state not in POSTING_MOVES[action]:
            raise PostingMoveRefused(refusal, posting=current, state=current.current_state)

    def _record_move(
        self, current: "JobPosting", action: str, by, fields: list[str]
    ) -> "PostingEvent":
        """Save the moved fields, write the event, and bring this instance up to date."""
        current.save(update_fields=[*fields, "updated_at"])
        event = PostingEvent.objects.create(posting=current, action=action, by=by)
        for name in [*fields, "updated_at"]:
            setattr(self, name, getattr(current, name))
        # The state annotated when this posting was read no longer holds.
        self.__dict__.pop("current_state", None)
        return event

    _record_move.alters_data = True

    def record_dates_changed(self, *, before: dict, state_before: str, by=None) -> "PostingEvent":
        """Record that HR changed a published posting's dates, and the state it is in now.

        Moving a date can open, close or schedule a posting without any workflow move (a later
        closing date reopens one closed by date): the history says so, with the dates before.
        """
        state_now = JobPosting.objects.with_state().get(pk=self.pk).current_state
        changes = [
            _("%(field)s: %(before)s → %(after)s")
            % {
                "field": self._meta.get_field(name).verbose_name,
                "before": before[name],
                "after": getattr(self, name),
            }
            for name in ("open_date", "closing_date")
            if name in before and before[name] != getattr(self, name)
        ]
        if state_now != state_before:
            changes.append(
                _("now “%(after)s” (was “%(before)s”)")
                % {
                    "after": PostingState(state_now).label,
                    "before": PostingState(state_before).label,
                }
            )
        return PostingEvent.objects.create(
            posting=self, action=PostingAction.DATES_CHANGED, by=by, note="; ".join(changes)
        )

    record_dates_changed.alters_data = True

    def update_search_documents(self) -> None:
        """Rebuild the English and French full-text documents (after its places and texts)."""
        rebuild_search_documents(JobPosting.objects.filter(pk=self.pk))

    update_search_documents.alters_data = True


class PostingEvent(PermanentRecord):
    """One step of a posting's history: who published, reopened, closed, archived or copied it."""

    posting = models.ForeignKey(
        JobPosting, on_delete=models.CASCADE, related_name="events", verbose_name=_("job posting")
    )
    action = models.CharField(_("what"), max_length=20, choices=PostingAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when a command made the change."),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    edit_refused_message = _("A posting's history is a permanent record and cannot be edited.")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("posting event")
        verbose_name_plural = _("posting events")

    def __str__(self):
        return f"{self.posting_id}: {self.action}"


# A posting's documents hold its occupation's title and its places' names: how to find the
# postings that name each of them.
POSTINGS_NAMING = {
    Occupation: "occupation",
    Facility: "locations",
    Province: "locations__province",
    Region: "locations__region",
}


def rebuild_search_documents_naming(sender, instance, created, raw=False, **kwargs) -> None:
    """Rebuild the documents of the postings that name a saved occupation or place (a receiver).

    Renaming a facility or an occupation changes what finds its postings; a new one has none.
    Fixtures (raw saves) are left alone: load_demo_postings rebuilds the postings it loads.
    """
    if not (created or raw):
        rebuild_search_documents(JobPosting.objects.filter(**{POSTINGS_NAMING[sender]: instance}))


class QualificationKind(models.TextChoices):
    EDUCATION = "education", _("Education")
    EXPERIENCE = "experience", _("Experience")
    KNOWLEDGE = "knowledge", _("Knowledge")
    ABILITY = "ability", _("Abilities")
    PERSONAL_SUITABILITY = "personal-suitability", _("Personal suitability")
    OTHER = "other", _("Other")


class Qualification(models.Model):
    """An essential or asset qualification of a posting, in the poster's order."""

    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(_("kind"), max_length=30, choices=QualificationKind.choices)
    is_asset = models.BooleanField(
        _("asset"), default=False, help_text=_("Ticked: an asset. Unticked: essential.")
    )
    text = models.TextField(_("text"), max_length=2000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        null=True,
        blank=True,
        help_text=_("To score this qualification out of a total; empty: rated met or not met."),
    )
    out_of = models.PositiveSmallIntegerField(_("out of"), null=True, blank=True)
    not_met_reason = models.TextField(
        _("reason given when not met"),
        max_length=1000,
        blank=True,
        help_text=_(
            "What a candidate reads when screened out or not retained on this qualification. "
            "Empty: the qualification itself."
        ),
    )

    class Meta:
        ordering = ["posting", "is_asset", "order", "pk"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self):
        return self.text

    def clean(self):
        if (self.pass_mark is None) != (self.out_of is None):
            raise ValidationError(
                {"out_of": _("Give both the pass mark and the total, or neither.")}
            )
        if self.pass_mark is not None and not 0 < self.pass_mark <= self.out_of:
            raise ValidationError({"pass_mark": _("The pass mark is between 1 and the total.")})

    @property
    def is_scored(self) -> bool:
        return self.pass_mark is not None

    @property
    def reason_not_met(self) -> str:
        """What a candidate reads when this qualification is not met, in the active language."""
        return self.not_met_reason or self.text


# The stored answers to a yes/no screening question.
YES, NO = "yes", "no"


class QuestionKind(models.TextChoices):
    YES_NO = "yes-no", _("Yes or no")
    SHORT_TEXT = "short-text", _("Short text")
    CHOICE = "choice", _("Choice from a list")


class ScreeningQuestion(models.Model):
    """A question the application form asks for this posting."""

    posting = models.ForeignKey(
        JobPosting, on_delete=models.CASCADE, related_name="screening_questions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.TextField(_("question"), max_length=1000)
    choices = models.TextField(
        _("choices"), max_length=2000, blank=True, help_text=_("Choice questions: one per line.")
    )
    is_essential = models.BooleanField(
        _("essential"),
        default=True,
        help_text=_("Essential questions must be answered; a “no” is recorded for screening."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    qualification = models.ForeignKey(
        Qualification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="screening_questions",
        verbose_name=_("qualification screened"),
        help_text=_("The qualification this question screens for, if any."),
    )

    class Meta:
        ordering = ["posting", "order", "pk"]
        verbose_name = _("screening question")
        verbose_name_plural = _("screening questions")

    def __str__(self):
        return self.text

    # What an applicant answered: frozen once anyone has answered (the order may still change).
    ASKED_FIELDS = ["kind", "is_essential", "text_en", "text_fr", "choices_en", "choices_fr"]

    def clean(self):
        if self.pk and self.answers.exists():
            before = ScreeningQuestion.objects.filter(pk=self.pk).values(*self.ASKED_FIELDS).first()
            # An empty translation is stored as NULL or "" alike: both are "not written".
            changed = [
                name
                for name in self.ASKED_FIELDS
                if ((before or {}).get(name) or "") != (getattr(self, name) or "")
            ]
            if before and changed:
                raise ValidationError(
                    _(
                        "Applicants have already answered this question, so what it asks stays "
                        "as they read it: its text, kind, choices and whether it is essential "
                        "cannot change. Add a new question instead (you may still reorder it)."
                    )
                )
        if self.kind == QuestionKind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("Give at least two choices, one per line.")})
        if self.kind != QuestionKind.CHOICE and self.choices.strip():
            raise ValidationError({"choices": _("Only choice questions have choices.")})

    @property
    def choice_list(self) -> list[str]:
        return lines(self.choices)

    def is_met_by(self, answer: str) -> bool | None:
        """Whether an answer meets this question's requirement (None: it sets none).

        Only essential yes/no questions set one, and only "no" fails it.
        """
        if self.kind != QuestionKind.YES_NO or not self.is_essential:
            return None
        return answer != NO

    def choice_position(self, text: str) -> int | None:
        """Return where a choice is in the list (1 for the first), whichever language it is in.

        The English and French lines are the same choices in the same order, so the position
        names the choice in both languages; the active language's lines are looked at first.
        """
        text = text.strip()
        if not text:
            return None
        for choices in [self.choices] + [
            getattr(self, f"choices_{code}") for code, _name in settings.LANGUAGES
        ]:
            listed = lines(choices)
            if text in listed:
                return listed.index(text) + 1
        return None
