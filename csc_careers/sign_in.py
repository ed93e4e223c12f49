"""Sign-in lock-out (django-axes) with a limit of its own for each way failures are counted.

Axes counts failed sign-ins per parameter set of AXES_LOCKOUT_PARAMETERS (one user name from one
address, one user name from anywhere, one address across user names) but holds every count
against the one AXES_FAILURE_LIMIT. Here that stays the limit of one user name from one address,
and the other two have their own, higher ones (AXES_USERNAME_FAILURE_LIMIT,
AXES_ADDRESS_FAILURE_LIMIT; 0 leaves that count out).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

# The parameter sets with a limit of their own, and the setting that holds it.
LIMIT_SETTINGS = {
    frozenset({"username"}): "AXES_USERNAME_FAILURE_LIMIT",
    frozenset({"ip_address"}): "AXES_ADDRESS_FAILURE_LIMIT",
}


class AxesPerParameterLimitsHandler(AxesDatabaseHandler):
    """Axes' database handler, each parameter set held against its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Return the failures so far, scaled to AXES_FAILURE_LIMIT.

        Axes locks out when this reaches AXES_FAILURE_LIMIT, so a count at its own limit gives
        AXES_FAILURE_LIMIT, and one below it a proportionally smaller number.
        """
        limit = get_failure_limit(request, credentials)
        parameter_sets = get_lockout_parameters(request, credentials)
        attempts_per_set = self.get_user_attempts(request, credentials)
        failures = 0
        for parameters, attempts in zip(parameter_sets, attempts_per_set, strict=True):
            names = frozenset([parameters] if isinstance(parameters, str) else parameters)
            own_limit = (
                getattr(settings, LIMIT_SETTINGS[names]) if names in LIMIT_SETTINGS else limit
            )
            if own_limit <= 0:
                continue
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            failures = max(failures, limit if count >= own_limit else count * limit // own_limit)
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """Forget, on a successful sign-in, only that user name's failures from that address.

        Axes would forget every count the sign-in matches: anyone with an account could then
        clear their address's failures against other user names by signing in themselves.
        """
        count, _deleted = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
