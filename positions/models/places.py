"""Where CSC hires: regions, provinces and territories, and facilities."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from positions.models.base import NaturalKeyModel


class Region(NaturalKeyModel):
    """One of CSC's administrative regions, or national headquarters."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Province(NaturalKeyModel):
    """A province or territory, by its two-letter postal abbreviation."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=80)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="provinces",
        verbose_name=_("CSC region"),
    )

    natural_key_field = "code"

    class Meta:
        ordering = ["name"]
        verbose_name = _("province or territory")
        verbose_name_plural = _("provinces and territories")

    def __str__(self):
        return self.name


class FacilityKind(models.TextChoices):
    INSTITUTION = "institution", _("Institution")
    PAROLE_OFFICE = "parole-office", _("Parole office")
    COMMUNITY_CORRECTIONAL_CENTRE = "ccc", _("Community correctional centre")
    REGIONAL_HEADQUARTERS = "rhq", _("Regional headquarters")
    NATIONAL_HEADQUARTERS = "nhq", _("National headquarters")


class SecurityLevel(models.TextChoices):
    MINIMUM = "minimum", _("Minimum security")
    MEDIUM = "medium", _("Medium security")
    MAXIMUM = "maximum", _("Maximum security")
    MULTI_LEVEL = "multi-level", _("Multi-level security")


class Facility(NaturalKeyModel):
    """A CSC workplace: an institution, parole office, community correctional centre or office."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("type"), max_length=20, choices=FacilityKind.choices)
    security_level = models.CharField(
        _("security level"),
        max_length=20,
        choices=SecurityLevel.choices,
        blank=True,
        help_text=_("Institutions only."),
    )
    city = models.CharField(_("city"), max_length=80)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("province or territory"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("CSC region")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=FacilityKind.INSTITUTION) | models.Q(security_level=""),
                name="security_level_only_for_institutions",
                violation_error_message=_("Only institutions have a security level."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"
