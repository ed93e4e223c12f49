"""The synthetic data of the benchmarks (manage.py generate_synthetic_data) is data the
application could have made: each history follows the pipeline to the application's stage, in
time order, and three applicants in five declared."""

import pytest
from django.core.management import call_command

from applications.models import Application, EquityDeclaration, StageChange
from applications.pipeline import ALLOWED_MOVES, Stage
from tests.conftest import PLACES_FIXTURE

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(catalogue):
    call_command("loaddata", PLACES_FIXTURE, verbosity=0)
    call_command("generate_synthetic_data", postings=5, applications=220, stdout=None)
    return Application.objects.filter(reference__startswith="S-")


def test_each_history_follows_the_pipeline_to_the_stage_in_time_order(generated):
    assert generated.count() == 220
    assert set(generated.values_list("stage", flat=True)) == set(Stage.values)
    for application in generated:
        moves = list(
            StageChange.objects.filter(application=application).order_by("changed_at", "id")
        )
        stage = Stage.RECEIVED
        for move in moves:
            assert move.from_stage == stage
            assert move.to_stage in ALLOWED_MOVES[stage]
            stage = move.to_stage
        assert stage == application.stage
        times = [application.submitted_at, *(m.changed_at for m in moves)]
        assert times == sorted(times)
        assert application.stage_changed_at == times[-1]


def test_final_stages_are_left_from_several_stages(generated):
    sources = set(
        StageChange.objects.filter(to_stage=Stage.REJECTED).values_list("from_stage", flat=True)
    )
    assert len(sources) > 3


def test_three_applicants_in_five_declared(generated):
    declared = EquityDeclaration.objects.filter(application__in=generated).count()
    assert declared == pytest.approx(220 * 3 / 5, abs=3)
