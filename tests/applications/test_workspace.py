"""The application's page as the assessment workspace: ratings, the board's consensus, the moves,
the résumé read in the page, and getting from one application of the list to the next."""

import datetime
import html
import re
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import AssessmentResult, ScreeningAnswer, StageChange, StepRating
from applications.pipeline import Stage
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from applications.validators import DOCX
from positions.models import (
    AssessmentStep,
    BoardMember,
    QualificationKind,
    QuestionKind,
    ScreeningQuestion,
    StepKind,
)
from tests.applications.factories import ApplicationFactory, consensus_of, staff_in
from tests.applications.test_resume_text import docx_with
from tests.applications.test_review import README_PIPELINE
from tests.documents import pdf_bytes
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:applications_application_changelist")


def page_url(application, **filters) -> str:
    url = reverse("admin:applications_application_change", args=[application.pk])
    if filters:
        url += "?" + urlencode({"_changelist_filters": urlencode(filters)})
    return url


def rate_url(application, step) -> str:
    return reverse("admin:applications_application_rate", args=[application.pk, step.pk])


def move_url(application) -> str:
    return reverse("admin:applications_application_move", args=[application.pk])


def text(response) -> str:
    """The page as a reader reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def plan(django_user_model):
    """A posting with four qualifications (one scored, one asset), screened by a board of three
    (a chair and two members); an outsider reviews the posting but sits on no board."""
    posting = JobPostingFactory(qualifications=[])
    degree = posting.qualifications.create(
        kind=QualificationKind.EDUCATION,
        text_en="A degree in social sciences.",
        text_fr="Un diplôme en sciences sociales.",
        order=1,
    )
    caseload = posting.qualifications.create(
        kind=QualificationKind.EXPERIENCE,
        text_en="Experience managing a caseload.",
        text_fr="Expérience de la gestion d'un groupe de cas.",
        not_met_reason_en="You did not show experience managing a caseload.",
        order=2,
    )
    judgement = posting.qualifications.create(
        kind=QualificationKind.ABILITY,
        text_en="Judgement.",
        text_fr="Jugement.",
        pass_mark=6,
        out_of=10,
        order=3,
    )
    cree = posting.qualifications.create(
        kind=QualificationKind.OTHER,
        is_asset=True,
        text_en="Speaks Cree.",
        text_fr="Parle le cri.",
        order=4,
    )
    screening = AssessmentStep.objects.create(posting=posting, kind=StepKind.SCREENING, order=1)
    screening.qualifications.set([degree, caseload, judgement, cree])
    interview = AssessmentStep.objects.create(posting=posting, kind=StepKind.INTERVIEW, order=2)
    interview.qualifications.set([caseload])
    chair, member, second, outsider = (
        staff_in(django_user_model, REVIEWERS, username=name)
        for name in ("chair", "member", "second", "outsider")
    )
    posting.reviewers.add(chair, member, second, outsider)
    for step in (screening, interview):
        BoardMember.objects.create(step=step, user=chair, is_chair=True)
        BoardMember.objects.create(step=step, user=member)
        BoardMember.objects.create(step=step, user=second)
    return SimpleNamespace(
        posting=posting,
        degree=degree,
        caseload=caseload,
        judgement=judgement,
        cree=cree,
        qualifications=[degree, caseload, judgement, cree],
        screening=screening,
        interview=interview,
        chair=chair,
        member=member,
        second=second,
        outsider=outsider,
        hr=staff_in(django_user_model, HR_ADMINISTRATORS),
        recruiter=staff_in(django_user_model, RECRUITERS),
        application=ApplicationFactory(posting=posting),  # received: at the screening step
    )


def ratings(step, plan, *, consensus=False, note="", replaces="", overall=None, **results):
    """The form data of a rating of every qualification of the plan's screening step: met, a
    score of 7 for judgement, unless `results` says otherwise (by qualification attribute)."""
    prefix = f"{'consensus' if consensus else 'rate'}-{step.pk}"
    data = {"record": "consensus" if consensus else "own", f"{prefix}-replaces": replaces}
    for name in ("degree", "caseload", "judgement", "cree"):
        qualification = getattr(plan, name)
        if qualification not in step.qualifications.all():
            continue
        if qualification.is_scored:
            data[f"{prefix}-score_{qualification.pk}"] = results.get(name, "7")
        else:
            data[f"{prefix}-result_{qualification.pk}"] = results.get(name, AssessmentResult.MET)
        data[f"{prefix}-justification_{qualification.pk}"] = f"{note} on {name}".strip()
    if consensus:
        data[f"{prefix}-justification"] = "The board agreed." if overall is None else overall
    return data


# --- Rating --------------------------------------------------------------------------------


def test_a_board_member_rates_every_qualification_of_the_step_with_its_justification(client, plan):
    client.force_login(plan.member)
    page = text(client.get(page_url(plan.application)))
    # Every qualification is there, pre-labelled, with the pass mark of the scored one.
    legends = re.findall(r"<legend>(.*?)</legend>", page)
    for label in (
        "Essential – A degree in social sciences.",
        "Essential – Experience managing a caseload.",
        "Essential – Judgement.",
        "Asset – Speaks Cree.",
    ):
        assert label in legends
    assert "Scored out of 10; the pass mark is 6." in page

    response = client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, note="Seen in the résumé", judgement="5"),
    )

    assert response.status_code == 302
    rating = StepRating.objects.get()
    assert (rating.assessor, rating.step, rating.is_consensus) == (
        plan.member,
        plan.screening,
        False,
    )
    results = {r.qualification: r for r in rating.results.all()}
    assert results[plan.degree].result == AssessmentResult.MET
    assert results[plan.degree].justification == "Seen in the résumé on degree"
    # 5 out of 10 is under the pass mark of 6.
    assert (results[plan.judgement].score, results[plan.judgement].result) == (
        5,
        AssessmentResult.NOT_MET,
    )
    followed = client.get(response["Location"])
    assert "Your rating of" in " ".join(messages_of(followed))


@pytest.mark.parametrize("who", ["outsider", "hr", "recruiter"])
def test_rating_a_step_whose_board_one_is_not_on_is_forbidden(client, plan, who):
    client.force_login(getattr(plan, who))

    response = client.post(
        rate_url(plan.application, plan.screening), ratings(plan.screening, plan)
    )

    assert response.status_code == 403
    assert not StepRating.objects.exists()


def test_recording_the_consensus_is_the_chairs(client, plan):
    client.force_login(plan.member)

    response = client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, consensus=True, note="Agreed"),
    )

    assert response.status_code == 403
    assert not StepRating.objects.exists()


def test_rating_a_candidate_who_is_not_at_the_step_is_refused_with_a_message(client, plan):
    client.force_login(plan.member)

    response = client.post(
        rate_url(plan.application, plan.interview),
        ratings(plan.interview, plan, note="Strong answers"),
    )

    assert response.status_code == 200
    assert any("not at the step “Interview”" in m for m in messages_of(response))
    assert not StepRating.objects.exists()
    # What they wrote is still in the form.
    assert "Strong answers on caseload" in text(response)


def test_an_incomplete_rating_is_refused_and_shown_again_as_typed(client, plan):
    client.force_login(plan.member)
    data = ratings(plan.screening, plan, note="Careful reading", judgement="")

    response = client.post(rate_url(plan.application, plan.screening), data)

    assert response.status_code == 200
    assert not StepRating.objects.exists()
    content = text(response)
    assert "Give a score from 0 to 10, or tick “To be assessed later”." in content
    assert "Careful reading on degree" in content


def test_a_score_may_wait_for_a_later_step(client, plan):
    client.force_login(plan.member)
    data = ratings(plan.screening, plan, judgement="")
    data[f"rate-{plan.screening.pk}-later_{plan.judgement.pk}"] = "on"

    client.post(rate_url(plan.application, plan.screening), data)

    result = StepRating.objects.get().results.get(qualification=plan.judgement)
    assert (result.result, result.score) == (AssessmentResult.LATER, None)


def test_assessors_rate_independently_until_they_have_submitted(client, plan):
    client.force_login(plan.member)
    client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, note="The member's own finding"),
    )

    client.force_login(plan.second)
    before = text(client.get(page_url(plan.application)))
    assert "The member's own finding" not in before
    assert "once you have submitted yours" in before

    client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, note="The second's finding"),
    )
    after = text(client.get(page_url(plan.application)))
    assert "The member's own finding on degree" in after
    assert "The second's finding on degree" in after


def test_someone_not_on_the_board_reads_the_ratings_without_a_form(client, plan):
    client.force_login(plan.member)
    client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, note="Clear in the résumé"),
    )

    client.force_login(plan.hr)
    page = text(client.get(page_url(plan.application)))

    assert "Clear in the résumé on degree" in page
    assert 'name="record"' not in page


def test_a_board_member_corrects_their_rating_with_a_new_one(client, plan):
    client.force_login(plan.member)
    client.post(rate_url(plan.application, plan.screening), ratings(plan.screening, plan))
    first = StepRating.objects.get()
    page = text(client.get(page_url(plan.application)))
    assert "Correct your rating" in page
    assert f'name="rate-{plan.screening.pk}-replaces" value="{first.pk}"' in page

    client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, replaces=str(first.pk), degree=AssessmentResult.NOT_MET),
    )

    corrected = StepRating.objects.current().get()
    assert corrected.replaces == first
    assert corrected.results.get(qualification=plan.degree).result == AssessmentResult.NOT_MET


def test_the_chair_records_the_consensus_from_the_boards_ratings(client, plan):
    for assessor in (plan.member, plan.second):
        client.force_login(assessor)
        client.post(
            rate_url(plan.application, plan.screening),
            ratings(plan.screening, plan, note="Seen", cree=AssessmentResult.NOT_MET),
        )

    client.force_login(plan.chair)
    page = text(client.get(page_url(plan.application)))
    # The consensus form starts from what the two ratings agree on.
    prefix = f"consensus-{plan.screening.pk}"
    assert re.search(rf'name="{prefix}-result_{plan.cree.pk}" value="not-met"[^>]*checked', page), (
        "the agreed result is not chosen to begin with"
    )
    assert f'name="{prefix}-score_{plan.judgement.pk}" value="7"' in page

    response = client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, consensus=True, note="Agreed", cree=AssessmentResult.NOT_MET),
    )

    assert response.status_code == 302
    consensus = StepRating.objects.get(is_consensus=True)
    assert consensus.assessor == plan.chair
    assert consensus.justification == "The board agreed."
    page = text(client.get(page_url(plan.application)))
    assert "The board's consensus" in page
    assert "Correct the board's consensus" in page


@pytest.mark.parametrize("missing", ["overall", "per-qualification"])
def test_a_consensus_without_its_justification_is_refused(client, plan, missing):
    client.force_login(plan.chair)
    data = ratings(plan.screening, plan, consensus=True, note="Agreed")
    if missing == "overall":
        data[f"consensus-{plan.screening.pk}-justification"] = "  "
    else:
        data[f"consensus-{plan.screening.pk}-justification_{plan.degree.pk}"] = ""

    response = client.post(rate_url(plan.application, plan.screening), data)

    assert response.status_code == 200
    assert not StepRating.objects.exists()
    content = text(response)
    expected = (
        "Justify the board's consensus as a whole."
        if missing == "overall"
        else "Justify the board's finding."
    )
    assert expected in content


def test_two_people_recording_the_consensus_at_once_the_second_is_told_and_loses_nothing(
    client, plan
):
    # Without a chair, every member of the board may record the consensus; both have rated.
    BoardMember.objects.filter(step=plan.screening).update(is_chair=False)
    for assessor in (plan.member, plan.chair):
        client.force_login(assessor)
        client.post(rate_url(plan.application, plan.screening), ratings(plan.screening, plan))
    client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, consensus=True, overall="First to save."),
    )
    first = StepRating.objects.get(is_consensus=True)

    # The member started from the page as it was before: no consensus to replace.
    client.force_login(plan.member)
    response = client.post(
        rate_url(plan.application, plan.screening),
        ratings(plan.screening, plan, consensus=True, overall="Second, written meanwhile."),
    )

    assert response.status_code == 200
    assert any("Another rating was recorded here" in m for m in messages_of(response))
    assert list(StepRating.objects.filter(is_consensus=True)) == [first]
    content = text(response)
    assert "Second, written meanwhile." in content  # what they typed is still there
    assert "First to save." in content  # and what was recorded is shown
    replaces = f'name="consensus-{plan.screening.pk}-replaces" value="{first.pk}"'
    assert replaces in content

    # Having read it, they record theirs: it corrects the first.
    client.post(
        rate_url(plan.application, plan.screening),
        ratings(
            plan.screening,
            plan,
            consensus=True,
            overall="Second, after reading.",
            replaces=str(first.pk),
        ),
    )
    assert StepRating.objects.current().get(is_consensus=True).replaces == first


def test_rating_a_step_of_another_posting_is_not_found(client, plan):
    other = AssessmentStep.objects.create(posting=JobPostingFactory(), kind=StepKind.SCREENING)
    client.force_login(plan.member)

    response = client.post(rate_url(plan.application, other), {"record": "own"})

    assert response.status_code == 404


# --- Moves ---------------------------------------------------------------------------------


def offered_moves(page: str) -> set[str]:
    return set(re.findall(r'name="to_stage" value="([^"]+)"', page))


@pytest.mark.parametrize("stage", [Stage.RECEIVED, Stage.SCREENED_IN, Stage.INTERVIEW])
def test_the_page_offers_a_button_for_each_move_the_pipeline_allows(client, plan, stage):
    application = ApplicationFactory(posting=plan.posting, stage=stage)
    client.force_login(plan.hr)

    page = text(client.get(page_url(application)))

    # The README's moves, but for withdrawing, which only the applicant does.
    assert offered_moves(page) == README_PIPELINE[stage] - {"withdrawn"}
    assert 'name="stage"' not in page  # no drop-down defaulting to the current stage


def test_someone_who_may_not_move_gets_no_buttons_and_is_refused(client, plan):
    client.force_login(plan.recruiter)
    assert offered_moves(text(client.get(page_url(plan.application)))) == set()

    response = client.post(
        move_url(plan.application), {"to_stage": Stage.SCREENED_IN, "move-screened-in-reason": ""}
    )

    assert response.status_code == 403
    plan.application.refresh_from_db()
    assert plan.application.stage == Stage.RECEIVED


def test_screening_in_from_the_page_records_the_note(client, plan):
    client.force_login(plan.member)

    response = client.post(
        move_url(plan.application),
        {"to_stage": Stage.SCREENED_IN, "move-screened-in-reason": "Meets every essential."},
        follow=True,
    )

    assert "Moved to “Screened in”" in " ".join(messages_of(response))
    change = StageChange.objects.get(to_stage=Stage.SCREENED_IN)
    assert (change.changed_by, change.reason) == (plan.member, "Meets every essential.")


def test_screening_out_without_naming_a_qualification_is_refused(client, plan):
    client.force_login(plan.hr)

    response = client.post(
        move_url(plan.application),
        {"to_stage": Stage.SCREENED_OUT, "move-screened-out-reason": "Not qualified."},
    )

    assert response.status_code == 200
    assert "Tick the qualifications not met" in text(response)
    plan.application.refresh_from_db()
    assert plan.application.stage == Stage.RECEIVED
    # The note is still there to send again.
    assert "Not qualified." in text(response)


def test_screening_out_names_the_qualifications_not_met(client, plan):
    client.force_login(plan.hr)

    client.post(
        move_url(plan.application),
        {
            "to_stage": Stage.SCREENED_OUT,
            "move-screened-out-reason": "No caseload in the résumé.",
            "move-screened-out-not_met": [plan.caseload.pk],
        },
    )

    plan.application.refresh_from_db()
    assert plan.application.stage == Stage.SCREENED_OUT
    change = StageChange.objects.get(to_stage=Stage.SCREENED_OUT)
    assert list(change.qualifications_not_met.all()) == [plan.caseload]
    assert change.reason == "No caseload in the résumé."


def test_the_qualifications_found_not_met_are_ticked_with_the_reason_the_candidate_reads(
    client, plan
):
    question = ScreeningQuestion.objects.create(
        posting=plan.posting,
        kind=QuestionKind.YES_NO,
        text_en="Have you managed a caseload?",
        qualification=plan.caseload,
    )
    ScreeningAnswer.objects.create(
        application=plan.application, question=question, answer="no", meets_requirement=False
    )
    consensus_of(plan.application, {plan.degree: AssessmentResult.NOT_MET}, step=plan.screening)
    client.force_login(plan.hr)

    page = text(client.get(page_url(plan.application)))

    ticked = set(
        re.findall(
            r'<input type="checkbox" name="move-screened-out-not_met" value="(\d+)"[^>]*checked',
            page,
        )
    )
    assert ticked == {str(plan.degree.pk), str(plan.caseload.pk)}
    assert "The candidate reads “You did not show experience managing a caseload.”" in page
    # The failed answer is flagged in words, not by colour alone.
    assert "Not met (essential)" in page
    assert "Does not meet 1 essential requirement." in page


def test_a_move_no_longer_allowed_is_refused_with_a_message(client, plan):
    plan.application.move_to(Stage.SCREENED_IN)
    client.force_login(plan.hr)

    response = client.post(
        move_url(plan.application), {"to_stage": Stage.SCREENING, "move-screening-reason": ""}
    )

    assert any("cannot be moved" in m for m in messages_of(response))
    plan.application.refresh_from_db()
    assert plan.application.stage == Stage.SCREENED_IN


# --- The list's bulk move names qualifications too -------------------------------------------


def bulk_move(client, applications, stage, **extra):
    return client.post(
        CHANGELIST,
        {
            "action": "move_to_stage",
            "_selected_action": [a.pk for a in applications],
            "stage": stage,
            "reason": "Batch",
            "apply": "1",
            **extra,
        },
        follow=True,
    )


def test_bulk_screening_out_of_one_postings_applications_names_the_qualifications(client, plan):
    other = ApplicationFactory(posting=plan.posting)
    client.force_login(plan.hr)
    form_page = client.post(
        CHANGELIST,
        {"action": "move_to_stage", "_selected_action": [plan.application.pk, other.pk]},
    ).content.decode()
    assert f'name="not_met" value="{plan.caseload.pk}"' in form_page
    assert "The candidate reads “You did not show experience managing a caseload.”" in form_page

    refused = bulk_move(client, [plan.application, other], Stage.SCREENED_OUT)
    assert "Tick the qualifications not met" in text(refused)
    assert not StageChange.objects.filter(to_stage=Stage.SCREENED_OUT).exists()

    bulk_move(client, [plan.application, other], Stage.SCREENED_OUT, not_met=[plan.caseload.pk])
    changes = StageChange.objects.filter(to_stage=Stage.SCREENED_OUT)
    assert changes.count() == 2
    assert all(list(c.qualifications_not_met.all()) == [plan.caseload] for c in changes)


@pytest.mark.parametrize("stage", [Stage.SCREENED_OUT, Stage.REJECTED])
def test_bulk_screening_out_across_postings_is_refused_clearly(client, plan, stage):
    elsewhere = ApplicationFactory()
    client.force_login(plan.hr)

    response = bulk_move(client, [plan.application, elsewhere], stage)

    assert "select the applications of one posting" in text(response)
    assert not StageChange.objects.filter(to_stage=stage).exists()


def test_bulk_moves_across_postings_to_other_stages_still_work(client, plan):
    elsewhere = ApplicationFactory()
    client.force_login(plan.hr)

    bulk_move(client, [plan.application, elsewhere], Stage.SCREENED_IN)

    assert StageChange.objects.filter(to_stage=Stage.SCREENED_IN).count() == 2


# --- The résumé in the page --------------------------------------------------------------------


def resume_view_url(application) -> str:
    return reverse("admin:applications_application_resume_view", args=[application.pk])


def test_a_pdf_resume_is_shown_in_the_page_from_a_framable_permission_checked_address(client, plan):
    client.force_login(plan.member)

    page = client.get(page_url(plan.application))
    assert f'<iframe class="workspace-resume-viewer" src="{resume_view_url(plan.application)}"' in (
        text(page)
    )
    # The page may frame this site's own pages, and nobody may frame the page.
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"

    response = client.get(resume_view_url(plan.application))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
    assert response["X-Content-Type-Options"] == "nosniff"
    # Framed by this site only.
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # Downloading is unchanged: never framed.
    download = client.get(
        reverse("admin:applications_application_resume", args=[plan.application.pk])
    )
    assert download["X-Frame-Options"] == "DENY"


def test_the_inline_resume_is_for_those_who_may_read_it(client, plan, django_user_model):
    elsewhere = staff_in(django_user_model, REVIEWERS, username="elsewhere")
    JobPostingFactory().reviewers.add(elsewhere)
    client.force_login(elsewhere)
    assert client.get(resume_view_url(plan.application)).status_code == 404

    reader = django_user_model.objects.create_user("reader", password="x", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(codename__in=["view_application", "view_all_applications"])
    )
    client.force_login(reader)
    assert client.get(resume_view_url(plan.application)).status_code == 403
    page = text(client.get(page_url(plan.application)))
    assert "<iframe" not in page

    client.logout()
    assert client.get(resume_view_url(plan.application)).status_code == 302  # to sign in


def test_a_word_resume_is_shown_as_its_text(client, plan):
    document = docx_with("Jordan Tremblay", "Parole officer, Kingston")
    application = ApplicationFactory(
        posting=plan.posting,
        resume__data=document,
        resume__filename="cv.docx",
        resume_type=DOCX.content_type,
        resume_size=len(document),
    )
    client.force_login(plan.member)

    page = text(client.get(page_url(application)))

    assert "Jordan Tremblay\nParole officer, Kingston</pre>" in page
    assert "<iframe" not in page
    assert client.get(resume_view_url(application)).status_code == 404


# --- Getting around the list -------------------------------------------------------------------


@pytest.fixture
def three(plan):
    """Three applications to the plan's posting, submitted a day apart (the oldest first)."""
    now = timezone.now()
    names = ["Adams", "Cole", "Bell"]
    made = []
    for days, name in zip((3, 2, 1), names, strict=True):
        made.append(
            ApplicationFactory(
                posting=plan.posting,
                last_name=name,
                submitted_at=now - datetime.timedelta(days=days),
            )
        )
    return made


def neighbours(client, application, **filters):
    workspace = client.get(page_url(application, **filters)).context["workspace"]
    return workspace.previous_url, workspace.next_url


def test_previous_and_next_follow_the_lists_order_and_filters(client, plan, three):
    oldest, middle, newest = three
    client.force_login(plan.hr)
    posting = {"posting": plan.posting.pk}

    # Newest first, as the list opens. (The plan's own application is the newest of all.)
    previous, following = neighbours(client, middle, **posting)
    assert previous.startswith(page_url(newest))
    assert following.startswith(page_url(oldest))
    # The links keep the list's filters for the page after.
    assert "_changelist_filters=posting" in following

    # Sorted by applicant: Adams (oldest), Bell (newest), Cole (middle), then the plan's.
    previous, following = neighbours(client, newest, **posting, o="2")
    assert previous.startswith(page_url(oldest))
    assert following.startswith(page_url(middle))

    # A filter leaves out the others.
    middle.move_to(Stage.SCREENING)
    previous, following = neighbours(client, newest, **posting, stage__exact="received")
    assert previous.startswith(page_url(plan.application))
    assert following.startswith(page_url(oldest))


def test_without_a_list_there_are_no_neighbours(client, plan, three):
    client.force_login(plan.hr)

    assert neighbours(client, three[1]) == ("", "")


def queries(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_the_neighbours_cost_two_queries(client, plan, three):
    client.force_login(plan.hr)
    client.get(page_url(three[1]))  # the session and permissions, read once

    with CaptureQueriesContext(connection) as alone:
        client.get(page_url(three[1]))
    with CaptureQueriesContext(connection) as in_list:
        client.get(page_url(three[1], posting=plan.posting.pk, o="2"))

    # (Savepoints are not queries: the test's transaction makes them, production has none.)
    assert len(queries(in_list)) - len(queries(alone)) <= 2


def test_a_reviewers_list_opens_on_their_own_applications(client, plan):
    mine = ApplicationFactory(posting=plan.posting, assignee=plan.member)
    client.force_login(plan.member)

    response = client.get(CHANGELIST)

    assert [a.pk for a in response.context["cl"].result_list] == [mine.pk]
    assert "?assigned=all" in text(response)  # a link to see them all
    everyone = client.get(CHANGELIST, {"assigned": "all"}).context["cl"].result_list
    assert {a.pk for a in everyone} == {mine.pk, plan.application.pk}

    # HR sees every posting's applications, and their list opens on all of them.
    client.force_login(plan.hr)
    assert len(client.get(CHANGELIST).context["cl"].result_list) == 2


def fail_screening(application, question):
    ScreeningAnswer.objects.create(
        application=application, question=question, answer="no", meets_requirement=False
    )


def test_the_list_shows_who_fails_a_screening_requirement(client, plan):
    question = ScreeningQuestion.objects.create(
        posting=plan.posting, kind=QuestionKind.YES_NO, text_en="Do you hold a degree?"
    )
    fails = ApplicationFactory(posting=plan.posting, last_name="Fails")
    fail_screening(fails, question)
    client.force_login(plan.hr)

    rows = re.findall(r"<tr>.*?</tr>", text(client.get(CHANGELIST)), re.S)

    failing = [row for row in rows if "Fails a requirement" in row]
    assert len(failing) == 1 and fails.reference in failing[0]


@pytest.mark.parametrize("count", [3, 30])
def test_the_lists_query_count_does_not_grow_with_the_screening_flag(
    client, plan, django_assert_max_num_queries, count
):
    question = ScreeningQuestion.objects.create(
        posting=plan.posting, kind=QuestionKind.YES_NO, text_en="Do you hold a degree?"
    )
    for _ in range(count):
        fail_screening(ApplicationFactory(posting=plan.posting), question)
    client.force_login(plan.hr)

    with django_assert_max_num_queries(16):
        response = client.get(CHANGELIST)
    assert response.status_code == 200


# --- The page's cost ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 6])
def test_the_page_keeps_a_constant_number_of_queries(
    client, django_user_model, django_assert_max_num_queries, size
):
    """Qualifications, steps, assessors and ratings grow with `size`; the queries do not."""
    posting = JobPostingFactory(qualifications=[])
    qualifications = [
        posting.qualifications.create(
            kind=QualificationKind.ABILITY,
            text_en=f"Ability {n}",
            text_fr=f"Capacité {n}",
            **({"pass_mark": 3, "out_of": 5} if n % 2 else {}),
        )
        for n in range(size * 2)
    ]
    assessors = [
        staff_in(django_user_model, REVIEWERS, username=f"assessor-{n}") for n in range(size + 1)
    ]
    posting.reviewers.add(*assessors)
    application = ApplicationFactory(posting=posting)
    for number in range(size):
        step = AssessmentStep.objects.create(
            posting=posting, kind=StepKind.SCREENING, name=f"Screening {number}", order=number
        )
        step.qualifications.set(qualifications)
        for seat, assessor in enumerate(assessors):
            BoardMember.objects.create(step=step, user=assessor, is_chair=seat == 0)
            if seat:  # everyone but the viewer has rated
                rating = StepRating.objects.create(
                    application=application, step=step, assessor=assessor
                )
                for qualification in qualifications:
                    rating.results.create(
                        qualification=qualification,
                        result=AssessmentResult.MET,
                        score=4 if qualification.is_scored else None,
                    )
        consensus_of(application, dict.fromkeys(qualifications, AssessmentResult.MET), step=step)
    question = ScreeningQuestion.objects.create(
        posting=posting,
        kind=QuestionKind.YES_NO,
        text_en="Degree?",
        qualification=qualifications[0],
    )
    fail_screening(application, question)
    client.force_login(assessors[0])
    client.get(page_url(application))

    with django_assert_max_num_queries(26):
        response = client.get(page_url(application, posting=posting.pk))
    assert response.status_code == 200
    assert len(response.context["workspace"].panels) == size
