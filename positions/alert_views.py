"""Job alert pages: sign up, confirm, manage (pause, resume, delete) and unsubscribe.

None of them is cached: the sign-up form carries a CSRF token, and every other page is reached
by a signed link and shows personal information (see applications.views.private).
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from applications.views import private, rate_limited
from positions.alert_forms import AlertSignupForm, search_filterset
from positions.alert_tokens import (
    CONFIRM_SALT,
    MANAGE_SALT,
    UNSUBSCRIBE_SALT,
    AlertLinkExpired,
    AlertLinkInvalid,
    alert_from_token,
    alert_public_id,
    alert_search_names,
    manage_path,
)
from positions.alerts import (
    alert_confirm,
    alert_delete,
    alert_pause,
    alert_resume,
    alert_signup,
    alert_unsubscribe,
)
from positions.feeds import scope_names
from positions.models import AlertFrequency, JobAlert


def alert_signup_rate(group, request):
    return settings.ALERT_SIGNUP_RATE


def alert_signup_email_rate(group, request):
    return settings.ALERT_SIGNUP_EMAIL_RATE


def link_invalid(request):
    """Answer 404 with a page that says the link does not work, and what to do."""
    return render(request, "positions/alerts/link_invalid.html", status=404)


def link_expired(request, *, days: int):
    """Answer 410 with a page that says the genuine link is too old, and what to do."""
    return render(request, "positions/alerts/link_expired.html", {"days": days}, status=410)


@method_decorator(never_cache, name="dispatch")
@method_decorator(
    ratelimit(key="ip", rate=alert_signup_rate, method="POST", block=True), name="post"
)
class AlertSignupView(FormView):
    """The sign-up form for the search in the query string (the postings list's filters)."""

    template_name = "positions/alerts/signup.html"
    form_class = AlertSignupForm

    def get(self, request, *args, **kwargs):
        self.filterset = search_filterset(request.GET.urlencode())
        if not self.filterset.is_valid():
            return render(request, "positions/alerts/search_invalid.html", status=400)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        initial = {"language": get_language(), "frequency": AlertFrequency.DAILY}
        if self.request.method == "GET":
            initial["query"] = self.filterset.filter_query().urlencode()
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        filterset = getattr(form, "filterset", None) or getattr(self, "filterset", None)
        valid = filterset is not None and filterset.is_valid()
        context["search"] = scope_names(filterset) if valid else []
        context["search_query"] = filterset.filter_query().urlencode() if valid else ""
        context["days"] = settings.ALERT_CONFIRMATION_DAYS
        context["forms_with_errors"] = [form] if form.errors else []
        context["error_count"] = len(form.errors)
        return context

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        # Per address as well as per visitor: one address signed up from many connections is
        # limited too. django-ratelimit keeps a hash of the key, never the address itself.
        if is_ratelimited(
            self.request,
            group="positions.alert-signup-email",
            key=lambda group, request: email,
            rate=alert_signup_email_rate,
            increment=True,
        ):
            return rate_limited(self.request, None)
        alert_signup(
            email=email,
            language=form.cleaned_data["language"],
            frequency=form.cleaned_data["frequency"],
            query=form.cleaned_data["query"],
        )
        # The same page whether the address and the search are new, pending or confirmed.
        return render(
            self.request,
            "positions/alerts/signup_sent.html",
            {
                "email": email,
                "search": scope_names(form.filterset),
                "days": settings.ALERT_CONFIRMATION_DAYS,
            },
        )


class AlertLinkMixin:
    """Find the subscription named by the signed token in the URL, or answer with a clear page.

    Not genuine, or naming a deleted subscription: 404; genuine but too old: 410.
    """

    salt: str
    max_age_setting: str

    def dispatch(self, request, *args, **kwargs):
        max_age_days = getattr(settings, self.max_age_setting)
        try:
            self.alert = alert_from_token(
                kwargs["token"], salt=self.salt, max_age_days=max_age_days
            )
        except AlertLinkExpired:
            return link_expired(request, days=max_age_days)
        except (AlertLinkInvalid, JobAlert.DoesNotExist):
            return link_invalid(request)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(private, name="dispatch")
class AlertConfirmView(AlertLinkMixin, View):
    """GET asks for confirmation (mail scanners fetch links); POST confirms."""

    salt = CONFIRM_SALT
    max_age_setting = "ALERT_CONFIRMATION_DAYS"

    def get(self, request, *args, **kwargs):
        return render(
            request,
            "positions/alerts/confirm.html",
            {"alert": self.alert, "search": alert_search_names(self.alert.query)},
        )

    def post(self, request, *args, **kwargs):
        alert_confirm(alert=self.alert)
        return render(
            request,
            "positions/alerts/confirmed.html",
            {
                "alert": self.alert,
                "search": alert_search_names(self.alert.query),
                "weekly": self.alert.frequency == AlertFrequency.WEEKLY,
                "manage_url": manage_path(self.alert),
            },
        )


class ManageAction(models.TextChoices):
    """What a button of the manage page does to one subscription."""

    PAUSE = "pause", gettext_lazy("Pause")
    RESUME = "resume", gettext_lazy("Resume")
    DELETE = "delete", gettext_lazy("Delete")


@method_decorator(private, name="dispatch")
class AlertManageView(AlertLinkMixin, View):
    """Every subscription of the link's address, each with its pause/resume and delete buttons."""

    salt = MANAGE_SALT
    max_age_setting = "ALERT_LINK_MAX_AGE_DAYS"

    def get(self, request, *args, **kwargs):
        alerts = JobAlert.objects.for_email(self.alert.email).order_by("created_at", "pk")
        return render(
            request,
            "positions/alerts/manage.html",
            {
                "email": self.alert.email,
                "alerts": [(alert, alert_search_names(alert.query)) for alert in alerts],
                "actions": ManageAction,
            },
        )

    def post(self, request, *args, **kwargs):
        # Only the link's own address: the link proves that, and nothing more.
        target = (
            JobAlert.objects.for_email(self.alert.email)
            .filter(public_id__in=_uuid_or_nothing(request.POST.get("alert")))
            .first()
        )
        action = request.POST.get("action")
        if target is None:
            messages.info(request, _("This job alert was already deleted."))
        elif action == ManageAction.PAUSE:
            alert_pause(alert=target)
            messages.success(request, _("The job alert is paused: we will not send it."))
        elif action == ManageAction.RESUME:
            alert_resume(alert=target)
            messages.success(request, _("The job alert is on again."))
        elif action == ManageAction.DELETE:
            alert_delete(alert=target)
            messages.success(request, _("The job alert is deleted."))
        if action == ManageAction.DELETE and target is not None and target.pk == self.alert.pk:
            # The link named the subscription just deleted: continue with another of the address.
            remaining = JobAlert.objects.for_email(self.alert.email).first()
            if remaining is None:
                return render(request, "positions/alerts/manage_empty.html")
            return HttpResponseRedirect(manage_path(remaining))
        return HttpResponseRedirect(request.path)


def _uuid_or_nothing(value: str | None) -> list[str]:
    """Return [value] if it is a UUID, else [] (the lookup then finds nothing)."""
    try:
        return [str(uuid.UUID(value or ""))]
    except ValueError:
        return []


def unsubscribe_page(request, token: str):
    """Answer a GET of an unsubscribe link: the page with the button, or why there is none."""
    max_age_days = settings.ALERT_LINK_MAX_AGE_DAYS
    try:
        public_id = alert_public_id(token, salt=UNSUBSCRIBE_SALT, max_age_days=max_age_days)
    except AlertLinkExpired:
        return link_expired(request, days=max_age_days)
    except AlertLinkInvalid:
        return link_invalid(request)
    alert = JobAlert.objects.filter(public_id=public_id).first()
    if alert is None:
        return render(request, "positions/alerts/unsubscribed.html")  # already done
    return render(
        request,
        "positions/alerts/unsubscribe.html",
        {"alert": alert, "search": alert_search_names(alert.query), "token": token},
    )


@method_decorator(private, name="dispatch")
class AlertUnsubscribeView(View):
    """The link in an alert's body: GET asks for confirmation; POST deletes the subscription."""

    def get(self, request, *args, **kwargs):
        return unsubscribe_page(request, kwargs["token"])

    def post(self, request, *args, **kwargs):
        max_age_days = settings.ALERT_LINK_MAX_AGE_DAYS
        try:
            public_id = alert_public_id(
                kwargs["token"], salt=UNSUBSCRIBE_SALT, max_age_days=max_age_days
            )
        except AlertLinkExpired:
            return link_expired(request, days=max_age_days)
        except AlertLinkInvalid:
            return link_invalid(request)
        alert_unsubscribe(public_id=public_id)
        # Deleted now or before (a second click): the same page.
        return render(request, "positions/alerts/unsubscribed.html")


@csrf_exempt  # mailbox providers POST here without cookies or a CSRF token (RFC 8058)
@require_http_methods(["GET", "HEAD", "POST"])
@private
def alert_one_click_unsubscribe(request, token: str):
    """The List-Unsubscribe target: a POST deletes the subscription with no further step.

    RFC 8058 senders POST "List-Unsubscribe=One-Click"; the signed token, not the body, is what
    proves the right to unsubscribe, so any POST with a genuine token unsubscribes. A GET (a
    person following the URL, or a scanner) changes nothing: it shows the confirmation page.
    """
    if request.method != "POST":
        return unsubscribe_page(request, token)
    try:
        public_id = alert_public_id(
            token, salt=UNSUBSCRIBE_SALT, max_age_days=settings.ALERT_LINK_MAX_AGE_DAYS
        )
    except AlertLinkExpired as expired:
        # A genuine link, only old: a person must always be able to leave, so it still
        # unsubscribes (an expired link opens no page; it can only delete its own subscription).
        public_id = expired.public_id
    except AlertLinkInvalid:
        return link_invalid(request)
    alert_unsubscribe(public_id=public_id)
    # Replayed (already deleted): still 200, as mailbox providers may retry.
    return render(request, "positions/alerts/unsubscribed.html")
