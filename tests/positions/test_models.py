from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from positions.models import Occupation, RequirementKind
from tests.factories import (
    DutyFactory,
    DutyListFactory,
    OccupationFactory,
    RequirementFactory,
)

pytestmark = pytest.mark.django_db


def png_upload(width=2000, height=1000, name="photo.png"):
    buffer = BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_duty_tree_nests_sub_items_under_their_parent_in_order():
    duty_list = DutyListFactory()
    meet = DutyFactory(duty_list=duty_list, text="meet regularly with offenders", order=1)
    DutyFactory(duty_list=duty_list, parent=meet, text="interview", order=2)
    DutyFactory(duty_list=duty_list, parent=meet, text="observe", order=3)
    DutyFactory(duty_list=duty_list, text="supervise compliance", order=4)

    tree = duty_list.duty_tree()

    assert [(duty.text, [c.text for c in children]) for duty, children in tree] == [
        ("meet regularly with offenders", ["interview", "observe"]),
        ("supervise compliance", []),
    ]


def test_requirements_are_grouped_in_the_order_of_their_kinds():
    occupation = OccupationFactory()
    RequirementFactory(occupation=occupation, kind=RequirementKind.SECURITY_CHECK, text="check")
    RequirementFactory(
        occupation=occupation, kind=RequirementKind.SECONDARY_EDUCATION, text="diploma"
    )

    groups = occupation.requirements_by_kind()

    assert [(str(label), [r.text for r in items]) for label, items in groups] == [
        ("Secondary education", ["diploma"]),
        ("Security and background check", ["check"]),
    ]


def test_search_matches_titles_and_duties_but_not_unrelated_occupations():
    parole = OccupationFactory(title="Parole officer")
    teacher = OccupationFactory(title="Teacher")
    DutyFactory(duty_list=DutyListFactory(occupation=teacher), text="develop lesson plans")
    OccupationFactory(title="Cook")

    assert set(Occupation.objects.search("parole")) == {parole}
    assert set(Occupation.objects.search("LESSON")) == {teacher}


def test_without_post_secondary_requirement_ignores_optional_degrees():
    teacher = OccupationFactory(title="Teacher")
    RequirementFactory(occupation=teacher, kind=RequirementKind.POST_SECONDARY_EDUCATION)
    officer = OccupationFactory(title="Correctional officer")
    RequirementFactory(
        occupation=officer, kind=RequirementKind.POST_SECONDARY_EDUCATION, mandatory=False
    )

    assert set(Occupation.objects.without_post_secondary_requirement()) == {officer}


def test_overview_paragraphs_split_on_blank_lines():
    occupation = OccupationFactory(overview="One.\n\n  Two.  \n\n\n")
    assert occupation.overview_paragraphs == ["One.", "Two."]


def test_an_uploaded_image_gets_a_resized_rendition(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    occupation = OccupationFactory(image=png_upload())

    occupation.refresh_from_db()
    with Image.open(occupation.image_rendition.path) as rendition:
        assert rendition.format == "JPEG"
        assert rendition.size == (settings.OCCUPATION_IMAGE_RENDITION_WIDTH, 480)


@override_settings(OCCUPATION_IMAGE_MAX_BYTES=100)
def test_an_oversized_image_is_refused_with_a_clear_message():
    occupation = OccupationFactory.build(image=png_upload())
    with pytest.raises(ValidationError) as raised:
        occupation.full_clean(exclude=["stream"])
    assert "the largest accepted is 100" in str(raised.value)


def test_a_file_that_is_not_an_image_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    occupation = OccupationFactory.build(
        image=SimpleUploadedFile("photo.png", b"MZ not really an image", content_type="image/png")
    )
    with pytest.raises(ValidationError) as raised:
        occupation.full_clean(exclude=["stream"])
    assert "image" in raised.value.message_dict


def test_str_and_urls():
    occupation = OccupationFactory(title="Teacher", slug="teacher")
    assert str(occupation) == "Teacher"
    assert occupation.get_absolute_url() == "/en/occupations/teacher/"
    assert occupation.stream.get_absolute_url() == (
        f"/en/occupations/?stream={occupation.stream.slug}"
    )
