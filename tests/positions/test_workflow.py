"""A posting's workflow: publish, close and archive check the state they start from, and each move
is written in the posting's history with who made it."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from positions.models import (
    JobPosting,
    PostingAction,
    PostingEvent,
    PostingMoveRefused,
    PostingState,
    posting_today,
)
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:positions_jobposting_changelist")


def days(n: int) -> datetime.date:
    return posting_today() + datetime.timedelta(days=n)


# One posting in each state the workflow tells apart, made the way HR would find it.
MAKERS = {
    "draft": lambda: JobPostingFactory(published_at=None),
    "scheduled": lambda: JobPostingFactory(open_date=days(2), closing_date=days(10)),
    "open": lambda: JobPostingFactory(),
    "closed early": lambda: JobPostingFactory(closed_early_at=timezone.now()),
    "closed by its date": lambda: JobPostingFactory(open_date=days(-20), closing_date=days(-1)),
    "archived": lambda: JobPostingFactory(archived_at=timezone.now()),
}

# From the specification: publish from a draft, or reopen a posting closed early whose closing
# date has not passed; close an open or scheduled posting; archive a closed posting or a draft.
ALLOWED = {
    ("publish", "draft"): (PostingAction.PUBLISHED, PostingState.OPEN),
    ("publish", "closed early"): (PostingAction.REOPENED, PostingState.OPEN),
    ("close_now", "open"): (PostingAction.CLOSED, PostingState.CLOSED),
    ("close_now", "scheduled"): (PostingAction.CLOSED, PostingState.CLOSED),
    ("archive", "closed early"): (PostingAction.ARCHIVED, PostingState.ARCHIVED),
    ("archive", "closed by its date"): (PostingAction.ARCHIVED, PostingState.ARCHIVED),
    ("archive", "draft"): (PostingAction.ARCHIVED, PostingState.ARCHIVED),
}
MOVES = ["publish", "close_now", "archive"]
REFUSED = [(move, kind) for move in MOVES for kind in MAKERS if (move, kind) not in ALLOWED]


@pytest.fixture
def hr_user(django_user_model):
    return django_user_model.objects.create_user("hr.mover", password="x", is_staff=True)


@pytest.mark.parametrize(("move", "kind"), list(ALLOWED))
def test_an_allowed_move_succeeds_and_is_written_with_who_made_it(move, kind, hr_user):
    posting = MAKERS[kind]()
    action, state_after = ALLOWED[(move, kind)]

    event = getattr(posting, move)(by=hr_user)

    assert JobPosting.objects.get(pk=posting.pk).state == state_after
    assert posting.state == state_after  # the instance moved too
    assert list(posting.events.values_list("action", "by")) == [(action, hr_user.pk)]
    assert event.at <= timezone.now()


@pytest.mark.parametrize(("move", "kind"), REFUSED)
def test_a_refused_move_raises_names_the_posting_and_writes_nothing(move, kind, hr_user):
    posting = MAKERS[kind]()
    before = JobPosting.objects.values().get(pk=posting.pk)

    with pytest.raises(PostingMoveRefused) as refused:
        getattr(posting, move)(by=hr_user)

    message = " ".join(refused.value.messages)
    assert posting.reference_number in message
    assert JobPosting.objects.values().get(pk=posting.pk) == before
    assert not PostingEvent.objects.exists()


def test_a_command_moves_a_posting_without_a_person():
    posting = JobPostingFactory()

    posting.close_now()

    assert posting.events.get().by is None


def test_publishing_an_incomplete_draft_still_says_what_is_missing():
    posting = JobPostingFactory(published_at=None, locations=[])

    with pytest.raises(PostingMoveRefused, match="it needs at least one location"):
        posting.publish()
    assert not PostingEvent.objects.exists()


def test_a_posting_read_for_a_move_is_moved_as_the_database_has_it_now():
    # Read while open, closed meanwhile by someone else: closing it again is refused.
    posting = JobPosting.objects.with_state().get(pk=JobPostingFactory().pk)
    JobPosting.objects.get(pk=posting.pk).close_now()

    with pytest.raises(PostingMoveRefused):
        posting.close_now()
    assert posting.events.count() == 1


def test_the_history_is_never_edited():
    posting = JobPostingFactory()
    event = posting.close_now()

    event.note = "Changed later"
    with pytest.raises(Exception, match="permanent record"):
        event.save()


def test_a_draft_is_deleted_with_its_history(hr_user):
    draft = JobPostingFactory(published_at=None)
    draft.archive(by=hr_user)

    draft.delete()

    assert not PostingEvent.objects.exists()


# --- State: one definition --------------------------------------------------------------------


def test_with_state_agrees_with_open_scheduled_and_closed():
    postings = {kind: make() for kind, make in MAKERS.items()}
    expected = {
        "draft": PostingState.DRAFT,
        "scheduled": PostingState.SCHEDULED,
        "open": PostingState.OPEN,
        "closed early": PostingState.CLOSED,
        "closed by its date": PostingState.CLOSED,
        "archived": PostingState.ARCHIVED,
    }
    annotated = dict(JobPosting.objects.with_state().values_list("pk", "current_state"))
    members = {
        PostingState.OPEN: set(JobPosting.objects.open().values_list("pk", flat=True)),
        PostingState.SCHEDULED: set(JobPosting.objects.scheduled().values_list("pk", flat=True)),
        PostingState.CLOSED: set(JobPosting.objects.closed().values_list("pk", flat=True)),
    }

    for kind, posting in postings.items():
        assert annotated[posting.pk] == expected[kind], kind
        for state, pks in members.items():
            assert (posting.pk in pks) == (expected[kind] == state), (kind, state)


def test_state_is_read_from_the_annotation_without_a_query(django_assert_num_queries):
    JobPostingFactory()
    posting = JobPosting.objects.with_state().get()
    plain = JobPosting.objects.get()

    with django_assert_num_queries(0):
        assert posting.is_open
    with django_assert_num_queries(1):
        assert plain.is_open
    assert JobPosting().state == PostingState.DRAFT


def test_current_campaigns_are_the_postings_closing_in_the_last_90_days_newest_first():
    recent = JobPostingFactory(open_date=days(-100), closing_date=days(-90))
    newer = JobPostingFactory(open_date=days(-5), closing_date=days(10))
    JobPostingFactory(open_date=days(-120), closing_date=days(-91))

    assert list(JobPosting.objects.current_campaigns()) == [newer, recent]
    assert list(JobPosting.objects.current_campaigns(days=30)) == [newer]


# --- The admin ----------------------------------------------------------------------------------


@pytest.fixture
def hr_client(client, hr_user):
    hr_user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="positions",
            codename__in=["add_jobposting", "change_jobposting", "view_jobposting"],
        )
    )
    client.force_login(hr_user)
    return client


def action(client, name, postings):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [p.pk for p in postings]},
        follow=True,
    )


def test_the_admin_actions_move_each_posting_as_its_user_and_report_refusals(hr_client, hr_user):
    live = JobPostingFactory()
    draft = JobPostingFactory(published_at=None)
    archived = JobPostingFactory(archived_at=timezone.now())

    also_live = JobPostingFactory()

    closing = action(hr_client, "close_now", [live, draft, archived]).content.decode()
    publishing = action(hr_client, "publish", [also_live]).content.decode()

    assert "1 posting closed." in closing
    assert "2 postings were not open or scheduled and were left as they were." in closing
    assert f"{also_live.reference_number} cannot be published" in publishing
    assert list(PostingEvent.objects.values_list("posting", "action", "by")) == [
        (live.pk, PostingAction.CLOSED, hr_user.pk)
    ]


def test_the_posting_page_shows_its_history(hr_client, hr_user):
    posting = JobPostingFactory(published_at=None)
    action(hr_client, "publish", [posting])
    action(hr_client, "close_now", [posting])

    response = hr_client.get(reverse("admin:positions_jobposting_change", args=[posting.pk]))

    content = response.content.decode()
    assert "Publication history" in content
    history = content[content.index("Publication history") :]
    assert history.index("Published") < history.index("Closed early")
    assert history.count("hr.mover") == 2
    assert 'name="events-0-note"' not in content  # read, never written, here


def test_a_copy_starts_its_history_naming_the_original(hr_client, hr_user):
    posting = JobPostingFactory(reference_number="CSC-26-WP-0077")

    action(hr_client, "duplicate_as_draft", [posting])

    copy = JobPosting.objects.get(reference_number="CSC-26-WP-0077-COPY-1")
    assert list(copy.events.values_list("action", "by", "note")) == [
        (PostingAction.CREATED_AS_COPY, hr_user.pk, "CSC-26-WP-0077")
    ]


def test_the_history_list_is_read_only_and_shows_only_postings_one_may_see(
    client, django_user_model
):
    reviewer = django_user_model.objects.create_user("reviewer", password="x", is_staff=True)
    reviewer.user_permissions.set(Permission.objects.filter(codename="view_jobposting"))
    mine, other = JobPostingFactory(), JobPostingFactory()
    mine.reviewers.add(reviewer)
    mine.close_now()
    other.close_now()
    client.force_login(reviewer)
    url = reverse("admin:positions_postingevent_changelist")

    response = client.get(url)

    assert [event.posting for event in response.context["cl"].result_list] == [mine]
    assert client.get(reverse("admin:positions_postingevent_add")).status_code == 403
    event = mine.events.get()
    page = client.get(reverse("admin:positions_postingevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    delete = reverse("admin:positions_postingevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert mine.events.count() == 1
