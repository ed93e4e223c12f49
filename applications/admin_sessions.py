"""HR's side of the sessions candidates book: the sessions of a step (when, where, how many seats,
who booked), cancelling one, the invitations, and marking who came.

HR administrators create, change and cancel sessions and mark attendance; recruiters read;
reviewers see nothing of them. Cancelling and marking are services of applications/sessions.py
(which check, lock, record and e-mail); this module reads forms and reports. Inviting candidates
is an action of the application list (applications/admin.py).
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from applications.admin import PostingFilter, ReadOnlyInline, RecordAdminMixin
from applications.admin_privacy import PrivateLookupsMixin
from applications.forms import AssessmentSessionForm, CancelSessionForm
from applications.models import (
    SESSION_WHEN_FIELDS,
    SESSION_WHERE_FIELDS,
    Application,
    AssessmentSession,
    BookingEvent,
    InvitationStatus,
    SessionInvitation,
)
from applications.sessions import (
    SessionRefused,
    cancel_session,
    mark_attendance,
    overlapping,
    seats_taken,
    session_changed,
)
from csc_careers.formats import clock
from positions.models import AssessmentStep, JobPosting
from positions.models.assessment import SESSION_KINDS

MANAGE_SESSIONS = "applications.manage_sessions"
# What booked candidates were told and rely on: a change of it is e-mailed to them.
WHAT_CANDIDATES_RELY_ON = SESSION_WHEN_FIELDS | SESSION_WHERE_FIELDS


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def when_text(moment) -> str:
    # As candidates read it: "9 h" in French, not "9 h 00" (csc_careers/formats/clock.py).
    return clock.datetime_text(moment)


def session_postings(user) -> QuerySet:
    """The current campaigns this person may review whose plan has a step with sessions, newest
    first."""
    with_sessions = AssessmentStep.objects.filter(posting=OuterRef("pk"), kind__in=SESSION_KINDS)
    return (
        JobPosting.objects.reviewable_by(user)
        .current_campaigns(days=PostingFilter.RECENT_DAYS)
        .filter(Exists(with_sessions))
    )


def session_steps(user) -> QuerySet:
    """The steps HR creates sessions of: those of SESSION_KINDS in session_postings, newest
    campaign first, each in its plan's order."""
    postings = session_postings(user).order_by().values("pk")
    return (
        AssessmentStep.objects.filter(kind__in=SESSION_KINDS, posting__in=postings)
        .select_related("posting")
        .order_by("-posting__open_date", "-posting_id", "order", "pk")
    )


# --- Filters ---------------------------------------------------------------------------------


class SessionPostingFilter(admin.SimpleListFilter):
    """The current campaigns with sessions that this person may review."""

    title = _("job posting")
    parameter_name = "posting"
    lookup = "step__posting_id"

    def lookups(self, request, model_admin):
        postings = session_postings(request.user).only("reference_number", "title")
        return [
            (p.pk, f"{p.reference_number} – {p.title}") for p in postings[: PostingFilter.LIMIT]
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(**{self.lookup: self.value()})


class SessionStepFilter(admin.SimpleListFilter):
    """The steps with sessions of the posting chosen, or of the current campaigns."""

    title = _("step")
    parameter_name = "step"

    def lookups(self, request, model_admin):
        posting = request.GET.get(SessionPostingFilter.parameter_name, "")
        if posting.isdigit():
            # Whatever the campaign (the posting's own admin page may link an older one here).
            steps = AssessmentStep.objects.filter(
                posting_id=posting,
                kind__in=SESSION_KINDS,
                posting__in=JobPosting.objects.reviewable_by(request.user).values("pk"),
            ).select_related("posting")
        else:
            steps = session_steps(request.user)
        return [
            (step.pk, f"{step.posting.reference_number} – {step.title}")
            for step in steps[: PostingFilter.LIMIT]
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(step_id=self.value())


class ConditionFilter(admin.SimpleListFilter):
    """A list filter of fixed choices (a TextChoices), each a condition on the list; any other
    value leaves the list whole."""

    options: type[models.TextChoices]  # not "choices", a method of list filters

    def conditions(self) -> dict[str, Q]:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return self.options.choices

    def queryset(self, request, queryset):
        condition = self.conditions().get(self.value())
        return queryset if condition is None else queryset.filter(condition)


class When(models.TextChoices):
    UPCOMING = "upcoming", _("To come")
    PAST = "past", _("Started or over")


class WhenFilter(ConditionFilter):
    title = _("when")
    parameter_name = "when"
    options = When

    def conditions(self):
        now = timezone.now()
        return {When.UPCOMING: Q(starts_at__gt=now), When.PAST: Q(starts_at__lte=now)}


class Cancelled(models.TextChoices):
    YES = "yes", _("Cancelled")
    NO = "no", _("Not cancelled")


class CancelledFilter(ConditionFilter):
    title = _("cancelled")
    parameter_name = "cancelled"
    options = Cancelled

    def conditions(self):
        return {
            Cancelled.YES: Q(cancelled_at__isnull=False),
            Cancelled.NO: Q(cancelled_at__isnull=True),
        }


class Booking(models.TextChoices):
    BOOKED = "booked", _("Booked a session")
    NOT_YET = "not-yet", _("Not booked, still time")
    LATE = "late", _("Not booked by the deadline")


class BookingFilter(ConditionFilter):
    """Who booked a seat (and still holds it, or came, or missed it), and who did not."""

    title = _("booked or not")
    parameter_name = "booking"
    options = Booking

    def conditions(self):
        not_booked, now = Q(status=InvitationStatus.INVITED), timezone.now()
        return {
            Booking.BOOKED: Q(session__isnull=False),
            Booking.NOT_YET: not_booked & Q(book_by__gt=now),
            Booking.LATE: not_booked & Q(book_by__lte=now),
        }


# --- Sessions --------------------------------------------------------------------------------


@admin.register(AssessmentSession)
class AssessmentSessionAdmin(PrivateLookupsMixin, admin.ModelAdmin):
    """The sessions of the steps candidates book: HR creates, changes and cancels them."""

    form = AssessmentSessionForm
    list_display = [
        "posting_reference",
        "step_title",
        "starts",
        "place",
        "seats",
        "cancelled",
    ]
    list_filter = [SessionPostingFilter, SessionStepFilter, WhenFilter, CancelledFilter]
    list_select_related = ["step__posting", "facility"]
    search_fields = [
        "step__posting__reference_number",
        "step__name",
        "facility__name_en",
        "facility__name_fr",
        "location_details_en",
        "location_details_fr",
    ]
    date_hierarchy = "starts_at"
    ordering = ["starts_at", "pk"]
    autocomplete_fields = ["facility"]
    filter_horizontal = ["assessors"]
    change_form_template = "admin/applications/assessmentsession/change_form.html"
    CANCELLATION = [
        "cancelled_at",
        "cancelled_by",
        "cancellation_reason_en",
        "cancellation_reason_fr",
    ]

    def get_queryset(self, request):
        sessions = seats_taken(super().get_queryset(request))
        postings = JobPosting.objects.reviewable_by(request.user)
        if postings.query.has_filters():
            sessions = sessions.filter(step__posting__in=postings.values("pk"))
        return sessions

    def has_manage_permission(self, request) -> bool:
        return request.user.has_perm(MANAGE_SESSIONS)

    def has_change_permission(self, request, obj=None):
        # A cancelled session is a record: what candidates were told stays as it was.
        return super().has_change_permission(request, obj) and not (obj and obj.is_cancelled)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and self.in_use(obj))

    @staticmethod
    def in_use(session: AssessmentSession) -> bool:
        """Whether candidates booked the session, now or before (their history names it)."""
        if not hasattr(session, "_in_use"):
            session._in_use = bool(getattr(session, "taken", 0)) or (
                SessionInvitation.objects.filter(session=session).exists()
                or BookingEvent.objects.filter(session=session).exists()
            )
        return session._in_use

    def get_actions(self, request):
        # One at a time, from the session's page, which refuses a session candidates booked.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- The form

    def get_fieldsets(self, request, obj=None):
        main = [
            "step",
            ("starts_at", "ends_at"),
            "facility",
            "location_details_en",
            "location_details_fr",
            "online_url",
            "capacity",
            "assessors",
        ]
        if obj is not None:
            main.insert(0, "posting_text")
            main.insert(main.index("capacity") + 1, "seats_text")
        fieldsets = [(None, {"fields": main})]
        if obj is not None and obj.is_cancelled:
            fieldsets.append((_("Cancelled"), {"fields": self.CANCELLATION}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = ["posting_text", "seats_text"]
        if obj.is_cancelled:
            fields += self.CANCELLATION
        if self.in_use(obj):
            # Its candidates were invited to this step: the session stays the step's.
            fields.append("step")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "step":
            kwargs["queryset"] = session_steps(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "assessors":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .order_by("last_name", "first_name", "username")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and WHAT_CANDIDATES_RELY_ON & set(form.changed_data):
            told = session_changed(obj, form.changed_data, by=request.user)
            if told:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d booked candidate will be e-mailed the change.",
                        "%(count)d booked candidates will be e-mailed the change.",
                        len(told),
                    )
                    % {"count": len(told)},
                    messages.SUCCESS,
                )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        session = form.instance
        if not change and not form.cleaned_data.get("assessors"):
            session.assessors.set(session.step.board.all())
        self.warn_of_overlaps(request, session)

    def warn_of_overlaps(self, request, session: AssessmentSession) -> None:
        """Warn (not refuse: an assessor may look in on two rooms) of the assessors' other
        sessions at the same time."""
        mine = set(session.assessors.values_list("pk", flat=True))
        if not mine:
            return
        others = (
            overlapping(session)
            .select_related("step__posting", "facility")
            .prefetch_related("assessors")
        )
        for other in others:
            names = [person_name(user) for user in other.assessors.all() if user.pk in mine]
            self.message_user(
                request,
                _(
                    "Check the assessors: %(assessors)s also assess “%(session)s” "
                    "(%(posting)s, %(place)s), at the same time as this session."
                )
                % {
                    "assessors": ", ".join(names),
                    "session": other,
                    "posting": other.step.posting.reference_number,
                    "place": other.where,
                },
                messages.WARNING,
            )

    # --- Columns and facts

    @admin.display(description=_("job posting"), ordering="step__posting__reference_number")
    def posting_reference(self, session):
        return session.step.posting.reference_number

    @admin.display(description=_("step"))
    def step_title(self, session):
        return session.step.title

    @admin.display(description=_("starts"), ordering="starts_at")
    def starts(self, session):
        return when_text(session.starts_at)

    @admin.display(description=_("job posting"))
    def posting_text(self, session):
        posting = session.step.posting
        return f"{posting.reference_number} – {posting.title}"

    @admin.display(description=_("place"))
    def place(self, session):
        return session.where

    @admin.display(description=_("seats taken"), ordering="taken")
    def seats(self, session):
        return f"{session.taken} / {session.capacity}"

    @admin.display(description=_("seats taken"))
    def seats_text(self, session):
        return self.seats(session)

    @admin.display(description=_("cancelled"), ordering="cancelled_at")
    def cancelled(self, session):
        return when_text(session.cancelled_at) if session.is_cancelled else "—"

    # --- The session's page: who booked, and the way to cancel it

    def change_view(self, request, object_id, form_url="", extra_context=None):
        session = self.get_object(request, unquote(object_id))
        context = {**(extra_context or {})}
        if session is not None:
            context["sessions_page"] = self.session_page(request, session)
        return super().change_view(request, object_id, form_url, context)

    def session_page(self, request, session: AssessmentSession) -> dict:
        page = {
            "may_cancel": self.has_manage_permission(request) and not session.is_cancelled,
            "cancel_url": reverse("admin:applications_assessmentsession_cancel", args=[session.pk]),
            "shows_bookings": request.user.has_perm("applications.view_sessioninvitation"),
        }
        if page["shows_bookings"]:
            page["bookings"] = list(
                SessionInvitation.objects.filter(session=session)
                .select_related("application")
                .order_by("booked_at", "pk")
            )
        return page

    def get_urls(self):
        return [
            path(
                "<int:pk>/cancel/",
                self.admin_site.admin_view(self.cancel),
                name="applications_assessmentsession_cancel",
            ),
            *super().get_urls(),
        ]

    def back_to_page(self, session):
        return HttpResponseRedirect(
            reverse("admin:applications_assessmentsession_change", args=[session.pk])
        )

    def cancel(self, request, pk):
        """Ask why, saying how many booked candidates will be told; then cancel the session."""
        if not (self.has_view_permission(request) and self.has_manage_permission(request)):
            raise PermissionDenied
        session = get_object_or_404(self.get_queryset(request), pk=pk)
        if session.is_cancelled:
            self.message_user(request, _("This session is already cancelled."), messages.WARNING)
            return self.back_to_page(session)
        form = CancelSessionForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                told = cancel_session(
                    session,
                    by=request.user,
                    reason_en=form.cleaned_data["reason_en"],
                    reason_fr=form.cleaned_data["reason_fr"],
                )
            except SessionRefused as refusal:
                self.message_user(
                    request,
                    _("The session was not cancelled: %(reason)s") % {"reason": refusal},
                    messages.ERROR,
                )
                return self.back_to_page(session)
            self.message_user(
                request,
                ngettext(
                    "The session is cancelled. %(count)d booked candidate is told by e-mail "
                    "and may choose another session.",
                    "The session is cancelled. %(count)d booked candidates are told by e-mail "
                    "and may choose another session.",
                    len(told),
                )
                % {"count": len(told)},
                messages.SUCCESS,
            )
            return self.back_to_page(session)
        booked = SessionInvitation.objects.filter(
            session=session, status=InvitationStatus.BOOKED
        ).count()
        return TemplateResponse(
            request,
            "admin/applications/assessmentsession/cancel.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Cancel a session"),
                "opts": self.opts,
                "session": session,
                "form": form,
                "booked": booked,
            },
        )

    def delete_view(self, request, object_id, extra_context=None):
        with transaction.atomic():
            session = self.get_object(request, unquote(object_id))
            if session is not None and super().has_delete_permission(request, session):
                # Locked: a candidate booking it now waits, and finds it gone (or booked).
                session = AssessmentSession.objects.select_for_update().get(pk=session.pk)
                if self.in_use(session):
                    self.message_user(
                        request,
                        _(
                            "This session cannot be deleted: candidates booked it, and their "
                            "bookings' history names it. Cancel it instead: the candidates "
                            "booked are told by e-mail."
                        ),
                        messages.ERROR,
                    )
                    return self.back_to_page(session)
            return super().delete_view(request, object_id, extra_context)


# --- Invitations ----------------------------------------------------------------------------


class BookingEventInline(ReadOnlyInline):
    model = BookingEvent
    fields = ["at", "kind", "session", "by"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__step", "by")


@admin.register(SessionInvitation)
class SessionInvitationAdmin(PrivateLookupsMixin, RecordAdminMixin, admin.ModelAdmin):
    """Who was invited to book a session of a step, who booked, who came: records, changed only
    by the candidates' bookings and by the actions that mark attendance."""

    list_display = [
        "reference",
        "candidate",
        "step_title",
        "status",
        "session_text",
        "book_by",
        "invited_at",
    ]
    list_filter = [SessionPostingFilter, SessionStepFilter, "status", BookingFilter]
    list_select_related = ["application", "step", "session__facility"]
    search_fields = [
        "application__reference",
        "application__first_name",
        "application__last_name",
    ]
    list_per_page = 100
    show_full_result_count = False
    actions = ["mark_attended", "mark_no_show"]
    inlines = [BookingEventInline]
    fields = [
        "application_link",
        "posting",
        "step",
        "status",
        "book_by",
        "session",
        "invited_by",
        "invited_at",
        "booked_at",
        "reminded_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        invitations = super().get_queryset(request)
        visible = Application.objects.visible_to(request.user)
        if visible.query.has_filters():
            invitations = invitations.filter(application__in=visible.values("pk"))
        return invitations

    def has_manage_sessions_permission(self, request) -> bool:
        return request.user.has_perm(MANAGE_SESSIONS)

    @admin.display(description=_("reference"), ordering="application__reference")
    def reference(self, invitation):
        return invitation.application.reference

    @admin.display(description=_("candidate"), ordering="application__last_name")
    def candidate(self, invitation):
        return invitation.application.full_name

    @admin.display(description=_("candidate"))
    def application_link(self, invitation):
        application = invitation.application
        return format_html(
            '<a href="{}">{} ({})</a>',
            reverse("admin:applications_application_change", args=[application.pk]),
            application.full_name,
            application.reference,
        )

    @admin.display(description=_("job posting"))
    def posting(self, invitation):
        posting = invitation.step.posting
        return f"{posting.reference_number} – {posting.title}"

    @admin.display(description=_("step"), ordering="step__order")
    def step_title(self, invitation):
        return invitation.step.title

    @admin.display(description=_("session booked"), ordering="session__starts_at")
    def session_text(self, invitation):
        session = invitation.session
        if session is None:
            return "—"
        return f"{when_text(session.starts_at)} – {session.where}"

    @admin.action(description=_("Mark as attended"), permissions=["manage_sessions"])
    def mark_attended(self, request, queryset):
        self.mark(request, queryset, attended=True)

    @admin.action(description=_("Mark as did not attend"), permissions=["manage_sessions"])
    def mark_no_show(self, request, queryset):
        self.mark(request, queryset, attended=False)

    def mark(self, request, queryset, *, attended: bool) -> None:
        """Mark the candidates of sessions that started; report how many, and why the others
        were skipped."""
        status = InvitationStatus.ATTENDED if attended else InvitationStatus.NO_SHOW
        now = timezone.now()
        seat = Q(session__isnull=False)
        started = seat & Q(session__starts_at__lte=now)
        held = started & Q(session__cancelled_at__isnull=True)
        found = queryset.order_by().aggregate(
            total=Count("pk"),
            not_booked=Count("pk", filter=Q(session__isnull=True)),
            not_started=Count("pk", filter=seat & Q(session__starts_at__gt=now)),
            cancelled=Count("pk", filter=started & Q(session__cancelled_at__isnull=False)),
            already=Count("pk", filter=held & Q(status=status)),
        )
        marked = mark_attendance(queryset, attended=attended, by=request.user)
        self.message_user(
            request,
            (
                ngettext(
                    "%(count)d candidate marked as attended.",
                    "%(count)d candidates marked as attended.",
                    marked,
                )
                if attended
                else ngettext(
                    "%(count)d candidate marked as did not attend.",
                    "%(count)d candidates marked as did not attend.",
                    marked,
                )
            )
            % {"count": marked},
            messages.SUCCESS if marked else messages.WARNING,
        )
        skipped = found["total"] - marked
        if skipped <= 0:
            return
        reasons = [reason % found for key, reason in self.SKIPPED.items() if found[key]]
        # The others have been invited again since: their new invitation stands.
        again = skipped - sum(found[key] for key in self.SKIPPED)
        if again > 0:
            reasons.append(
                ngettext("%(count)d invited again since", "%(count)d invited again since", again)
                % {"count": again}
            )
        self.message_user(
            request,
            ngettext("%(count)d skipped: %(reasons)s.", "%(count)d skipped: %(reasons)s.", skipped)
            % {"count": skipped, "reasons": ", ".join(reasons)},
            messages.WARNING,
        )

    # Why a candidate selected is not marked: the counts of mark(), in their words.
    SKIPPED = {
        "not_booked": ngettext_lazy(
            "%(not_booked)d not booked", "%(not_booked)d not booked", "not_booked"
        ),
        "not_started": ngettext_lazy(
            "%(not_started)d whose session has not started",
            "%(not_started)d whose session has not started",
            "not_started",
        ),
        "cancelled": ngettext_lazy(
            "%(cancelled)d whose session was cancelled",
            "%(cancelled)d whose session was cancelled",
            "cancelled",
        ),
        "already": ngettext_lazy(
            "%(already)d marked so already", "%(already)d marked so already", "already"
        ),
    }
