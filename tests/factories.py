"""Factories for test data."""

import datetime

import factory
from django.utils import timezone

from positions.models import (
    CareerStream,
    ClassificationGroup,
    Duty,
    DutyList,
    Facility,
    FacilityKind,
    JobPosting,
    LanguageRequirement,
    Occupation,
    Province,
    QualificationKind,
    Region,
    Requirement,
    RequirementKind,
    SecurityClearance,
    Specialization,
    Tenure,
    WorkEnvironment,
    posting_today,
)


class CareerStreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerStream
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"stream-{n}")
    name = factory.Sequence(lambda n: f"Stream {n}")
    summary = "Work with offenders and the teams around them."


class WorkEnvironmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkEnvironment
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"environment-{n}")
    name = factory.Sequence(lambda n: f"Environment {n}")


class OccupationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occupation
        skip_postgeneration_save = True

    stream = factory.SubFactory(CareerStreamFactory)
    slug = factory.Sequence(lambda n: f"occupation-{n}")
    title = factory.Sequence(lambda n: f"Occupation {n}")
    summary = "Supervises and supports people in custody."
    overview = "First paragraph.\n\nSecond paragraph."

    @factory.post_generation
    def work_environments(self, create, extracted, **kwargs):
        if create and extracted:
            self.work_environments.set(extracted)


class SpecializationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialization

    occupation = factory.SubFactory(OccupationFactory)
    name = factory.Sequence(lambda n: f"Specialization {n}")


class DutyListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyList

    occupation = factory.SubFactory(OccupationFactory)
    introduction = "As an employee, you will:"


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    duty_list = factory.SubFactory(DutyListFactory)
    text = factory.Sequence(lambda n: f"duty number {n}")
    order = factory.Sequence(int)


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    occupation = factory.SubFactory(OccupationFactory)
    kind = RequirementKind.SECONDARY_EDUCATION
    text = "A high school diploma or equivalent."


def make_full_occupation(**kwargs) -> Occupation:
    """Create an occupation with everything its page shows: lists, sub-items, requirements."""
    occupation = OccupationFactory(**kwargs)
    environment = WorkEnvironmentFactory()
    occupation.work_environments.add(environment)
    specialization = SpecializationFactory(occupation=occupation)
    for owner in (None, specialization):
        duty_list = DutyListFactory(occupation=occupation, specialization=owner)
        parent = DutyFactory(duty_list=duty_list)
        DutyFactory.create_batch(2, duty_list=duty_list, parent=parent)
        DutyFactory(duty_list=duty_list)
    RequirementFactory(occupation=occupation)
    RequirementFactory(occupation=occupation, kind=RequirementKind.LICENCE_CERTIFICATE)
    occupation.sections.create(heading="Challenges", body="Long hours.", items="one\ntwo")
    occupation.videos.create(title="Meet someone")
    occupation.alternative_titles.create(title="Another title")
    return occupation


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ["code"]

    code = "ON"
    name = "Ontario"
    region = factory.SubFactory(RegionFactory, slug="ontario", name="Ontario")


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    slug = factory.Sequence(lambda n: f"facility-{n}")
    name = factory.Sequence(lambda n: f"Facility {n}")
    kind = FacilityKind.PAROLE_OFFICE
    city = "Kingston"
    province = factory.SubFactory(ProvinceFactory)
    region = factory.SelfAttribute("province.region")


class JobPostingFactory(factory.django.DjangoModelFactory):
    """An open, published posting with one location and one essential qualification."""

    class Meta:
        model = JobPosting
        skip_postgeneration_save = True

    occupation = factory.SubFactory(OccupationFactory)
    title = factory.Sequence(lambda n: f"Posting {n}")
    title_fr = factory.LazyAttribute(lambda posting: f"{posting.title} (FR)")
    reference_number = factory.Sequence(lambda n: f"CSC-26-TEST-{n:04d}")
    selection_process_number = factory.Sequence(lambda n: f"26-PEN-EA-ONT-{n:04d}")
    classification_group = ClassificationGroup.WP
    classification_level = "04"
    tenure = Tenure.INDETERMINATE
    salary_min = 80_000
    salary_max = 97_000
    language_requirement = LanguageRequirement.ENGLISH_ESSENTIAL
    security_clearance = SecurityClearance.RELIABILITY
    open_date = factory.LazyFunction(lambda: posting_today() - datetime.timedelta(days=3))
    closing_date = factory.LazyFunction(lambda: posting_today() + datetime.timedelta(days=20))
    work_description = "Supervise a caseload of offenders in the community."
    work_description_fr = "Surveiller un groupe de délinquants dans la collectivité."
    hr_contact_name = "Alex Martin"
    hr_contact_email = "staffing.ontario@example.com"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create:
            self.locations.set(extracted if extracted is not None else [FacilityFactory()])

    @factory.post_generation
    def qualifications(self, create, extracted, **kwargs):
        if create and extracted is None:
            self.qualifications.create(
                kind=QualificationKind.EDUCATION,
                text_en="A degree in social sciences.",
                text_fr="Un diplôme en sciences sociales.",
            )

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        if create:
            self.update_search_documents()
