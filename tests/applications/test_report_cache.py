"""Reports counted once and shown for a few minutes (applications.report_cache): the page says
when its figures were counted, "Count again now" counts them at once, people who see different
postings never share figures, and equity figures are never kept.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from applications import report_cache
from applications.models import EquityDeclaration
from applications.pipeline import Stage
from applications.report_cache import Counted, counted_report
from applications.reports import funnel_report, report_scope
from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from positions.models import JobPosting
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db


def report_url(report: str) -> str:
    return reverse("admin:applications_applicationreport_report", args=[report])


def applied(page) -> str:
    """The "Applied" count of the funnel page, as shown."""
    section = next(s for s in page.context["sections"] if s.table.slug == "funnel")
    return section.body[0][1][0]


@pytest.fixture
def hr(client, django_user_model):
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    return client


@pytest.fixture
def kept_five_minutes(settings):
    settings.REPORT_CACHE_SECONDS = 300


def test_within_the_minutes_the_page_shows_the_figures_as_counted_and_says_when(
    hr, kept_five_minutes
):
    posting = JobPostingFactory()
    ApplicationFactory(posting=posting)
    first = hr.get(report_url("funnel"))
    assert applied(first) == "1"
    assert "Figures as of" in first.content.decode()
    assert "more than 5 minutes old" in first.content.decode()

    ApplicationFactory(posting=posting)
    again = hr.get(report_url("funnel"))

    assert applied(again) == "1"
    assert again.context["counted_at"] == first.context["counted_at"]


def test_count_again_now_counts_at_once_and_comes_back_to_the_same_filters(hr, kept_five_minutes):
    posting = JobPostingFactory()
    ApplicationFactory(posting=posting)
    url = f"{report_url('funnel')}?postings={posting.pk}"
    assert applied(hr.get(url)) == "1"
    ApplicationFactory(posting=posting)

    response = hr.post(url)

    assert response.status_code == 302
    assert response["Location"] == url
    assert applied(hr.get(url)) == "2"


def test_count_again_needs_the_form_token(client, django_user_model, kept_five_minutes):
    client.handler.enforce_csrf_checks = True
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    assert client.post(report_url("funnel")).status_code == 403


def test_figures_older_than_the_setting_are_counted_again(hr, kept_five_minutes, monkeypatch):
    posting = JobPostingFactory()
    ApplicationFactory(posting=posting)
    assert applied(hr.get(report_url("funnel"))) == "1"
    ApplicationFactory(posting=posting)
    later = timezone.now() + datetime.timedelta(minutes=6)
    monkeypatch.setattr(report_cache.timezone, "now", lambda: later)

    page = hr.get(report_url("funnel"))

    assert applied(page) == "2"
    assert page.context["counted_at"] == later


def test_people_who_see_different_postings_never_share_figures(
    client, django_user_model, kept_five_minutes
):
    reviewer = staff_in(django_user_model, REVIEWERS)
    theirs, other = JobPostingFactory(), JobPostingFactory()
    theirs.reviewers.add(reviewer)
    ApplicationFactory(posting=theirs)
    ApplicationFactory.create_batch(3, posting=other)
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS, username="hr.admin"))
    assert applied(client.get(report_url("funnel"))) == "4"

    client.force_login(reviewer)

    assert applied(client.get(report_url("funnel"))) == "1"


def test_each_language_has_its_own_figures(kept_five_minutes):
    ApplicationFactory(posting=JobPostingFactory())
    scope = report_scope(JobPosting.objects.all())
    with translation.override("en"):
        english = counted_report(funnel_report, scope).figures
    with translation.override("fr"):
        french = counted_report(funnel_report, scope).figures
    assert english.levels[0].label == "Applied"
    assert french.levels[0].label != english.levels[0].label


def test_equity_figures_are_kept_as_shown_and_read_back_only_with_the_permission(
    client, django_user_model, kept_five_minutes, settings
):
    settings.EQUITY_SUPPRESSION_THRESHOLD = 1
    officer = staff_in(django_user_model, HR_ADMINISTRATORS)
    officer.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="applications", codename="view_equitydeclaration"
        )
    )
    client.force_login(officer)
    application = ApplicationFactory(posting=JobPostingFactory())
    EquityDeclaration.objects.create(
        application=application,
        woman="yes",
        indigenous="no",
        disability="no",
        visible_minority="no",
    )
    assert woman_row(client.get(report_url("equity")))[-1] == "1"  # declarations
    EquityDeclaration.objects.create(
        application=ApplicationFactory(posting=application.posting),
        woman="no",
        indigenous="no",
        disability="no",
        visible_minority="no",
    )
    assert woman_row(client.get(report_url("equity")))[-1] == "1"  # as counted
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS, username="no.equity"))

    assert client.get(report_url("equity")).status_code == 403


def woman_row(page) -> list[str]:
    section = next(s for s in page.context["sections"] if s.table.slug == "equity-woman")
    return [text for text, _number in section.body[0]]


def test_while_someone_counts_the_figures_there_are_are_shown(kept_five_minutes):
    ApplicationFactory(posting=JobPostingFactory())
    scope = report_scope(JobPosting.objects.all())
    kept = counted_report(funnel_report, scope)
    stale = Counted(kept.figures, timezone.now() - datetime.timedelta(minutes=10))
    key = report_cache.scope_key(funnel_report, scope, {})
    cache.set(key, stale)
    cache.add(f"{key}:counting", True)

    shown = counted_report(funnel_report, scope)

    assert shown.counted_at == stale.counted_at


def test_with_nothing_counted_yet_a_request_waits_for_the_count_under_way(
    kept_five_minutes, monkeypatch
):
    ApplicationFactory(posting=JobPostingFactory())
    scope = report_scope(JobPosting.objects.all())
    key = report_cache.scope_key(funnel_report, scope, {})
    cache.add(f"{key}:counting", True)
    finished = Counted(funnel_report(scope), timezone.now())

    def sleep(seconds):  # the other request finishes its count meanwhile
        cache.set(key, finished)

    monkeypatch.setattr(report_cache.time, "sleep", sleep)

    assert counted_report(funnel_report, scope).counted_at == finished.counted_at


def test_a_count_that_fails_lets_the_next_request_count(kept_five_minutes):
    scope = report_scope(JobPosting.objects.all())

    def broken(scope):
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        counted_report(broken, scope)

    assert cache.add(f"{report_cache.scope_key(broken, scope, {})}:counting", True)


def test_the_stage_of_an_application_moved_meanwhile_shows_after_counting_again(
    hr, kept_five_minutes
):
    application = ApplicationFactory(posting=JobPostingFactory())
    before = hr.get(report_url("funnel"))
    section = next(s for s in before.context["sections"] if s.table.slug == "funnel")
    assert [text for text, _number in section.body[1]][:2] == ["Screened in", "0"]
    application.move_to(Stage.SCREENED_IN)

    hr.post(report_url("funnel"))
    after = hr.get(report_url("funnel"))

    section = next(s for s in after.context["sections"] if s.table.slug == "funnel")
    assert [text for text, _number in section.body[1]][:2] == ["Screened in", "1"]


@pytest.mark.parametrize("report", ["funnel", "time", "reach", "equity"])
def test_every_report_is_kept_in_both_languages(
    client, django_user_model, kept_five_minutes, report
):
    officer = staff_in(django_user_model, HR_ADMINISTRATORS)
    officer.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="applications", codename="view_equitydeclaration"
        )
    )
    client.force_login(officer)
    ApplicationFactory(posting=JobPostingFactory(), screened_in=True)
    for language in ("en", "fr"):
        with translation.override(language):
            url = reverse("admin:applications_applicationreport_report", args=[report])
        first = client.get(url)
        again = client.get(url)
        assert again.context["counted_at"] == first.context["counted_at"]
        assert [s.body for s in again.context["sections"]] == [
            s.body for s in first.context["sections"]
        ]
