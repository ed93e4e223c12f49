"""The signed links of job alerts (confirm, manage, unsubscribe) and the words of a search.

Kept apart from positions.alerts (the services) so that the e-mail tasks can build links
without importing the services that queue them. Every link is signed and names the
subscription's random public_id; each kind of link has its own salt, so a confirmation link
cannot be used as a manage link (or the reverse). The manage link proves the ownership of an
address: its page lists every subscription of that address.
"""

import datetime
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from positions.alert_forms import search_filterset
from positions.feeds import scope_names
from positions.models import JobAlert

CONFIRM_SALT = "positions.alerts.confirm"
MANAGE_SALT = "positions.alerts.manage"
UNSUBSCRIBE_SALT = "positions.alerts.unsubscribe"


class AlertLinkExpired(Exception):
    """A genuine alert link, older than its lifetime."""

    def __init__(self, public_id: uuid.UUID | None = None):
        super().__init__(public_id)
        # Who the link was for: the one-click unsubscribe still honours an expired link.
        self.public_id = public_id


class AlertLinkInvalid(Exception):
    """A link that is not one of ours: forged, altered, or made for another kind of link."""


def absolute_url(path: str) -> str:
    """Return the full address of a path on this site, for links in e-mails."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def alert_token(alert: JobAlert, salt: str) -> str:
    """Return a tamper-proof token naming the subscription, dated now."""
    return signing.dumps(alert.public_id.hex, salt=salt)


def manage_path(alert: JobAlert) -> str:
    """Return the path of the manage page of the alert's address, in the active language."""
    return reverse("positions:alert-manage", kwargs={"token": alert_token(alert, MANAGE_SALT)})


def alert_public_id(token: str, *, salt: str, max_age_days: int) -> uuid.UUID:
    """Return the public_id a token names.

    Raise AlertLinkExpired for a genuine token past its lifetime (it carries the public_id),
    and AlertLinkInvalid for anything else.
    """
    try:
        return uuid.UUID(
            hex=signing.loads(token, salt=salt, max_age=datetime.timedelta(days=max_age_days))
        )
    except signing.SignatureExpired as error:
        raise AlertLinkExpired(expired_public_id(token, salt=salt)) from error
    except (signing.BadSignature, ValueError, TypeError, AttributeError) as error:
        raise AlertLinkInvalid from error


def expired_public_id(token: str, *, salt: str) -> uuid.UUID | None:
    """Return the public_id a genuine token names, whatever its age (None if not genuine)."""
    try:
        return uuid.UUID(hex=signing.loads(token, salt=salt))
    except (signing.BadSignature, ValueError, TypeError, AttributeError):
        return None


def alert_from_token(token: str, *, salt: str, max_age_days: int) -> JobAlert:
    """Return the subscription a token names.

    Raise AlertLinkExpired for a genuine link past its lifetime, AlertLinkInvalid for a link
    that is not genuine, and JobAlert.DoesNotExist when the subscription was deleted.
    """
    public_id = alert_public_id(token, salt=salt, max_age_days=max_age_days)
    return JobAlert.objects.get(public_id=public_id)


def confirmation_url(alert: JobAlert) -> str:
    """Return the absolute address of the confirmation page, in the subscriber's language."""
    with translation.override(alert.language):
        path = reverse(
            "positions:alert-confirm", kwargs={"token": alert_token(alert, CONFIRM_SALT)}
        )
    return absolute_url(path)


def alert_links(alert: JobAlert) -> dict[str, str]:
    """Return the absolute URLs an alert e-mail carries, in the subscriber's language.

    "manage": the page that lists, pauses and deletes the address's subscriptions;
    "unsubscribe": the page with a button that deletes this subscription (for the body);
    "one_click": the RFC 8058 target of List-Unsubscribe (a POST deletes it, no further step).
    """
    manage = alert_token(alert, MANAGE_SALT)
    unsubscribe = alert_token(alert, UNSUBSCRIBE_SALT)
    with translation.override(alert.language):
        return {
            "manage": absolute_url(reverse("positions:alert-manage", kwargs={"token": manage})),
            "unsubscribe": absolute_url(
                reverse("positions:alert-unsubscribe", kwargs={"token": unsubscribe})
            ),
            "one_click": absolute_url(
                reverse("positions:alert-one-click", kwargs={"token": unsubscribe})
            ),
        }


def alert_search_names(query: str) -> list[str]:
    """Return the search a subscription follows, in words, in the active language."""
    filterset = search_filterset(query)
    return scope_names(filterset) if filterset.is_valid() else []
