"""Telephone numbers: North American with the area code, or international, stored in one form."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from csc_careers.telephone import normalize_telephone, telephone_uri, validate_telephone

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("613-555-0142", "613-555-0142"),
        ("6135550142", "613-555-0142"),
        ("1 (613) 555-0142", "613-555-0142"),
        ("+1 204 555 0199", "204-555-0199"),
        ("212-555-0100", "212-555-0100"),  # the United States too
        ("613-555-0142 x 7", "613-555-0142 ext. 7"),
        ("613 555-0142, poste 123", "613-555-0142 ext. 123"),
        ("+44 (0)20 7946 0958", "+44 20 7946 0958"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
        ("011 44 20 7946 0958", "+44 20 7946 0958"),  # dialled from Canada
        ("+61 491 570 156 ext 5", "+61 491 570 156 ext. 5"),
    ],
)
def test_a_dialable_number_is_stored_in_one_form(typed, stored):
    assert normalize_telephone(typed) == stored
    assert normalize_telephone(stored) == stored
    validate_telephone(stored)


@pytest.mark.parametrize(
    "typed",
    ["12", "555-0142", "613-555-014", "613-555-01423", "020 7946 0958", "+44 12", "+", "n/a", ""],
)
def test_a_number_without_area_code_or_country_is_refused_with_what_to_write(typed):
    with pytest.raises(ValidationError) as refused:
        normalize_telephone(typed)

    [message] = refused.value.messages
    assert "with its area code, e.g. 613-555-0142" in message
    assert "start with + and the country code" in message


def test_a_number_stored_in_another_form_is_refused_by_the_model_validator():
    validate_telephone("")  # optional fields may stay empty
    with pytest.raises(ValidationError):
        validate_telephone("(613) 555-0142")


def test_a_tel_link_dials_the_number_from_anywhere():
    assert telephone_uri("613-555-0142 ext. 12") == "tel:+1-613-555-0142;ext=12"
    assert telephone_uri("+44 20 7946 0958") == "tel:+44-20-7946-0958"
    assert telephone_uri("") == ""


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("bench/load_test.py", r'"phone": "([^"]+)"'),
        ("tests/applications/factories.py", r'phone = "([^"]+)"'),
        ("tests/browser/test_keyboard.py", r'"#id_phone", "([^"]+)"'),
    ],
)
def test_the_numbers_the_load_test_and_the_tests_send_are_accepted(path, pattern):
    numbers = re.findall(pattern, (ROOT / path).read_text(encoding="utf-8"))

    assert numbers, path
    for number in numbers:
        assert normalize_telephone(number) == number
