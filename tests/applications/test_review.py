"""The HR review queue: the pipeline, its audit trail, roles, e-mails and retention."""

import datetime
import io
import re
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, EquityDeclaration, StageChange
from applications.pipeline import ALLOWED_MOVES, MoveRefused, Stage
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from applications.tasks import absolute_url
from positions.models import posting_today
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

CHANGELIST = reverse("admin:applications_application_changelist")

# The README's table ("The pipeline of an application"), written out by hand, never read from the
# code: a wrong entry in ALLOWED_MOVES fails here. Rejection ("not retained") and withdrawal are
# open from every stage that is not final (screened out, hired, not retained, withdrawn).
README_PIPELINE: dict[str, set[str]] = {
    "received": {"screening", "screened-in", "screened-out", "rejected", "withdrawn"},
    "screening": {"screened-in", "screened-out", "rejected", "withdrawn"},
    "screened-in": {"assessment", "interview", "rejected", "withdrawn"},
    "screened-out": set(),
    "assessment": {"interview", "rejected", "withdrawn"},
    "interview": {"reference-check", "rejected", "withdrawn"},
    "reference-check": {"offer", "rejected", "withdrawn"},
    "offer": {"hired", "rejected", "withdrawn"},
    "hired": set(),
    "rejected": set(),
    "withdrawn": set(),
}

NOT_MET = {"screened-out", "rejected"}

ALL_PAIRS = [(source, target) for source in README_PIPELINE for target in README_PIPELINE]


def test_the_pipeline_table_is_the_readmes():
    assert set(Stage.values) == set(README_PIPELINE), "the stages are not the README's"
    allowed = {(str(s), str(t)) for s, targets in ALLOWED_MOVES.items() for t in targets}
    expected = {(s, t) for s, targets in README_PIPELINE.items() for t in targets}
    assert allowed == expected, (
        f"ALLOWED_MOVES allows {sorted(allowed - expected)}, which the README does not, "
        f"and refuses {sorted(expected - allowed)}, which the README allows"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=[f"{s}->{t}" for s, t in ALL_PAIRS])
def test_every_move_is_allowed_or_refused_as_the_readme_says(source, target):
    application = ApplicationFactory(stage=source)
    history = application.stage_changes.count()
    assert application.stage == source

    # Screening out and rejecting name a qualification not met (the README).
    not_met = application.posting.qualifications.all()[:1] if target in NOT_MET else []
    if target in README_PIPELINE[source]:
        change = application.move_to(target, reason="checked", not_met=not_met)
        application.refresh_from_db()
        assert application.stage == target
        assert (change.from_stage, change.to_stage, change.reason) == (source, target, "checked")
        assert application.stage_changes.count() == history + 1
    else:
        with pytest.raises(MoveRefused, match="cannot be moved"):
            application.move_to(target)
        application.refresh_from_db()
        assert application.stage == source
        assert application.stage_changes.count() == history


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_moving_one_application_at_once_one_wins():
    application = ApplicationFactory(screening=True)
    barrier = threading.Barrier(2)
    outcomes = {}

    def move(target):
        try:
            barrier.wait()
            Application.objects.get(pk=application.pk).move_to(target)
            outcomes[target] = "moved"
        except MoveRefused as refusal:
            outcomes[target] = str(refusal)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(target,))
        for target in (Stage.SCREENED_IN, Stage.SCREENED_OUT)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values())[-1] == "moved"
    assert list(outcomes.values()).count("moved") == 1
    refusal = next(text for text in outcomes.values() if text != "moved")
    assert "cannot be moved" in refusal
    application.refresh_from_db()
    decided = application.stage_changes.filter(from_stage=Stage.SCREENING)
    assert application.stage == decided.get().to_stage  # one move out of screening, the winner's


@pytest.mark.django_db
def test_stage_changes_cannot_be_rewritten(client, django_user_model):
    application = ApplicationFactory()
    change = application.move_to(Stage.SCREENING)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))

    change.reason = "rewritten"
    with pytest.raises(Exception, match="permanent record"):
        change.save()
    url = reverse("admin:applications_stagechange_change", args=[change.pk])
    client.post(url, {"reason": "rewritten"})
    delete = client.post(
        reverse("admin:applications_stagechange_delete", args=[change.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    change.refresh_from_db()
    assert change.reason == ""
    assert StageChange.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "target", "mailed"),
    [
        (Stage.RECEIVED, Stage.SCREENING, False),
        (Stage.SCREENING, Stage.SCREENED_IN, False),
        (Stage.SCREENING, Stage.SCREENED_OUT, True),
        (Stage.SCREENED_IN, Stage.ASSESSMENT, True),
        (Stage.ASSESSMENT, Stage.INTERVIEW, True),
        (Stage.INTERVIEW, Stage.REFERENCE_CHECK, False),
        (Stage.REFERENCE_CHECK, Stage.OFFER, True),
        (Stage.OFFER, Stage.HIRED, False),
        (Stage.RECEIVED, Stage.REJECTED, True),
    ],
)
def test_chosen_moves_e_mail_the_applicant(
    django_capture_on_commit_callbacks, source, target, mailed
):
    application = ApplicationFactory(stage=source)
    with django_capture_on_commit_callbacks(execute=True):
        application.move_to(target)
    assert bool(mail.outbox) is mailed
    if mailed:
        message = mail.outbox[0]
        assert message.to == [application.email]
        assert application.posting.title in message.subject
        # The link names this application (tokens are dated, so compare what they name).
        link = re.search(r"/en/applications/([^/\s]+)/", message.body).group(1)
        assert Application.from_status_token(link) == application
        assert absolute_url("/en/applications/") in message.body


@pytest.mark.django_db
def test_stage_e_mails_use_hrs_wording_in_the_applicants_language(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory(screened_in=True, correspondence_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        application.move_to(Stage.INTERVIEW)

    message = mail.outbox[0]
    assert message.subject.startswith("Invitation à une entrevue")
    assert application.first_name in message.body
    assert "/fr/applications/" in message.body


# --- Roles -------------------------------------------------------------------------------


@pytest.fixture
def queue(django_user_model):
    mine = JobPostingFactory(title="Assigned posting")
    other = JobPostingFactory(title="Someone else's posting")
    reviewer = staff_in(django_user_model, REVIEWERS)
    mine.reviewers.add(reviewer)
    return {
        "reviewer": reviewer,
        "hr": staff_in(django_user_model, HR_ADMINISTRATORS),
        "recruiter": staff_in(django_user_model, RECRUITERS),
        "mine": ApplicationFactory(posting=mine, assignee=reviewer),
        "other": ApplicationFactory(posting=other),
    }


def move(client, applications, stage):
    return client.post(
        CHANGELIST,
        {
            "action": "move_to_stage",
            "_selected_action": [a.pk for a in applications],
            "stage": stage,
            "reason": "Meets the essential qualifications.",
            "apply": "1",
        },
        follow=True,
    )


@pytest.mark.django_db
def test_reviewer_sees_and_moves_only_the_applications_of_their_postings(client, queue):
    client.force_login(queue["reviewer"])

    listed = client.get(CHANGELIST).context["cl"].result_list
    assert [a.pk for a in listed] == [queue["mine"].pk]
    other_url = reverse("admin:applications_application_change", args=[queue["other"].pk])
    assert client.get(other_url).status_code == 302  # "does not exist" → back to the list
    resume = reverse("admin:applications_application_resume", args=[queue["other"].pk])
    assert client.get(resume).status_code == 404

    response = move(client, [queue["mine"], queue["other"]], Stage.SCREENING)

    queue["mine"].refresh_from_db()
    queue["other"].refresh_from_db()
    assert queue["mine"].stage == Stage.SCREENING
    assert queue["other"].stage == Stage.RECEIVED
    assert queue["mine"].stage_changes.get().changed_by == queue["reviewer"]
    assert "Moved to “Being screened”" in response.content.decode()


@pytest.mark.django_db
def test_reviewer_reads_the_history_of_their_postings_applications_only(client, queue):
    for application in (queue["mine"], queue["other"]):
        application.move_to(Stage.SCREENING, by=queue["hr"], reason=f"Reason {application.pk}")
    history = reverse("admin:applications_stagechange_changelist")
    theirs = StageChange.objects.get(application=queue["other"])

    client.force_login(queue["reviewer"])
    response = client.get(history)
    assert [c.application for c in response.context["cl"].result_list] == [queue["mine"]]
    page = client.get(reverse("admin:applications_stagechange_change", args=[theirs.pk]))
    assert page.status_code == 302  # the admin's "does not exist" redirect
    assert f"Reason {queue['other'].pk}" not in client.get(page["Location"]).content.decode()

    client.force_login(queue["hr"])
    assert len(client.get(history).context["cl"].result_list) == 2


@pytest.mark.django_db
def test_reviewer_cannot_edit_postings_or_export(client, queue):
    client.force_login(queue["reviewer"])
    posting = queue["mine"].posting

    response = client.post(
        reverse("admin:positions_jobposting_change", args=[posting.pk]), {"title_en": "Hacked"}
    )

    assert response.status_code == 403
    posting.refresh_from_db()
    assert posting.title != "Hacked"
    assert not queue["reviewer"].has_perm("applications.export_applications")


@pytest.mark.django_db
def test_recruiter_reads_everything_but_cannot_move(client, queue):
    client.force_login(queue["recruiter"])

    listed = client.get(CHANGELIST).context["cl"].result_list
    assert {a.pk for a in listed} == {queue["mine"].pk, queue["other"].pk}
    action_form = client.get(CHANGELIST).context["action_form"]
    actions = action_form.fields["action"].choices if action_form else []
    assert "move_to_stage" not in [name for name, _label in actions]

    move(client, [queue["other"]], Stage.SCREENING)

    queue["other"].refresh_from_db()
    assert queue["other"].stage == Stage.RECEIVED
    assert queue["recruiter"].has_perm("applications.export_applications")


@pytest.mark.django_db
def test_hr_moves_in_bulk_and_gets_a_summary_of_each_refusal(client, queue):
    client.force_login(queue["hr"])
    queue["other"].move_to(Stage.SCREENED_IN)

    intermediate = client.post(
        CHANGELIST,
        {"action": "move_to_stage", "_selected_action": [queue["mine"].pk, queue["other"].pk]},
    )
    assert "Move applications to a stage" in intermediate.content.decode()

    response = move(client, [queue["mine"], queue["other"]], Stage.ASSESSMENT)

    content = response.content.decode()
    assert f"Not moved: {queue['mine'].reference}" in content
    assert f"Moved to “Invited to an assessment”: {queue['other'].reference}" in content


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["move_to_stage", "assign_to_reviewer"])
def test_bulk_actions_refuse_more_than_a_batch_with_a_clear_message(
    client, queue, monkeypatch, action
):
    monkeypatch.setattr("applications.admin.ApplicationAdmin.BULK_LIMIT", 1)
    client.force_login(queue["hr"])

    response = client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [queue["mine"].pk, queue["other"].pk],
            "stage": Stage.SCREENING,
            "reviewer": queue["reviewer"].pk,
            "reason": "Batch",
            "apply": "1",
        },
        follow=True,
    )

    assert "2 applications are selected; move or assign at most 1 at a time." in (
        response.content.decode()
    )
    assert not StageChange.objects.exists()
    queue["other"].refresh_from_db()
    assert queue["other"].assignee is None


@pytest.mark.django_db
def test_hr_assigns_a_reviewer_who_then_sees_the_posting(client, queue):
    client.force_login(queue["hr"])

    client.post(
        CHANGELIST,
        {
            "action": "assign_to_reviewer",
            "_selected_action": [queue["other"].pk],
            "reviewer": queue["reviewer"].pk,
            "apply": "1",
        },
    )

    queue["other"].refresh_from_db()
    assert queue["other"].assignee == queue["reviewer"]
    assert queue["reviewer"] in queue["other"].posting.reviewers.all()


@pytest.mark.django_db
def test_equity_answers_need_the_dedicated_permission_even_for_hr(client, queue):
    EquityDeclaration.objects.create(
        application=queue["mine"],
        woman="yes",
        indigenous="no",
        disability="no",
        visible_minority="undisclosed",
    )
    url = reverse("admin:applications_application_change", args=[queue["mine"].pk])
    client.force_login(queue["hr"])
    assert "Employment equity declaration" not in client.get(url).content.decode()

    queue["hr"].user_permissions.add(Permission.objects.get(codename="view_equitydeclaration"))
    client.force_login(queue["hr"])
    assert "Employment equity declaration" in client.get(url).content.decode()


@pytest.mark.django_db
def test_posting_page_shows_the_funnel(client, queue):
    posting = queue["mine"].posting
    ApplicationFactory(posting=posting, screening=True)
    client.force_login(queue["hr"])

    content = client.get(
        reverse("admin:positions_jobposting_change", args=[posting.pk])
    ).content.decode()

    assert "Received</a>: 1" in content
    assert "Being screened</a>: 1" in content


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_queue_query_count_does_not_grow(client, queue, django_assert_max_num_queries, count):
    for _ in range(count):
        ApplicationFactory(posting=queue["mine"].posting)
    client.force_login(queue["hr"])

    with django_assert_max_num_queries(16):
        response = client.get(CHANGELIST, {"assigned": "me"})
    assert response.status_code == 200


# --- Retention ------------------------------------------------------------------------------

# The README: N days after an application reached a final stage (screened out, not retained,
# withdrawn) it is anonymized; hired applications and those still in progress never are.
ENDED_WITHOUT_A_HIRE = {"screened-out", "rejected", "withdrawn"}


def long_ago(days: int = 1000) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.mark.django_db(transaction=True)
def test_retention_dry_run_changes_nothing_and_execute_erases_personal_data(settings):
    old = JobPostingFactory(
        open_date=posting_today().replace(year=2020, month=1, day=1),
        closing_date=posting_today().replace(year=2020, month=2, day=1),
    )
    rejected = ApplicationFactory(posting=old, rejected=True, stage_changed_at=long_ago())
    hired = ApplicationFactory(posting=old, hired=True, stage_changed_at=long_ago())
    recent = ApplicationFactory()
    resume_path = Path(rejected.resume.path)

    call_command("purge_applications", "--days", "365")
    rejected.refresh_from_db()
    assert rejected.first_name == "Applicant" and resume_path.exists()

    call_command("purge_applications", "--days", "365", "--execute")

    rejected.refresh_from_db()
    assert rejected.anonymized_at is not None
    assert (rejected.first_name, rejected.phone, rejected.resume.name) == ("", "", "")
    assert not resume_path.exists()
    for untouched in (hired, recent):
        untouched.refresh_from_db()
        assert untouched.anonymized_at is None
        assert Path(untouched.resume.path).exists()


@pytest.mark.django_db(transaction=True)
def test_retention_erases_only_applications_that_ended_without_a_hire_long_enough_ago():
    closed_long_ago = JobPostingFactory(
        open_date=posting_today().replace(year=2020, month=1, day=1),
        closing_date=posting_today().replace(year=2020, month=2, day=1),
    )
    in_each_stage = {
        stage: ApplicationFactory(posting=closed_long_ago, stage=stage, stage_changed_at=long_ago())
        for stage in Stage
    }
    ended_last_month = ApplicationFactory(
        posting=closed_long_ago, withdrawn=True, stage_changed_at=long_ago(days=30)
    )
    resumes = {a.pk: Path(a.resume.path) for a in [*in_each_stage.values(), ended_last_month]}

    call_command("purge_applications", "--days", "365", "--execute", stdout=io.StringIO())

    for stage, application in in_each_stage.items():
        application.refresh_from_db()
        erased = stage.value in ENDED_WITHOUT_A_HIRE
        assert (application.anonymized_at is not None) is erased, stage
        assert (application.first_name == "") is erased, stage
        assert resumes[application.pk].exists() is not erased, stage
    ended_last_month.refresh_from_db()
    assert ended_last_month.anonymized_at is None
    assert resumes[ended_last_month.pk].exists()


@pytest.mark.django_db
def test_applications_past_retention_are_the_ones_ended_without_a_hire_before_the_period():
    expected = {
        ApplicationFactory(stage=stage, stage_changed_at=long_ago(days=400)).pk
        for stage in ENDED_WITHOUT_A_HIRE
    }
    for stage in Stage:
        if stage.value not in ENDED_WITHOUT_A_HIRE:
            ApplicationFactory(stage=stage, stage_changed_at=long_ago(days=400))
    ApplicationFactory(screened_out=True, stage_changed_at=long_ago(days=300))
    ApplicationFactory(
        rejected=True, stage_changed_at=long_ago(days=400), anonymized_at=timezone.now()
    )

    found = set(Application.objects.past_retention(365).values_list("pk", flat=True))

    assert found == expected


@pytest.mark.django_db
def test_retention_reports_per_stage_and_from_when_it_counts_before_doing_anything():
    for stage in [Stage.SCREENED_OUT, Stage.SCREENED_OUT, Stage.WITHDRAWN, Stage.OFFER]:
        ApplicationFactory(stage=stage, stage_changed_at=long_ago())
    ApplicationFactory(hired=True, stage_changed_at=long_ago())
    output = io.StringIO()

    call_command("purge_applications", "--days", "365", stdout=output)

    report = output.getvalue()
    counted_from = timezone.localtime(long_ago(days=365)).date().isoformat()
    assert f"before {counted_from}" in report
    assert "Would anonymize 3 application(s)" in report
    assert "Screened out: 2" in report
    assert "Not retained: 0" in report
    assert "Withdrawn: 1" in report
    assert "--execute" in report
    assert not Application.objects.filter(anonymized_at__isnull=False).exists()

    output = io.StringIO()
    call_command("purge_applications", "--days", "365", "--execute", stdout=output)
    report = output.getvalue()
    assert report.index("Screened out: 2") < report.index("Anonymized 3 application(s).")


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["0", "-30"])
def test_retention_refuses_a_period_that_is_not_positive(days):
    ended = ApplicationFactory(rejected=True, stage_changed_at=long_ago())
    in_progress = ApplicationFactory(interview=True)

    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("purge_applications", "--days", days, "--execute", stdout=io.StringIO())

    assert not Application.objects.filter(
        pk__in=[ended.pk, in_progress.pk], anonymized_at__isnull=False
    ).exists()


@pytest.mark.django_db
def test_demo_users_are_created_once_with_their_roles(settings, capsys):
    settings.DEBUG = True
    JobPostingFactory()
    call_command("create_demo_users")
    first = capsys.readouterr().out
    call_command("create_demo_users")
    second = capsys.readouterr().out

    assert first.count(" / ") == 3
    assert "exists; password unchanged" in second and " / " not in second
    reviewer = Application._meta.get_field("assignee").related_model.objects.get(
        username="reviewer"
    )
    assert reviewer.groups.get().name == REVIEWERS
    assert reviewer.reviewed_postings.exists()
