"""Validators for the positions app."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image


def validate_image_size(image):
    """Refuse images larger than OCCUPATION_IMAGE_MAX_BYTES."""
    limit = settings.OCCUPATION_IMAGE_MAX_BYTES
    if image.size > limit:
        raise ValidationError(
            _("The image is %(size)s; the largest accepted is %(limit)s."),
            code="image_too_large",
            params={"size": filesizeformat(image.size), "limit": filesizeformat(limit)},
        )


ACCEPTED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_image_content(image):
    """Refuse files that Pillow cannot read as a JPEG, PNG or WebP image, whatever their name."""
    try:
        image.seek(0)
        with Image.open(image) as picture:
            picture_format = picture.format
            picture.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("This file is not a readable image. Upload a JPEG, PNG or WebP picture."),
            code="invalid_image",
        ) from error
    finally:
        image.seek(0)
    if picture_format not in ACCEPTED_IMAGE_FORMATS:
        raise ValidationError(
            _("Images must be JPEG, PNG or WebP; this one is %(format)s."),
            code="invalid_image_format",
            params={"format": picture_format},
        )
