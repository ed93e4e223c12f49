"""Validators for the positions app."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


def validate_image_size(image):
    """Refuse images larger than OCCUPATION_IMAGE_MAX_BYTES."""
    limit = settings.OCCUPATION_IMAGE_MAX_BYTES
    if image.size > limit:
        raise ValidationError(
            _("The image is %(size)s; the largest accepted is %(limit)s."),
            code="image_too_large",
            params={"size": filesizeformat(image.size), "limit": filesizeformat(limit)},
        )
