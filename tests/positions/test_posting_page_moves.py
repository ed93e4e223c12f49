"""HR publishes, closes, reopens, archives and copies a posting from its own admin page.

The issue: the posting's page shows the moves its state allows (publish, close now, reopen,
archive, duplicate) with what each will do. The README's table of moves: a draft is published or
archived; an open or scheduled posting is closed; a posting closed early is reopened (published
again) while its closing date is ahead; a closed posting is archived; any posting is copied.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import formats

from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from positions.models import JobPosting, PostingAction, PostingEvent, PostingState, posting_today
from tests.applications.factories import staff_in
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

TODAY = posting_today()
DAY = datetime.timedelta(days=1)


def change_url(posting) -> str:
    return reverse("admin:positions_jobposting_change", args=[posting.pk])


def move_url(posting, move) -> str:
    return reverse("admin:positions_jobposting_move", args=[posting.pk, move])


def buttons(response) -> list[str]:
    """The moves offered on the page, as the buttons' values, in order."""
    return re.findall(
        r'<button type="submit" class="button" name="move" value="([a-z]+)"',
        (response.content.decode()),
    )


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS, "grace.nakamura")


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def draft():
    return JobPostingFactory(published_at=None)


def scheduled():
    return JobPostingFactory(open_date=TODAY + 5 * DAY, closing_date=TODAY + 20 * DAY)


def open_posting():
    return JobPostingFactory()


def closed_early():
    posting = JobPostingFactory()
    posting.close_now()
    return posting


def closed_by_date():
    return JobPostingFactory(open_date=TODAY - 30 * DAY, closing_date=TODAY - DAY)


def archived():
    posting = JobPostingFactory(published_at=None)
    posting.archive()
    return posting


@pytest.mark.parametrize(
    ("make", "state", "offered"),
    [
        (draft, PostingState.DRAFT, ["publish", "archive", "duplicate"]),
        (scheduled, PostingState.SCHEDULED, ["close", "duplicate"]),
        (open_posting, PostingState.OPEN, ["close", "duplicate"]),
        (closed_early, PostingState.CLOSED, ["reopen", "archive", "duplicate"]),
        (closed_by_date, PostingState.CLOSED, ["archive", "duplicate"]),
        (archived, PostingState.ARCHIVED, ["duplicate"]),
    ],
)
def test_the_page_offers_the_moves_the_state_allows(hr_client, make, state, offered):
    posting = make()
    assert posting.state == state

    assert buttons(hr_client.get(change_url(posting))) == offered


def test_each_move_says_what_it_will_do(hr_client):
    posting = scheduled()
    closing = formats.date_format(posting.closing_date, "DATE_FORMAT")
    opening = formats.date_format(posting.open_date, "DATE_FORMAT")
    content = hr_client.get(change_url(posting)).content.decode()
    assert f"It will not open on {opening}: nobody can apply." in content
    assert "A new draft, CSC-26-TEST-" in content and "-COPY-1, with this posting" in content

    posting = JobPostingFactory(
        published_at=None, open_date=TODAY + 3 * DAY, closing_date=TODAY + 30 * DAY
    )
    opening = formats.date_format(posting.open_date, "DATE_FORMAT")
    closing = formats.date_format(posting.closing_date, "DATE_FORMAT")
    content = hr_client.get(change_url(posting)).content.decode()
    assert f"It opens on {opening} and closes on {closing}." in content


def test_publishing_from_the_page_publishes_and_records_who(hr_client, hr):
    posting = JobPostingFactory(published_at=None)

    response = hr_client.post(move_url(posting, "publish"), follow=True)

    assert response.redirect_chain[-1][0] == change_url(posting)
    posting.refresh_from_db()
    assert posting.state == PostingState.OPEN
    event = PostingEvent.objects.get(posting=posting)
    assert (event.action, event.by) == (PostingAction.PUBLISHED, hr)
    closing = formats.date_format(posting.closing_date, "DATE_FORMAT")
    assert f"is published and open until {closing}." in response.content.decode()
    assert buttons(response) == ["close", "duplicate"]  # what it allows now


def test_closing_reopening_and_archiving_from_the_page(hr_client):
    posting = JobPostingFactory()

    hr_client.post(move_url(posting, "close"))
    assert JobPosting.objects.with_state().get(pk=posting.pk).current_state == PostingState.CLOSED
    hr_client.post(move_url(posting, "reopen"))
    assert JobPosting.objects.with_state().get(pk=posting.pk).current_state == PostingState.OPEN
    hr_client.post(move_url(posting, "close"))
    response = hr_client.post(move_url(posting, "archive"), follow=True)

    assert JobPosting.objects.with_state().get(pk=posting.pk).current_state == (
        PostingState.ARCHIVED
    )
    assert "is archived" in response.content.decode()
    assert [e.action for e in PostingEvent.objects.filter(posting=posting)] == [
        PostingAction.CLOSED,
        PostingAction.REOPENED,
        PostingAction.CLOSED,
        PostingAction.ARCHIVED,
    ]


def test_a_refused_move_says_why(hr_client):
    posting = JobPostingFactory(published_at=None, hr_contact_email="")
    page = hr_client.get(change_url(posting)).content.decode()
    assert "Not possible yet: it needs the name and e-mail address of its HR contact." in page

    response = hr_client.post(move_url(posting, "publish"), follow=True)

    posting.refresh_from_db()
    assert posting.published_at is None
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors == [
        f"{posting.reference_number} cannot be published: it needs the name and e-mail address "
        "of its HR contact."
    ]


def test_a_move_the_state_no_longer_allows_is_refused_with_the_state(hr_client):
    posting = JobPostingFactory()  # open: it cannot be archived before it is closed

    response = hr_client.post(move_url(posting, "archive"), follow=True)

    assert JobPosting.objects.with_state().get(pk=posting.pk).current_state == PostingState.OPEN
    assert "cannot be archived: it is “Open”" in response.content.decode()


def test_duplicating_from_the_page_opens_the_copy(hr_client, hr):
    posting = JobPostingFactory(reference_number="CSC-26-WP-0700")

    response = hr_client.post(move_url(posting, "duplicate"), follow=True)

    copy = JobPosting.objects.get(reference_number="CSC-26-WP-0700-COPY-1")
    assert response.redirect_chain[-1][0] == change_url(copy)
    assert copy.state == PostingState.DRAFT
    assert PostingEvent.objects.get(posting=copy).by == hr
    assert "CSC-26-WP-0700-COPY-1 is a new draft copy of CSC-26-WP-0700" in (
        response.content.decode()
    )


def test_moves_are_posted_only(hr_client):
    posting = JobPostingFactory(published_at=None)

    assert hr_client.get(move_url(posting, "publish")).status_code == 405
    assert JobPosting.objects.get(pk=posting.pk).published_at is None


def test_moves_need_the_csrf_token(hr):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(hr)
    posting = JobPostingFactory(published_at=None)

    assert csrf_client.post(move_url(posting, "publish")).status_code == 403
    assert JobPosting.objects.get(pk=posting.pk).published_at is None


def test_someone_who_may_not_change_postings_is_refused(client, django_user_model):
    reviewer = staff_in(django_user_model, REVIEWERS)
    posting = JobPostingFactory(published_at=None)
    posting.reviewers.add(reviewer)
    client.force_login(reviewer)

    page = client.get(change_url(posting))
    assert page.status_code == 200 and buttons(page) == []
    for move in ("publish", "archive", "duplicate"):
        assert client.post(move_url(posting, move)).status_code == 403
    assert JobPosting.objects.count() == 1
    assert JobPosting.objects.get(pk=posting.pk).published_at is None


# --- The occupation picker ranks title matches first -------------------------------------------


def picked(client, term) -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "positions",
            "model_name": "jobposting",
            "field_name": "occupation",
            "term": term,
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_the_occupation_picker_puts_title_matches_first(hr_client, catalogue):
    offered = picked(hr_client, "Social")

    # "Social program officer" is titled so; "Probation and parole officers" is also known as
    # "program officer, social assistance"; "Correctional program officer" only says "social"
    # in its French summary.
    assert offered[0] == "Social program officer"
    assert offered.index("Probation and parole officers and related occupations") < (
        offered.index("Correctional program officer")
    )


@pytest.mark.parametrize("term", ["liberation", "LIBÉRATION", "libération conditionnelle"])
def test_the_occupation_picker_ignores_accents_and_capitals(hr_client, catalogue, term):
    offered = picked(hr_client, term)

    # Both are titled "… libération conditionnelle …" in French.
    assert set(offered[:2]) == {
        "Parole officer",
        "Probation and parole officers and related occupations",
    }
