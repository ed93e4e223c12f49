"""The pre-employment steps on the application's page (the workspace), and the list's filter.

What HR reads and records of CSC's pre-employment steps. Health results (psychological and
medical) reach only holders of `view_health_results`: without it, the page says they are
restricted, offers no form, and the list's filter offers no health step and refuses one asked
for in the address (400).
"""

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from applications.assessment import PRE_EMPLOYMENT_STAGES, pre_employment_steps
from applications.forms import PreEmploymentResultForm
from applications.models import (
    Application,
    PreEmploymentOutcome,
    PreEmploymentResult,
)
from applications.pre_employment import (
    READ_PERMISSION,
    RECORD_PERMISSION,
    may_read_health_results,
    may_read_step,
    results_in_force,
)
from positions.models import HEALTH_KINDS, PRE_EMPLOYMENT_KINDS, AssessmentStep, StepKind


@dataclass
class PreEmploymentRow:
    """One pre-employment step of the plan as the workspace shows it to this person."""

    step: AssessmentStep
    restricted: bool  # a health step this person may not read: nothing else is shown
    result: PreEmploymentResult | None
    form: PreEmploymentResultForm | None
    url: str
    # This person records results, but the candidate is not at the pre-employment steps yet
    # (or any more): the page says when results are recorded.
    not_now: bool = False


def pre_employment_section(
    request, application: Application, *, bound: dict, url_of
) -> list[PreEmploymentRow]:
    """The rows of the "Pre-employment steps" section ([]: no such step, or not this reader's).

    Reads the prefetched plan and pre_employment_results; `url_of(step)` is the address its form
    is sent to; `bound` holds refused forms by ("pre-employment", step id).
    """
    user = request.user
    steps = pre_employment_steps(application.posting.assessment_steps.all())
    if not steps or not user.has_perm(READ_PERMISSION):
        return []
    in_force = results_in_force(application, user)
    records = user.has_perm(RECORD_PERMISSION)
    may_record = records and application.stage in PRE_EMPLOYMENT_STAGES
    rows = []
    for step in steps:
        if not may_read_step(user, step):
            rows.append(
                PreEmploymentRow(step=step, restricted=True, result=None, form=None, url="")
            )
            continue
        result = in_force.get(step.pk)
        form = None
        if may_record:
            form = bound.get(("pre-employment", step.pk)) or PreEmploymentResultForm(
                step=step, initial=PreEmploymentResultForm.initial_from(result)
            )
        rows.append(
            PreEmploymentRow(
                step=step,
                restricted=False,
                result=result,
                form=form,
                url=url_of(step),
                not_now=records and not may_record,
            )
        )
    return rows


def results_prefetch_queryset(user):
    """The pre-employment results the workspace may prefetch for this person (none of the
    health ones without the permission: they never reach the page's memory)."""
    queryset = PreEmploymentResult.objects.select_related("recorded_by")
    if not may_read_health_results(user):
        queryset = queryset.exclude(step__kind__in=HEALTH_KINDS)
    return queryset


class PreEmploymentFilter(admin.SimpleListFilter):
    """Candidates by the result in force at a kind of pre-employment step ("Medical: passed").

    Health kinds are offered, and applied, only to holders of view_health_results: asked for in
    the address by anyone else, the lookup is refused (400), like equity's.
    """

    title = _("pre-employment result")
    parameter_name = "pre_employment"
    SEPARATOR = ":"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.value() and self.chosen() is None:
            # Refused, not ignored: a list that quietly ignored it would look filtered.
            raise DisallowedModelAdminLookup(f"Filtering by {self.parameter_name} not allowed")

    @staticmethod
    def readable_kinds(request) -> list[StepKind]:
        if not request.user.has_perm(READ_PERMISSION):
            return []
        health = may_read_health_results(request.user)
        return [
            kind
            for kind in StepKind
            if kind in PRE_EMPLOYMENT_KINDS and (health or kind not in HEALTH_KINDS)
        ]

    def chosen(self) -> tuple[str, str] | None:
        """The kind and outcome asked for, when this person may filter by them."""
        kind, _separator, outcome = (self.value() or "").partition(self.SEPARATOR)
        if kind in self.kinds and outcome in PreEmploymentOutcome.values:
            return kind, outcome
        return None

    def lookups(self, request, model_admin):
        self.kinds = self.readable_kinds(request)
        return [
            (
                f"{kind.value}{self.SEPARATOR}{outcome.value}",
                _("%(step)s: %(outcome)s") % {"step": kind.label, "outcome": outcome.label},
            )
            for kind in self.kinds
            for outcome in PreEmploymentOutcome
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        kind, outcome = self.chosen()
        newer = PreEmploymentResult.objects.filter(
            Q(recorded_at__gt=OuterRef("recorded_at"))
            | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk")),
            application=OuterRef("application"),
            step=OuterRef("step"),
        )
        in_force = PreEmploymentResult.objects.filter(
            application=OuterRef("pk"), step__kind=kind, outcome=outcome
        ).exclude(Exists(newer))
        return queryset.filter(Exists(in_force))
