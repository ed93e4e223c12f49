"""The places fixture and the demo postings that load_demo_postings creates from it."""

import json
import re
from io import StringIO

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import CommandError, call_command

from applications.models import Application
from csc_careers.telephone import normalize_telephone
from positions.models import (
    Facility,
    FacilityKind,
    JobPosting,
    Occupation,
    Province,
    Qualification,
    Region,
    ScreeningQuestion,
)
from tests.conftest import PLACES_FIXTURE as PLACES
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

DEMO = ROOT / "fixtures" / "demo_postings.json"


@pytest.fixture
def places(catalogue):
    call_command("loaddata", PLACES, verbosity=0)


@pytest.fixture
def demo(places):
    out = StringIO()
    call_command("load_demo_postings", stdout=out)
    return out.getvalue()


def load(**options):
    out = StringIO()
    call_command("load_demo_postings", stdout=out, **options)
    return out.getvalue()


def test_places_fixture_loads_regions_provinces_and_facilities(places):
    assert set(Region.objects.values_list("slug", flat=True)) == {
        "atlantic",
        "quebec",
        "ontario",
        "prairies",
        "pacific",
        "national-headquarters",
    }
    assert Province.objects.count() == 13
    assert Facility.objects.count() > 50
    for model in (Region, Province, Facility):
        assert not model.objects.filter(name_en="").exists()
        assert not model.objects.filter(name_fr__isnull=True).exists()
    assert Facility.objects.get(slug="millhaven-institution").name_fr == (
        "Établissement de Millhaven"
    )


def test_provinces_and_territories_belong_to_their_csc_region(places):
    regions = dict(Province.objects.values_list("code", "region__slug"))
    assert regions == {
        **dict.fromkeys(["NL", "NS", "NB", "PE"], "atlantic"),
        "QC": "quebec",
        **dict.fromkeys(["ON", "NU"], "ontario"),
        **dict.fromkeys(["MB", "SK", "AB", "NT"], "prairies"),
        **dict.fromkeys(["BC", "YT"], "pacific"),
    }


def test_every_region_has_an_institution_and_a_regional_headquarters(places):
    for region in Region.objects.exclude(slug="national-headquarters"):
        kinds = set(region.facilities.values_list("kind", flat=True))
        assert {FacilityKind.INSTITUTION, FacilityKind.REGIONAL_HEADQUARTERS} <= kinds, region
        assert FacilityKind.PAROLE_OFFICE in kinds, region
    nhq = Region.objects.get(slug="national-headquarters")
    assert list(nhq.facilities.values_list("kind", "city")) == [("nhq", "Ottawa")]


def test_only_institutions_have_a_security_level(places):
    institutions = Facility.objects.filter(kind=FacilityKind.INSTITUTION)
    assert not institutions.filter(security_level="").exists()
    assert set(
        Facility.objects.exclude(kind=FacilityKind.INSTITUTION).values_list(
            "security_level", flat=True
        )
    ) == {""}


def test_facilities_outside_headquarters_are_in_their_provinces_region(places):
    for facility in Facility.objects.exclude(kind=FacilityKind.NATIONAL_HEADQUARTERS):
        assert facility.region_id == facility.province.region_id, facility


def test_demo_command_loads_open_scheduled_and_closed_postings(demo):
    total = JobPosting.objects.count()
    assert total >= 32
    assert demo.strip() == (
        f"Loaded {total} demo postings: {JobPosting.objects.open().count()} open, "
        "2 scheduled, 2 closed."
    )
    assert JobPosting.objects.open().count() >= 30
    assert JobPosting.objects.scheduled().count() == 2
    assert JobPosting.objects.closed().count() == 2


def test_every_occupation_and_region_has_a_demo_posting(demo):
    for occupation in Occupation.objects.all():
        assert occupation.postings.exists(), occupation
    for region in Region.objects.all():
        assert JobPosting.objects.open().filter(locations__region=region).exists(), region


def test_demo_postings_are_complete_and_valid(demo):
    for posting in JobPosting.objects.all():
        posting.full_clean()
        assert posting.title_fr, posting
        assert posting.publication_problems() == [], posting
        assert posting.screening_questions.exists(), posting
        for question in posting.screening_questions.all():
            question.full_clean()


def test_every_demo_posting_names_the_hr_contact_of_its_region(demo):
    contacts = {}
    for entry in json.loads(DEMO.read_text(encoding="utf-8")):
        posting = JobPosting.objects.get(reference_number=entry["reference_number"])
        region = Facility.objects.get(slug=entry["locations"][0]).region.slug
        contacts.setdefault(region, set()).add(
            (posting.hr_contact_name, posting.hr_contact_email, posting.hr_contact_phone)
        )
    assert set(contacts) == set(Region.objects.values_list("slug", flat=True))
    for region, found in contacts.items():
        [(name, email, phone)] = found  # one staffing contact per region
        assert name and email.endswith("@example.com"), region
        # The fictional range, already in the form the site stores.
        assert re.fullmatch(r"\d{3}-555-01\d\d", phone), region
        assert normalize_telephone(phone) == phone


def test_a_demo_posting_may_name_its_own_contact(places, tmp_path):
    path = bad_fixture(
        tmp_path,
        lambda p: p.update(hr_contact_name="Sam Roy", hr_contact_email="sam.roy@example.com"),
    )

    load(file=str(path))

    reference = json.loads(path.read_text())[1]["reference_number"]
    posting = JobPosting.objects.get(reference_number=reference)
    assert (posting.hr_contact_name, posting.hr_contact_email) == ("Sam Roy", "sam.roy@example.com")


def test_demo_applications_load_with_valid_telephone_numbers(demo, settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("load_demo_applications", stdout=out)

    phones = list(Application.objects.values_list("phone", flat=True))
    assert len(phones) == 24, out.getvalue()
    for phone in phones:
        assert normalize_telephone(phone) == phone
        assert re.fullmatch(r"613-555-01\d\d", phone)


def test_running_the_command_twice_updates_in_place(demo):
    def counts():
        return (
            JobPosting.objects.count(),
            Qualification.objects.count(),
            JobPosting.locations.through.objects.count(),
            set(ScreeningQuestion.objects.values_list("pk", flat=True)),
        )

    before = counts()
    assert load() == demo
    assert counts() == before


def test_running_the_command_again_reopens_a_posting_closed_early(demo):
    posting = JobPosting.objects.open().first()
    posting.close_now()

    load()

    assert JobPosting.objects.open().filter(pk=posting.pk).exists()


def test_demo_postings_have_full_text_documents(demo):
    assert not JobPosting.objects.filter(search_en__isnull=True).exists()
    assert not JobPosting.objects.filter(search_fr__isnull=True).exists()
    parole_in_ontario = (
        JobPosting.objects.open()
        .filter(search_en=SearchQuery("parole", config="english"))
        .filter(locations__region__slug="ontario")
        .distinct()
    )
    assert parole_in_ontario.count() >= 3


def test_demo_postings_are_found_by_their_towns_and_classifications(demo, client):
    def open_references(**lookups):
        found = JobPosting.objects.open().filter(**lookups).distinct()
        return set(found.values_list("reference_number", flat=True))

    expected = {
        "Kingston": open_references(locations__city_en="Kingston"),
        "Montréal": open_references(locations__city_en="Montréal"),
        "montreal": open_references(locations__city_en="Montréal"),
        "CX": open_references(classification_group="CX"),
        "cx 01": open_references(classification_group="CX", classification_level="01"),
    }
    for language in ("en", "fr"):
        for keyword, references in expected.items():
            response = client.get(f"/{language}/postings/", {"q": keyword, "page": "1"})
            found = {posting.reference_number for posting in response.context["postings"]}
            assert references and found == references, (language, keyword)


def bad_fixture(tmp_path, change):
    postings = json.loads(DEMO.read_text(encoding="utf-8"))[:2]
    change(postings[1])
    path = tmp_path / "postings.json"
    path.write_text(json.dumps(postings), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p.update(locations=["nowhere-institution"]),
            "no facility 'nowhere-institution'",
        ),
        (lambda p: p.update(occupation="astronaut"), "no occupation 'astronaut'"),
        (lambda p: p.update(salary_min=p["salary_max"] + 1), "minimum salary"),
        (lambda p: p.update(tenure="term", term_months=None), "term_months"),
        (lambda p: p.pop("closes_in_days"), "missing field 'closes_in_days'"),
        (lambda p: p.update(qualifications=[]), "essential qualification"),
    ],
)
def test_a_bad_posting_is_a_command_error_naming_it(places, tmp_path, change, message):
    path = bad_fixture(tmp_path, change)
    reference = json.loads(path.read_text())[1]["reference_number"]

    with pytest.raises(CommandError, match=reference) as error:
        load(file=str(path))

    assert message in str(error.value)
    assert not JobPosting.objects.exists()


def test_an_unreadable_file_is_a_command_error(places, tmp_path):
    path = tmp_path / "postings.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError, match="Cannot read demo postings"):
        load(file=str(path))
    with pytest.raises(CommandError, match="Cannot read demo postings"):
        load(file=str(tmp_path / "missing.json"))
