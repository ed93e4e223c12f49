"""Factories for test data."""

import factory

from positions.models import (
    CareerStream,
    Duty,
    DutyList,
    Occupation,
    Requirement,
    RequirementKind,
    Specialization,
    WorkEnvironment,
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
