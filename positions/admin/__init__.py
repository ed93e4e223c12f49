"""HR's side of the positions app: the catalogue, the places, the job postings and their
assessment plans.

Importing the package registers every model admin; the names below stay importable from
positions.admin.
"""

from positions.admin.alerts import JobAlertAdmin
from positions.admin.catalogue import (
    CareerStreamAdmin,
    DutyListAdmin,
    OccupationAdmin,
    ProgramAreaAdmin,
    StrategicPriorityAdmin,
    WorkEnvironmentAdmin,
)
from positions.admin.places import FacilityAdmin, ProvinceAdmin, RegionAdmin
from positions.admin.postings import (
    AssessmentStepInline,
    JobPostingAdmin,
    PlanChangeAdmin,
    PlanChangeInline,
    PostingEventAdmin,
    PostingEventInline,
    PostingStateFilter,
)

__all__ = [
    "AssessmentStepInline",
    "CareerStreamAdmin",
    "DutyListAdmin",
    "FacilityAdmin",
    "JobAlertAdmin",
    "JobPostingAdmin",
    "OccupationAdmin",
    "PlanChangeAdmin",
    "PlanChangeInline",
    "PostingEventAdmin",
    "PostingEventInline",
    "PostingStateFilter",
    "ProgramAreaAdmin",
    "ProvinceAdmin",
    "RegionAdmin",
    "StrategicPriorityAdmin",
    "WorkEnvironmentAdmin",
]
