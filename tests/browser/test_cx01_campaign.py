"""Issue 16's campaign end to end, for correctional officers (CX-01): HR finds CSC's steps in the
posting's default plan, creates a session of the psychological assessment, invites candidates in
bulk; one books from their status page and gets the calendar file; two race for the last seat and
one gets it; HR records a security screening and the attendance, qualifies the candidate into the
pool and places them at a facility."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import (
    AssessmentResult,
    AssessmentSession,
    InvitationStatus,
    PoolMember,
    PoolStatus,
    PreEmploymentOutcome,
    SessionInvitation,
    Stage,
)
from applications.roles import HR_ADMINISTRATORS
from positions.models import ClassificationGroup, StepKind
from tests.applications.factories import ApplicationFactory, consensus_of
from tests.browser.test_merit_journey import new_page, person, signed_in
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JUST_TAKEN = "The last seat of this session has just been taken."
CSC_STEPS = [
    "Pre-employment psychological assessment",
    "Pre-employment medical assessment",
    "Security screening",
    "Correctional Training Program",
]


def on(days: int, hour: int) -> datetime.datetime:
    """`days` from today at `hour` o'clock, in the site's time zone (Eastern)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_a_cx01_campaign_from_the_plan_to_a_placement(
    browser, live_server, django_user_model, settings
):
    settings.SITE_URL = live_server.url  # the links in e-mails lead to this test's server
    posting = JobPostingFactory(
        title="Correctional Officer I",
        classification_group=ClassificationGroup.CX,
        classification_level="01",
    )
    assert not posting.assessment_steps.exists()  # HR's first save gives it the default plan
    jordan, sam, alex = (
        ApplicationFactory(posting=posting, first_name=first, last_name=last, reference_check=True)
        for first, last in [("Jordan", "Tremblay"), ("Sam", "Roy"), ("Alex", "Chen")]
    )
    FacilityFactory(name="Collins Bay Institution", city="Kingston")
    joyceville = FacilityFactory(name="Joyceville Institution", city="Kingston")
    person(django_user_model, HR_ADMINISTRATORS, "harper.hr", "Harper", "Lee")
    violations = []
    admin = f"{live_server.url}/en/admin"
    session_day = timezone.localdate() + datetime.timedelta(days=7)
    book_by = on(5, 17)

    # 1. HR saves the CX-01 posting: it gets the default plan, CSC's steps after the interview.
    hr = signed_in(browser, violations, live_server, "harper.hr")
    hr.goto(f"{admin}/positions/jobposting/{posting.pk}/change/")
    hr.get_by_role("button", name="Save and continue editing").click()
    expect(hr.locator(".messagelist")).to_contain_text(
        "The posting has the default assessment plan: Application screening → Interview → "
        + " → ".join(CSC_STEPS)
    )
    plan = hr.locator("#assessment_steps-group")
    for title in ["Application screening", "Interview", *CSC_STEPS]:
        expect(plan.get_by_role("heading", name=f"Assessment step: {title}")).to_have_count(1)
    psychological = posting.assessment_steps.get(kind=StepKind.PSYCHOLOGICAL)
    security = posting.assessment_steps.get(kind=StepKind.SECURITY_SCREENING)
    # A second session of the step, in the afternoon at Joyceville, with seats to spare.
    afternoon = AssessmentSession.objects.create(
        step=psychological,
        starts_at=on(7, 13),
        ends_at=on(7, 16),
        facility=joyceville,
        capacity=10,
    )

    # 2. HR creates a morning session of the psychological assessment at Collins Bay, two seats.
    hr.goto(f"{admin}/applications/assessmentsession/")
    hr.get_by_role("link", name="Add assessment session").click()
    hr.get_by_label("Step").select_option(
        label=f"{posting.reference_number} – Pre-employment psychological assessment"
    )
    # Django's split date and time inputs have no label of their own: they go by their names.
    for field, hour in [("starts_at", "09:00"), ("ends_at", "12:00")]:
        hr.locator(f'input[name="{field}_0"]').fill(session_day.isoformat())
        hr.locator(f'input[name="{field}_1"]').fill(hour)
    # The facility is picked by typing its name (the admin's autocomplete).
    hr.locator(".field-facility").get_by_role("combobox").click()
    hr.keyboard.type("Collins")  # into the search box the autocomplete opened
    hr.get_by_role("option", name="Collins Bay Institution (Kingston)").click()
    # Candidates read the room in their language: HR writes it in both.
    hr.get_by_label("Room or directions, in English").fill("Room 12, visitors' entrance")
    hr.get_by_label("Room or directions, in French").fill("Salle 12, entrée des visiteurs")
    hr.get_by_label("Seats").fill("2")
    hr.get_by_role("button", name="Save", exact=True).click()
    expect(hr.locator(".messagelist .success")).to_contain_text("was added successfully")
    morning = AssessmentSession.objects.exclude(pk=afternoon.pk).get()
    assert (morning.capacity, morning.facility.name, morning.step) == (
        2,
        "Collins Bay Institution",
        psychological,
    )
    assert timezone.localtime(morning.starts_at) == on(7, 9)
    assert (morning.location_details_en, morning.location_details_fr) == (
        "Room 12, visitors' entrance",
        "Salle 12, entrée des visiteurs",
    )

    # 3. From the application list, HR invites the three candidates to book a session.
    mail.outbox.clear()
    hr.goto(f"{admin}/applications/application/?posting={posting.pk}")
    for application in (jordan, sam, alex):
        hr.get_by_role("row").filter(has_text=application.reference).get_by_role("checkbox").check()
    hr.get_by_label("Action:").select_option(label="Invite to book a session…")
    hr.get_by_role("button", name="Go").click()
    expect(hr.get_by_text("3 applications selected, to")).to_be_visible()
    hr.get_by_label("Step").select_option(
        label="Pre-employment psychological assessment (sessions to come: 2, seats left: 12)"
    )
    hr.get_by_label("Book or change by").fill(book_by.strftime("%Y-%m-%dT%H:%M"))
    hr.get_by_role("button", name="Invite").click()
    expect(hr.locator(".messagelist")).to_contain_text(
        "3 candidates invited to book a session: they are e-mailed the link."
    )
    invitations = SessionInvitation.objects.filter(step=psychological)
    assert sorted(invitations.values_list("application__first_name", flat=True)) == [
        "Alex",
        "Jordan",
        "Sam",
    ]
    assert {invitation.book_by for invitation in invitations} == {book_by}
    invited_mail = {
        message.to[0]: message
        for message in mail.outbox
        if message.subject
        == "Book your session: Pre-employment psychological assessment – Correctional Officer I"
    }
    assert sorted(invited_mail) == sorted(a.email for a in (jordan, sam, alex))
    # Each e-mail links to the candidate's own booking page, under their signed status link.
    links = {}
    for application in (jordan, sam, alex):
        invitation = invitations.get(application=application)
        [links[application.first_name]] = re.findall(
            rf"^{re.escape(live_server.url)}/en/applications/\S+/sessions/{invitation.pk}/$",
            invited_mail[application.email].body,
            re.MULTILINE,
        )

    # 4. Jordan opens the booking page from the status page and books the morning session.
    mail.outbox.clear()
    candidate = new_page(browser, violations)
    candidate.goto(f"{live_server.url}{jordan.get_absolute_url()}")
    candidate.get_by_role("link", name=re.compile(r"^Book your session by")).click()
    expect(candidate.get_by_role("heading", level=1)).to_have_text(
        "Book your session: Pre-employment psychological assessment"
    )
    choices = candidate.get_by_role("group", name="Choose a session")
    choices.get_by_role("radio", name=re.compile(r"Collins Bay.*2 seats left")).check()
    candidate.get_by_role("button", name="Book this session").click()
    expect(candidate.get_by_role("status")).to_contain_text(
        re.compile(
            r"Your session is booked: .* from 9 a\.m\. to noon \(E[SD]T\), Collins Bay "
            r"Institution \(Kingston\) – Room 12, visitors' entrance\. A confirmation with a "
            r"calendar file is on its way to you\."
        )
    )
    [confirmation] = [m for m in mail.outbox if m.subject.startswith("Session booked")]
    assert confirmation.to == [jordan.email]
    [(file_name, calendar, content_type)] = confirmation.attachments
    assert (file_name, content_type.split(";")[0]) == ("session.ics", "text/calendar")
    starts_in_utc = f"DTSTART:{on(7, 9).astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"
    calendar = calendar.decode() if isinstance(calendar, bytes) else calendar
    assert starts_in_utc in calendar
    assert "Collins Bay Institution" in calendar
    # The same file from the page, to add to a calendar later.
    with candidate.expect_download() as download:
        candidate.get_by_role("link", name="Add to my calendar").click()
    assert download.value.suggested_filename == "session.ics"
    assert starts_in_utc in download.value.path().read_text(encoding="utf-8")

    # 5. The last seat: Sam (from the e-mail's link) and Alex (from the status page) both have
    # the page open with one seat left, and both book it, Sam first. Alex is told it is gone and
    # sees what is left.
    sam_page = new_page(browser, violations)
    sam_page.goto(links["Sam"])
    alex_page = new_page(browser, violations)
    alex_page.goto(f"{live_server.url}{alex.get_absolute_url()}")
    alex_page.get_by_role("link", name=re.compile(r"^Book your session by")).click()
    for page in (sam_page, alex_page):
        page.get_by_role("radio", name=re.compile(r"Collins Bay.*1 seat left")).check()
    sam_page.get_by_role("button", name="Book this session").click()
    expect(sam_page.get_by_role("status")).to_contain_text("Your session is booked")
    alex_page.get_by_role("button", name="Book this session").click()
    expect(alex_page.get_by_role("alert")).to_contain_text(JUST_TAKEN)
    expect(alex_page.get_by_role("radio", name=re.compile(r"Collins Bay.*Full"))).to_be_disabled()
    left = alex_page.get_by_role("radio", name=re.compile(r"Joyceville.*10 seats left"))
    expect(left).to_be_enabled()
    left.check()
    alex_page.get_by_role("button", name="Book this session").click()
    expect(alex_page.get_by_role("status")).to_contain_text("Joyceville Institution (Kingston)")
    booked = dict(invitations.values_list("application__first_name", "session"))
    assert booked == {"Jordan": morning.pk, "Sam": morning.pk, "Alex": afternoon.pk}

    # HR reads who booked the morning session.
    hr.goto(f"{admin}/applications/assessmentsession/{morning.pk}/change/")
    who = hr.get_by_role("region", name="Who booked")
    expect(who.get_by_role("row")).to_have_count(3)  # the header and the two seats
    expect(who).to_contain_text("Jordan Tremblay")
    expect(who).to_contain_text("Sam Roy")

    # 6. Results. HR records Jordan's security screening on the application's page.
    hr.goto(f"{admin}/applications/application/{jordan.pk}/change/")
    screening = hr.locator(f"#pre-employment-{security.pk}")
    screening.get_by_label("Passed", exact=True).check()
    screening.get_by_label("Date", exact=True).fill(timezone.localdate().isoformat())
    screening.get_by_label("Valid until").fill(
        (timezone.localdate() + datetime.timedelta(days=3650)).isoformat()
    )
    screening.get_by_label("Security level").select_option(label="Reliability status")
    screening.get_by_role("button", name="Record the result").click()
    expect(hr.get_by_text("The result of “Security screening”")).to_be_visible()
    assert jordan.pre_employment_results.get().outcome == PreEmploymentOutcome.PASSED

    # The morning session took place (moved into the past): HR marks Jordan as attended.
    started = timezone.now() - datetime.timedelta(hours=4)
    AssessmentSession.objects.filter(pk=morning.pk).update(
        starts_at=started, ends_at=started + datetime.timedelta(hours=3)
    )
    hr.goto(f"{admin}/applications/sessioninvitation/?step={psychological.pk}")
    hr.get_by_role("row").filter(has_text=jordan.reference).get_by_role("checkbox").check()
    hr.get_by_label("Action:").select_option(label="Mark as attended")
    hr.get_by_role("button", name="Go").click()
    expect(hr.locator(".messagelist")).to_contain_text("1 candidate marked as attended.")
    assert invitations.get(application=jordan).status == InvitationStatus.ATTENDED
    candidate.goto(f"{live_server.url}{jordan.get_absolute_url()}")
    expect(candidate.locator(".sessions")).to_contain_text(
        "Pre-employment psychological assessment Attended on"
    )

    # The board found every essential qualification met (its ratings are issue 15's journey).
    consensus_of(jordan, {posting.qualifications.get(): AssessmentResult.MET})

    # HR qualifies Jordan into the pool, from the application list.
    hr.goto(f"{admin}/applications/application/?posting={posting.pk}")
    hr.get_by_role("row").filter(has_text=jordan.reference).get_by_role("checkbox").check()
    hr.get_by_label("Action:").select_option(label="Qualify into the pool (fully assessed)")
    hr.get_by_role("button", name="Go").click()
    expect(hr.locator(".messagelist")).to_contain_text("1 candidate joined the pool.")

    # From the pool, HR offers Jordan a placement at Collins Bay and records the acceptance.
    hr.goto(f"{admin}/applications/poolmember/?posting={posting.pk}")
    hr.get_by_role("row").filter(has_text=jordan.reference).get_by_role("link").first.click()
    offer = hr.get_by_role("form", name="Offer a placement")
    offer.get_by_label("Facility").select_option(label="Collins Bay Institution (Kingston)")
    offer.get_by_label("Tenure").select_option(label="Indeterminate (permanent)")
    offer.get_by_label("Start date").fill(
        (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    )
    offer.get_by_role("button", name="Offer the placement").click()
    expect(hr.locator(".messagelist")).to_contain_text("A placement is offered to Jordan Tremblay.")
    hr.get_by_role("button", name="Accepted").click()
    expect(hr.locator(".messagelist")).to_contain_text(
        "The answer of Jordan Tremblay is recorded: “Accepted”."
    )
    jordan.refresh_from_db()
    member = PoolMember.objects.get()
    assert (member.application, member.status, jordan.stage) == (
        jordan,
        PoolStatus.PLACED,
        Stage.HIRED,
    )
    assert violations == []
