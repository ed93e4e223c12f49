"""Fields with an English and a French text (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from positions.models import (
    AlternativeTitle,
    AssessmentStep,
    CareerStream,
    Duty,
    DutyList,
    Facility,
    JobPosting,
    Occupation,
    OccupationSection,
    ProgramArea,
    Province,
    Qualification,
    Region,
    Requirement,
    ScreeningQuestion,
    Specialization,
    StrategicPriority,
    Video,
    WorkEnvironment,
)


@register(CareerStream)
class CareerStreamTranslation(TranslationOptions):
    fields = ("name", "summary")


@register(WorkEnvironment)
class WorkEnvironmentTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Occupation)
class OccupationTranslation(TranslationOptions):
    fields = ("title", "summary", "overview", "schedule", "career_path", "image_alt")


@register(AlternativeTitle)
class AlternativeTitleTranslation(TranslationOptions):
    fields = ("title",)


@register(Specialization)
class SpecializationTranslation(TranslationOptions):
    fields = ("name", "description")


@register(DutyList)
class DutyListTranslation(TranslationOptions):
    fields = ("heading", "introduction")


@register(Duty)
class DutyTranslation(TranslationOptions):
    fields = ("text",)


@register(Requirement)
class RequirementTranslation(TranslationOptions):
    fields = ("text",)


@register(OccupationSection)
class OccupationSectionTranslation(TranslationOptions):
    fields = ("heading", "body", "items")


@register(Video)
class VideoTranslation(TranslationOptions):
    fields = ("title",)


@register(StrategicPriority)
class StrategicPriorityTranslation(TranslationOptions):
    fields = ("text",)


@register(ProgramArea)
class ProgramAreaTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Region)
class RegionTranslation(TranslationOptions):
    fields = ("name",)


@register(Province)
class ProvinceTranslation(TranslationOptions):
    fields = ("name",)


@register(Facility)
class FacilityTranslation(TranslationOptions):
    fields = ("name", "city")


@register(JobPosting)
class JobPostingTranslation(TranslationOptions):
    fields = (
        "title",
        "area_of_selection",
        "work_description",
        "operational_requirements",
        "conditions_of_employment",
        "intent_of_process",
        "other_information",
    )


@register(Qualification)
class QualificationTranslation(TranslationOptions):
    fields = ("text", "not_met_reason")


@register(AssessmentStep)
class AssessmentStepTranslation(TranslationOptions):
    fields = ("name",)


@register(ScreeningQuestion)
class ScreeningQuestionTranslation(TranslationOptions):
    fields = ("text", "choices")
