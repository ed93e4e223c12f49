"""The job seeker's side: apply, see the confirmation, follow or withdraw the application, and
book the sessions of the steps they are invited to."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import FilteredRelation, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from applications import calendar
from applications.assessment import PRE_EMPLOYMENT_STAGES, STEP_STAGES, current_steps
from applications.exports import export_response
from applications.filters import ApplicationExportFilter
from applications.forms import (
    ApplicationForm,
    EquityDeclarationForm,
    SessionChoiceForm,
    StatusLinkRequestForm,
)
from applications.kept_resumes import KeptResumes
from applications.models import (
    OPEN_INVITATION_STATUSES,
    Application,
    AssessmentSession,
    InvitationStatus,
    SessionInvitation,
    StageChange,
    StageMessage,
    StatusLinkExpired,
    absolute_url,
    qualifications_named_not_met,
)
from applications.pipeline import ACTIVE_STAGES, NOT_MET_STAGES, NOTIFIED_STAGES, MoveRefused, Stage
from applications.pre_employment import status_lines, steps_for_status
from applications.services import (
    DuplicateApplication,
    PostingNotOpen,
    application_duplicate_notify,
    application_submit,
    application_withdraw,
    status_links_send,
)
from applications.sessions import BookingRefused, book, may_change, sessions_to_book
from csc_careers.formats import clock
from positions.models import AssessmentStep, JobPosting, PostingState

# The stages at which a candidate is at some step of a plan (the status page names the step).
STEP_STAGE_SET = set().union(*STEP_STAGES.values())
# The stages at which the status page lists the pre-employment steps: while the candidate is at
# them, and once hired (what they passed stays readable).
PRE_EMPLOYMENT_SHOWN = PRE_EMPLOYMENT_STAGES | {Stage.HIRED}


def application_rate(group, request):
    return settings.APPLICATION_RATE


def status_link_rate(group, request):
    return settings.STATUS_LINK_RATE


def private(view):
    """Keep pages that show personal information out of caches and other sites' logs.

    "same-origin", not "no-referrer": with no referrer at all, browsers send "Origin: null" on
    the withdrawal form's POST and Django's CSRF check rightly refuses it.
    """

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def posting_not_open(request, posting: JobPosting, *, submitted: bool = False):
    """Explain that the posting takes no applications (404 unless it was public and closed)."""
    state = posting.state
    status = 410 if state == PostingState.CLOSED else 404
    return render(
        request,
        "applications/posting_not_open.html",
        {"posting": posting if status == 410 else None, "submitted": submitted},
        status=status,
    )


RECEIVED_SESSION_KEY = "application_received"


def submissions_limited(request, *, count: bool = False) -> bool:
    """Whether this client has sent too many applications; with count, count one more.

    Only submissions that reached the database count (duplicates included, since they do too):
    a form sent back with errors costs nothing, so fixing it never runs into the limit.
    """
    usage = get_usage(
        request, group="applications.apply", key="ip", rate=application_rate, increment=count
    )
    # Counting: the limit is passed once the count goes over it. Checking: the next one would.
    return usage["should_limit"] if count else usage["count"] >= usage["limit"]


@method_decorator(never_cache, name="dispatch")
class ApplyView(FormView):
    template_name = "applications/apply.html"
    form_class = ApplicationForm

    def dispatch(self, request, *args, **kwargs):
        self.posting = get_object_or_404(
            JobPosting.objects.for_detail().with_state(), reference_number=kwargs["reference"]
        )
        if not self.posting.is_open:
            # A POST here is a form that was sent after the posting closed: say so.
            return posting_not_open(request, self.posting, submitted=request.method == "POST")
        if request.method == "POST" and self.request_too_large(request):
            return render(
                request,
                "applications/too_large.html",
                {"posting": self.posting, "limit": settings.RESUME_MAX_BYTES},
                status=413,
            )
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def request_too_large(request) -> bool:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return True
        return length > settings.APPLICATION_MAX_REQUEST_BYTES

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "posting": self.posting,
            "kept_resumes": KeptResumes(self.request.session),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["posting"] = self.posting
        context.setdefault(
            "equity_form",
            EquityDeclarationForm(self.request.POST if self.request.method == "POST" else None),
        )
        forms_with_errors = [f for f in (context["form"], context["equity_form"]) if f.errors]
        context["forms_with_errors"] = forms_with_errors
        context["error_count"] = sum(len(f.errors) for f in forms_with_errors)
        return context

    def post(self, request, *args, **kwargs):
        if submissions_limited(request):
            return rate_limited(request, None, posting=self.posting)
        form = self.get_form()
        equity_form = EquityDeclarationForm(request.POST)
        if not (form.is_valid() and equity_form.is_valid()):
            # A résumé that passed its checks waits while the rest is corrected.
            form.keep_resume()
            return self.render_to_response(
                self.get_context_data(form=form, equity_form=equity_form), status=400
            )
        try:
            application_submit(
                posting=self.posting,
                applicant=form.applicant(),
                resume=form.cleaned_data["resume"],
                resume_type=form.resume_type,
                answers=form.answers(),
                equity=equity_form.answers(),
                facilities=form.facility_choices(),
            )
        except PostingNotOpen:
            form.forget_resume()
            self.posting.refresh_from_db()
            return posting_not_open(request, self.posting, submitted=True)
        except DuplicateApplication:
            # Answered exactly like a new application, so that the form never tells anyone
            # whether an address has applied; the owner of the address learns it by e-mail.
            application_duplicate_notify(posting=self.posting, email=form.cleaned_data["email"])
        form.forget_resume()
        submissions_limited(request, count=True)
        request.session[RECEIVED_SESSION_KEY] = {
            "posting": self.posting.reference_number,
            "email": form.cleaned_data["email"].strip().lower(),
            "unmet": [question.pk for question in form.unmet_requirements()],
        }
        return HttpResponseRedirect(
            reverse("applications:received", kwargs={"reference": self.posting.reference_number})
        )


@method_decorator(private, name="dispatch")
class ReceivedView(TemplateView):
    """After a complete submission: the same page whether it was new or a duplicate."""

    template_name = "applications/received.html"

    def get(self, request, *args, **kwargs):
        received = request.session.get(RECEIVED_SESSION_KEY) or {}
        if received.get("posting") != kwargs["reference"]:
            # Nothing was submitted to this posting from this browser: back to the posting.
            return HttpResponseRedirect(
                reverse("positions:posting-detail", kwargs={"reference": kwargs["reference"]})
            )
        posting = get_object_or_404(JobPosting, reference_number=kwargs["reference"])
        unmet = posting.screening_questions.filter(pk__in=received.get("unmet", []))
        return self.render_to_response(
            self.get_context_data(
                posting=posting, email=received.get("email", ""), unmet_requirements=unmet
            )
        )


class StatusMixin:
    """Find the application named by the signed token in the URL, or answer 404.

    A genuine link past its lifetime gets a page that says so and offers a fresh one (410).
    """

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except StatusLinkExpired:
            return render(
                request,
                "applications/link_expired.html",
                {"days": settings.STATUS_LINK_MAX_AGE_DAYS},
                status=410,
            )

    def get_application(self) -> Application:
        try:
            return Application.from_status_token(self.kwargs["token"])
        except Application.DoesNotExist:
            raise Http404("No application has this link.") from None


def session_when(session: AssessmentSession) -> str:
    """When the session takes place as candidates read it, in the active language: in the site's
    zone, the zone named (the candidate may live in another), as the e-mails say it."""
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    if starts.date() == ends.date():
        return _("%(date)s, from %(start)s to %(end)s (%(zone)s)") % {
            "date": formats.date_format(starts, "DATE_FORMAT"),
            "start": clock.time_text(starts),
            "end": clock.time_text(ends),
            "zone": formats.date_format(starts, "T"),
        }
    return _("from %(start)s (%(start_zone)s) to %(end)s (%(end_zone)s)") % {
        "start": clock.datetime_text(starts),
        "start_zone": formats.date_format(starts, "T"),
        "end": clock.datetime_text(ends),
        "end_zone": formats.date_format(ends, "T"),
    }


def with_invitation(steps: QuerySet, application: Application) -> QuerySet:
    """The steps, each with the application's invitation that stands to it (or None), and its
    session and facility, as `standing_invitation`: joined, not one more query. A candidate has
    at most one such invitation per step (the one_open_invitation_per_step constraint), so the
    join adds no row."""
    standing = FilteredRelation(
        "invitations",
        condition=Q(
            invitations__application=application,
            invitations__status__in=OPEN_INVITATION_STATUSES,
        ),
    )
    return steps.annotate(standing_invitation=standing).select_related(
        "standing_invitation__session__facility"
    )


@method_decorator(private, name="dispatch")
class StatusView(StatusMixin, TemplateView):
    """Where the application stands: the stage, the step of the plan with its date and, when
    screened out or not retained, HR's words and the qualifications not met."""

    template_name = "applications/status.html"

    def get_context_data(self, **kwargs):
        application = self.get_application()
        not_met_named = application.stage in NOT_MET_STAGES
        prefetch_related_objects(
            [application],
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.prefetch_related("qualifications_not_met")
                if not_met_named
                else StageChange.objects.all(),
            ),
        )
        steps, pre_employment, sessions = [], [], []
        if application.stage in PRE_EMPLOYMENT_SHOWN:
            # The plan with each pre-employment result in force, and each step's invitation to
            # book a session: the one query for the plan.
            prefetch_related_objects(
                [application.posting],
                Prefetch(
                    "assessment_steps",
                    queryset=with_invitation(steps_for_status(application), application),
                ),
            )
            pre_employment = status_lines(application.posting.assessment_steps.all())
        elif application.stage in STEP_STAGE_SET:
            prefetch_related_objects(
                [application.posting],
                Prefetch(
                    "assessment_steps",
                    queryset=with_invitation(AssessmentStep.objects.all(), application),
                ),
            )
        if application.stage in PRE_EMPLOYMENT_SHOWN | STEP_STAGE_SET:
            sessions = self.invitations(application)
        if application.stage in STEP_STAGE_SET:
            steps = current_steps(application)
        message = (
            StageMessage.objects.filter(stage=application.stage).first()
            if application.stage in NOTIFIED_STAGES
            else None
        )
        return {
            **super().get_context_data(**kwargs),
            "application": application,
            "sessions": sessions,
            "statuses": InvitationStatus,
            "changes": application.stage_changes.all(),
            "current_steps": steps,
            "pre_employment_steps": pre_employment,
            "status_text": message.render_status_text(application) if message else "",
            "qualifications_not_met": qualifications_named_not_met(application),
            "can_withdraw": application.can_move_to(Stage.WITHDRAWN),
            "can_apply_again": application.can_apply_again(),
        }

    @staticmethod
    def invitations(application: Application) -> list[tuple[SessionInvitation, bool]]:
        """The invitations to book a session that stand, in the plan's order, each with whether
        it may still be booked or changed (read from the prefetched plan, see with_invitation).
        Once the application is closed (hired), only the sessions attended."""
        shown = (
            OPEN_INVITATION_STATUSES
            if application.stage in ACTIVE_STAGES
            else (InvitationStatus.ATTENDED,)
        )
        invitations = []
        for step in application.posting.assessment_steps.all():
            # Django sets no attribute when the join finds no row.
            invitation = getattr(step, "standing_invitation", None)
            if invitation is None or invitation.status not in shown:
                continue
            invitation.application, invitation.step = application, step
            if invitation.session is not None:
                invitation.session.when = session_when(invitation.session)
            invitations.append((invitation, may_change(invitation)))
        return invitations


@method_decorator(private, name="dispatch")
class WithdrawView(StatusMixin, View):
    """GET asks for confirmation; POST withdraws."""

    def get(self, request, *args, **kwargs):
        application = self.get_application()
        if not application.can_move_to(Stage.WITHDRAWN):
            self.cannot_withdraw(application)
            return HttpResponseRedirect(application.get_absolute_url())
        return render(request, "applications/withdraw.html", {"application": application})

    def post(self, request, *args, **kwargs):
        application = self.get_application()
        try:
            application_withdraw(application=application)
        except MoveRefused:
            # Withdrawn meanwhile (a double click, another tab) or closed by HR: say which.
            application.refresh_from_db(fields=["stage"])
            self.cannot_withdraw(application)
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return HttpResponseRedirect(application.get_absolute_url())

    def cannot_withdraw(self, application: Application) -> None:
        if application.stage == Stage.WITHDRAWN:
            messages.info(self.request, _("This application is already withdrawn."))
        else:
            closed = _("This application can no longer be withdrawn: it is already closed.")
            messages.info(self.request, closed)


class InvitationMixin(StatusMixin):
    """Find the invitation named in the URL among those of the token's application, or 404."""

    def get_invitation(self) -> SessionInvitation:
        application = self.get_application()
        try:
            # Through the application's manager: the invitation's application is that one,
            # posting included, without another query.
            return application.session_invitations.select_related("step", "session__facility").get(
                pk=self.kwargs["invitation"]
            )
        except SessionInvitation.DoesNotExist:
            raise Http404("This application has no such invitation.") from None


@method_decorator(private, name="dispatch")
class BookingView(InvitationMixin, TemplateView):
    """Pick a session of a step the candidate is invited to, or change it until the deadline;
    afterwards, the booking read-only."""

    template_name = "applications/booking.html"

    def get(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        return self.booking_page(invitation, SessionChoiceForm(invitation=invitation))

    def post(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        form = SessionChoiceForm(request.POST, invitation=invitation)
        if not form.is_valid():
            return self.booking_page(invitation, form)
        session = form.cleaned_data["session"]
        unchanged = (
            invitation.status == InvitationStatus.BOOKED and invitation.session_id == session.pk
        )
        previous = invitation.session_id
        try:
            book(invitation, session)
        except BookingRefused as refusal:
            messages.error(request, str(refusal))
            # What is left now (another candidate took the seat, HR cancelled the session…).
            invitation = self.get_invitation()
            # 409: the request was sound, but what it asked for is no longer there to take.
            return self.booking_page(invitation, SessionChoiceForm(invitation=invitation), 409)
        if unchanged:
            messages.info(request, _("This is already your session: nothing has changed."))
        else:
            text = (
                _(
                    "Your session is booked: %(session)s, %(place)s. A confirmation with a "
                    "calendar file is on its way to you."
                )
                if previous is None
                else _(
                    "Your session is changed: %(session)s, %(place)s. A confirmation with a "
                    "calendar file is on its way to you."
                )
            )
            messages.success(
                request, text % {"session": session_when(session), "place": session.where}
            )
        return HttpResponseRedirect(request.path)

    def booking_page(self, invitation: SessionInvitation, form: SessionChoiceForm, status=200):
        can_change = may_change(invitation)
        if invitation.session is not None:
            invitation.session.when = session_when(invitation.session)
        choices = list(sessions_to_book(invitation)) if can_change else []
        # The error summary links to the field's id: the first radio that can be picked has it.
        field_id, linked = form["session"].auto_id, False
        for choice in choices:
            choice.when = session_when(choice)
            # The candidate's own session is theirs even when it is full.
            choice.is_full = choice.left <= 0 and choice.pk != invitation.session_id
            choice.input_id = f"{field_id}_{choice.pk}"
            if not choice.is_full and not linked:
                choice.input_id, linked = field_id, True
        context = self.get_context_data(
            application=invitation.application,
            posting=invitation.application.posting,
            invitation=invitation,
            booked=invitation.status == InvitationStatus.BOOKED,
            can_change=can_change,
            closed_because="" if can_change else self.closed_because(invitation),
            choices=choices,
            bookable=linked,
            form=form,
            forms_with_errors=[form] if form.errors else [],
            error_count=len(form.errors),
        )
        return self.render_to_response(context, status=status)

    @staticmethod
    def closed_because(invitation: SessionInvitation) -> str:
        """Why the booking can no longer be made or changed, in the candidate's words."""
        if invitation.status == InvitationStatus.ATTENDED:
            return _("You attended this session.")
        if invitation.status == InvitationStatus.NO_SHOW:
            return _("Our records show that you did not attend this session.")
        if invitation.application.stage not in ACTIVE_STAGES:
            return _("Your application is closed: there is no session to book.")
        if timezone.now() >= invitation.book_by:
            return _("The deadline to book or change a session has passed.")
        return _("Your session has started: it can no longer be changed.")


@method_decorator(private, name="dispatch")
class BookingCalendarView(InvitationMixin, View):
    """The booked session as a calendar file (.ics), to add to the candidate's calendar."""

    def get(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        if invitation.status != InvitationStatus.BOOKED:
            raise Http404("This invitation has no session booked.")
        status_url = absolute_url(invitation.application.get_absolute_url())
        response = HttpResponse(
            calendar.booking_calendar(invitation, status_url=status_url),
            content_type=f"{calendar.CONTENT_TYPE}; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{calendar.FILE_NAME}"'
        return response


@method_decorator(
    ratelimit(key="ip", rate=status_link_rate, method="POST", block=True), name="post"
)
class StatusLinkRequestView(FormView):
    template_name = "applications/status_link_request.html"
    form_class = StatusLinkRequestForm

    def form_valid(self, form):
        status_links_send(email=form.cleaned_data["email"])
        return render(
            self.request,
            "applications/status_link_sent.html",
            {"email": form.cleaned_data["email"]},
        )


def rate_limited(request, exception, *, posting: JobPosting | None = None):
    """Answer 429 with a page that says when to try again and whom to write to meanwhile.

    Applying to a posting, that is the posting's HR contact; anywhere else (or for a posting
    that names none), the general careers address.
    """
    context = {"contact": settings.CAREERS_CONTACT_EMAIL}
    if posting is not None and posting.has_hr_contact:
        context.update(
            contact=posting.hr_contact_email, contact_name=posting.hr_contact_name, posting=posting
        )
    return render(request, "429.html", context, status=429)


class ExportView(PermissionRequiredMixin, FormView):
    """The recruiters' export page: choose filters, download CSV or Excel."""

    permission_required = "applications.export_applications"
    raise_exception = True  # 403 for anyone without the permission, signed in or not
    template_name = "admin/applications/application/export.html"

    def has_permission(self):
        # The admin's own rule first (an active staff member): taking away someone's staff
        # status closes this page too, whatever permissions they keep.
        return admin.site.has_permission(self.request) and super().has_permission()

    def get_form(self, form_class=None):
        """Return the form of the export's filters (and format), kept with its FilterSet."""
        self.filterset = ApplicationExportFilter(
            self.request.POST if self.request.method == "POST" else None,
            queryset=Application.objects.visible_to(self.request.user),
            request=self.request,
        )
        return self.filterset.form

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            **super().get_context_data(**kwargs),
            "title": _("Export applicant lists"),
        }

    def form_valid(self, form):
        return export_response(
            self.request,
            self.filterset.qs,
            filters=self.filterset.described(),
            file_format=form.cleaned_data["file_format"],
        )
