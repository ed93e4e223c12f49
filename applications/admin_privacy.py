"""The admin's guard on list filters: no lookup in an address may reach equity declarations or
pre-employment results (which hold health results) for someone who may not read them."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP

from applications.models import EquityDeclaration, PreEmploymentResult
from applications.pre_employment import may_read_health_results


def lookup_reaches(model, lookup: str, target=EquityDeclaration) -> bool:
    """Return whether a lookup such as "application__equity_declaration__isnull" reaches the
    target model (equity declarations unless told)."""
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or a lookup ("isnull", "in"): the path has ended
        if field.related_model is target:
            return True
        if not field.related_model:
            return False
        model = field.related_model
    return False


class PrivateLookupsMixin:
    """Refuse list filters that reach equity declarations, or pre-employment results (which
    hold health results), to those who may not read them.

    Otherwise ?equity_declaration__isnull=False would list who filed one. Django answers a
    refused lookup with 400 (DisallowedModelAdminLookup).
    """

    def lookup_allowed(self, lookup, value, request):
        if lookup_reaches(self.model, lookup) and not request.user.has_perm(
            "applications.view_equitydeclaration"
        ):
            return False
        if lookup_reaches(self.model, lookup, PreEmploymentResult) and not (
            may_read_health_results(request.user)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)
