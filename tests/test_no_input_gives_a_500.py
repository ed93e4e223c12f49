"""Property-based: no query string or form input makes a public page answer 500."""

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import models
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import ApplicationReport
from tests.documents import pdf_bytes, upload
from tests.factories import JobPostingFactory, OccupationFactory

pytestmark = pytest.mark.django_db

# Text as people and robots send it: any Unicode (NUL included), very long, or empty.
any_text = st.text(max_size=300) | st.sampled_from(["", " ", "0", "-1", "1e99", "NaN", "'", "\x00"])
query_strings = st.dictionaries(
    st.sampled_from(
        [
            "q",
            "region",
            "province",
            "location",
            "stream",
            "occupation",
            "classification",
            "tenure",
            "language",
            "salary",
            "closing_within",
            "sort",
            "page",
            "environment",
            "requirement",
            "unknown",
        ]
    ),
    any_text,
    max_size=6,
)
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def data():
    posting = JobPostingFactory()
    posting.screening_questions.create(kind="yes-no", text="Degree?", is_essential=True)
    posting.screening_questions.create(kind="choice", text="Shift?", choices="Days\nNights")
    OccupationFactory()
    return posting


@HYPOTHESIS
@given(query=query_strings)
def test_public_lists_and_feed_never_answer_500(data, query):
    client = Client(raise_request_exception=False)
    for url in (
        reverse("positions:posting-list"),
        reverse("positions:occupation-list"),
        reverse("positions:posting-feed"),
        reverse("home"),
    ):
        response = client.get(url, query)
        assert response.status_code in {200, 400, 404}, (url, query)


@HYPOTHESIS
@given(path=st.text(max_size=80))
def test_public_detail_urls_never_answer_500(data, path):
    client = Client(raise_request_exception=False)
    for prefix in ("/en/postings/", "/en/occupations/", "/fr/applications/"):
        for suffix in ("", "/", "/apply/"):
            response = client.get(prefix + path.replace("\x00", "%00") + suffix)
            assert response.status_code < 500, (prefix, path, suffix)


@HYPOTHESIS
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "first_name",
                "last_name",
                "email",
                "phone",
                "residence",
                "residence_country",
                "eligibility",
                "correspondence_language",
                "assessment_language",
                "is_veteran",
                "cover_letter",
                "accommodation_request",
                "privacy_consent",
                "declaration",
                "equity-woman",
                "question_1",
                "question_999",
            ]
        ),
        any_text,
        max_size=12,
    ),
    resume=st.one_of(st.none(), st.binary(max_size=2000), st.just(pdf_bytes())),
)
def test_the_application_form_never_answers_500(data, fields, resume):
    cache.clear()  # each example is a new visitor as far as the rate limit is concerned
    client = Client(raise_request_exception=False)
    payload = {key: value.replace("\x00", "") for key, value in fields.items()}
    if resume is not None:
        payload["resume"] = upload(resume, "resume.pdf")
    response = client.post(reverse("applications:apply", args=[data.reference_number]), payload)
    assert response.status_code in {302, 400, 409}, response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/postings/x%00y/",
        "/fr/postings/%00/",
        "/en/postings/%00/apply/",
        "/en/occupations/%00/",
        "/fr/postings/?q=%00",
        "/en/admin/applications/application/?region=%00",
    ],
)
def test_a_nul_character_gets_the_400_page_not_a_database_error(url):
    response = Client(raise_request_exception=False).get(url)

    assert response.status_code == 400
    language = url[1:3]
    assert f'<html lang="{language}">' in response.content.decode()
    assert response.templates[0].name == "400.html"


@pytest.mark.django_db
def test_an_admin_filter_that_is_not_a_posting_number_is_refused_politely(admin_client):
    JobPostingFactory()  # the filter lists current postings
    response = admin_client.get("/en/admin/applications/application/", {"posting": "abc"})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


# One more query field than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000).
TOO_MANY_FIELDS = {f"field{number}": "x" for number in range(1001)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/fr/postings/",
        "/en/occupations/",
        "/fr/postings/feed/",
        "/en/applications/status/",
        "/fr/admin/login/",
        "/sitemap.xml",
    ],
)
def test_too_many_query_fields_get_the_400_page(url):
    response = Client(raise_request_exception=False).get(url, TOO_MANY_FIELDS)

    assert response.status_code == 400
    language = "fr" if url.startswith("/fr/") else "en"
    assert f'<html lang="{language}">' in response.content.decode()
    assert response.templates[0].name == "400.html"


@pytest.mark.django_db
def test_too_many_query_fields_on_an_admin_list_get_the_400_page(admin_client):
    admin_client.raise_request_exception = False
    response = admin_client.get("/en/admin/positions/jobposting/", TOO_MANY_FIELDS)

    assert response.status_code == 400
    assert response.templates[0].name == "400.html"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"closing_date__year": "99999999999999999999"},
        # The date hierarchy's own links, past the last year a date can have.
        {"closing_date__year": "9999"},
        {"closing_date__year": "9999", "closing_date__month": "12", "closing_date__day": "31"},
        {"open_date__year": "99999999999999999999"},
        {"created_at__year__gt": "99999999999999999999"},
    ],
)
def test_an_out_of_range_year_in_an_admin_filter_gets_the_400_page(admin_client, query):
    JobPostingFactory()
    admin_client.raise_request_exception = False

    response = admin_client.get("/en/admin/positions/jobposting/", query)

    assert response.status_code == 400
    assert response.templates[0].name == "400.html"


@pytest.mark.django_db
def test_every_admin_list_refuses_an_out_of_range_year_with_the_400_page(admin_client):
    admin_client.raise_request_exception = False
    answers = {}
    for model in admin.site._registry:
        if model is ApplicationReport:
            continue  # not a list: its entry in the admin index leads to the report pages
        dates = [f for f in model._meta.concrete_fields if isinstance(f, models.DateField)]
        if dates:
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            query = {f"{dates[0].name}__year": "99999999999999999999"}
            answers[url] = admin_client.get(url, query).status_code

    assert "/en/admin/applications/application/" in answers
    assert set(answers.values()) == {400}, answers


@pytest.mark.django_db(transaction=True)
def test_a_filter_the_database_rejects_gets_the_400_page(admin_client):
    admin_client.raise_request_exception = False

    response = admin_client.get("/en/admin/auth/user/", {"username__regex": "["})

    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
