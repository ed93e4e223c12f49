"""The export's filters: each narrows the list, a reviewer chooses among their postings only."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from applications.filters import ApplicationExportFilter
from applications.models import Application, ExportLog
from applications.pipeline import Stage
from applications.roles import RECRUITERS, REVIEWERS
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import (
    CareerStreamFactory,
    FacilityFactory,
    JobPostingFactory,
    OccupationFactory,
    ProvinceFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

END_BEFORE_START = "The end date must not be before the start date."


def export_filter(user, **data):
    request = RequestFactory().post(reverse("applications:export"))
    request.user = user
    return ApplicationExportFilter(
        {"file_format": "csv", **data},
        queryset=Application.objects.visible_to(user),
        request=request,
    )


@pytest.fixture
def recruiter(django_user_model):
    return staff_in(django_user_model, RECRUITERS)


@pytest.fixture
def applications():
    atlantic = RegionFactory(slug="atlantic", name="Atlantic")
    in_atlantic = FacilityFactory(province=ProvinceFactory(code="NB", region=atlantic))
    programs = OccupationFactory(stream=CareerStreamFactory(slug="programs"))
    last_year = timezone.now() - datetime.timedelta(days=365)
    return {
        "interview": ApplicationFactory(interview=True),
        "french": ApplicationFactory(correspondence_language="fr"),
        "programs": ApplicationFactory(posting=JobPostingFactory(occupation=programs)),
        "atlantic": ApplicationFactory(posting=JobPostingFactory(locations=[in_atlantic])),
        "last year": ApplicationFactory(submitted_at=last_year),
    }


def found(filterset) -> set:
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


def test_no_filter_keeps_every_application(recruiter, applications):
    assert found(export_filter(recruiter)) == set(applications.values())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"stages": [Stage.INTERVIEW]}, {"interview"}),
        (
            {"stages": [Stage.INTERVIEW, Stage.RECEIVED]},
            {"interview", "french", "programs", "atlantic", "last year"},
        ),
        ({"language": "fr"}, {"french"}),
        ({"stream": "programs"}, {"programs"}),
        ({"region": "atlantic"}, {"atlantic"}),
        (
            {"submitted_to": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
            {"last year"},
        ),
        (
            {"submitted_from": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
            {"interview", "french", "programs", "atlantic"},
        ),
        ({"stages": [Stage.INTERVIEW], "language": "fr"}, set()),
    ],
)
def test_each_filter_narrows_the_list(recruiter, applications, data, expected):
    assert found(export_filter(recruiter, **data)) == {applications[name] for name in expected}


def test_chosen_postings_narrow_the_list(recruiter, applications):
    chosen = [applications["programs"].posting.pk, applications["atlantic"].posting.pk]

    assert found(export_filter(recruiter, postings=chosen)) == {
        applications["programs"],
        applications["atlantic"],
    }


def test_a_reviewer_chooses_among_their_own_postings_only(django_user_model, applications):
    reviewer = staff_in(django_user_model, REVIEWERS)
    theirs = applications["french"].posting
    theirs.reviewers.add(reviewer)
    someone_elses = applications["programs"].posting

    filterset = export_filter(reviewer, postings=[someone_elses.pk])

    assert list(filterset.form.fields["postings"].queryset) == [theirs]
    assert not filterset.is_valid()
    assert "postings" in filterset.errors
    assert found(export_filter(reviewer)) == {applications["french"]}


def test_an_end_date_before_the_start_date_is_refused_on_the_end_date(recruiter):
    filterset = export_filter(recruiter, submitted_from="2026-03-10", submitted_to="2026-03-09")

    assert not filterset.is_valid()
    assert filterset.errors == {"submitted_to": [END_BEFORE_START]}


def test_the_filters_are_described_as_plain_data_for_the_export_log(recruiter, applications):
    posting = applications["atlantic"].posting
    filterset = export_filter(
        recruiter,
        postings=[posting.pk],
        stages=[Stage.RECEIVED],
        submitted_from="2026-01-01",
        region="atlantic",
        language="en",
    )

    assert filterset.is_valid(), filterset.errors
    assert filterset.described() == {
        "postings": [posting.reference_number],
        "stages": ["received"],
        "submitted_from": "2026-01-01",
        "submitted_to": None,
        "region": "atlantic",
        "stream": None,
        "language": "en",
    }


def test_the_export_page_offers_the_filters_then_the_format(client, recruiter):
    client.force_login(recruiter)

    response = client.get(reverse("applications:export"))

    assert list(response.context["form"].fields) == [
        "postings",
        "stages",
        "submitted_from",
        "submitted_to",
        "region",
        "stream",
        "language",
        "file_format",
    ]
    content = response.content.decode()
    assert content.index('name="postings"') < content.index('name="file_format"')
    assert '<option value="csv" selected>CSV</option>' in content
    assert '<option value="" selected>Either</option>' in content


def test_bad_dates_on_the_export_page_say_so_and_export_nothing(client, recruiter):
    client.force_login(recruiter)

    response = client.post(
        reverse("applications:export"),
        {"file_format": "csv", "submitted_from": "2026-03-10", "submitted_to": "2026-03-09"},
    )

    assert response.status_code == 200
    assert END_BEFORE_START in response.content.decode()
    assert not ExportLog.objects.exists()
