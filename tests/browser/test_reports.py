"""A recruiter opens the HR reports, reads a chart and its table in English and in French, and
downloads the table; axe finds nothing on the pages."""

import csv
import io

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from applications.pipeline import Stage
from applications.roles import RECRUITERS
from tests.applications.factories import ApplicationFactory, staff_in
from tests.browser.test_accessibility import assert_accessible
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(table, heading: str):
    """The row of a table that the row heading names."""
    return table.get_by_role("row").filter(
        has=table.page.get_by_role("rowheader", name=heading, exact=True)
    )


def in_french(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


def report_in_french(name: str) -> str:
    with translation.override("fr"):
        return pgettext("HR report", name)


def test_a_recruiter_reads_the_funnel_in_both_languages_and_downloads_it(
    page, live_server, django_user_model
):
    recruiter = staff_in(django_user_model, RECRUITERS, username="rita.recruiter")
    recruiter.set_password("correct horse battery staple")
    recruiter.save()
    posting = JobPostingFactory(reference_number="CSC-26-WP-0142", title="Parole officer")
    for stage in (Stage.RECEIVED, Stage.SCREENED_OUT, Stage.SCREENED_IN, Stage.HIRED):
        ApplicationFactory(posting=posting, stage=stage)
    downloads = []
    # Listening from the start: a subscription made only inside expect_download() is sent
    # without waiting, and could come after the click's download.
    page.on("download", lambda download: downloads.append(download))

    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill("rita.recruiter")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports: Funnel")

    chart = page.get_by_role("img", name="How far candidates got", exact=True)
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="How far candidates got", exact=True)
    expect(row(table, "Applied").get_by_role("cell")).to_have_text(["4", "—", "—", "100.0%"])
    expect(row(table, "Hired").get_by_role("cell")).to_have_text(["1", "0", "0.0%", "25.0%"])
    assert_accessible(page, "funnel")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download “How far candidates got” (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("report_funnel_")
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows[0][:2] == ["Level", "Candidates"]
    assert rows[1][:2] == ["Applied", "4"] and rows[-1][:2] == ["Hired", "1"]
    assert downloads

    page.goto(page.url.replace("/en/", "/fr/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    caption = in_french("How far candidates got")
    expect(page.get_by_role("img", name=caption, exact=True)).to_be_visible()
    table = page.get_by_role("table", name=caption, exact=True)
    expect(row(table, in_french("Applied"))).to_contain_text("100,0")  # a decimal comma
    expect(page.get_by_role("link", name="Accueil")).to_be_visible()  # the admin, in French
    assert_accessible(page, "funnel, in French")

    page.get_by_role("link", name=report_in_french("Time"), exact=True).click()
    expect(page.get_by_role("img", name=in_french("Time in each stage (days)"))).to_be_visible()
    stages = page.get_by_role("table", name=in_french("Time in each stage (days)"))
    expect(stages.get_by_role("rowheader", name=in_french("Received"), exact=True)).to_be_visible()
    assert_accessible(page, "time, in French")

    page.get_by_role("link", name=report_in_french("Reach"), exact=True).click()
    expect(page.get_by_role("img", name=in_french("By region of residence"))).to_be_visible()
    assert_accessible(page, "reach, in French")
