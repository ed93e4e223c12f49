"""Issue 16, sessions candidates book: from their status page, an invited candidate opens the
booking page, picks a session (with the mouse, or with the keyboard alone, in French), reads the
confirmation, gets it by e-mail, and downloads the calendar file."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.models import InvitationStatus, OfficialLanguage, SessionInvitation
from positions.models import AssessmentStep, StepKind
from tests.applications.factories import ApplicationFactory
from tests.applications.test_booking import fill, invited, new_session
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_keyboard import tab_to
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(live_server, settings):
    """A CX-01 posting's written exam with three sessions: one full, two with seats."""
    # The links in e-mails lead to this test's server.
    settings.SITE_URL = live_server.url
    posting = JobPostingFactory(title="Correctional Officer I", title_fr="Agent correctionnel I")
    step = AssessmentStep.objects.create(posting=posting, kind=StepKind.WRITTEN_EXAM, order=1)
    kingston = FacilityFactory(name="Joyceville Institution", city="Kingston")
    sessions = {
        "full": new_session(step, kingston, day=5, capacity=1),
        "morning": new_session(
            step,
            kingston,
            day=6,
            capacity=10,
            location_details_en="Room 204",
            location_details_fr="Salle 204",
        ),
        "online": new_session(step, day=7, hour=13, capacity=10),
    }
    fill(sessions["full"], 1)
    return step, sessions


def test_a_candidate_books_a_session_from_the_status_page(page, live_server, campaign):
    step, sessions = campaign
    candidate = ApplicationFactory(posting=step.posting, assessment=True, first_name="Marie")
    invitation = invited(candidate, step)
    mail.outbox.clear()

    page.goto(f"{live_server.url}{candidate.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Book your session by March 1, 2030")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Book your session: Written exam")
    assert_accessible(page, "booking page")
    group = page.get_by_role("group", name="Choose a session")
    full = group.get_by_role("radio", name=re.compile(r"March 5, 2030.*Full"))
    expect(full).to_be_disabled()
    page.get_by_role("button", name="Book this session").click()
    # Sent without a choice: the error, linked from the summary, on the group.
    expect(page.get_by_role("alert")).to_contain_text("Pick the session you will attend.")
    assert_accessible(page, "booking page with an error")

    group.get_by_role("radio", name=re.compile(r"March 6, 2030.*Room 204")).check()
    page.get_by_role("button", name="Book this session").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Your session is booked: March 6, 2030, from 9 a.m. to noon (EST), Joyceville "
        "Institution (Kingston) – Room 204. A confirmation with a calendar file is on its way"
    )
    expect(page.get_by_role("heading", name="Your session", exact=True)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar").click()
    assert download.value.suggested_filename == "session.ics"
    calendar = download.value.path().read_text(encoding="utf-8")
    assert "DTSTART:20300306T140000Z" in calendar  # 9 a.m. Eastern standard time
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.BOOKED
    assert invitation.session == sessions["morning"]
    [confirmation] = [m for m in mail.outbox if m.subject.startswith("Session booked")]
    assert confirmation.to == [candidate.email]

    # Back on the status page: the session booked, to change or add to a calendar.
    page.get_by_role("link", name="Back to your application").click()
    expect(page.locator(".sessions")).to_contain_text(
        "Your session: March 6, 2030, from 9 a.m. to noon (EST)"
    )
    expect(page.get_by_role("link", name="Change – Written exam")).to_be_visible()


def test_a_candidate_books_in_french_with_the_keyboard(page, live_server, campaign):
    step, sessions = campaign
    candidate = ApplicationFactory(
        posting=step.posting,
        assessment=True,
        correspondence_language=OfficialLanguage.FRENCH,
    )
    invitation = invited(candidate, step)
    status = candidate.get_absolute_url().replace("/en/", "/fr/", 1)

    page.goto(f"{live_server.url}{status}")
    tab_to(page, "text=Réservez votre séance d’ici le 1 mars 2030")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Réservez votre séance\u00a0: Examen écrit"
    )
    assert_accessible(page, "booking page in French")
    # The room in French, the times as Canada.ca writes them in French (9 h, not 09:00).
    expect(
        page.get_by_role("radio", name=re.compile(r"6 mars 2030, de 9\sh à 12\sh .*Salle 204"))
    ).to_be_enabled()

    # Into the group: the full session is skipped; the arrow moves to the next one and picks it.
    tab_to(page, "#id_session")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=re.compile("7 mars 2030"))).to_be_checked()
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text(
        "Votre séance est réservée\u00a0: 7 mars 2030, de 13\u00a0h à 16\u00a0h (EST), En ligne."
    )
    tab_to(page, "text=Ajouter à mon calendrier")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    calendar = download.value.path().read_text(encoding="utf-8")
    assert "DTSTART:20300307T180000Z" in calendar
    assert "https://meet.example.ca/exam" in calendar
    assert SessionInvitation.objects.get(pk=invitation.pk).session == sessions["online"]
