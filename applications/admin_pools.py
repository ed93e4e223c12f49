"""HR's view of qualified pools: the pool per posting in the order candidates are considered, each
member's page with its history and placements, and entitlement checks on the application's page.

HR administrators (manage_pool) extend, remove, restore, offer placements and record answers;
recruiters read; reviewers see nothing. Every change is a service of applications/pools.py,
which checks, locks and records it; this module only reads forms and reports.
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Prefetch
from django.db.models.functions import JSONObject
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applications.admin_privacy import PrivateLookupsMixin
from applications.forms import EntitlementCheckForm, ExtendForm, OfferForm, ReasonForm
from applications.models import (
    Application,
    Entitlement,
    EntitlementCheck,
    Placement,
    PlacementStatus,
    PoolEvent,
    PoolMember,
    PoolStatus,
)
from applications.pools import (
    EXPIRING_SOON_DAYS,
    PoolRefused,
    check_in_force,
    entitlement_check_record,
    placement_answer,
    placement_offer,
    pool_extend,
    pool_in_order,
    pool_remove,
    pool_restore,
    today,
)
from applications.preferences import preferences_text, rank_at
from positions.models import Facility, JobPosting
from positions.models.search import translated

MANAGE_POOL = "applications.manage_pool"
# The pool's list shows each member's first choices of facility, up to this many.
FIRST_CHOICES = 3


def checks_in_force(checks) -> dict[str, EntitlementCheck]:
    """The latest check of each kind, by kind, from checks newest first."""
    latest: dict[str, EntitlementCheck] = {}
    for check in checks:
        latest.setdefault(check.entitlement, check)
    return latest


def entitlement_panel(user, application: Application) -> dict:
    """What the application's page shows of its entitlement checks (nothing without permission)."""
    if not user.has_perm("applications.view_entitlementcheck"):
        return {"shown": False}
    checks = list(
        EntitlementCheck.objects.filter(application=application).select_related("by")
    )  # newest first (the model's order)
    latest = checks_in_force(checks)
    declared = {
        Entitlement.PRIORITY: application.has_priority_entitlement,
        Entitlement.VETERAN: application.is_veteran,
    }
    on = today()
    rows = [
        {
            "entitlement": kind,
            "declared": declared[kind],
            "check": latest.get(kind),
            "in_force": check_in_force(latest.get(kind), on=on),
        }
        for kind in Entitlement
    ]
    may_add = user.has_perm("applications.add_entitlementcheck")
    return {
        "shown": True,
        "application": application,
        "rows": rows,
        "checks": checks,
        "form": EntitlementCheckForm() if may_add else None,
        "record_url": reverse("admin:applications_entitlementcheck_record", args=[application.pk])
        if may_add
        else "",
    }


# --- The pool ------------------------------------------------------------------------------


def pool_postings(request) -> list[JobPosting]:
    """The postings with a pool that this person may review, newest first (at most
    PoolPostingFilter.LIMIT), each with `ranked_places`: its locations as {"id", "name", "city"}
    when it has several (the places its applicants ranked), else none.

    Read once per request: the postings filter and the "willing to work at" filter share it.
    """
    if not hasattr(request, "_pool_postings"):
        language = (get_language() or "en")[:2]
        places = (
            Facility.objects.rewrite(False)  # the names are read in the language here
            .filter(postings=OuterRef("pk"))
            .order_by()
            .annotate(
                place=JSONObject(
                    id=F("pk"),
                    name=translated("name", language),
                    city=translated("city", language),
                )
            )
            .values("place")
        )
        # The postings with a pool, read first: as a subquery, PostgreSQL walks the postings
        # newest first probing each one's applications for a member, which reads every
        # application when few postings have a pool (5 s at a million; this is 20 ms).
        with_pool = (
            PoolMember.objects.order_by()
            .values_list("application__posting_id", flat=True)
            .distinct()
        )
        postings = (
            JobPosting.objects.reviewable_by(request.user)
            .filter(pk__in=list(with_pool))
            .order_by("-open_date", "-pk")
            .only("reference_number", "title")
            .annotate(ranked_places=ArraySubquery(places))
        )
        request._pool_postings = list(postings[: PoolPostingFilter.LIMIT])
        for posting in request._pool_postings:
            if len(posting.ranked_places) < 2:  # a single place: nothing was ranked
                posting.ranked_places = []
    return request._pool_postings


class PoolPostingFilter(admin.SimpleListFilter):
    """The postings with a pool that this person may review, newest first."""

    title = _("job posting")
    parameter_name = "posting"
    LIMIT = 100

    def lookups(self, request, model_admin):
        return [(p.pk, f"{p.reference_number} – {p.title}") for p in pool_postings(request)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(application__posting_id=self.value())


class WillingToWorkAtFilter(admin.SimpleListFilter):
    """The members who ranked a facility (applicants to a posting at several places rank those
    they would work at), in the order of the rank they gave it after the priority order."""

    title = _("willing to work at")
    parameter_name = "facility"

    def lookups(self, request, model_admin):
        chosen = request.GET.get(PoolPostingFilter.parameter_name, "")
        places = {}
        for posting in pool_postings(request):
            if not chosen or str(posting.pk) == chosen:
                for place in posting.ranked_places:
                    places[place["id"]] = f"{place['name']} ({place['city']})"
        return sorted(places.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(self.value())
        queryset = queryset.annotate(preference_rank=rank_at(int(self.value()))).filter(
            preference_rank__isnull=False
        )
        # The pool's order (pool_in_order) with the rank given right after the priority order:
        # verified priority persons first stay first, whatever place they prefer.
        order = list(queryset.query.order_by)
        at = order.index("pool_rank") + 1 if "pool_rank" in order else 0
        order.insert(at, "preference_rank")
        return queryset.order_by(*order)


class ExpiryFilter(admin.SimpleListFilter):
    title = _("qualified until")
    parameter_name = "expiry"
    SOON, EXPIRED = "soon", "expired"

    def lookups(self, request, model_admin):
        return [
            (self.SOON, _("Expiring within %(days)d days") % {"days": EXPIRING_SOON_DAYS}),
            (self.EXPIRED, _("Expired")),
        ]

    def queryset(self, request, queryset):
        on = today()
        if self.value() == self.SOON:
            return queryset.filter(
                expires_on__gte=on,
                expires_on__lte=on + datetime.timedelta(days=EXPIRING_SOON_DAYS),
            )
        if self.value() == self.EXPIRED:
            return queryset.filter(expires_on__lt=on)
        return queryset


@admin.register(PoolMember)
class PoolMemberAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    """The pools: who is qualified, until when, with which verified entitlements, placed where."""

    list_display = [
        "candidate",
        "posting",
        "status_text",
        "qualified_until",
        "entitlements",
        "first_choices",
        "current_placement",
    ]
    list_filter = [PoolPostingFilter, WillingToWorkAtFilter, "status", ExpiryFilter]
    search_fields = [
        "application__reference",
        "application__first_name",
        "application__last_name",
    ]
    list_per_page = 50
    show_full_result_count = False
    change_form_template = "admin/applications/poolmember/change_form.html"
    fields = [
        "candidate_link",
        "posting",
        "status_text",
        "assessment",
        "qualified_on",
        "qualified_until",
        "entitlements",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        postings = JobPosting.objects.reviewable_by(request.user)
        members = super().get_queryset(request)
        if postings.query.has_filters():
            members = members.filter(application__posting__in=postings.values("pk"))
        return (
            pool_in_order(members)
            .annotate(first_choices=preferences_text("application_id", first=FIRST_CHOICES))
            .select_related("application", "application__posting")
            .prefetch_related(
                Prefetch(
                    "placements",
                    queryset=Placement.objects.select_related("facility").order_by(
                        "-offered_at", "-pk"
                    ),
                )
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing is edited in a form: every change is one of the page's actions (a service).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_manage_permission(self, request) -> bool:
        return request.user.has_perm(MANAGE_POOL)

    # --- Columns and facts

    @admin.display(description=_("candidate"), ordering="application__last_name")
    def candidate(self, member):
        application = member.application
        return f"{application.full_name} ({application.reference})"

    @admin.display(description=_("candidate"))
    def candidate_link(self, member):
        application = member.application
        return format_html(
            '<a href="{}">{} ({})</a>',
            reverse("admin:applications_application_change", args=[application.pk]),
            application.full_name,
            application.reference,
        )

    @admin.display(description=_("job posting"), ordering="application__posting__reference_number")
    def posting(self, member):
        posting = member.application.posting
        return f"{posting.reference_number} – {posting.title}"

    @admin.display(description=_("status"), ordering="status")
    def status_text(self, member):
        if member.status == PoolStatus.AVAILABLE and member.expires_on < today():
            return _("Qualification expired")
        return member.get_status_display()

    @admin.display(description=_("qualified until"), ordering="expires_on")
    def qualified_until(self, member):
        return member.expires_on

    @admin.display(description=_("verified entitlements"))
    def entitlements(self, member):
        verified = [
            label
            for label, flag in (
                (Entitlement.PRIORITY.label, getattr(member, "priority_verified", False)),
                (Entitlement.VETERAN.label, getattr(member, "veteran_verified", False)),
            )
            if flag
        ]
        return ", ".join(str(label) for label in verified) or "—"

    @admin.display(description=_("first choices"))
    def first_choices(self, member):
        return getattr(member, "first_choices", None) or "—"

    @admin.display(description=_("current placement"))
    def current_placement(self, member):
        placement = next(
            (p for p in member.placements.all() if p.status != PlacementStatus.DECLINED), None
        )
        if placement is None:
            return "—"
        return _("%(facility)s, from %(date)s (%(status)s)") % {
            "facility": placement.facility.name,
            "date": placement.starts_on.isoformat(),
            "status": placement.get_status_display(),
        }

    # --- The member's page

    def change_view(self, request, object_id, form_url="", extra_context=None):
        bound = (extra_context or {}).pop("bound_forms", {})
        member = (
            self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        )
        context = {**(extra_context or {})}
        if member is not None:
            context["pool"] = self.member_page(request, member, bound)
        return super().change_view(request, object_id, form_url, context)

    def member_page(self, request, member: PoolMember, bound: dict) -> dict:
        """The history, the placements and the forms the member's page shows."""
        events = list(
            PoolEvent.objects.filter(member=member).select_related("by", "placement__facility")
        )
        placements = list(member.placements.all())
        open_offer = next((p for p in placements if p.status == PlacementStatus.OFFERED), None)
        page = {
            "member": member,
            "events": events,
            "placements": placements,
            "open_offer": open_offer,
            "may_manage": self.has_manage_permission(request),
            "is_expired": member.status == PoolStatus.AVAILABLE and member.expires_on < today(),
            "answers": [
                (status, PlacementStatus(status).label)
                for status in (PlacementStatus.ACCEPTED, PlacementStatus.DECLINED)
            ],
        }
        if not page["may_manage"]:
            return page
        posting = member.application.posting
        pk = member.pk
        if member.status == PoolStatus.AVAILABLE:
            page["extend"] = bound.get("extend") or ExtendForm(prefix="extend")
            page["remove"] = bound.get("remove") or ReasonForm(prefix="remove")
            if open_offer is None:
                page["offer"] = bound.get("offer") or OfferForm(prefix="offer", posting=posting)
        if member.status == PoolStatus.REMOVED:
            page["restore"] = bound.get("restore") or ReasonForm(prefix="restore")
        page["urls"] = {
            name: reverse(f"admin:applications_poolmember_{name}", args=[pk])
            for name in ("extend", "remove", "restore", "offer")
        }
        if open_offer is not None:
            page["answer_url"] = reverse(
                "admin:applications_poolmember_answer", args=[pk, open_offer.pk]
            )
        return page

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/extend/", view(self.extend), name="applications_poolmember_extend"),
            path("<int:pk>/remove/", view(self.remove), name="applications_poolmember_remove"),
            path("<int:pk>/restore/", view(self.restore), name="applications_poolmember_restore"),
            path("<int:pk>/offer/", view(self.offer), name="applications_poolmember_offer"),
            path(
                "<int:pk>/placements/<int:placement_id>/answer/",
                view(self.answer),
                name="applications_poolmember_answer",
            ),
            *super().get_urls(),
        ]

    def member_for_post(self, request, pk) -> PoolMember:
        """The member a form of the page is sent for, or 404 (not in this person's pools) / 403."""
        member = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_manage_permission(request):
            raise PermissionDenied
        return member

    def page_again(self, request, member, name: str, form):
        # The page as it is shown, not a change form sent.
        request.method = "GET"
        return self.change_view(
            request, str(member.pk), extra_context={"bound_forms": {name: form}}
        )

    def back_to_page(self, member):
        return HttpResponseRedirect(
            reverse("admin:applications_poolmember_change", args=[member.pk])
        )

    def refused(self, request, member, name, form, refusal: PoolRefused):
        form.add_error(None, str(refusal))
        self.message_user(
            request, _("Nothing was changed: %(reason)s") % {"reason": refusal}, messages.ERROR
        )
        return self.page_again(request, member, name, form)

    def act(self, request, pk, name, form_class, service, success, form_kwargs=None):
        """Read the form `name` sent for the member, call the service, report, or refuse.

        `form_kwargs(member)` gives the form's other arguments.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        member = self.member_for_post(request, pk)
        form = form_class(request.POST, prefix=name, **(form_kwargs(member) if form_kwargs else {}))
        if not form.is_valid():
            self.message_user(
                request, _("Nothing was changed: correct the form below."), messages.ERROR
            )
            return self.page_again(request, member, name, form)
        try:
            service(member, form.cleaned_data)
        except PoolRefused as refusal:
            return self.refused(request, member, name, form, refusal)
        self.message_user(
            request, success % {"name": member.application.full_name}, messages.SUCCESS
        )
        return self.back_to_page(member)

    def extend(self, request, pk):
        return self.act(
            request,
            pk,
            "extend",
            ExtendForm,
            lambda member, data: pool_extend(
                member, until=data["until"], reason=data["reason"], by=request.user
            ),
            _("%(name)s stays qualified longer."),
        )

    def remove(self, request, pk):
        return self.act(
            request,
            pk,
            "remove",
            ReasonForm,
            lambda member, data: pool_remove(member, reason=data["reason"], by=request.user),
            _("%(name)s is removed from the pool."),
        )

    def restore(self, request, pk):
        return self.act(
            request,
            pk,
            "restore",
            ReasonForm,
            lambda member, data: pool_restore(member, reason=data["reason"], by=request.user),
            _("%(name)s is back in the pool."),
        )

    def offer(self, request, pk):
        return self.act(
            request,
            pk,
            "offer",
            OfferForm,
            lambda member, data: placement_offer(
                member,
                facility=data["facility"],
                tenure=data["tenure"],
                starts_on=data["starts_on"],
                stays_available=data["stays_available"],
                by=request.user,
            ),
            _("A placement is offered to %(name)s."),
            form_kwargs=lambda member: {"posting": member.application.posting},
        )

    def answer(self, request, pk, placement_id):
        """Record the candidate's answer to the offer waiting (the button says which)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        member = self.member_for_post(request, pk)
        placement = get_object_or_404(Placement.objects.filter(member=member), pk=placement_id)
        answer = request.POST.get("answer")
        if answer not in (PlacementStatus.ACCEPTED, PlacementStatus.DECLINED):
            self.message_user(request, _("Choose “accepted” or “declined”."), messages.ERROR)
            return self.back_to_page(member)
        try:
            placement_answer(
                placement, accepted=answer == PlacementStatus.ACCEPTED, by=request.user
            )
        except PoolRefused as refusal:
            self.message_user(
                request, _("Nothing was changed: %(reason)s") % {"reason": refusal}, messages.ERROR
            )
        else:
            self.message_user(
                request,
                _("The answer of %(name)s is recorded: “%(answer)s”.")
                % {
                    "name": member.application.full_name,
                    "answer": PlacementStatus(answer).label,
                },
                messages.SUCCESS,
            )
        return self.back_to_page(member)


# --- Entitlement checks --------------------------------------------------------------------


@admin.register(EntitlementCheck)
class EntitlementCheckAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    """The checks HR recorded, read-only; a check is recorded on the application's page."""

    list_display = ["application", "entitlement", "verified", "valid_until", "by", "at"]
    list_filter = ["entitlement", "verified"]
    list_select_related = ["application", "by"]
    search_fields = ["application__reference", "application__last_name"]
    readonly_fields = ["application", "entitlement", "verified", "valid_until", "note", "by", "at"]

    def get_queryset(self, request):
        applications = Application.objects.visible_to(request.user)
        return super().get_queryset(request).filter(application__in=applications.values("pk"))

    def has_add_permission(self, request):
        return False  # through the application's page, which names the application

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "record/<int:application_pk>/",
                self.admin_site.admin_view(self.record),
                name="applications_entitlementcheck_record",
            ),
            *super().get_urls(),
        ]

    def record(self, request, application_pk):
        """Record a check sent from the application's page, and go back to it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = get_object_or_404(
            Application.objects.visible_to(request.user), pk=application_pk
        )
        if not request.user.has_perm("applications.add_entitlementcheck"):
            raise PermissionDenied
        back = (
            reverse("admin:applications_application_change", args=[application.pk])
            + "#entitlements"
        )
        form = EntitlementCheckForm(request.POST)
        if not form.is_valid():
            errors = "; ".join(
                f"{form.fields[name].label if name in form.fields else ''}: {' '.join(messages_)}"
                for name, messages_ in form.errors.items()
            )
            self.message_user(
                request,
                _("The check was not recorded: %(reason)s") % {"reason": errors},
                messages.ERROR,
            )
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            check = entitlement_check_record(
                application=application,
                entitlement=data["entitlement"],
                verified=data["verified"] == EntitlementCheckForm.VERIFIED,
                valid_until=data["valid_until"],
                note=data["note"],
                by=request.user,
            )
        except PoolRefused as refusal:
            self.message_user(
                request,
                _("The check was not recorded: %(reason)s") % {"reason": refusal},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("Recorded: %(entitlement)s, %(result)s.")
                % {
                    "entitlement": check.get_entitlement_display(),
                    "result": _("verified") if check.verified else _("not verified"),
                },
                messages.SUCCESS,
            )
        return HttpResponseRedirect(back)
