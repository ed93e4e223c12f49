"""The record of decision: the printable page per candidate (both languages) and its export."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.decision import Verdict, outcome_of
from applications.models import (
    Application,
    AssessmentResult,
    ExportLog,
    QualificationResult,
    StepRating,
)
from applications.pipeline import Stage
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from positions.models import AssessmentStep, BoardMember, QualificationKind, StepKind
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
CHANGELIST = reverse("admin:applications_application_changelist")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2027, 1, day, hour, minute, tzinfo=TORONTO)


def record_url(application, language: str | None = None) -> str:
    url = reverse("admin:applications_application_decision", args=[application.pk])
    return f"{url}?language={language}" if language else url


def rate(
    application, step, assessor, results, *, when, justification="", consensus=False, replaces=None
):
    """Write a rating as rows (the rules that write them are tested in test_assessment)."""
    rating = StepRating.objects.create(
        application=application,
        step=step,
        assessor=assessor,
        is_consensus=consensus,
        justification=justification,
        replaces=replaces,
        submitted_at=when,
    )
    for qualification, (result, score, why) in results.items():
        QualificationResult.objects.create(
            rating=rating,
            qualification=qualification,
            result=result,
            score=score,
            justification=why,
        )
    return rating


class Table(HTMLParser):
    """The rows of a page's tables: each row's class and the text of its cells."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append((dict(attrs).get("class") or "", []))
        elif tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1][1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: str) -> list[tuple[str, list[str]]]:
    parser = Table()
    parser.feed(page)
    return parser.rows


def text_of(page: str) -> str:
    """The page's text, tags dropped and spaces collapsed (for checking what comes in order)."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def in_order(text: str, *parts: str) -> None:
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found >= 0, f"{part!r} missing after position {position}"
        position = found + len(part)


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS)


@pytest.fixture
def board(django_user_model):
    chair = django_user_model.objects.create_user(
        "marie", first_name="Marie", last_name="Gagnon", is_staff=True
    )
    member = django_user_model.objects.create_user(
        "paul", first_name="Paul", last_name="Roy", is_staff=True
    )
    return chair, member


@pytest.fixture
def plan(board):
    """A posting of two essential qualifications (one scored) and an asset, in two steps."""
    posting = JobPostingFactory(
        reference_number="CSC-27-WP-0001",
        title="Parole officer",
        title_fr="Agente ou agent de libération conditionnelle",
        selection_process_number="27-PEN-EA-ONT-0001",
    )
    degree = posting.qualifications.get()
    judgement = posting.qualifications.create(
        kind=QualificationKind.ABILITY,
        text_en="Judgement in a crisis.",
        text_fr="Jugement en situation de crise.",
        order=2,
        pass_mark=6,
        out_of=10,
    )
    healing = posting.qualifications.create(
        kind=QualificationKind.EXPERIENCE,
        is_asset=True,
        text_en="Work in a healing lodge.",
        text_fr="Travail dans un pavillon de ressourcement.",
        order=3,
    )
    screening = AssessmentStep.objects.create(
        posting=posting,
        kind=StepKind.SCREENING,
        name_en="Résumé screening",
        name_fr="Présélection des curriculum vitæ",
        order=1,
        starts_on=datetime.date(2027, 1, 5),
    )
    screening.qualifications.set([degree])
    interview = AssessmentStep.objects.create(
        posting=posting,
        kind=StepKind.INTERVIEW,
        name_en="Structured interview",
        name_fr="Entrevue structurée",
        order=2,
        starts_on=datetime.date(2027, 1, 14),
        ends_on=datetime.date(2027, 1, 15),
    )
    interview.qualifications.set([judgement, healing])
    chair, member = board
    for step in (screening, interview):
        BoardMember.objects.create(step=step, user=member)
        BoardMember.objects.create(step=step, user=chair, is_chair=True)
    return posting, (screening, interview), (degree, judgement, healing)


@pytest.fixture
def rated(plan, board, hr):
    """A candidate through both steps: two assessors, one corrected rating, a consensus each."""
    posting, (screening, interview), (degree, judgement, healing) = plan
    chair, member = board
    application = ApplicationFactory(
        posting=posting, first_name="Éloïse", last_name="Côté", interview=True
    )
    rate(
        application,
        screening,
        chair,
        {degree: (AssessmentResult.MET, None, "Criminology degree, 2019.")},
        when=at(6, 10),
        justification="Screened on the résumé.",
        consensus=True,
    )
    first = rate(
        application,
        interview,
        member,
        {
            judgement: (AssessmentResult.NOT_MET, 5, "Hesitant on the scenario."),
            healing: (AssessmentResult.MET, None, "Two summers at a lodge."),
        },
        when=at(14, 15),
    )
    rate(
        application,
        interview,
        member,
        {
            judgement: (AssessmentResult.MET, 7, "My notes show a sound plan."),
            healing: (AssessmentResult.MET, None, "Two summers at a lodge."),
        },
        when=at(15, 9),
        justification="Corrected after reading my notes again.",
        replaces=first,
    )
    rate(
        application,
        interview,
        chair,
        {
            judgement: (AssessmentResult.MET, 8, "Clear, safe plan."),
            healing: (AssessmentResult.NOT_MET, None, "No such work."),
        },
        when=at(14, 16),
    )
    rate(
        application,
        interview,
        chair,
        {
            judgement: (AssessmentResult.MET, 7, "Both found a safe plan."),
            healing: (AssessmentResult.MET, None, "The lodge counts."),
        },
        when=at(15, 11),
        justification="The board agreed on the second day.",
        consensus=True,
    )
    application.move_to(Stage.REFERENCE_CHECK, by=hr, reason="Qualified at the interview.")
    application.stage_changes.filter(to_stage=Stage.REFERENCE_CHECK).update(changed_at=at(16, 9))
    return application


# --- The page ------------------------------------------------------------------------------


def test_the_record_shows_every_step_rating_and_decision_in_order(client, hr, rated):
    client.force_login(hr)

    response = client.get(record_url(rated))

    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    page = response.content.decode()
    in_order(
        text_of(page),
        "Record of decision: " + rated.reference,
        "Éloïse Côté",
        rated.reference,
        "Parole officer (CSC-27-WP-0001)",
        "27-PEN-EA-ONT-0001",
        "Step 1: Résumé screening",
        "Jan. 5, 2027",
        "Marie Gagnon (chair)",
        "Paul Roy",
        "A degree in social sciences. (essential)",
        "Step 2: Structured interview",
        "Jan. 14, 2027 to Jan. 15, 2027",
        "Marie Gagnon (chair)",
        "Judgement in a crisis. (essential; pass mark 6/10)",
        "Work in a healing lodge. (asset)",
        "Stage history",
        "Outcome",
    )
    rows = [(kind, cells) for kind, cells in table_rows(page) if len(cells) == 4]
    assert rows[1:] == [
        # Screening: the consensus alone.
        (
            "record-consensus",
            [
                "Board consensus, recorded by Marie Gagnon",
                "Met",
                "Criminology degree, 2019.",
                "Jan. 6, 2027, 10 a.m.",
            ],
        ),
        ("", ["Rated by", "Result", "Justification", "Date"]),
        # Interview, judgement: Paul's first rating (corrected), Marie's, Paul's correction,
        # then the consensus.
        (
            "record-corrected",
            [
                "Paul Roy (corrected on Jan. 15, 2027, 9 a.m.)",
                "Not met (5/10)",
                "Hesitant on the scenario.",
                "Jan. 14, 2027, 3 p.m.",
            ],
        ),
        ("", ["Marie Gagnon", "Met (8/10)", "Clear, safe plan.", "Jan. 14, 2027, 4 p.m."]),
        ("", ["Paul Roy", "Met (7/10)", "My notes show a sound plan.", "Jan. 15, 2027, 9 a.m."]),
        (
            "record-consensus",
            [
                "Board consensus, recorded by Marie Gagnon",
                "Met (7/10)",
                "Both found a safe plan.",
                "Jan. 15, 2027, 11 a.m.",
            ],
        ),
        ("", ["Rated by", "Result", "Justification", "Date"]),
        (
            "record-corrected",
            [
                "Paul Roy (corrected on Jan. 15, 2027, 9 a.m.)",
                "Met",
                "Two summers at a lodge.",
                "Jan. 14, 2027, 3 p.m.",
            ],
        ),
        ("", ["Marie Gagnon", "Not met", "No such work.", "Jan. 14, 2027, 4 p.m."]),
        ("", ["Paul Roy", "Met", "Two summers at a lodge.", "Jan. 15, 2027, 9 a.m."]),
        (
            "record-consensus",
            [
                "Board consensus, recorded by Marie Gagnon",
                "Met",
                "The lodge counts.",
                "Jan. 15, 2027, 11 a.m.",
            ],
        ),
    ]
    text = text_of(page)
    assert "The board agreed on the second day." in text
    assert "Corrected after reading my notes again." in text
    history = [cells for _kind, cells in table_rows(page) if len(cells) == 5]
    assert history[-1] == [
        "Jan. 16, 2027, 9 a.m.",
        "Invited to an interview → Reference and security checks",
        "hr.administrators",
        "Qualified at the interview.",
        "",
    ]
    in_order(text, "Outcome", "Essential qualifications", "Qualified", "Stopped at step", "—")
    breadcrumbs = page.split('class="breadcrumbs"', 1)[1].split("</div>", 1)[0]
    change = reverse("admin:applications_application_change", args=[rated.pk])
    assert f'href="{change}"' in breadcrumbs


def test_the_record_in_french_has_the_french_content(client, hr, rated):
    client.force_login(hr)

    page = client.get(record_url(rated, "fr")).content.decode()

    assert '<html lang="fr"' in page
    text = text_of(page)
    in_order(
        text,
        "Agente ou agent de libération conditionnelle (CSC-27-WP-0001)",
        "Présélection des curriculum vitæ",
        "5 janvier 2027",
        "Un diplôme en sciences sociales.",
        "Entrevue structurée",
        "14 janvier 2027",
        "Jugement en situation de crise.",
        "Travail dans un pavillon de ressourcement.",
        "Invitation à une entrevue → Vérification des références et vérification de sécurité",
    )
    assert "Structured interview" not in text and "Judgement in a crisis." not in text
    # The links to either language: the other is a link, this one is marked current.
    assert '<a href="?language=en" lang="en" hreflang="en">English</a>' in page
    assert '<strong lang="fr" aria-current="page">Français</strong>' in page


def test_an_unknown_language_is_ignored(client, hr, rated):
    client.force_login(hr)

    page = client.get(record_url(rated, "de")).content.decode()

    assert '<html lang="en"' in page
    assert "Structured interview" in page


def test_a_screened_out_candidate_stopped_at_screening_not_qualified(client, hr, plan):
    posting, (_screening, _interview), (degree, *_others) = plan
    application = ApplicationFactory(posting=posting)
    application.move_to(Stage.SCREENED_OUT, by=hr, reason="No degree shown.", not_met=[degree])
    client.force_login(hr)

    page = client.get(record_url(application)).content.decode()

    history = [cells for _kind, cells in table_rows(page) if len(cells) == 5]
    assert history[-1][1:] == [
        "Received → Screened out",
        "hr.administrators",
        "No degree shown.",
        "A degree in social sciences.",
    ]
    in_order(text_of(page), "Outcome", "Not qualified", "Stopped at step", "Résumé screening")


@pytest.mark.parametrize(
    ("stage", "found", "verdict", "stopped"),
    [
        # Every essential met by the consensus in force: qualified, whatever the stage.
        (Stage.INTERVIEW, {0: "met", 1: "met"}, Verdict.QUALIFIED, None),
        # One not met: not qualified; still in the process, so stopped nowhere yet.
        (Stage.INTERVIEW, {0: "met", 1: "not-met"}, Verdict.NOT_QUALIFIED, None),
        # Half assessed, no essential failed: not determined.
        (Stage.INTERVIEW, {0: "met"}, Verdict.UNDETERMINED, None),
        # Not retained at the interview: that step.
        (Stage.REJECTED, {0: "met", 1: "not-met"}, Verdict.NOT_QUALIFIED, 1),
        # Withdrawn at the interview, no finding there: not determined, stopped there.
        (Stage.WITHDRAWN, {0: "met"}, Verdict.UNDETERMINED, 1),
    ],
)
def test_the_outcome_follows_the_consensus_in_force(plan, hr, stage, found, verdict, stopped):
    posting, steps, (degree, judgement, _healing) = plan
    essentials = {0: degree, 1: judgement}
    application = ApplicationFactory(posting=posting, interview=True)
    for index, result in found.items():
        rate(
            application,
            steps[index],
            None,
            {essentials[index]: (result, 7 if index else None, "why")},
            when=at(14, 10 + index),
            consensus=True,
        )
    if stage != Stage.INTERVIEW:
        application.move_to(stage, by=hr, not_met=[judgement] if stage == Stage.REJECTED else ())
    application = Application.objects.get(pk=application.pk)

    outcome = outcome_of(
        application,
        steps=list(posting.assessment_steps.all()),
        ratings=application.step_ratings.prefetch_related("results"),
        essentials=posting.essential_qualifications,
        changes=application.stage_changes.all(),
    )

    assert outcome.verdict == verdict
    assert outcome.stopped_at == (steps[stopped] if stopped is not None else None)


def test_a_corrected_consensus_no_longer_counts(plan, hr):
    posting, (screening, _interview), (degree, *_others) = plan
    application = ApplicationFactory(posting=posting, interview=True)
    wrong = rate(
        application,
        screening,
        None,
        {degree: ("not-met", None, "misread")},
        when=at(6, 9),
        consensus=True,
    )
    rate(
        application,
        screening,
        None,
        {degree: ("met", None, "re-read")},
        when=at(6, 10),
        consensus=True,
        replaces=wrong,
    )

    outcome = outcome_of(
        application,
        steps=list(posting.assessment_steps.all()),
        ratings=application.step_ratings.prefetch_related("results"),
        essentials=[degree],
        changes=[],
    )

    assert outcome.verdict == Verdict.QUALIFIED


def test_a_board_member_who_has_not_rated_does_not_see_the_others(client, rated, board, plan):
    _posting, (_screening, interview), _qualifications = plan
    chair, _member = board
    newcomer = staff_in(type(chair), REVIEWERS, username="newcomer")
    rated.posting.reviewers.add(newcomer)
    BoardMember.objects.create(step=interview, user=newcomer)
    client.force_login(newcomer)

    page = client.get(record_url(rated)).content.decode()

    assert "shown once you have submitted your own" in page
    assert "Both found a safe plan." not in page
    assert "Criminology degree, 2019." in page  # the screening step, which they do not sit on


def test_a_reviewer_of_another_posting_gets_404(client, django_user_model, rated):
    reviewer = staff_in(django_user_model, REVIEWERS)
    JobPostingFactory().reviewers.add(reviewer)
    client.force_login(reviewer)

    assert client.get(record_url(rated)).status_code == 404


def test_someone_who_may_not_view_applications_gets_403(client, django_user_model, rated):
    # A reviewer of the posting whose role was taken away: the posting is theirs, the right not.
    user = django_user_model.objects.create_user("former", password="x", is_staff=True)
    rated.posting.reviewers.add(user)
    client.force_login(user)

    assert client.get(record_url(rated)).status_code == 403


@pytest.mark.parametrize("size", [1, 4])
def test_the_record_costs_the_same_queries_whatever_its_size(
    client, hr, plan, board, django_user_model, django_assert_max_num_queries, size
):
    posting, (_screening, _interview), (_degree, judgement, _healing) = plan
    application = ApplicationFactory(posting=posting, interview=True)
    for number in range(size):
        step = AssessmentStep.objects.create(
            posting=posting, kind=StepKind.OTHER, name=f"Role play {number}", order=10 + number
        )
        extra = [
            posting.qualifications.create(kind=QualificationKind.OTHER, text=f"Q{number}-{i}")
            for i in range(size)
        ]
        step.qualifications.set([judgement, *extra])
        assessors = [
            django_user_model.objects.create_user(f"assessor-{number}-{i}") for i in range(size)
        ]
        for index, assessor in enumerate(assessors):
            BoardMember.objects.create(step=step, user=assessor, is_chair=index == 0)
            rate(
                application,
                step,
                assessor,
                {q: ("met", 7 if q.is_scored else None, "ok") for q in [judgement, *extra]},
                when=at(14, 10),
            )
        rate(
            application,
            step,
            assessors[0],
            {judgement: ("met", 7, "ok")},
            when=at(14, 12),
            consensus=True,
            justification="agreed",
        )
        application.stage_changes.first().qualifications_not_met.add(*extra)
    client.force_login(hr)

    with django_assert_max_num_queries(18):
        response = client.get(record_url(application))

    assert response.status_code == 200
    assert response.content.decode().count("Role play") == size


# --- The export ----------------------------------------------------------------------------


def export(client, action, applications):
    response = client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [application.pk for application in applications]},
    )
    assert response.status_code == 200, response.content[:300]
    return response


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


HEADER = [
    "Reference",
    "Candidate",
    "Posting reference",
    "Assessment step",
    "Step date",
    "Qualification",
    "Essential or asset",
    "Consensus result",
    "Consensus score",
    "Consensus justification",
    "Assessors' results",
    "Outcome",
    "Stopped at step",
    "Current stage",
]


@pytest.fixture
def recruiter_client(client, django_user_model):
    client.force_login(staff_in(django_user_model, RECRUITERS))
    return client


def test_the_export_has_a_row_per_candidate_step_and_qualification(
    recruiter_client, rated, plan, hr
):
    posting, _steps, (degree, _judgement, _healing) = plan
    out = ApplicationFactory(posting=posting, first_name="=cmd", last_name="Tremblay")
    out.move_to(Stage.SCREENED_OUT, by=hr, not_met=[degree])

    response = export(recruiter_client, "export_decisions_csv", [rated, out])

    assert (
        'filename="records-of-decision_CSC-27-WP-0001_all-stages_'
        in (response["Content-Disposition"])
    )
    rows = read_csv(response)
    assert rows[0] == HEADER
    candidate = [rated.reference, "Éloïse Côté", "CSC-27-WP-0001"]
    summary = ["Qualified", "", "Reference and security checks"]
    assert rows[1:4] == [
        [
            *candidate,
            "Résumé screening",
            "2027-01-05",
            "A degree in social sciences.",
            "Essential",
            "Met",
            "",
            "Criminology degree, 2019.",
            "",
            *summary,
        ],
        [
            *candidate,
            "Structured interview",
            "2027-01-14 to 2027-01-15",
            "Judgement in a crisis.",
            "Essential",
            "Met",
            "7",
            "Both found a safe plan.",
            # Ratings in force only: Paul's corrected one is in the record page, not here.
            "Marie Gagnon: Met (8/10); Paul Roy: Met (7/10)",
            *summary,
        ],
        [
            *candidate,
            "Structured interview",
            "2027-01-14 to 2027-01-15",
            "Work in a healing lodge.",
            "Asset",
            "Met",
            "",
            "The lodge counts.",
            "Marie Gagnon: Not met; Paul Roy: Met",
            *summary,
        ],
    ]
    # The screened-out candidate: formula-like name made inert, no results, stopped at screening.
    screened_out = ["Not qualified", "Résumé screening", "Screened out"]
    assert rows[4:] == [
        [
            out.reference,
            "'=cmd Tremblay",
            "CSC-27-WP-0001",
            "Résumé screening",
            "2027-01-05",
            "A degree in social sciences.",
            "Essential",
            "",
            "",
            "",
            "",
            *screened_out,
        ],
        [
            out.reference,
            "'=cmd Tremblay",
            "CSC-27-WP-0001",
            "Structured interview",
            "2027-01-14 to 2027-01-15",
            "Judgement in a crisis.",
            "Essential",
            "",
            "",
            "",
            "",
            *screened_out,
        ],
        [
            out.reference,
            "'=cmd Tremblay",
            "CSC-27-WP-0001",
            "Structured interview",
            "2027-01-14 to 2027-01-15",
            "Work in a healing lodge.",
            "Asset",
            "",
            "",
            "",
            "",
            *screened_out,
        ],
    ]
    log = ExportLog.objects.get()
    assert (log.file_format, log.row_count) == ("csv", 6)
    assert log.filters["export"] == "records-of-decision"
    assert log.filters["selected"] == sorted([rated.reference, out.reference])


def test_the_excel_export_opens_with_the_same_rows(recruiter_client, rated):
    csv_rows = read_csv(export(recruiter_client, "export_decisions_csv", [rated]))

    response = export(recruiter_client, "export_decisions_xlsx", [rated])

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.title == "Records of decision"
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == csv_rows
    assert sheet["I3"].value == 7, "the score is a number"


def test_the_export_is_in_the_exporters_language(client, django_user_model, rated):
    client.force_login(staff_in(django_user_model, RECRUITERS))

    response = client.post(
        reverse("admin:applications_application_changelist").replace("/en/", "/fr/"),
        {"action": "export_decisions_csv", "_selected_action": [rated.pk]},
    )

    rows = read_csv(response)
    assert (rows[2][3], rows[2][5]) == ("Entrevue structurée", "Jugement en situation de crise.")
    assert rows[2][13] == "Vérification des références et vérification de sécurité"


def test_a_reviewer_is_not_offered_the_export_and_cannot_force_it(client, django_user_model, rated):
    reviewer = staff_in(django_user_model, REVIEWERS)
    rated.posting.reviewers.add(reviewer)
    client.force_login(reviewer)

    page = client.get(CHANGELIST).content.decode()
    assert "export_decisions_csv" not in page

    response = client.post(
        CHANGELIST, {"action": "export_decisions_csv", "_selected_action": [rated.pk]}
    )
    assert "attachment" not in response.get("Content-Disposition", "")
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("count", [2, 12])
def test_the_export_costs_the_same_queries_whatever_the_number_of_candidates(
    recruiter_client, plan, board, django_assert_max_num_queries, count
):
    posting, (screening, interview), (degree, judgement, healing) = plan
    chair, member = board
    applications = [ApplicationFactory(posting=posting, interview=True) for _ in range(count)]
    for application in applications:
        for assessor in (chair, member):
            rate(
                application,
                interview,
                assessor,
                {judgement: ("met", 7, "ok"), healing: ("met", None, "ok")},
                when=at(14, 10),
            )
        rate(
            application,
            screening,
            chair,
            {degree: ("met", None, "ok")},
            when=at(6, 10),
            consensus=True,
        )

    with django_assert_max_num_queries(26):
        rows = read_csv(export(recruiter_client, "export_decisions_csv", applications))

    assert len(rows) == 1 + 3 * count


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_record_prints_without_the_admin_around_it_under_the_policy(
    page, live_server, rated, hr
):
    hr.set_password("correct horse battery staple")
    hr.save()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/en/admin/")
    page.get_by_label("Username").fill(hr.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}{record_url(rated)}")
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # the script ran
    page.get_by_role("link", name="Français").click()
    expect(page.get_by_text("Entrevue structurée", exact=False).first).to_be_visible()
    page.emulate_media(media="print")

    expect(page.locator("#header")).to_be_hidden()
    expect(page.locator(".breadcrumbs")).to_be_hidden()
    expect(page.locator(".record-languages")).to_be_hidden()
    expect(page.get_by_text("Jugement en situation de crise.").first).to_be_visible()
    assert violations == []
