"""CSC's occupation catalogue: career streams, occupations, their duties and requirements.

Text fields that a person reads are translated with django-modeltranslation (see translation.py):
each gets an `_en` and a `_fr` column, and reading the plain name returns the active language.
"""

from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import Image

from positions.models.base import NaturalKeyManager, NaturalKeyModel
from positions.text import lines, paragraphs
from positions.validators import validate_image_content, validate_image_size


class CareerStream(NaturalKeyModel):
    """A group of occupations the way CSC presents them to job seekers."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    summary = models.TextField(_("summary"), max_length=1000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("career stream")
        verbose_name_plural = _("career streams")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('positions:occupation-list')}?stream={self.slug}"


class WorkEnvironment(NaturalKeyModel):
    """A kind of workplace (institution, parole office, …), with how many CSC has."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    count = models.PositiveIntegerField(
        _("how many CSC has"),
        null=True,
        blank=True,
        help_text=_("As published by CSC; leave empty when CSC does not publish a figure."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("work environment")
        verbose_name_plural = _("work environments")

    def __str__(self):
        return self.name


class RequirementKind(models.TextChoices):
    """What a requirement is about; each kind is shown as its own group on an occupation."""

    SECONDARY_EDUCATION = "secondary-education", _("Secondary education")
    POST_SECONDARY_EDUCATION = "post-secondary-education", _("Post-secondary education")
    LICENCE_CERTIFICATE = "licence-certificate", _("Licence or certificate")
    SECURITY_CHECK = "security-check", _("Security and background check")
    PHYSICAL_FITNESS = "physical-fitness", _("Physical fitness")
    TRAINING = "training", _("Training")
    EXPERIENCE = "experience", _("Experience")


class OccupationQuerySet(models.QuerySet):
    def published(self):
        """Return occupations shown to the public."""
        return self.filter(is_published=True)

    def for_list(self):
        """Return occupations with what a list of them shows, in a fixed number of queries."""
        return self.select_related("stream").prefetch_related("work_environments")

    def for_detail(self):
        """Return occupations with everything their page shows, in a fixed number of queries."""
        return self.select_related("stream").prefetch_related(
            "work_environments",
            "sections",
            "videos",
            "requirements",
            "alternative_titles",
            Prefetch(
                "specializations",
                queryset=Specialization.objects.order_by("order", "pk"),
            ),
            Prefetch(
                "duty_lists",
                queryset=DutyList.objects.select_related("specialization").prefetch_related(
                    Prefetch("duties", queryset=Duty.objects.order_by("order", "pk"))
                ),
            ),
        )

    def search(self, text: str):
        """Return occupations whose title, summary, overview or any duty contains the text."""
        matching_duties = Duty.objects.filter(text__icontains=text).values("duty_list__occupation")
        return self.filter(
            Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(overview__icontains=text)
            | Q(alternative_titles__title__icontains=text)
            | Q(specializations__name__icontains=text)
            | Q(pk__in=matching_duties)
        ).distinct()

    def without_post_secondary_requirement(self):
        """Return occupations that no mandatory post-secondary education requirement closes."""
        return self.exclude(
            requirements__kind=RequirementKind.POST_SECONDARY_EDUCATION,
            requirements__mandatory=True,
        )


class Occupation(NaturalKeyModel):
    """A kind of job at CSC, as described on CSC's careers pages."""

    stream = models.ForeignKey(
        CareerStream,
        on_delete=models.PROTECT,
        related_name="occupations",
        verbose_name=_("career stream"),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=160)
    noc_code = models.CharField(
        _("NOC code"),
        max_length=10,
        blank=True,
        help_text=_("National Occupational Classification code, when the source gives one."),
    )
    summary = models.TextField(
        _("summary"), max_length=600, help_text=_("One or two sentences shown in lists.")
    )
    overview = models.TextField(
        _("overview"),
        max_length=6000,
        blank=True,
        help_text=_("Paragraphs separated by a blank line."),
    )
    schedule = models.TextField(_("schedule"), max_length=1000, blank=True)
    career_path = models.TextField(_("career path"), max_length=2000, blank=True)
    work_environments = models.ManyToManyField(
        WorkEnvironment,
        related_name="occupations",
        blank=True,
        verbose_name=_("work environments"),
    )
    image = models.ImageField(
        _("image"),
        upload_to="occupations/",
        blank=True,
        validators=[validate_image_size, validate_image_content],
        help_text=_("Optional. JPEG, PNG or WebP, at most 5 MB; a resized copy is made for pages."),
    )
    image_rendition = models.ImageField(
        _("resized image"), upload_to="occupations/renditions/", blank=True, editable=False
    )
    image_alt = models.CharField(
        _("image description"),
        max_length=250,
        blank=True,
        help_text=_("Describe the image for people who cannot see it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_(
            "Featured occupations come first in the occupations list, before the career "
            "streams, e.g. where CSC hires the most people."
        ),
    )
    is_published = models.BooleanField(_("published"), default=True)

    objects = NaturalKeyManager.from_queryset(OccupationQuerySet)()

    class Meta:
        # HR's choice first (an occupation CSC is hiring for most), then the catalogue's order.
        ordering = ["-featured", "stream__order", "order", "title"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._make_rendition_if_needed()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("positions:occupation-detail", kwargs={"slug": self.slug})

    @property
    def overview_paragraphs(self) -> list[str]:
        return paragraphs(self.overview)

    def requirements_by_kind(self) -> list[tuple[str, list["Requirement"]]]:
        """Group the (prefetched) requirements by kind, in the order of RequirementKind."""
        groups: dict[str, list[Requirement]] = {}
        for requirement in self.requirements.all():
            groups.setdefault(requirement.kind, []).append(requirement)
        return [
            (kind.label, groups[kind.value]) for kind in RequirementKind if kind.value in groups
        ]

    def _make_rendition_if_needed(self):
        """Store a resized JPEG of a newly uploaded image (pages never send the original)."""
        if not self.image:
            self.image_rendition = ""
            return
        if getattr(self.image, "_committed", True) and self.image_rendition:
            return
        self.image.open()
        with Image.open(self.image) as original:
            picture = original.convert("RGB")
            width = settings.OCCUPATION_IMAGE_RENDITION_WIDTH
            if picture.width > width:
                picture = picture.resize((width, round(picture.height * width / picture.width)))
            buffer = BytesIO()
            picture.save(buffer, format="JPEG", quality=85, optimize=True)
        self.image.seek(0)
        name = f"{PurePath(self.image.name).stem}-{width}.jpg"
        self.image_rendition.save(name, ContentFile(buffer.getvalue()), save=False)

    _make_rendition_if_needed.alters_data = True


class AlternativeTitle(models.Model):
    """Another name people know the occupation by (e.g. the NOC's common job titles)."""

    occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="alternative_titles"
    )
    title = models.CharField(_("title"), max_length=160)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("alternative title")
        verbose_name_plural = _("alternative titles")
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "title"], name="unique_alternative_title_per_occupation"
            )
        ]

    def __str__(self):
        return self.title


class Specialization(models.Model):
    """A role or trade within an occupation (a CORCAN trade, an IT role, a food services role)."""

    occupation = models.ForeignKey(
        Occupation,
        on_delete=models.CASCADE,
        related_name="specializations",
        verbose_name=_("occupation"),
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["occupation", "order", "pk"]
        verbose_name = _("specialization")
        verbose_name_plural = _("specializations")
        constraints = [
            models.UniqueConstraint(
                fields=["occupation", "name"], name="unique_specialization_per_occupation"
            )
        ]

    def __str__(self):
        return self.name


class DutyList(models.Model):
    """An ordered list of duties, e.g. "As a parole officer, you will:"."""

    occupation = models.ForeignKey(
        Occupation,
        on_delete=models.CASCADE,
        related_name="duty_lists",
        verbose_name=_("occupation"),
    )
    specialization = models.ForeignKey(
        Specialization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_lists",
        verbose_name=_("specialization"),
        help_text=_("Set when these duties belong to one role of the occupation."),
    )
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    introduction = models.TextField(
        _("introduction"),
        max_length=1000,
        blank=True,
        help_text=_('E.g. "As a teacher, you will:"'),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["occupation", "order", "pk"]
        verbose_name = _("list of duties")
        verbose_name_plural = _("lists of duties")

    def __str__(self):
        return self.heading or self.introduction or str(_("Duties"))

    def duty_tree(self) -> list[tuple["Duty", list["Duty"]]]:
        """Return the (prefetched) duties as top-level items, each with its sub-items."""
        duties = list(self.duties.all())
        children: dict[int, list[Duty]] = {}
        for duty in duties:
            if duty.parent_id:
                children.setdefault(duty.parent_id, []).append(duty)
        return [(duty, children.get(duty.pk, [])) for duty in duties if not duty.parent_id]


class Duty(models.Model):
    """One duty, or a sub-item of one (e.g. "interview" under "meet regularly with offenders")."""

    duty_list = models.ForeignKey(
        DutyList, on_delete=models.CASCADE, related_name="duties", verbose_name=_("list")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("sub-item of"),
    )
    text = models.TextField(_("text"), max_length=1000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["duty_list", "order", "pk"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")

    def __str__(self):
        return self.text


class Requirement(models.Model):
    """Something a candidate must have or pass, typed by kind."""

    occupation = models.ForeignKey(
        Occupation,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("occupation"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=RequirementKind.choices)
    text = models.TextField(_("text"), max_length=1000)
    mandatory = models.BooleanField(
        _("mandatory"),
        default=True,
        help_text=_(
            'Untick when the source says only some positions ask for it ("many positions").'
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["occupation", "order", "pk"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self):
        return self.text


class OccupationSection(models.Model):
    """A further part of an occupation's page (e.g. "Challenges of the role")."""

    occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="sections", verbose_name=_("occupation")
    )
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(
        _("text"),
        max_length=6000,
        blank=True,
        help_text=_("Paragraphs separated by a blank line."),
    )
    items = models.TextField(
        _("list items"),
        max_length=6000,
        blank=True,
        help_text=_("Optional bulleted list shown after the text: one item per line."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["occupation", "order", "pk"]
        verbose_name = _("page section")
        verbose_name_plural = _("page sections")

    def __str__(self):
        return self.heading

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body)

    @property
    def item_list(self) -> list[str]:
        return lines(self.items)


class Video(models.Model):
    """A video the source page names for the occupation."""

    occupation = models.ForeignKey(
        Occupation, on_delete=models.CASCADE, related_name="videos", verbose_name=_("occupation")
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["occupation", "order", "pk"]
        verbose_name = _("video")
        verbose_name_plural = _("videos")

    def __str__(self):
        return self.title


class StrategicPriority(models.Model):
    """One of CSC's strategic priorities, shown on the About CSC page."""

    text = models.CharField(_("text"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("strategic priority")
        verbose_name_plural = _("strategic priorities")

    def __str__(self):
        return self.text


class ProgramArea(NaturalKeyModel):
    """An area of CSC's work with offenders (health services, CORCAN, chaplaincy, …)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), max_length=3000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("program area")
        verbose_name_plural = _("program areas")

    def __str__(self):
        return self.name
