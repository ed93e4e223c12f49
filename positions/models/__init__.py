"""Models of the positions app: the occupation catalogue, places and job postings."""

from positions.models.catalogue import (
    AlternativeTitle,
    CareerStream,
    Duty,
    DutyList,
    Occupation,
    OccupationSection,
    ProgramArea,
    Requirement,
    RequirementKind,
    Specialization,
    StrategicPriority,
    Video,
    WorkEnvironment,
)

__all__ = [
    "AlternativeTitle",
    "CareerStream",
    "Duty",
    "DutyList",
    "Occupation",
    "OccupationSection",
    "ProgramArea",
    "Requirement",
    "RequirementKind",
    "Specialization",
    "StrategicPriority",
    "Video",
    "WorkEnvironment",
]
from positions.models.places import Facility, FacilityKind, Province, Region, SecurityLevel
from positions.models.postings import (
    ClassificationGroup,
    Eligibility,
    JobPosting,
    LanguageRequirement,
    PostingState,
    Qualification,
    QualificationKind,
    QuestionKind,
    ScreeningQuestion,
    SecurityClearance,
    Tenure,
    posting_today,
)
from positions.models.search import SearchWord

__all__ += [
    "ClassificationGroup",
    "Eligibility",
    "Facility",
    "FacilityKind",
    "JobPosting",
    "LanguageRequirement",
    "PostingState",
    "Province",
    "Qualification",
    "QualificationKind",
    "QuestionKind",
    "Region",
    "ScreeningQuestion",
    "SearchWord",
    "SecurityClearance",
    "SecurityLevel",
    "Tenure",
    "posting_today",
]
