"""HR plans how a posting's qualifications are assessed, on the posting's admin page.

The issue: ordered steps (screening, written exam, interview, reference check, other), each
assessing chosen qualifications, with a date and a board; the plan is complete when every
essential qualification is assessed; a default plan (screening of what the screening questions
screen, then an interview for the rest) comes with each posting; once results exist for a step,
changing it needs a recorded reason.
"""

import pytest
from django.urls import reverse

from applications.models import AssessmentResult
from applications.roles import HR_ADMINISTRATORS, RECRUITERS
from positions.models import (
    AssessmentStep,
    BoardMember,
    JobPosting,
    PlanChange,
    QualificationKind,
    StepKind,
)
from positions.services import (
    assessment_board_set,
    assessment_plan_default,
    posting_duplicate,
)
from tests.applications.factories import ApplicationFactory, consensus_of, staff_in
from tests.factories import FacilityFactory, JobPostingFactory, OccupationFactory
from tests.positions.test_posting_admin import change_form_data, form_index

pytestmark = pytest.mark.django_db

ADD = reverse("admin:positions_jobposting_add")


def change_url(posting) -> str:
    return reverse("admin:positions_jobposting_change", args=[posting.pk])


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS, "grace.nakamura")


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


@pytest.fixture
def posting():
    """A posting with two essential qualifications (education, experience) and an asset."""
    posting = JobPostingFactory(qualifications=[])
    posting.qualifications.create(
        kind=QualificationKind.EDUCATION,
        text="A degree in social sciences.",
        text_fr="Un diplôme en sciences sociales.",
        order=1,
    )
    posting.qualifications.create(
        kind=QualificationKind.EXPERIENCE,
        text="Experience in case management.",
        text_fr="Expérience de la gestion de cas.",
        order=2,
    )
    posting.qualifications.create(
        kind=QualificationKind.KNOWLEDGE,
        text="Knowledge of the Corrections and Conditional Release Act.",
        text_fr="Connaissance de la Loi sur le système correctionnel.",
        is_asset=True,
        order=3,
    )
    return posting


def qualification(posting, kind):
    return posting.qualifications.get(kind=kind)


def assessed(step) -> set[str]:
    return {q.text for q in step.qualifications.all()}


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_a_posting_added_in_the_admin_gets_the_default_plan(hr_client):
    data = {
        "title_en": "Parole officer",
        "title_fr": "Agent de libération conditionnelle",
        "occupation": OccupationFactory().pk,
        "reference_number": "CSC-26-WP-0600",
        "selection_process_number": "26-PEN-EA-ONT-0600",
        "classification_group": "WP",
        "classification_level": "04",
        "tenure": "indeterminate",
        "salary_min": "80000",
        "salary_max": "99000",
        "locations": [FacilityFactory().pk],
        "language_requirement": "english-essential",
        "security_clearance": "reliability",
        "eligibility": "public",
        "open_date": "2026-12-10",
        "closing_date": "2026-12-31",
        "work_description_en": "Supervise offenders.",
        **inline_management("qualifications", 2),
        "qualifications-0-order": "1",
        "qualifications-0-kind": "education",
        "qualifications-0-text_en": "A degree in criminology.",
        "qualifications-1-order": "2",
        "qualifications-1-kind": "experience",
        "qualifications-1-text_en": "Experience working with offenders.",
        **inline_management("screening_questions"),
    }
    page = hr_client.get(ADD)
    assert "gives it the default plan" in page.content.decode()  # said before saving
    assert "assessment_steps-TOTAL_FORMS" not in page.content.decode()  # nothing to plan yet

    response = hr_client.post(ADD, data, follow=True)

    posting = JobPosting.objects.get(reference_number="CSC-26-WP-0600")
    screening, interview = posting.assessment_steps.all()
    assert (screening.kind, interview.kind) == (StepKind.SCREENING, StepKind.INTERVIEW)
    assert assessed(screening) == {"A degree in criminology."}
    assert assessed(interview) == {"Experience working with offenders."}
    assert posting.plan_gaps() == []
    assert "default assessment plan" in response.content.decode()


def test_the_default_plan_screens_what_the_screening_questions_screen(hr_client, posting):
    # A posting without a plan (as before plans existed) whose question screens for experience.
    experience = qualification(posting, QualificationKind.EXPERIENCE)
    question = posting.screening_questions.create(
        kind="yes-no",
        text="Do you have two years of case management?",
        text_fr="Avez-vous deux ans de gestion de cas?",
        order=1,
    )
    data = change_form_data(hr_client.get(change_url(posting)))
    index = form_index(data, "screening_questions", question.pk)
    data[f"screening_questions-{index}-qualification"] = experience.pk

    assert hr_client.post(change_url(posting), data).status_code == 302

    question.refresh_from_db()
    assert question.qualification == experience
    screening, interview = posting.assessment_steps.all()
    assert assessed(screening) == {"A degree in social sciences.", "Experience in case management."}
    assert assessed(interview) == {"Knowledge of the Corrections and Conditional Release Act."}


def test_a_question_names_only_a_qualification_of_its_own_posting(hr_client, posting):
    other = JobPostingFactory(qualifications=[])
    other.qualifications.create(kind="ability", text="Ability to cook for 500 people.")
    posting.screening_questions.create(kind="yes-no", text="Degree?", text_fr="Diplôme?", order=1)

    content = hr_client.get(change_url(posting)).content.decode()

    assert "Experience in case management." in content
    assert "Ability to cook for 500 people." not in content


def test_hr_builds_a_step_with_its_board_and_the_qualifications_it_assesses(
    hr_client, hr, posting, django_user_model
):
    assessment_plan_default(posting=posting)
    chair = staff_in(django_user_model, HR_ADMINISTRATORS, "amir.haddad")
    member = staff_in(django_user_model, RECRUITERS, "lea.tremblay")
    applicant_like = django_user_model.objects.create_user("not.staff", password="x")
    url = change_url(posting)
    page = hr_client.get(url)
    steps = next(
        i for i in page.context["inline_admin_formsets"] if i.formset.prefix == "assessment_steps"
    )
    offered = {label for _pk, label in steps.formset.empty_form.fields["assessors"].choices}
    assert {"amir.haddad", "lea.tremblay"} <= offered and "not.staff" not in offered
    data = change_form_data(page)
    total = int(data["assessment_steps-TOTAL_FORMS"])
    exam = f"assessment_steps-{total}"
    knowledge = qualification(posting, QualificationKind.KNOWLEDGE)
    data.update(
        {
            "assessment_steps-TOTAL_FORMS": str(total + 1),
            f"{exam}-kind": StepKind.WRITTEN_EXAM,
            f"{exam}-order": "3",
            f"{exam}-name_en": "",
            f"{exam}-starts_on": "2027-01-14",
            f"{exam}-qualifications": [knowledge.pk],
            f"{exam}-assessors": [member.pk],
            f"{exam}-chair": chair.pk,
        }
    )

    assert hr_client.post(url, data).status_code == 302

    step = posting.assessment_steps.get(kind=StepKind.WRITTEN_EXAM)
    assert assessed(step) == {knowledge.text}
    assert {(m.user, m.is_chair) for m in step.board_members.all()} == {
        (chair, True),  # the chair sits on the board though not ticked in it
        (member, False),
    }
    assert not PlanChange.objects.exists()  # nobody rated yet: no reason asked, none recorded
    assert applicant_like.pk not in {m.user_id for m in BoardMember.objects.all()}


def test_the_page_shows_the_gaps_of_the_plan_and_warns_after_saving(hr_client, posting):
    assessment_plan_default(posting=posting)
    url = change_url(posting)
    assert "Complete: every essential qualification is assessed" in (
        hr_client.get(url).content.decode()
    )
    posting.qualifications.create(
        kind=QualificationKind.ABILITY,
        text="Ability to write reports.",
        text_fr="Capacité à rédiger des rapports.",
        order=4,
    )

    page = hr_client.get(url)
    content = page.content.decode()
    assert "No step of the assessment plan assesses this essential qualification" in content
    assert "Ability to write reports." in content
    saved = hr_client.post(url, change_form_data(page), follow=True)

    messages = [str(m) for m in saved.context["messages"]]
    assert any("“Ability to write reports”" in m and "Tick it on a step" in m for m in messages)


@pytest.fixture
def rated(posting, hr):
    """The posting's default plan, with a board consensus recorded at the interview."""
    _screening, interview = assessment_plan_default(posting=posting)
    application = ApplicationFactory(posting=posting)
    experience = qualification(posting, QualificationKind.EXPERIENCE)
    consensus_of(application, {experience: AssessmentResult.MET}, step=interview, chair=hr)
    return interview


def test_changing_a_rated_step_needs_a_reason_and_is_recorded(hr_client, hr, posting, rated):
    url = change_url(posting)
    page = hr_client.get(url)
    assert "1 candidate rated" in page.content.decode()
    data = change_form_data(page)
    step = f"assessment_steps-{form_index(data, 'assessment_steps', rated.pk)}"
    knowledge = qualification(posting, QualificationKind.KNOWLEDGE)
    experience = qualification(posting, QualificationKind.EXPERIENCE)
    data[f"{step}-qualifications"] = [experience.pk]  # the asset no longer assessed here
    data[f"{step}-starts_on"] = "2027-01-20"

    refused = hr_client.post(url, data)

    assert refused.status_code == 200
    assert "give the reason for this change" in refused.content.decode()
    assert assessed(AssessmentStep.objects.get(pk=rated.pk)) == {experience.text, knowledge.text}
    assert not PlanChange.objects.exists()

    data[f"{step}-change_reason"] = "The knowledge is assessed by the written exam instead."
    assert hr_client.post(url, data).status_code == 302

    assert assessed(AssessmentStep.objects.get(pk=rated.pk)) == {experience.text}
    change = PlanChange.objects.get()
    assert (change.posting, change.step, change.by) == (posting, rated, hr)
    assert change.step_title == "Interview"
    assert change.reason == "The knowledge is assessed by the written exam instead."
    assert f"qualifications removed: “{knowledge.text}”" in change.change
    assert "Date: — → Jan. 20, 2027" in change.change
    page = hr_client.get(url).content.decode()
    assert "The knowledge is assessed by the written exam instead." in page  # on the page too


def test_a_board_change_on_a_rated_step_is_recorded_in_names(
    hr_client, posting, rated, django_user_model
):
    newcomer = staff_in(django_user_model, HR_ADMINISTRATORS, "amir.haddad")
    newcomer.first_name, newcomer.last_name = "Amir", "Haddad"
    newcomer.save()
    url = change_url(posting)
    data = change_form_data(hr_client.get(url))
    step = f"assessment_steps-{form_index(data, 'assessment_steps', rated.pk)}"
    data[f"{step}-assessors"] = [newcomer.pk]
    data[f"{step}-change_reason"] = "A second assessor joins the board."

    assert hr_client.post(url, data).status_code == 302

    assert list(rated.board.all()) == [newcomer]
    assert "board members added: “Amir Haddad (amir.haddad)”" in PlanChange.objects.get().change


def test_reordering_or_saving_a_rated_step_unchanged_needs_no_reason(hr_client, posting, rated):
    url = change_url(posting)
    data = change_form_data(hr_client.get(url))
    data[f"assessment_steps-{form_index(data, 'assessment_steps', rated.pk)}-order"] = "5"

    assert hr_client.post(url, data).status_code == 302

    assert AssessmentStep.objects.get(pk=rated.pk).order == 5
    assert not PlanChange.objects.exists()


def test_a_rated_step_cannot_be_deleted(hr_client, posting, rated):
    url = change_url(posting)
    data = change_form_data(hr_client.get(url))
    data[f"assessment_steps-{form_index(data, 'assessment_steps', rated.pk)}-DELETE"] = "on"

    response = hr_client.post(url, data)

    assert response.status_code == 200
    assert (
        "“Interview” cannot be deleted: candidates have already been rated at this step"
        in response.content.decode()
    )
    assert AssessmentStep.objects.filter(pk=rated.pk).exists()


def test_an_unrated_step_may_be_deleted(hr_client, posting, rated):
    screening = posting.assessment_steps.get(kind=StepKind.SCREENING)
    url = change_url(posting)
    data = change_form_data(hr_client.get(url))
    data[f"assessment_steps-{form_index(data, 'assessment_steps', screening.pk)}-DELETE"] = "on"

    assert hr_client.post(url, data).status_code == 302

    assert list(posting.assessment_steps.all()) == [rated]


def test_plan_changes_are_listed_and_never_edited(hr_client, hr, posting, rated):
    from positions.services import assessment_plan_change_record

    record = assessment_plan_change_record(
        step=rated, change="date: — → 20 January", reason="The room was booked.", by=hr
    )
    changelist = hr_client.get(reverse("admin:positions_planchange_changelist"))
    assert "The room was booked." in changelist.content.decode()
    assert hr_client.get(reverse("admin:positions_planchange_add")).status_code == 403
    change_page = hr_client.post(
        reverse("admin:positions_planchange_change", args=[record.pk]), {"reason": "Other."}
    )
    assert change_page.status_code == 403
    record.refresh_from_db()
    assert record.reason == "The room was booked."


def test_a_plan_change_without_a_reason_is_refused_by_the_service(hr, rated):
    from django.core.exceptions import ValidationError

    from positions.services import assessment_plan_change_record

    with pytest.raises(ValidationError):
        assessment_plan_change_record(
            step=rated, change="kind: Interview → Other", reason=" ", by=hr
        )
    assert not PlanChange.objects.exists()


def test_a_recruiter_reads_the_plan_without_editing_it(client, posting, hr, django_user_model):
    _screening, interview = assessment_plan_default(posting=posting)
    assessment_board_set(step=interview, assessors=[], chair=hr)
    client.force_login(staff_in(django_user_model, RECRUITERS))

    page = client.get(change_url(posting))

    assert page.status_code == 200
    content = page.content.decode()
    assert "grace.nakamura (chair)" in content
    assert 'name="assessment_steps-0-kind"' not in content


def test_qualifications_take_a_pass_mark_and_a_reason_given_when_not_met(hr_client, posting):
    assessment_plan_default(posting=posting)
    url = change_url(posting)
    data = change_form_data(hr_client.get(url))
    experience = qualification(posting, QualificationKind.EXPERIENCE)
    index = form_index(data, "qualifications", experience.pk)
    data.update(
        {
            f"qualifications-{index}-pass_mark": "6",
            f"qualifications-{index}-out_of": "10",
            f"qualifications-{index}-not_met_reason_en": "Two years of case management.",
            f"qualifications-{index}-not_met_reason_fr": "Deux ans de gestion de cas.",
        }
    )

    assert hr_client.post(url, data).status_code == 302

    experience.refresh_from_db()
    assert (experience.pass_mark, experience.out_of) == (6, 10)
    assert experience.not_met_reason_fr == "Deux ans de gestion de cas."


def test_duplicating_copies_the_plan_onto_the_copys_qualifications(posting, hr, django_user_model):
    experience = qualification(posting, QualificationKind.EXPERIENCE)
    posting.screening_questions.create(
        kind="yes-no", text="Two years of case management?", qualification=experience
    )
    screening, interview = assessment_plan_default(posting=posting)
    member = staff_in(django_user_model, RECRUITERS, "lea.tremblay")
    assessment_board_set(step=interview, assessors=[member], chair=hr)

    copy = posting_duplicate(posting=posting, reference_number="CSC-26-COPY", by=hr)

    copied_question = copy.screening_questions.get()
    assert copied_question.qualification.posting == copy
    assert copied_question.qualification.text == experience.text
    steps = list(copy.assessment_steps.all())
    assert [(s.kind, s.order) for s in steps] == [
        (StepKind.SCREENING, screening.order),
        (StepKind.INTERVIEW, interview.order),
    ]
    for original, step in zip([screening, interview], steps, strict=True):
        assert {q.posting_id for q in step.qualifications.all()} <= {copy.pk}
        assert assessed(step) == assessed(original)
    assert {(m.user, m.is_chair) for m in steps[1].board_members.all()} == {
        (hr, True),
        (member, False),
    }
    # The original's plan is untouched.
    assert {q.posting_id for q in interview.qualifications.all()} == {posting.pk}
    assert copy.plan_gaps() == []


def test_the_board_is_set_with_one_chair(posting, hr, django_user_model):
    _screening, interview = assessment_plan_default(posting=posting)
    other = staff_in(django_user_model, RECRUITERS, "lea.tremblay")
    assessment_board_set(step=interview, assessors=[hr, other], chair=hr)

    assessment_board_set(step=interview, assessors=[other], chair=other)

    assert [(m.user, m.is_chair) for m in interview.board_members.all()] == [(other, True)]
