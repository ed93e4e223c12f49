"""The posting page: its HR contact, and paragraphs as HR typed them in the admin."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import JobPostingFactory, OccupationFactory

pytestmark = pytest.mark.django_db


def test_the_posting_page_names_its_hr_contact(client):
    posting = JobPostingFactory(
        hr_contact_name="Priya Natarajan",
        hr_contact_email="staffing.ontario@example.com",
        hr_contact_phone="613-555-0130",
    )

    content = client.get(posting.get_absolute_url()).content.decode()

    assert "Priya Natarajan" in content
    assert (
        '<a href="mailto:staffing.ontario@example.com">staffing.ontario@example.com</a>' in content
    )
    assert '<a href="tel:+1-613-555-0130">613-555-0130</a>' in content


def test_a_posting_without_its_hr_contact_cannot_be_published():
    for missing in ({"hr_contact_name": ""}, {"hr_contact_email": " "}):
        posting = JobPostingFactory(published_at=None, **missing)

        with pytest.raises(ValidationError, match="the name and e-mail address of its HR contact"):
            posting.publish()
        posting.refresh_from_db()
        assert posting.published_at is None


# What a browser sends from a textarea: every line ends with "\r\n".
TYPED = "The first paragraph.\r\n\r\nThe second,\r\non two lines.\r\n  \r\nThe third."


def test_paragraphs_typed_in_the_admin_stay_paragraphs_on_the_posting(client):
    posting = JobPostingFactory(
        work_description=TYPED, intent_of_process=TYPED, other_information=TYPED
    )

    content = client.get(posting.get_absolute_url()).content.decode()

    assert posting.work_description_paragraphs == [
        "The first paragraph.",
        "The second,\non two lines.",
        "The third.",
    ]
    assert "<p>The first paragraph.</p><p>The second," in content.replace("\n", "")
    # The intent of the process and other information: paragraphs, and the line kept as a line.
    assert content.count("<p>The first paragraph.</p>") == 3
    assert content.count("<p>The second,<br>on two lines.</p>") == 2
    assert content.count("<p>The third.</p>") == 3  # after a line of spaces: a blank line too


def test_paragraphs_typed_in_the_admin_stay_paragraphs_on_the_occupation(client):
    occupation = OccupationFactory(overview="An overview.\r\n\r\nA second paragraph.")
    occupation.sections.create(heading="Challenges", body="Long hours.\r\n\r\nShift work.")

    content = client.get(occupation.get_absolute_url()).content.decode()

    assert "<p>An overview.</p>" in content
    assert "<p>A second paragraph.</p>" in content
    assert "<p>Long hours.</p>" in content and "<p>Shift work.</p>" in content
