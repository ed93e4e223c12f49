"""What the assessment plan's models accept: steps, board seats and scored qualifications."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from positions.models import AssessmentStep, BoardMember, QualificationKind, StepKind
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 14)


@pytest.fixture
def posting():
    return JobPostingFactory()


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    return error.value.message_dict


# --- Steps -----------------------------------------------------------------------------------


def test_an_other_assessment_needs_a_name(posting):
    for name in ("", "   "):
        step = AssessmentStep(posting=posting, kind=StepKind.OTHER, name=name)
        assert "name" in errors_of(step)

    AssessmentStep(posting=posting, kind=StepKind.OTHER, name="Role play").full_clean()


@pytest.mark.parametrize(
    "kind",
    [StepKind.SCREENING, StepKind.WRITTEN_EXAM, StepKind.INTERVIEW, StepKind.REFERENCE_CHECK],
)
def test_the_other_kinds_need_no_name_and_are_called_by_their_kind(posting, kind):
    step = AssessmentStep(posting=posting, kind=kind)

    step.full_clean()

    assert step.title == StepKind(kind).label
    assert AssessmentStep(posting=posting, kind=kind, name="Panel").title == "Panel"


def test_a_step_cannot_end_before_it_starts(posting):
    step = AssessmentStep(
        posting=posting,
        kind=StepKind.WRITTEN_EXAM,
        starts_on=DAY,
        ends_on=DAY - datetime.timedelta(days=1),
    )

    assert "ends_on" in errors_of(step)
    with pytest.raises(IntegrityError), transaction.atomic():
        step.save()  # the database refuses it too


def test_a_period_needs_its_first_day(posting):
    step = AssessmentStep(posting=posting, kind=StepKind.WRITTEN_EXAM, ends_on=DAY)

    assert "starts_on" in errors_of(step)


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(None, None), (DAY, None), (DAY, DAY), (DAY, DAY + datetime.timedelta(days=2))],
)
def test_a_step_has_no_date_one_day_or_a_period(posting, starts_on, ends_on):
    step = AssessmentStep(
        posting=posting, kind=StepKind.INTERVIEW, starts_on=starts_on, ends_on=ends_on
    )

    step.full_clean()
    step.save()


# --- Board seats -----------------------------------------------------------------------------


@pytest.fixture
def step(posting):
    return AssessmentStep.objects.create(posting=posting, kind=StepKind.INTERVIEW)


@pytest.fixture
def users(django_user_model):
    return [django_user_model.objects.create_user(f"assessor{n}") for n in range(3)]


def test_a_board_has_one_chair(step, users):
    BoardMember.objects.create(step=step, user=users[0], is_chair=True)
    BoardMember.objects.create(step=step, user=users[1])
    second_chair = BoardMember(step=step, user=users[2], is_chair=True)

    assert "A board has one chair." in str(errors_of(second_chair))
    with pytest.raises(IntegrityError), transaction.atomic():
        second_chair.save()

    assert list(step.board_members.filter(is_chair=True).values_list("user", flat=True)) == [
        users[0].pk
    ]


def test_each_board_has_its_own_chair(posting, step, users):
    other_step = AssessmentStep.objects.create(posting=posting, kind=StepKind.WRITTEN_EXAM)
    BoardMember.objects.create(step=step, user=users[0], is_chair=True)

    seat = BoardMember(step=other_step, user=users[1], is_chair=True)
    seat.full_clean()
    seat.save()
    # The same person may chair two boards.
    BoardMember(step=other_step, user=users[0]).full_clean()


def test_an_assessor_has_one_seat_on_a_board(step, users):
    BoardMember.objects.create(step=step, user=users[0])

    assert errors_of(BoardMember(step=step, user=users[0], is_chair=True))
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardMember.objects.create(step=step, user=users[0])


def test_the_chair_records_the_consensus_and_with_none_any_assessor_does(step, users):
    BoardMember.objects.create(step=step, user=users[0])
    BoardMember.objects.create(step=step, user=users[1])
    assert step.may_record_consensus(users[0]) and step.may_record_consensus(users[1])
    assert not step.may_record_consensus(users[2])  # not on the board

    step.board_members.filter(user=users[1]).update(is_chair=True)

    assert step.may_record_consensus(users[1])
    assert not step.may_record_consensus(users[0])


# --- Scored qualifications -------------------------------------------------------------------


def qualification(posting, **scoring):
    return posting.qualifications.model(
        posting=posting,
        kind=QualificationKind.ABILITY,
        text="Ability to write reports",
        text_fr="Capacité de rédiger des rapports",
        **scoring,
    )


@pytest.mark.parametrize(
    "scoring", [{"pass_mark": 6}, {"out_of": 10}, {"pass_mark": 6, "out_of": None}]
)
def test_a_pass_mark_needs_its_total_and_a_total_its_pass_mark(posting, scoring):
    assert "out_of" in errors_of(qualification(posting, **scoring))


@pytest.mark.parametrize(("pass_mark", "out_of"), [(11, 10), (0, 10), (1, 0)])
def test_the_pass_mark_is_between_one_and_the_total(posting, pass_mark, out_of):
    assert "pass_mark" in errors_of(qualification(posting, pass_mark=pass_mark, out_of=out_of))


@pytest.mark.parametrize(("pass_mark", "out_of"), [(6, 10), (1, 10), (10, 10), (None, None)])
def test_a_qualification_is_scored_within_range_or_not_at_all(posting, pass_mark, out_of):
    scored = qualification(posting, pass_mark=pass_mark, out_of=out_of)

    scored.full_clean()

    assert scored.is_scored is (pass_mark is not None)
