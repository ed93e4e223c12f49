"""Telephone numbers: North American with the area code, or any country's in international form.

A number is stored in one form, so that the same number is always written the same way:
- North American numbers (Canada, the United States and the rest of the +1 plan) as Canadians
  write them and as Canada.ca does, 613-555-0142: what HR dials from Canada, and a text that
  spreadsheets keep as text (a leading "+" is a formula to them, see applications/exports.py);
- numbers elsewhere in international form with their country code, +44 20 7946 0958, which is
  the only way to dial them from Canada.
An extension follows as " ext. 123".
"""

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# How the numbers of the North American plan are read when no country code is typed.
DEFAULT_REGION = "CA"
NORTH_AMERICA = 1
MAX_LENGTH = 30
FRENCH_EXTENSION = re.compile(r"\bposte\b", re.IGNORECASE)

INVALID = _(
    "Enter a telephone number with its area code, e.g. 613-555-0142. Outside Canada and the "
    "United States, start with + and the country code, e.g. +44 20 7946 0958."
)


def normalize_telephone(value: str) -> str:
    """Return the number in its stored form, or raise ValidationError if it cannot be dialled."""
    # "poste 123" is how French writes an extension; the library reads only "ext." and "x".
    value = FRENCH_EXTENSION.sub(" ext. ", value)
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID, code="invalid_telephone")
    extension, number.extension = number.extension, None
    if number.country_code == NORTH_AMERICA:
        digits = phonenumbers.national_significant_number(number)
        written = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    else:
        written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if extension:
        written = f"{written} ext. {extension}"
    if len(written) > MAX_LENGTH:
        raise ValidationError(INVALID, code="invalid_telephone")
    return written


def validate_telephone(value: str) -> None:
    """Refuse a number that is not in its stored form (the form fields normalize it first)."""
    if value and normalize_telephone(value) != value:
        raise ValidationError(INVALID, code="invalid_telephone")


def telephone_uri(value: str) -> str:
    """Return a stored number as a tel: link (RFC 3966), or "" if there is none to dial."""
    try:
        number = phonenumbers.parse(FRENCH_EXTENSION.sub(" ext. ", value or ""), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


class TelephoneField(forms.CharField):
    """A text input for a telephone number; its cleaned value is the number's stored form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)  # what people type, with spaces and brackets
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return normalize_telephone(value)
