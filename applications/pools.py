"""Qualified pools: who joins a posting's pool and until when, and the placements made from it.

A candidate whose record of decision says "qualified" (the consensus in force found every
essential qualification met) joins the pool of the posting they applied to, for
POOL_VALIDITY_MONTHS; HR may extend that with a reason, remove them with a reason and put them
back. A placement is an offer for a facility, a tenure and a start date: the application moves to
"Job offer made" through the pipeline, and to "Hired" when the candidate accepts. Every change is
a PoolEvent, written in the same transaction. Each service locks the row it changes, so a double
click or two HR people at once cannot both succeed; a refusal raises a PoolRefused naming why, and
saves nothing.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import decision
from applications.models import (
    Application,
    Entitlement,
    EntitlementCheck,
    Placement,
    PlacementStatus,
    PoolAssessment,
    PoolEvent,
    PoolEventKind,
    PoolMember,
    PoolStatus,
)
from applications.pipeline import ACTIVE_STAGES, ALLOWED_MOVES, MoveRefused, Stage
from positions.models import Facility, Tenure

# "Expiring soon" in the pool's list: qualified until at most this many days from today.
EXPIRING_SOON_DAYS = 30


class PoolRefused(Exception):
    """A change to a pool that is not allowed; the message says why, in the reader's language."""


class NotQualified(PoolRefused):
    """The candidate's record of decision does not say "qualified"."""


class ReasonRequired(PoolRefused):
    """Extending, removing and restoring are done only with a reason, which stays on record."""


class ExtensionRefused(PoolRefused):
    """The new expiry date is not later than the current one, or the member is not available."""


class MembershipRefused(PoolRefused):
    """Removing a member who is not available, or restoring one who was not removed."""


class PlacementRefused(PoolRefused):
    """An offer that cannot be made: the member is not available, or an offer already waits."""


class AnswerRefused(PoolRefused):
    """An answer to an offer already answered, or that the pipeline cannot follow."""


class EntitlementCheckRefused(PoolRefused):
    """An entitlement check with a date that cannot be."""


def today() -> datetime.date:
    return timezone.localdate()


def months_after(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` later, or the month's last day (31 January + 1: 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def pool_expiry(qualified_on: datetime.date) -> datetime.date:
    """The day a qualification made on `qualified_on` expires (POOL_VALIDITY_MONTHS later)."""
    return months_after(qualified_on, settings.POOL_VALIDITY_MONTHS)


def required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Give a reason: it stays in the pool's history."))
    return reason


def locked_member(member: PoolMember) -> PoolMember:
    """The member's row, locked until the transaction ends, as it is now."""
    return PoolMember.objects.select_for_update().select_related("application").get(pk=member.pk)


def refusal_of(application: Application, verdict: decision.Verdict) -> NotQualified | None:
    """Why the application cannot join its posting's pool, or None when it can."""
    if application.stage == Stage.WITHDRAWN:
        return NotQualified(_("The candidate withdrew their application."))
    if verdict == decision.Verdict.NOT_QUALIFIED:
        return NotQualified(
            _("The candidate does not meet every essential qualification (record of decision).")
        )
    if verdict != decision.Verdict.QUALIFIED:
        return NotQualified(
            _(
                "The board has not yet found every essential qualification met: the record of "
                "decision says “%(verdict)s”."
            )
            % {"verdict": verdict.label}
        )
    return None


def pool_qualify(
    *,
    applications: QuerySet[Application] | Iterable[Application],
    by: AbstractBaseUser | None,
    assessment: str = PoolAssessment.FULL,
) -> tuple[list[PoolMember], list[tuple[Application, NotQualified]]]:
    """Put each qualified candidate into their posting's pool; return those added and refused.

    Only a candidate whose record-of-decision verdict is "qualified" joins, qualified from today
    until POOL_VALIDITY_MONTHS later, with a QUALIFIED event. Candidates already in the pool are
    left as they are (neither added nor refused). The applications are locked while they are
    read, so two people qualifying the same candidate at once add them once.
    """
    assessment = PoolAssessment(assessment)
    if isinstance(applications, QuerySet):
        ids = list(applications.order_by().values_list("pk", flat=True))
    else:
        ids = [application.pk for application in applications]
    added: list[PoolMember] = []
    refused: list[tuple[Application, NotQualified]] = []
    with transaction.atomic():
        # Locked in the order of pk (two bulk actions overlapping cannot deadlock), with what
        # their record of decision reads.
        locked = list(
            decision.record_queryset()
            .filter(pk__in=ids)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        already = set(
            PoolMember.objects.filter(application__in=ids).values_list("application_id", flat=True)
        )
        qualified_on = today()
        for application in locked:
            if application.pk in already:
                continue
            posting = application.posting
            outcome = decision.outcome_of(
                application,
                steps=list(posting.assessment_steps.all()),
                ratings=list(application.step_ratings.all()),
                essentials=posting.essential_qualifications,
                changes=list(application.stage_changes.all()),
            )
            refusal = refusal_of(application, outcome.verdict)
            if refusal is not None:
                refused.append((application, refusal))
                continue
            added.append(
                PoolMember(
                    application=application,
                    assessment=assessment,
                    qualified_on=qualified_on,
                    expires_on=pool_expiry(qualified_on),
                )
            )
        PoolMember.objects.bulk_create(added)
        PoolEvent.objects.bulk_create(
            PoolEvent(
                member=member, kind=PoolEventKind.QUALIFIED, expires_on=member.expires_on, by=by
            )
            for member in added
        )
    return added, refused


def pool_extend(
    member: PoolMember, *, until: datetime.date, reason: str, by: AbstractBaseUser | None
) -> PoolEvent:
    """Keep the member qualified until a later date, for the reason given (an EXTENDED event)."""
    reason = required_reason(reason)
    with transaction.atomic():
        current = locked_member(member)
        if current.status != PoolStatus.AVAILABLE:
            raise ExtensionRefused(
                _("Only a candidate available in the pool can be kept in it longer.")
            )
        if until <= current.expires_on:
            raise ExtensionRefused(
                _("Choose a date later than the current expiry, %(date)s.")
                % {"date": current.expires_on.isoformat()}
            )
        current.expires_on = until
        current.save(update_fields=["expires_on", "changed_at"])
        event = PoolEvent.objects.create(
            member=current, kind=PoolEventKind.EXTENDED, reason=reason, expires_on=until, by=by
        )
    member.expires_on, member.status = current.expires_on, current.status
    return event


pool_extend.alters_data = True


def pool_remove(member: PoolMember, *, reason: str, by: AbstractBaseUser | None) -> PoolEvent:
    """Take an available member out of the pool, for the reason given (pool_restore undoes it)."""
    reason = required_reason(reason)
    with transaction.atomic():
        current = locked_member(member)
        if current.status != PoolStatus.AVAILABLE:
            raise MembershipRefused(
                _(
                    "Only a candidate available in the pool can be removed; this one is "
                    "“%(status)s”."
                )
                % {"status": PoolStatus(current.status).label}
            )
        if current.placements.filter(status=PlacementStatus.OFFERED).exists():
            raise MembershipRefused(
                _("An offer to this candidate waits for an answer: record the answer first.")
            )
        current.status = PoolStatus.REMOVED
        current.save(update_fields=["status", "changed_at"])
        event = PoolEvent.objects.create(
            member=current, kind=PoolEventKind.REMOVED, reason=reason, by=by
        )
    member.status = current.status
    return event


pool_remove.alters_data = True


def pool_restore(member: PoolMember, *, reason: str, by: AbstractBaseUser | None) -> PoolEvent:
    """Put a removed member back in the pool, available, for the reason given."""
    reason = required_reason(reason)
    with transaction.atomic():
        current = locked_member(member)
        if current.status != PoolStatus.REMOVED:
            raise MembershipRefused(_("Only a candidate removed from the pool can be put back."))
        current.status = PoolStatus.AVAILABLE
        current.save(update_fields=["status", "changed_at"])
        event = PoolEvent.objects.create(
            member=current, kind=PoolEventKind.RESTORED, reason=reason, by=by
        )
    member.status = current.status
    return event


pool_restore.alters_data = True


def stages_before_offer() -> list[Stage]:
    """The stages from which the pipeline makes a job offer (the README's table)."""
    return [Stage(stage) for stage, moves in ALLOWED_MOVES.items() if Stage.OFFER in moves]


def placement_offer(
    member: PoolMember,
    *,
    facility: Facility,
    tenure: str,
    starts_on: datetime.date,
    stays_available: bool,
    by: AbstractBaseUser | None,
) -> Placement:
    """Offer an available, unexpired member a placement; the application moves to "Job offer made".

    One offer waits for an answer at a time (a database constraint, and the member's row lock).
    The move goes through Application.move_to, which checks the pipeline: an application not
    yet at the stage before an offer is refused, naming that stage. One already at the offer
    stage (an earlier offer declined), or hired and kept available, does not move.
    """
    if tenure not in Tenure.values:
        raise PlacementRefused(_("Choose one of the tenures offered."))
    with transaction.atomic():
        current = locked_member(member)
        if current.status != PoolStatus.AVAILABLE:
            raise PlacementRefused(
                _(
                    "Only a candidate available in the pool can be offered a placement; this one "
                    "is “%(status)s”."
                )
                % {"status": PoolStatus(current.status).label}
            )
        if current.expires_on < today():
            raise PlacementRefused(
                _("This candidate's qualification expired on %(date)s: extend it first.")
                % {"date": current.expires_on.isoformat()}
            )
        if starts_on < today():
            raise PlacementRefused(_("The start date cannot be in the past."))
        if current.placements.filter(status=PlacementStatus.OFFERED).exists():
            raise PlacementRefused(
                _("An offer to this candidate already waits for an answer: record it first.")
            )
        application = current.application
        if application.stage not in (Stage.OFFER, Stage.HIRED):
            if application.stage not in ACTIVE_STAGES:
                raise PlacementRefused(
                    _("The application is “%(stage)s”: no placement can be offered.")
                    % {"stage": Stage(application.stage).label}
                )
            if not application.can_move_to(Stage.OFFER):
                raise PlacementRefused(
                    _(
                        "The application is “%(current)s”: it must reach “%(stage)s” before a "
                        "placement can be offered."
                    )
                    % {
                        "current": Stage(application.stage).label,
                        "stage": " / ".join(str(stage.label) for stage in stages_before_offer()),
                    }
                )
            try:
                application.move_to(
                    Stage.OFFER,
                    by=by,
                    reason=_("Placement offered from the pool: %(facility)s, from %(date)s.")
                    % {"facility": facility.name, "date": starts_on.isoformat()},
                )
            except MoveRefused as refusal:
                raise PlacementRefused(str(refusal)) from refusal
        try:
            with transaction.atomic():
                placement = Placement.objects.create(
                    member=current,
                    facility=facility,
                    tenure=tenure,
                    starts_on=starts_on,
                    stays_available=stays_available,
                    offered_by=by,
                )
        except IntegrityError as error:
            raise PlacementRefused(
                _("An offer to this candidate already waits for an answer: record it first.")
            ) from error
        PoolEvent.objects.create(
            member=current, kind=PoolEventKind.OFFERED, placement=placement, by=by
        )
    return placement


placement_offer.alters_data = True


def placement_answer(
    placement: Placement, *, accepted: bool, by: AbstractBaseUser | None
) -> Placement:
    """Record the candidate's answer to an offer.

    Accepted: the application moves to "Hired" (move_to) and the member is placed, unless the
    offer kept them available for other facilities. Declined: they stay available. An offer
    is answered once.
    """
    with transaction.atomic():
        current = locked_member(placement.member)
        offer = (
            Placement.objects.select_for_update(of=("self",))
            .select_related("facility")
            .get(pk=placement.pk)
        )
        if offer.status != PlacementStatus.OFFERED:
            raise AnswerRefused(
                _("This offer was answered already: “%(status)s”.")
                % {"status": PlacementStatus(offer.status).label}
            )
        now = timezone.now()
        if accepted:
            application = current.application
            if application.stage != Stage.HIRED:
                try:
                    application.move_to(
                        Stage.HIRED,
                        by=by,
                        reason=_("Placement accepted: %(facility)s, from %(date)s.")
                        % {"facility": offer.facility.name, "date": offer.starts_on.isoformat()},
                    )
                except MoveRefused as refusal:
                    raise AnswerRefused(str(refusal)) from refusal
            if not offer.stays_available:
                current.status = PoolStatus.PLACED
                current.save(update_fields=["status", "changed_at"])
        offer.status = PlacementStatus.ACCEPTED if accepted else PlacementStatus.DECLINED
        offer.answered_at = now
        offer.save(update_fields=["status", "answered_at"])
        PoolEvent.objects.create(
            member=current,
            kind=PoolEventKind.ACCEPTED if accepted else PoolEventKind.DECLINED,
            placement=offer,
            by=by,
            at=now,
        )
    placement.status, placement.answered_at = offer.status, offer.answered_at
    placement.member.status = current.status
    return placement


placement_answer.alters_data = True


def entitlement_check_record(
    *,
    application: Application,
    entitlement: str,
    verified: bool,
    valid_until: datetime.date | None,
    note: str,
    by: AbstractBaseUser | None,
) -> EntitlementCheck:
    """Record HR's verification of a priority entitlement or veterans' preference.

    The latest check of each kind is in force; a verification may be good until a date.
    """
    if entitlement not in Entitlement.values:
        raise EntitlementCheckRefused(_("Choose one of the entitlements offered."))
    if valid_until is not None and not verified:
        raise EntitlementCheckRefused(
            _("Give a date of validity only for an entitlement you verified.")
        )
    if valid_until is not None and valid_until < today():
        raise EntitlementCheckRefused(_("The date of validity cannot be in the past."))
    with transaction.atomic():
        return EntitlementCheck.objects.create(
            application=application,
            entitlement=entitlement,
            verified=verified,
            valid_until=valid_until,
            note=(note or "").strip(),
            by=by,
        )


def in_force_condition(on: datetime.date) -> Q:
    """An entitlement check in force on `on`: it verified the entitlement, and has no end date or
    one not passed. The one statement of the rule: in SQL here, in Python by check_in_force."""
    return Q(verified=True) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def check_in_force(check: EntitlementCheck | None, *, on: datetime.date) -> bool:
    """Whether this check (the latest of its kind) is in force on `on` (in_force_condition)."""
    return bool(check and check.verified and (check.valid_until is None or check.valid_until >= on))


def verified_in_force(entitlement: Entitlement, *, on: datetime.date) -> Coalesce:
    """Whether the latest check of this kind for the member's application verified it, and it
    is still good on `on` (no end date, or one not passed). False when there is none."""
    latest = EntitlementCheck.objects.filter(
        application=OuterRef("application_id"), entitlement=entitlement
    ).order_by("-at", "-id")
    in_force = Case(
        When(in_force_condition(on), then=True),
        default=False,
        output_field=BooleanField(),
    )
    return Coalesce(
        Subquery(latest.annotate(in_force=in_force).values("in_force")[:1]),
        Value(False),
        output_field=BooleanField(),
    )


def pool_in_order(members: QuerySet[PoolMember] | None = None) -> QuerySet[PoolMember]:
    """Return pool members in the order they are considered for a placement.

    The Priority Administration Directive requires that persons with a priority entitlement be
    considered before anyone else is appointed: verified priority persons (their latest check
    verified and not expired) come first, then verified veterans (veterans' preference), then
    everyone else; within each, by the day they qualified, then by name. Each member carries
    `priority_verified`, `veteran_verified` and `pool_rank` (0, 1, 2).
    """
    if members is None:
        members = PoolMember.objects.all()
    on = today()
    return (
        members.annotate(
            priority_verified=verified_in_force(Entitlement.PRIORITY, on=on),
            veteran_verified=verified_in_force(Entitlement.VETERAN, on=on),
        )
        .annotate(
            pool_rank=Case(
                When(priority_verified=True, then=Value(0)),
                When(veteran_verified=True, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "pool_rank",
            "qualified_on",
            "application__last_name",
            "application__first_name",
            "pk",
        )
    )
