"""Qualified pools (issue 16): who joins, for how long, extensions, removals, placements, the
order of the pool (verified priority persons first) and who may see and change it."""

import datetime
import threading
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from applications.models import (
    AssessmentResult,
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
from applications.pipeline import Stage
from applications.pools import (
    AnswerRefused,
    ExtensionRefused,
    MembershipRefused,
    NotQualified,
    PlacementRefused,
    ReasonRequired,
    check_in_force,
    in_force_condition,
    placement_answer,
    placement_offer,
    pool_extend,
    pool_in_order,
    pool_qualify,
    pool_remove,
    pool_restore,
)
from applications.pools import (
    today as pools_today,
)
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from positions.models import Tenure
from positions.services import assessment_plan_default
from tests.applications.factories import (
    ApplicationFactory,
    RoleFactory,
    consensus_of,
    staff_in,
)
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = pytest.mark.django_db

POOLS = reverse("admin:applications_poolmember_changelist")
APPLICATIONS = reverse("admin:applications_application_changelist")
NEXT_WEEK = datetime.date.today() + datetime.timedelta(days=7)


def member_url(member, action: str = "change") -> str:
    return reverse(f"admin:applications_poolmember_{action}", args=[member.pk])


def candidate(posting=None, *, result=AssessmentResult.MET, stage=Stage.REFERENCE_CHECK, **kwargs):
    """An application at `stage` whose board found the essential qualification `result`
    (None: no consensus yet)."""
    posting = posting or JobPostingFactory()
    assessment_plan_default(posting=posting)
    application = ApplicationFactory(posting=posting, stage=stage, **kwargs)
    if result is not None:
        consensus_of(application, {posting.qualifications.get(is_asset=False): result})
    return application


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS, username="hr")


@pytest.fixture
def member(hr):
    (added,), _refused = pool_qualify(applications=[candidate()], by=hr)
    return added


def qualified(hr, **kwargs) -> PoolMember:
    (added,), _refused = pool_qualify(applications=[candidate(**kwargs)], by=hr)
    return added


# --- Qualifying -----------------------------------------------------------------------------


def test_only_candidates_found_to_meet_every_essential_qualification_join(hr):
    posting = JobPostingFactory()
    met = candidate(posting)
    not_met = candidate(posting, result=AssessmentResult.NOT_MET)
    not_assessed = candidate(posting, result=None)
    withdrawn = candidate(posting, stage=Stage.WITHDRAWN)

    added, refused = pool_qualify(applications=[met, not_met, not_assessed, withdrawn], by=hr)

    assert [m.application for m in added] == [met]
    assert {application for application, _ in refused} == {not_met, not_assessed, withdrawn}
    assert all(isinstance(refusal, NotQualified) and str(refusal) for _, refusal in refused)
    assert list(PoolMember.objects.values_list("application", flat=True)) == [met.pk]
    event = PoolEvent.objects.get()
    assert (event.kind, event.member.application, event.by) == (PoolEventKind.QUALIFIED, met, hr)


@pytest.mark.parametrize(
    ("joined", "until"),
    [
        (datetime.date(2027, 3, 15), datetime.date(2028, 3, 15)),
        # No 29 February in 2029: the last day of the month.
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
    ],
)
def test_a_qualification_lasts_twelve_months(hr, joined, until):
    with mock.patch("applications.pools.today", return_value=joined):
        (member,), _ = pool_qualify(applications=[candidate()], by=hr)

    member.refresh_from_db()
    assert (member.qualified_on, member.expires_on) == (joined, until)
    assert member.status == PoolStatus.AVAILABLE
    assert member.events.get().expires_on == until


def test_qualifying_twice_leaves_the_candidate_as_they_are(hr, member):
    added, refused = pool_qualify(applications=[member.application], by=hr)

    assert (added, refused) == ([], [])
    assert PoolMember.objects.count() == 1
    assert PoolEvent.objects.count() == 1


# --- Extending, removing, restoring -------------------------------------------------------


def test_an_extension_needs_a_reason_and_a_later_date(hr, member):
    later = member.expires_on + datetime.timedelta(days=90)

    with pytest.raises(ReasonRequired):
        pool_extend(member, until=later, reason="  ", by=hr)
    with pytest.raises(ExtensionRefused):
        pool_extend(member, until=member.expires_on, reason="Hiring continues.", by=hr)
    assert member.events.count() == 1

    pool_extend(member, until=later, reason="Hiring continues in the spring.", by=hr)

    member.refresh_from_db()
    assert member.expires_on == later
    event = member.events.last()
    assert (event.kind, event.expires_on, event.reason) == (
        PoolEventKind.EXTENDED,
        later,
        "Hiring continues in the spring.",
    )


def test_a_removal_needs_a_reason_and_can_be_reversed(hr, member):
    with pytest.raises(ReasonRequired):
        pool_remove(member, reason="", by=hr)
    member.refresh_from_db()
    assert member.status == PoolStatus.AVAILABLE

    pool_remove(member, reason="Asked to leave the pool.", by=hr)
    member.refresh_from_db()
    assert member.status == PoolStatus.REMOVED
    with pytest.raises(MembershipRefused):
        pool_remove(member, reason="Twice.", by=hr)
    with pytest.raises(PlacementRefused):
        placement_offer(
            member,
            facility=FacilityFactory(),
            tenure=Tenure.INDETERMINATE,
            starts_on=NEXT_WEEK,
            stays_available=False,
            by=hr,
        )

    with pytest.raises(ReasonRequired):
        pool_restore(member, reason="", by=hr)
    pool_restore(member, reason="Removed by mistake.", by=hr)

    member.refresh_from_db()
    assert member.status == PoolStatus.AVAILABLE
    assert [(e.kind, e.reason) for e in member.events.all()] == [
        (PoolEventKind.QUALIFIED, ""),
        (PoolEventKind.REMOVED, "Asked to leave the pool."),
        (PoolEventKind.RESTORED, "Removed by mistake."),
    ]


# --- Placements ---------------------------------------------------------------------------


def offer(member, by, **kwargs):
    return placement_offer(
        member,
        facility=kwargs.pop("facility", None) or FacilityFactory(name="Collins Bay Institution"),
        tenure=kwargs.pop("tenure", Tenure.INDETERMINATE),
        starts_on=kwargs.pop("starts_on", NEXT_WEEK),
        stays_available=kwargs.pop("stays_available", False),
        by=by,
    )


def test_an_offer_makes_a_job_offer_and_acceptance_hires_and_places(hr, member):
    placement = offer(member, hr)

    application = member.application
    application.refresh_from_db()
    assert application.stage == Stage.OFFER
    assert placement.status == PlacementStatus.OFFERED

    placement_answer(placement, accepted=True, by=hr)

    application.refresh_from_db()
    member.refresh_from_db()
    placement.refresh_from_db()
    assert application.stage == Stage.HIRED
    assert list(application.stage_changes.values_list("to_stage", flat=True))[-2:] == [
        Stage.OFFER,
        Stage.HIRED,
    ]
    assert member.status == PoolStatus.PLACED
    assert placement.status == PlacementStatus.ACCEPTED and placement.answered_at
    assert [e.kind for e in member.events.all()] == [
        PoolEventKind.QUALIFIED,
        PoolEventKind.OFFERED,
        PoolEventKind.ACCEPTED,
    ]
    with pytest.raises(AnswerRefused):
        placement_answer(placement, accepted=False, by=hr)


def test_a_declined_offer_leaves_the_candidate_available_for_another(hr, member):
    first = offer(member, hr)
    placement_answer(first, accepted=False, by=hr)

    member.refresh_from_db()
    assert member.status == PoolStatus.AVAILABLE
    second = offer(member, hr, facility=FacilityFactory(name="Joyceville Institution"))
    assert second.status == PlacementStatus.OFFERED
    member.application.refresh_from_db()
    assert member.application.stage == Stage.OFFER


def test_an_accepted_offer_that_keeps_the_candidate_available(hr, member):
    placement_answer(offer(member, hr, stays_available=True), accepted=True, by=hr)

    member.refresh_from_db()
    member.application.refresh_from_db()
    assert member.status == PoolStatus.AVAILABLE
    assert member.application.stage == Stage.HIRED


def test_a_second_offer_waits_for_the_answer_to_the_first(hr, member):
    offer(member, hr)

    with pytest.raises(PlacementRefused):
        offer(member, hr)
    assert Placement.objects.count() == 1


def test_an_offer_before_the_checks_names_the_stage_to_reach_first(hr):
    member = qualified(hr, stage=Stage.INTERVIEW)

    with pytest.raises(PlacementRefused, match="Reference and security checks"):
        offer(member, hr)
    assert Placement.objects.count() == 0
    member.application.refresh_from_db()
    assert member.application.stage == Stage.INTERVIEW


def test_an_expired_qualification_cannot_be_offered_a_placement(hr, member):
    PoolMember.objects.filter(pk=member.pk).update(
        expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )

    with pytest.raises(PlacementRefused, match="expired"):
        offer(member, hr)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_offers_make_one(django_user_model):
    hr = staff_in(django_user_model, HR_ADMINISTRATORS, username="hr")
    member = qualified(hr)
    facility = FacilityFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        try:
            barrier.wait()
            offer(PoolMember.objects.get(pk=member.pk), hr, facility=facility)
            outcomes.append("offered")
        except PlacementRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["offered", "refused"]
    assert Placement.objects.count() == 1
    assert member.events.filter(kind=PoolEventKind.OFFERED).count() == 1
    assert member.application.stage_changes.filter(to_stage=Stage.OFFER).count() == 1


# --- The pool's order -----------------------------------------------------------------------


def check(member, entitlement, *, verified=True, valid_until=None, at=None):
    """A check as a row (dated in the past when asked: the service refuses past dates)."""
    return EntitlementCheck.objects.create(
        application=member.application,
        entitlement=entitlement,
        verified=verified,
        valid_until=valid_until,
        **({"at": at} if at else {}),
    )


def test_verified_priority_persons_come_first_then_veterans(hr):
    posting = JobPostingFactory()
    names = ["Adams", "Brown", "Chen", "Dubois", "Evans"]
    members = {
        name: qualified(hr, posting=posting, last_name=name, has_priority_entitlement=True)
        for name in names
    }
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    check(members["Evans"], Entitlement.PRIORITY)  # verified, no end
    check(members["Dubois"], Entitlement.VETERAN, valid_until=NEXT_WEEK)
    check(members["Chen"], Entitlement.PRIORITY, valid_until=yesterday)  # expired: no longer
    # Brown: declared, verified, then found not to hold: the latest check is in force.
    check(
        members["Brown"],
        Entitlement.PRIORITY,
        at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    check(members["Brown"], Entitlement.PRIORITY, verified=False)

    order = [m.application.last_name for m in pool_in_order()]

    assert order == ["Evans", "Dubois", "Adams", "Brown", "Chen"]


# --- The admin: roles -----------------------------------------------------------------------


def test_reviewers_get_no_pool(client, django_user_model, member):
    reviewer = staff_in(django_user_model, REVIEWERS, username="reviewer")
    member.application.posting.reviewers.add(reviewer)
    client.force_login(reviewer)

    assert client.get(POOLS).status_code == 403
    assert client.get(member_url(member)).status_code == 403
    response = client.post(
        member_url(member, "extend"), {"extend-until": "2099-01-01", "extend-reason": "x"}
    )
    assert response.status_code == 403


def test_recruiters_read_the_pool_but_cannot_change_it(client, django_user_model, hr, member):
    recruiter = staff_in(django_user_model, RECRUITERS, username="recruiter")
    client.force_login(recruiter)

    assert member.application.reference in client.get(POOLS).content.decode()
    page = client.get(member_url(member)).content.decode()
    assert "Qualified into the pool" in page  # the history
    assert member_url(member, "extend") not in page
    assert member_url(member, "offer") not in page
    for action, data in [
        ("extend", {"extend-until": "2099-01-01", "extend-reason": "Longer."}),
        ("remove", {"remove-reason": "Gone."}),
        ("offer", {}),
    ]:
        assert client.post(member_url(member, action), data).status_code == 403
    member.refresh_from_db()
    assert member.status == PoolStatus.AVAILABLE and member.events.count() == 1
    assert 'value="qualify_into_pool"' not in client.get(APPLICATIONS).content.decode()


# --- The admin: HR's pages ------------------------------------------------------------------


def test_hr_qualifies_from_the_application_list_and_reads_who_was_refused(client, hr):
    posting = JobPostingFactory()
    met = candidate(posting)
    not_met = candidate(posting, result=AssessmentResult.NOT_MET)
    client.force_login(hr)

    response = client.post(
        APPLICATIONS,
        {"action": "qualify_into_pool", "_selected_action": [met.pk, not_met.pk]},
        follow=True,
    )

    text = response.content.decode()
    assert "1 candidate joined the pool." in text
    assert "1 candidate was refused:" in text
    assert f"{not_met.reference}: The candidate does not meet every essential qualification" in text
    assert list(PoolMember.objects.values_list("application", flat=True)) == [met.pk]


def test_hr_qualifies_a_partially_assessed_candidate_from_the_list(client, hr):
    met = candidate(JobPostingFactory())
    client.force_login(hr)

    client.post(
        APPLICATIONS, {"action": "qualify_into_pool_partially", "_selected_action": [met.pk]}
    )

    assert PoolMember.objects.get(application=met).assessment == PoolAssessment.PARTIAL


def test_hr_extends_and_reads_the_refusal_of_an_earlier_date(client, hr, member):
    client.force_login(hr)
    url = member_url(member, "extend")

    refused = client.post(
        url, {"extend-until": member.expires_on.isoformat(), "extend-reason": "More hiring."}
    )
    assert refused.status_code == 200
    assert "Choose a date later than the current expiry" in refused.content.decode()
    no_reason = client.post(url, {"extend-until": "2099-01-01", "extend-reason": ""})
    assert "This field is required." in no_reason.content.decode()

    done = client.post(url, {"extend-until": "2099-01-01", "extend-reason": "More hiring."})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.expires_on == datetime.date(2099, 1, 1)
    assert "More hiring." in client.get(member_url(member)).content.decode()


def test_hr_offers_and_records_the_acceptance_on_the_members_page(client, hr, member):
    facility = FacilityFactory(name="Millhaven Institution")
    client.force_login(hr)

    client.post(
        member_url(member, "offer"),
        {
            "offer-facility": facility.pk,
            "offer-tenure": Tenure.TERM,
            "offer-starts_on": NEXT_WEEK.isoformat(),
        },
    )
    placement = Placement.objects.get()
    assert (placement.facility, placement.tenure) == (facility, Tenure.TERM)
    answer_url = reverse("admin:applications_poolmember_answer", args=[member.pk, placement.pk])
    assert client.get(answer_url).status_code == 405
    assert answer_url in client.get(member_url(member)).content.decode()

    client.post(answer_url, {"answer": PlacementStatus.ACCEPTED})

    member.refresh_from_db()
    assert member.status == PoolStatus.PLACED
    listed = client.get(POOLS).content.decode()
    assert "Millhaven Institution" in listed and "Accepted" in listed


def test_hr_records_an_entitlement_check_on_the_application_page(client, hr, member):
    application = member.application
    client.force_login(hr)
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    record = reverse("admin:applications_entitlementcheck_record", args=[application.pk])
    assert record in page.content.decode()

    client.post(record, {"entitlement": Entitlement.PRIORITY, "verified": "yes", "note": "PIMS"})

    check = EntitlementCheck.objects.get()
    assert (check.entitlement, check.verified, check.by) == (Entitlement.PRIORITY, True, hr)
    assert "Priority entitlement" in client.get(POOLS).content.decode()


def test_reviewers_see_no_entitlement_checks_on_the_application_page(
    client, django_user_model, member
):
    reviewer = staff_in(django_user_model, REVIEWERS, username="reviewer")
    member.application.posting.reviewers.add(reviewer)
    client.force_login(reviewer)
    record = reverse("admin:applications_entitlementcheck_record", args=[member.application.pk])

    page = client.get(
        reverse("admin:applications_application_change", args=[member.application.pk])
    )

    assert page.status_code == 200
    assert record not in page.content.decode()
    assert (
        client.post(record, {"entitlement": Entitlement.PRIORITY, "verified": "yes"}).status_code
        == 403
    )


@pytest.mark.parametrize("count", [3, 30])
def test_the_pools_query_count_does_not_grow_with_its_rows(
    client, hr, django_assert_max_num_queries, count
):
    posting = JobPostingFactory()
    members = [qualified(hr, posting=posting) for _ in range(count)]
    for member in members[::2]:
        check(member, Entitlement.PRIORITY)
        placement_answer(offer(member, hr), accepted=member.pk % 4 == 0, by=hr)
    client.force_login(hr)
    client.get(POOLS)

    # Session, user, permissions (2), the postings with a pool, the postings filter, the count,
    # the page, its placements, and the session saved (3).
    with django_assert_max_num_queries(12):
        response = client.get(f"{POOLS}?posting={posting.pk}")

    assert len(response.context["cl"].result_list) == count


# --- The demo -------------------------------------------------------------------------------


def test_the_demo_has_a_pool_with_one_candidate_placed_and_loads_once(demo_postings, settings):
    for name in (HR_ADMINISTRATORS, REVIEWERS, RECRUITERS):
        RoleFactory(name=name)
    settings.DEBUG = True
    call_command("load_demo_applications", stdout=StringIO())

    members = list(PoolMember.objects.select_related("application").order_by("pk"))
    assert len(members) == 2
    assert [m.status for m in members] == [PoolStatus.PLACED, PoolStatus.AVAILABLE]
    assert members[0].application.stage == Stage.HIRED
    assert all(m.application.last_name.startswith("Demo-") for m in members)
    before = (PoolEvent.objects.count(), Placement.objects.count())

    call_command("load_demo_applications", stdout=StringIO())

    assert PoolMember.objects.count() == 2
    assert (PoolEvent.objects.count(), Placement.objects.count()) == before


@pytest.mark.parametrize(
    "lookup",
    [
        "application__equity_declaration__woman",
        "application__pre_employment_results__outcome",
    ],
)
def test_the_pool_list_filters_on_no_equity_answer_or_health_result(client, hr, member, lookup):
    client.force_login(hr)
    assert client.get(POOLS, {lookup: "yes"}).status_code == 400


@pytest.mark.parametrize(
    ("verified", "days_left", "in_force"),
    [(True, None, True), (True, 0, True), (True, -1, False), (False, None, False)],
)
def test_an_entitlement_check_is_in_force_the_same_in_sql_and_in_python(
    hr, member, verified, days_left, in_force
):
    on = pools_today()
    valid_until = None if days_left is None else on + datetime.timedelta(days=days_left)
    made = check(member, Entitlement.PRIORITY, verified=verified, valid_until=valid_until)

    assert check_in_force(made, on=on) is in_force
    assert EntitlementCheck.objects.filter(in_force_condition(on), pk=made.pk).exists() is in_force
