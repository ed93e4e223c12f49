"""HR's side of the positions app: the catalogue, the places and the job postings.

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
    JobPostingAdmin,
    PostingEventAdmin,
    PostingEventInline,
    PostingStateFilter,
)

__all__ = [
    "CareerStreamAdmin",
    "DutyListAdmin",
    "FacilityAdmin",
    "JobAlertAdmin",
    "JobPostingAdmin",
    "OccupationAdmin",
    "PostingEventAdmin",
    "PostingEventInline",
    "PostingStateFilter",
    "ProgramAreaAdmin",
    "ProvinceAdmin",
    "RegionAdmin",
    "StrategicPriorityAdmin",
    "WorkEnvironmentAdmin",
]
