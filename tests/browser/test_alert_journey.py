"""A job seeker signs up for an alert, confirms it, gets one e-mail and leaves in one click."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from applications.roles import HR_ADMINISTRATORS
from positions.models import JobAlert, JobPosting, posting_today
from tests.applications.factories import staff_in
from tests.browser.test_accessibility import assert_accessible
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_confirm_receive_one_alert_and_unsubscribe_in_one_click(
    page, live_server, settings, django_user_model
):
    # The links in e-mails lead to this test's server.
    settings.SITE_URL = live_server.url
    older = JobPostingFactory(title="Parole officer, Kingston")  # open already: not new to it
    draft = JobPostingFactory(
        title="Parole officer, Montréal",
        published_at=None,
        open_date=posting_today() - datetime.timedelta(days=1),
    )
    welder = JobPostingFactory(title="Welder", published_at=None)  # published, does not match
    hr = staff_in(django_user_model, HR_ADMINISTRATORS, username="harper.hr")

    # Search, then sign up under the results.
    page.goto(f"{live_server.url}/en/postings/?q=parole")
    page.get_by_role("link", name="E-mail me new postings like these").click()
    expect(page.get_by_role("heading", name="E-mail me new job postings")).to_be_visible()
    expect(page.get_by_text("“parole”")).to_be_visible()
    assert_accessible(page, "alert sign-up")
    page.get_by_label("E-mail address").fill("Sam.Lee@example.ca")
    page.get_by_role("group", name="Language of the e-mails").get_by_label("English").check()
    page.get_by_role("group", name="How often").get_by_label("Daily").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page, "alert sign-up sent")
    alert = JobAlert.objects.get()
    assert alert.query == "q=parole" and not alert.is_confirmed

    # Confirm from the e-mail: the link shows a button, the button confirms.
    [confirmation] = mail.outbox
    assert confirmation.to == ["sam.lee@example.ca"]
    confirm_link = re.search(r"https?://\S+/confirm/\S+", confirmation.body)[0]
    assert confirm_link.startswith(f"{live_server.url}/en/")
    page.goto(confirm_link)
    assert_accessible(page, "alert confirmation")
    page.get_by_role("button", name="Confirm my job alert").click()
    expect(page.get_by_role("heading", name="Your job alert is confirmed")).to_be_visible()
    assert_accessible(page, "alert confirmed")
    page.get_by_role("link", name="Manage my job alerts").click()
    expect(page.get_by_text("sam.lee@example.ca")).to_be_visible()
    assert_accessible(page, "alert manage page")
    alert.refresh_from_db()
    assert alert.is_confirmed

    # HR publishes two postings in the admin; one matches the search.
    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill(hr.username)
    page.get_by_label("Password").fill("x")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/en/admin/positions/jobposting/")
    for title in ("Parole officer, Montréal", "Welder"):
        page.get_by_role("row").filter(has_text=title).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("2 postings published")
    assert JobPosting.objects.open().filter(pk=draft.pk).exists()

    # The alert job sends exactly one e-mail, listing only the new matching posting.
    mail.outbox.clear()
    call_command("send_job_alerts", stdout=io.StringIO())
    [alert_mail] = mail.outbox
    assert alert_mail.to == ["sam.lee@example.ca"]
    assert "Parole officer, Montréal" in alert_mail.body
    assert draft.reference_number in alert_mail.body
    assert older.reference_number not in alert_mail.body
    assert welder.reference_number not in alert_mail.body
    assert alert_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # One click, as a mailbox provider does it: a POST with no cookie or CSRF token.
    one_click = re.fullmatch(r"<(.+)>", alert_mail.extra_headers["List-Unsubscribe"])[1]
    page.context.clear_cookies()
    response = page.request.post(
        one_click,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    assert not JobAlert.objects.exists()
    # Replayed by the provider: still 200, nothing left to delete.
    assert page.request.post(one_click, form={"List-Unsubscribe": "One-Click"}).status == 200
