"""A recruiter exports one posting's screened-in applicants as CSV from the admin."""

import csv
import io

import pytest
from playwright.sync_api import expect

from applications.models import ExportLog, Stage
from applications.roles import RECRUITERS
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recruiter_downloads_one_postings_screened_in_applicants(
    page, live_server, django_user_model
):
    recruiter = staff_in(django_user_model, RECRUITERS, username="rita.recruiter")
    recruiter.set_password("correct horse battery staple")
    recruiter.save()
    posting = JobPostingFactory(reference_number="CSC-26-WP-0142", title="Parole officer")
    other_posting = JobPostingFactory(
        reference_number="CSC-26-CX-0007", title="Correctional officer"
    )
    screened_in = ApplicationFactory(posting=posting, last_name="Côté", screened_in=True)
    ApplicationFactory(posting=posting, last_name="Received")
    ApplicationFactory(posting=other_posting, last_name="Elsewhere", screened_in=True)

    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill("rita.recruiter")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.locator("tr.model-application").get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="Export applicant lists").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export applicant lists")

    page.get_by_label("Job postings").select_option(label="Parole officer (CSC-26-WP-0142)")
    page.get_by_role("checkbox", name="Screened in", exact=True).check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value

    assert download.suggested_filename.startswith("applicants_CSC-26-WP-0142_screened-in_")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows[0][:3] == ["Reference", "First name", "Last name"]
    assert [(row[0], row[2], row[7]) for row in rows[1:]] == [
        (screened_in.reference, "Côté", "Screened in")
    ]
    log = ExportLog.objects.get()
    assert (log.exported_by, log.row_count, log.file_format) == (recruiter, 1, "csv")
    assert log.filters["stages"] == [Stage.SCREENED_IN]
