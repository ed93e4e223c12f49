"""A stage move's side effects hang on one signal, sent once the move has committed."""

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction

from applications.models import Application
from applications.pipeline import MoveRefused, Stage
from applications.services import application_withdraw
from applications.signals import application_moved
from tests.applications.factories import ApplicationFactory

# Real transactions: what runs on commit (the signal, the e-mails) is what users get.
pytestmark = pytest.mark.django_db(transaction=True)

APPLICATIONS = Path(__file__).resolve().parents[2] / "applications"


@pytest.fixture
def moves():
    """Record each application_moved sent, with the stage the database holds at that moment."""
    sent = []

    def record(sender, *, application, change, **kwargs):
        stored = Application.objects.get(pk=application.pk).stage
        sent.append(
            {"sender": sender, "application": application, "change": change, "stored": stored}
        )

    application_moved.connect(record, weak=False, dispatch_uid="test-moves")
    yield sent
    application_moved.disconnect(dispatch_uid="test-moves")


def test_a_committed_move_sends_the_signal_once_with_the_application_and_its_change(moves):
    application = ApplicationFactory()

    change = application.move_to(Stage.SCREENING, reason="Complete file")

    [sent] = moves
    assert sent["sender"] is Application
    assert sent["application"] == application and sent["application"].stage == Stage.SCREENING
    assert sent["change"] == change
    assert (sent["change"].from_stage, sent["change"].to_stage) == (Stage.RECEIVED, Stage.SCREENING)
    assert sent["stored"] == Stage.SCREENING  # sent after the commit, not before


def test_a_move_in_a_larger_transaction_is_signalled_when_that_one_commits(moves):
    application = ApplicationFactory()

    with transaction.atomic():
        application.move_to(Stage.SCREENING)
        application.move_to(Stage.SCREENED_IN)
        assert moves == []

    assert [sent["change"].to_stage for sent in moves] == [Stage.SCREENING, Stage.SCREENED_IN]


def test_a_move_rolled_back_sends_no_signal_and_no_e_mail(moves):
    application = ApplicationFactory(screening=True)
    moves.clear()
    mail.outbox.clear()

    with pytest.raises(RuntimeError), transaction.atomic():
        application.move_to(Stage.SCREENED_OUT)  # a stage the applicant is e-mailed about
        raise RuntimeError("the rest of the request failed")

    assert moves == []
    assert mail.outbox == []
    assert Application.objects.get(pk=application.pk).stage == Stage.SCREENING


def test_a_refused_move_sends_no_signal(moves):
    application = ApplicationFactory(hired=True)
    moves.clear()

    with pytest.raises(MoveRefused):
        application.move_to(Stage.REJECTED)

    assert moves == []


# The stage e-mails' wording is data of a migration, which a transactional test's flush removes.
@pytest.mark.django_db
def test_a_move_to_a_notified_stage_e_mails_the_stage_message_once(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        application.move_to(Stage.REJECTED)

    [message] = mail.outbox
    assert message.to == [application.email]
    assert application.posting.title in message.subject


def test_a_withdrawal_is_confirmed_by_e_mail_once():
    application = ApplicationFactory(screening=True)
    mail.outbox.clear()

    application_withdraw(application=application)
    with pytest.raises(MoveRefused):
        application_withdraw(application=Application.objects.get(pk=application.pk))

    [message] = mail.outbox
    assert message.to == [application.email]
    assert message.subject == f"Application {application.reference} withdrawn"


def test_the_withdrawal_e_mail_follows_the_move_whoever_makes_it():
    application = ApplicationFactory()
    mail.outbox.clear()

    application.move_to(Stage.WITHDRAWN)

    [message] = mail.outbox
    assert message.subject == f"Application {application.reference} withdrawn"


@pytest.mark.parametrize("module", ["models.py", "pipeline.py", "signals.py"])
def test_the_models_import_neither_tasks_nor_listeners(module):
    tree = ast.parse((APPLICATIONS / module).read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }

    assert not imported & {"applications.tasks", "applications.listeners"}
