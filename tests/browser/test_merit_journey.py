"""Issue 15's journey: HR builds the assessment plan, two board members rate a candidate on their
own, the chair records the consensus and screens the candidate out with the reason, the candidate
reads it on their status page in both languages, and HR reads it all in the record of decision."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from applications.models import (
    Application,
    AssessmentResult,
    Stage,
    StageMessage,
    StepRating,
)
from applications.roles import HR_ADMINISTRATORS, REVIEWERS
from positions.models import AssessmentStep, BoardMember, QualificationKind, StepKind
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "x"  # staff_in's

# What HR wrote for the status page of a candidate screened out (a transactional test's flush
# takes the migrations' wording away, so the test writes its own).
STATUS_TEXT_EN = "Your application was not retained at screening. Write to {hr_contact}."
STATUS_TEXT_FR = "Votre candidature n’a pas été retenue. Écrivez à {hr_contact}."
CONTACT = "Alex Martin (staffing.ontario@example.com)"  # the factory's HR contact

CASEWORK_REASON_EN = "Your application does not show two years of casework."
CASEWORK_REASON_FR = "Votre candidature ne démontre pas deux ans de gestion de cas."


def person(django_user_model, role, username, first_name, last_name):
    user = staff_in(django_user_model, role, username=username)
    user.first_name, user.last_name = first_name, last_name
    user.save()
    return user


def new_page(browser, violations: list[str]):
    """A browser page of its own (its own cookies) that notes the site's policy refusals."""
    page = browser.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def signed_in(browser, violations, live_server, username):
    """A page of its own, signed in to the admin."""
    page = new_page(browser, violations)
    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def test_hr_plans_the_board_rates_the_chair_screens_out_and_the_candidate_reads_why(
    browser, live_server, django_user_model
):
    posting = JobPostingFactory(title="Parole officer")
    degree = posting.qualifications.get()  # essential: "A degree in social sciences."
    casework = posting.qualifications.create(
        kind=QualificationKind.EXPERIENCE,
        text_en="Two years of casework.",
        text_fr="Deux ans de gestion de cas.",
        not_met_reason_en=CASEWORK_REASON_EN,
        not_met_reason_fr=CASEWORK_REASON_FR,
        order=2,
    )
    cultures = posting.qualifications.create(
        kind=QualificationKind.KNOWLEDGE,
        is_asset=True,
        text_en="Knowledge of Indigenous cultures.",
        text_fr="Connaissance des cultures autochtones.",
        order=3,
    )
    # A plan whose screening step assesses nothing yet: both essentials are gaps.
    screening = AssessmentStep.objects.create(posting=posting, kind=StepKind.SCREENING, order=1)
    interview = AssessmentStep.objects.create(posting=posting, kind=StepKind.INTERVIEW, order=2)
    interview.qualifications.set([cultures])
    person(django_user_model, HR_ADMINISTRATORS, "harper.hr", "Harper", "Lee")
    rae = person(django_user_model, REVIEWERS, "rae.reviewer", "Rae", "Reviewer")
    cam = person(django_user_model, REVIEWERS, "cam.chair", "Cam", "Chair")
    # Rae reviews the posting's applications; Cam, from another office, is seated only by HR's
    # plan (a seat makes its holder a reviewer of the posting, or they could not rate).
    posting.reviewers.add(rae)
    candidate = ApplicationFactory(posting=posting, first_name="Jordan", last_name="Tremblay")
    assert candidate.stage == Stage.RECEIVED
    StageMessage.objects.update_or_create(
        stage=Stage.SCREENED_OUT,
        defaults={
            "subject_en": "Your application {reference}",
            "subject_fr": "Votre candidature {reference}",
            "body_en": "Read where it stands: {status_url}",
            "body_fr": "Où elle en est\u00a0: {status_url}",
            "status_text_en": STATUS_TEXT_EN,
            "status_text_fr": STATUS_TEXT_FR,
        },
    )
    violations = []
    application_page = f"{live_server.url}/en/admin/applications/application/{candidate.pk}/change/"

    # 1. HR opens the posting: the plan leaves both essentials out.
    hr = signed_in(browser, violations, live_server, "harper.hr")
    hr.goto(f"{live_server.url}/en/admin/positions/jobposting/{posting.pk}/change/")
    gaps = hr.locator(".messagelist .warning")
    expect(gaps).to_contain_text(
        "No step of the assessment plan assesses these essential qualifications:"
    )
    expect(gaps).to_contain_text("“A degree in social sciences.”; “Two years of casework.”")
    step = hr.locator("#assessment_steps-group div.inline-related").filter(
        has=hr.get_by_role("heading", name="Assessment step: Application screening")
    )
    expect(step).to_have_count(1)
    step.get_by_label("Essential · A degree in social sciences.").check()
    step.get_by_label("Essential · Two years of casework.").check()
    step.get_by_label("Rae Reviewer (rae.reviewer)").check()
    step.get_by_label("Cam Chair (cam.chair)").check()
    step.get_by_label("Board chair").select_option(label="Cam Chair (cam.chair)")
    hr.get_by_role("button", name="Save and continue editing").click()

    expect(hr.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(hr.get_by_text("No step of the assessment plan assesses")).to_have_count(0)
    expect(hr.locator(".field-plan_summary .readonly")).to_have_text(
        "Complete: every essential qualification is assessed by a step of the plan."
    )
    assert set(screening.qualifications.all()) == {degree, casework}
    assert {(m.user, m.is_chair) for m in BoardMember.objects.filter(step=screening)} == {
        (rae, False),
        (cam, True),
    }
    assert set(posting.reviewers.all()) == {rae, cam}

    # 2. Rae, on the board, rates on her own: no one else's rating is shown to her.
    reviewer = signed_in(browser, violations, live_server, "rae.reviewer")
    reviewer.goto(application_page)
    panel = reviewer.locator(f"#step-{screening.pk}")
    expect(panel).to_contain_text("Assessment board — Cam Chair (chair), Rae Reviewer")
    expect(panel.get_by_role("table")).to_have_count(0)
    expect(panel).to_contain_text("No rating yet.")
    expect(panel.get_by_role("form", name="Consensus")).to_have_count(0)  # not the chair
    rating = panel.get_by_role("form", name="Your rating")
    expect(rating).to_contain_text(
        "Rate on your own: the board's other ratings show once you have submitted yours."
    )
    row = rating.get_by_role("group", name="Essential – A degree in social sciences.")
    row.get_by_role("radio", name="Met", exact=True).check()
    row = rating.get_by_role("group", name="Essential – Two years of casework.")
    row.get_by_role("radio", name="Not met", exact=True).check()
    row.get_by_label("Justification").fill("Eight months of casework at the John Howard Society.")
    rating.get_by_role("button", name="Submit my rating").click()
    expect(reviewer.locator(".messagelist")).to_contain_text(
        f"Your rating of {candidate.reference} at “Application screening” is recorded."
    )
    mine = reviewer.locator(f"#step-{screening.pk}").get_by_role("table", name="Ratings in force")
    expect(mine).to_contain_text("Eight months of casework at the John Howard Society.")

    # 3. Cam, the chair, reads Rae's rating (the chair records the consensus from the board's
    # ratings) and records the consensus, which starts from what the ratings agree on.
    chair = signed_in(browser, violations, live_server, "cam.chair")
    chair.goto(application_page)
    panel = chair.locator(f"#step-{screening.pk}")
    board = panel.get_by_role("table", name="Ratings in force")
    expect(board.get_by_role("columnheader", name="Rae Reviewer")).to_be_visible()
    expect(board.get_by_role("row", name="Essential – Two years of casework.")).to_contain_text(
        "Not met"
    )
    consensus = panel.get_by_role("form", name="Consensus")
    row = consensus.get_by_role("group", name="Essential – A degree in social sciences.")
    expect(row.get_by_role("radio", name="Met", exact=True)).to_be_checked()
    row.get_by_label("Justification").fill("Bachelor of Social Work, 2018, in the résumé.")
    row = consensus.get_by_role("group", name="Essential – Two years of casework.")
    expect(row.get_by_role("radio", name="Not met", exact=True)).to_be_checked()
    expect(row.get_by_label("Justification")).to_have_value(
        "Eight months of casework at the John Howard Society."
    )
    row.get_by_label("Justification").fill(
        "Eight months of casework: the board agrees two years are not shown."
    )
    consensus.get_by_label("Justification of the consensus as a whole").fill(
        "One essential qualification is not met at screening."
    )
    consensus.get_by_role("button", name="Record the consensus").click()
    expect(chair.locator(".messagelist")).to_contain_text(
        f"The board's consensus on {candidate.reference} at “Application screening” is recorded."
    )
    expect(chair.locator(".workspace-consensus")).to_contain_text(
        "One essential qualification is not met at screening."
    )

    # Then screens the candidate out: what the consensus found not met is ticked already.
    move = chair.get_by_role("form", name="Screen out")
    not_met = move.get_by_role("group", name="Qualifications not met")
    expect(not_met.get_by_label("Essential – A degree in social sciences.")).not_to_be_checked()
    expect(not_met.get_by_label("Essential – Two years of casework.")).to_be_checked()
    expect(not_met).to_contain_text(f"The candidate reads “{CASEWORK_REASON_EN}”")
    not_met.get_by_label("Essential – Two years of casework.").check()  # as HR would, to be sure
    move.get_by_label("Note (kept in the history)").fill("Screened out on the board's consensus.")
    move.get_by_role("button", name="Screen out").click()
    expect(chair.locator(".messagelist")).to_contain_text(
        f"Moved to “Screened out”: {candidate.reference}."
    )
    expect(chair.locator("#workspace-stage")).to_have_text("Screened out")

    # 4. The candidate reads the decision and its reason on their status page, in both languages.
    with translation.override("en"):
        status_link = candidate.get_absolute_url()
    applicant = new_page(browser, violations)
    applicant.goto(f"{live_server.url}{status_link}")
    facts = applicant.locator(".facts")
    expect(facts.locator("div", has_text="Current status")).to_contain_text("Screened out")
    expect(applicant.locator(".status-text")).to_have_text(
        STATUS_TEXT_EN.format(hr_contact=CONTACT)
    )
    expect(applicant.get_by_role("heading", name="Qualifications not met")).to_be_visible()
    expect(applicant.locator(".qualifications-not-met li")).to_have_text([CASEWORK_REASON_EN])
    applicant.get_by_role("link", name="Français").click()
    expect(applicant.locator("html")).to_have_attribute("lang", "fr")
    facts = applicant.locator(".facts")
    expect(facts.locator("div", has_text="État actuel")).to_contain_text(
        "Éliminée à la présélection"
    )
    expect(applicant.locator(".status-text")).to_have_text(
        STATUS_TEXT_FR.format(hr_contact=CONTACT)
    )
    expect(applicant.get_by_role("heading", name="Qualifications non satisfaites")).to_be_visible()
    expect(applicant.locator(".qualifications-not-met li")).to_have_text([CASEWORK_REASON_FR])

    # 5. HR reads the record of decision: each rating, the consensus, and the move with its reason.
    hr.goto(application_page)
    hr.get_by_role("link", name="Record of decision").click()
    record = hr.locator(".record")
    expect(record.get_by_role("heading", name="Step 1: Application screening")).to_be_visible()
    found = record.get_by_role("table", name="Two years of casework.")
    rated = found.get_by_role("row").filter(has_text="Rae Reviewer")
    expect(rated).to_contain_text("Not met")
    expect(rated).to_contain_text("Eight months of casework at the John Howard Society.")
    agreed = found.get_by_role("row").filter(has_text="Board consensus, recorded by Cam Chair")
    expect(agreed).to_contain_text("Not met")
    expect(agreed).to_contain_text(
        "Eight months of casework: the board agrees two years are not shown."
    )
    found = record.get_by_role("table", name="A degree in social sciences.")
    expect(found.get_by_role("row").filter(has_text="Rae Reviewer")).to_contain_text("Met")
    expect(
        found.get_by_role("row").filter(has_text="Board consensus, recorded by Cam Chair")
    ).to_contain_text("Bachelor of Social Work, 2018, in the résumé.")
    expect(record).to_contain_text("One essential qualification is not met at screening.")
    moved = (
        record.locator(".record-history")
        .get_by_role("row")
        .filter(has_text="Received → Screened out")
    )
    expect(moved).to_contain_text("Cam Chair")
    expect(moved).to_contain_text("Screened out on the board's consensus.")
    expect(moved.get_by_role("listitem")).to_have_text(["Two years of casework."])

    # What the database keeps: one rating of Rae's, one consensus of Cam's, and the move.
    individual = StepRating.objects.get(application=candidate, is_consensus=False)
    assert (individual.step, individual.assessor) == (screening, rae)
    assert {r.qualification: r.result for r in individual.results.all()} == {
        degree: AssessmentResult.MET,
        casework: AssessmentResult.NOT_MET,
    }
    board_finding = StepRating.objects.get(application=candidate, is_consensus=True)
    assert (board_finding.step, board_finding.assessor) == (screening, cam)
    assert board_finding.justification == "One essential qualification is not met at screening."
    assert {r.qualification: r.result for r in board_finding.results.all()} == {
        degree: AssessmentResult.MET,
        casework: AssessmentResult.NOT_MET,
    }
    assert StepRating.objects.count() == 2
    candidate = Application.objects.get(pk=candidate.pk)
    assert candidate.stage == Stage.SCREENED_OUT
    change = candidate.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        Stage.RECEIVED,
        Stage.SCREENED_OUT,
        cam,
    )
    assert list(change.qualifications_not_met.all()) == [casework]
    assert violations == []
