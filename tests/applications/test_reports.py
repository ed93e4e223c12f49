"""HR reports (issue 18): figures checked against hand-made data, who sees what, the CSV
downloads, the suppression of small equity counts, and a constant number of queries.

The expected figures are worked out by hand from the data each test makes, following the issue:
the funnel counts the candidates who got at least as far as each level; time in a stage runs
from arriving at it to the next move.
"""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import (
    Application,
    AssessmentResult,
    EquityDeclaration,
    HeardFrom,
    QualificationResult,
    Residence,
    StageChange,
    StepRating,
)
from applications.pipeline import ALLOWED_MOVES, FINAL_STAGES, NOT_MET_STAGES, Stage
from applications.reports import STAGE_LEVELS, SUPPRESSED, Level, suppress
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from positions.models import AssessmentStep, JobPosting, StepKind, posting_today
from tests.applications.factories import ApplicationFactory, consensus_of, staff_in
from tests.applications.test_apply import apply_url, form_data
from tests.factories import FacilityFactory, JobPostingFactory, ProvinceFactory, RegionFactory

pytestmark = pytest.mark.django_db

BASE_DATE = posting_today() - datetime.timedelta(days=40)


def day(number: float) -> datetime.datetime:
    """Noon (local time) `number` days after BASE_DATE."""
    noon = datetime.datetime.combine(BASE_DATE, datetime.time(12))
    return timezone.make_aware(noon) + datetime.timedelta(days=number)


def report_url(report: str) -> str:
    return reverse("admin:applications_applicationreport_report", args=[report])


def csv_url(report: str, table: str) -> str:
    return reverse("admin:applications_applicationreport_download", args=[report, table])


def moved(posting, moves=(), *, submitted: float = 0, **fields) -> Application:
    """An application submitted on day `submitted`, then moved to each (stage, day) in turn."""
    application = ApplicationFactory(posting=posting, **fields)
    Application.objects.filter(pk=application.pk).update(
        submitted_at=day(submitted), stage_changed_at=day(submitted)
    )
    for stage, when in moves:
        not_met = (
            posting.qualifications.filter(is_asset=False)[:1] if stage in NOT_MET_STAGES else ()
        )
        change = application.move_to(stage, not_met=not_met)
        StageChange.objects.filter(pk=change.pk).update(changed_at=day(when))
        Application.objects.filter(pk=application.pk).update(stage_changed_at=day(when))
    return application


def planned_posting(**fields):
    """A posting whose plan is screening, written exam, interview and reference check."""
    posting = JobPostingFactory(**fields)
    kinds = [
        StepKind.SCREENING,
        StepKind.WRITTEN_EXAM,
        StepKind.INTERVIEW,
        StepKind.REFERENCE_CHECK,
    ]
    steps = {
        kind: AssessmentStep.objects.create(posting=posting, kind=kind, order=order)
        for order, kind in enumerate(kinds)
    }
    return posting, steps


def shown(response, slug: str) -> list[list[str]]:
    """The cells of one of the page's tables, as the page shows them (body, then totals)."""
    section = next(s for s in response.context["sections"] if s.table.slug == slug)
    return [[text for text, _number in row] for row in section.body + section.footer]


def downloaded(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="report_')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture(autouse=True)
def counted_at_each_request(settings):
    """These tests check the counting: every request counts (test_report_cache checks keeping)."""
    settings.REPORT_CACHE_SECONDS = 0


@pytest.fixture
def hr(client, django_user_model):
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    return client


# --- The funnel --------------------------------------------------------------------------------

SCREENED_IN = [(Stage.SCREENED_IN, 1)]
AT_EXAM = [*SCREENED_IN, (Stage.ASSESSMENT, 2)]
AT_INTERVIEW = [*AT_EXAM, (Stage.INTERVIEW, 3)]
AT_REFERENCES = [*AT_INTERVIEW, (Stage.REFERENCE_CHECK, 5)]
OFFERED = [*AT_REFERENCES, (Stage.OFFER, 6)]


@pytest.fixture
def campaign():
    """Two postings: one planned (11 candidates, each as far as the comment says), one without
    a plan (2 candidates)."""
    posting, steps = planned_posting(reference_number="CSC-26-WP-0001", title="Parole officer")
    essential = posting.qualifications.get()
    interview = steps[StepKind.INTERVIEW]
    moved(posting)  # applied
    moved(posting, [(Stage.SCREENED_OUT, 1)])  # applied
    moved(posting, SCREENED_IN)  # screened in
    moved(posting, AT_EXAM)  # written exam
    moved(posting, [*AT_INTERVIEW, (Stage.REJECTED, 4)])  # interview (its history says so)
    qualified = moved(posting, AT_REFERENCES)  # qualified: all met, at the plan's last step
    consensus_of(qualified, {essential: AssessmentResult.MET}, step=interview)
    early = moved(posting, AT_INTERVIEW)  # interview: all met, but not at the last step yet
    consensus_of(early, {essential: AssessmentResult.MET}, step=interview)
    moved(posting, OFFERED)  # offered (an offer counts as qualified)
    moved(posting, [*OFFERED, (Stage.HIRED, 7)])  # hired
    moved(posting, [*SCREENED_IN, (Stage.WITHDRAWN, 2)])  # screened in
    corrected = moved(posting, AT_REFERENCES)  # reference check: the board corrected itself
    first = consensus_of(corrected, {essential: AssessmentResult.MET}, step=interview)
    correction = StepRating.objects.create(
        application=corrected,
        step=interview,
        is_consensus=True,
        justification="The references contradict the interview.",
        replaces=first,
    )
    QualificationResult.objects.create(
        rating=correction, qualification=essential, result=AssessmentResult.NOT_MET
    )
    other = JobPostingFactory(reference_number="CSC-26-WP-0002", title="Program officer")
    moved(other, [*OFFERED, (Stage.HIRED, 7)])
    moved(other)
    return posting, other


def test_the_funnel_of_one_posting_follows_its_plan_with_the_drop_off_at_each_level(hr, campaign):
    posting, _other = campaign
    response = hr.get(report_url("funnel"), {"postings": [posting.pk]})

    assert response.status_code == 200
    assert [row[:3] for row in shown(response, "funnel")] == [
        ["Applied", "11", "—"],
        ["Screened in", "9", "2"],
        ["Written exam", "7", "2"],
        ["Interview", "6", "1"],
        ["Reference check", "4", "2"],
        ["Qualified", "3", "1"],
        ["Offered a job", "2", "1"],
        ["Hired", "1", "1"],
    ]
    assert shown(response, "funnel")[1][3:] == ["18.2%", "81.8%"]  # 2 of 11 lost; 9 of 11 left
    chart = response.context["sections"][0].chart
    assert 'role="img"' in chart and "<title" in chart and "Written exam: 7" in chart


def test_a_campaign_adds_up_its_postings_and_lists_each(hr, campaign):
    posting, other = campaign
    response = hr.get(report_url("funnel"), {"postings": [posting.pk, other.pk]})

    # The posting without a plan has no exam: its hired candidate went past that level.
    assert [row[:2] for row in shown(response, "funnel")] == [
        ["Applied", "13"],
        ["Screened in", "10"],
        ["Written exam", "8"],
        ["Interview", "7"],
        ["Reference check", "5"],
        ["Qualified", "4"],
        ["Offered a job", "3"],
        ["Hired", "2"],
    ]
    assert shown(response, "funnel-by-posting") == [
        ["CSC-26-WP-0001 – Parole officer", "11", "9", "7", "6", "4", "3", "2", "1"],
        ["CSC-26-WP-0002 – Program officer", "2", "1", "1", "1", "1", "1", "1", "1"],
        ["All postings", "13", "10", "8", "7", "5", "4", "3", "2"],
    ]


def test_the_funnel_csv_holds_the_table_with_formulas_made_inert(hr):
    posting = JobPostingFactory(reference_number="CSC-26-WP-0003", title="=HYPERLINK(1)")
    moved(posting, SCREENED_IN)
    moved(posting)

    rows = downloaded(hr.get(csv_url("funnel", "funnel-by-posting")))

    assert rows == [
        ["Posting", "Applied", "Screened in", "Qualified", "Offered a job", "Hired"],
        ["CSC-26-WP-0003 – =HYPERLINK(1)", "2", "1", "0", "0", "0"],
        ["All postings", "2", "1", "0", "0", "0"],
    ]
    JobPosting.objects.filter(pk=posting.pk).update(reference_number="=1+1")
    rows = downloaded(hr.get(csv_url("funnel", "funnel-by-posting")))
    assert rows[1][0] == "'=1+1 – =HYPERLINK(1)"
    levels = downloaded(hr.get(csv_url("funnel", "funnel")))
    assert levels[0] == ["Level", "Candidates", "Drop-off", "Drop-off (%)", "Of applied (%)"]
    assert levels[1:3] == [
        ["Applied", "2", "", "", "100.0"],
        ["Screened in", "1", "1", "50.0", "50.0"],
    ]


def test_the_pipeline_only_moves_forward_until_an_application_ends():
    # What the funnel and the time in each stage read from the history holds only while no move
    # goes back to a lower level or into "received", and an ended application moves no more.
    for source, targets in ALLOWED_MOVES.items():
        assert Stage.RECEIVED not in targets
        for target in targets - FINAL_STAGES:
            assert STAGE_LEVELS.get(target, Level.APPLIED) >= STAGE_LEVELS.get(source, 0), target
            assert target not in {Stage.RECEIVED, Stage.SCREENING} or source == Stage.RECEIVED
    assert not any(ALLOWED_MOVES[stage] for stage in FINAL_STAGES)


# --- Time --------------------------------------------------------------------------------------


def test_time_in_each_stage_gives_the_median_and_90th_percentile_of_the_stays(hr):
    posting = JobPostingFactory()
    interview = (Stage.INTERVIEW, 3)
    moved(posting, [(Stage.SCREENED_IN, 1), interview])  # received 1 day, screened in 2
    moved(posting, [(Stage.SCREENED_IN, 2), (Stage.INTERVIEW, 7), (Stage.REJECTED, 8)])  # 2, 5, 1
    moved(posting, [(Stage.SCREENED_IN, 3)])  # received 3 days, in "screened in" since day 3
    moved(posting, [(Stage.SCREENED_OUT, 4)])  # received 4 days
    moved(posting, [(Stage.SCREENED_OUT, 10)])  # received 10 days
    moved(posting, submitted=20)  # received on day 20, still there
    now = timezone.now()

    response = hr.get(report_url("time"))

    def waited(since: float) -> str:
        return f"{(now - day(since)).total_seconds() / 86400:.1f}"

    # Stays in "received": 1, 2, 3, 4, 10 days: median 3; 90th percentile 4 + 0.6 * 6 = 7.6.
    # In "screened in": 2 and 5: median 3.5, 90th percentile 2 + 0.9 * 3 = 4.7.
    assert shown(response, "time-in-stage") == [
        ["Received", "5", "3.0", "7.6", "1", waited(20)],
        ["Screened in", "2", "3.5", "4.7", "1", waited(3)],
        ["Invited to an interview", "1", "1.0", "1.0", "1", waited(3)],
    ]
    chart = next(s.chart for s in response.context["sections"] if s.table.slug == "time-in-stage")
    assert "Received: median 3.0, 90th percentile 7.6" in chart


def test_time_to_staff_counts_days_from_the_open_date_to_the_first_offer_and_hire(hr):
    first = JobPostingFactory(reference_number="CSC-26-CX-0001", title="Correctional officer")
    second = JobPostingFactory(reference_number="CSC-26-CX-0002", title="Correctional officer")
    JobPostingFactory()  # no application: not listed
    for posting in (first, second):
        posting.open_date = BASE_DATE
        posting.save()
    to_offer = [(Stage.SCREENED_IN, 1), (Stage.INTERVIEW, 2), (Stage.REFERENCE_CHECK, 3)]
    moved(first, [*to_offer, (Stage.OFFER, 12)])
    moved(first, [*to_offer, (Stage.OFFER, 15), (Stage.HIRED, 20)])
    moved(second, [*to_offer, (Stage.OFFER, 8)])

    response = hr.get(report_url("time"))

    days_open = (posting_today() - BASE_DATE).days + 1
    assert shown(response, "time-to-staff") == [
        ["CSC-26-CX-0001 – Correctional officer", BASE_DATE.isoformat(), "2",
         f"{2 / days_open:.1f}", "12", "20"],
        ["CSC-26-CX-0002 – Correctional officer", BASE_DATE.isoformat(), "1",
         f"{1 / days_open:.1f}", "8", "—"],
    ]  # fmt: skip
    # Offers after 12 and 8 days: median 10, 90th percentile 8 + 0.9 * 4 = 11.6.
    assert shown(response, "time-to-staff-summary") == [
        ["First offer", "2", "10.0", "11.6"],
        ["First hire", "1", "20.0", "20.0"],
    ]


def test_applications_per_day_while_the_posting_is_open_include_the_days_without_any(hr):
    posting = JobPostingFactory(
        open_date=posting_today() - datetime.timedelta(days=5),
        closing_date=posting_today() + datetime.timedelta(days=20),
    )
    opened = 35  # BASE_DATE + 35 days = the open date
    for submitted in (opened, opened, opened + 2, opened + 5, opened + 5, opened + 5):
        moved(posting, submitted=submitted)
    JobPostingFactory(open_date=BASE_DATE)  # not chosen: its dates do not count

    response = hr.get(report_url("time"), {"postings": [posting.pk]})

    dates = [(posting.open_date + datetime.timedelta(days=n)).isoformat() for n in range(6)]
    assert shown(response, "applications-per-period") == [
        [dates[0], "2"],
        [dates[1], "0"],
        [dates[2], "1"],
        [dates[3], "0"],
        [dates[4], "0"],
        [dates[5], "3"],
    ]
    chart = next(
        s.chart for s in response.context["sections"] if s.table.slug == "applications-per-period"
    )
    assert chart.count('fill="#26374a"') == 3  # a column for each day with applications


# --- Reach -------------------------------------------------------------------------------------


def test_reach_by_region_facility_language_and_how_applicants_heard(hr):
    ontario = RegionFactory(slug="ontario", name="Ontario", order=3)
    quebec = RegionFactory(slug="quebec", name="Quebec", name_fr="Québec", order=2)
    ProvinceFactory(code="ON", name="Ontario", region=ontario)
    ProvinceFactory(code="QC", name="Quebec", region=quebec)
    kingston = FacilityFactory(name="Kingston Penitentiary", city="Kingston")
    joyceville = FacilityFactory(name="Joyceville Institution", city="Kingston")
    both = JobPostingFactory(locations=[kingston, joyceville])
    one = JobPostingFactory(locations=[kingston])
    for residence, language, heard in [
        (Residence.ON, "en", HeardFrom.GC_JOBS),
        (Residence.ON, "en", HeardFrom.GC_JOBS),
        (Residence.ON, "en", HeardFrom.CAREER_FAIR),
        (Residence.QC, "fr", ""),
        (Residence.QC, "fr", ""),
        (Residence.OUTSIDE, "en", ""),
    ]:
        moved(both, residence=residence, correspondence_language=language, heard_from=heard)
    moved(one, residence=Residence.ON, heard_from="")

    response = hr.get(report_url("reach"))

    assert shown(response, "reach-region") == [
        ["Quebec", "2", "28.6%"],
        ["Ontario", "4", "57.1%"],
        ["Outside Canada", "1", "14.3%"],
        ["All applications", "7", "100.0%"],
    ]
    assert shown(response, "reach-facility") == [
        ["Kingston Penitentiary (Kingston)", "7"],
        ["Joyceville Institution (Kingston)", "6"],
    ]
    assert shown(response, "reach-language") == [
        ["English", "5", "71.4%"],
        ["French", "2", "28.6%"],
        ["All applications", "7", "100.0%"],
    ]
    assert shown(response, "reach-heard-from") == [
        ["GC Jobs", "2", "28.6%"],
        ["A career fair", "1", "14.3%"],
        ["Not answered", "4", "57.1%"],
        ["All applications", "7", "100.0%"],
    ]
    french = hr.get("/fr" + report_url("reach")[3:])
    assert french.status_code == 200
    with translation.override("fr"):
        assert shown(french, "reach-region")[0][:2] == ["Québec", "2"]


def test_how_an_applicant_heard_of_the_posting_is_an_optional_question_of_the_form(client):
    posting = JobPostingFactory()
    page = client.get(apply_url(posting)).content.decode()
    select = page[page.index('<select name="heard_from"') :]
    select = select[: select.index("</select>")]
    assert "required" not in select
    assert select.index('value=""') < select.index(f'value="{HeardFrom.CSC_SITE}"')
    assert "Choose…" in select
    assert "How did you hear about this job?" in page

    client.post(apply_url(posting), form_data(posting, heard_from=HeardFrom.CAREER_FAIR))
    client.post(apply_url(posting), form_data(posting, email="other@example.ca"))
    assert sorted(Application.objects.values_list("heard_from", flat=True)) == [
        "",
        HeardFrom.CAREER_FAIR,
    ]


# --- Employment equity -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Nothing small: everything shown.
        ([[12, 8, 5, 25]], [[12, 8, 5, 25]]),
        # One small count: the next smallest goes too, else 20 - 12 - 6 would give it.
        ([[12, 6, 2, 20]], [[12, "x", "x", 20]]),
        # Two small counts adding up to less than the threshold: a third goes (0 + 3 = 20 - 17
        # would say both are tiny; here the 5).
        ([[5, 3, 0, 8]], [["x", "x", "x", 8]]),
        ([[17, 3, 0, 20]], [["x", "x", "x", 20]]),
        # Two small counts that add up to enough: their sum is all that can be worked out.
        ([[11, 3, 4, 18]], [[11, "x", "x", 18]]),
        # A small total: all of the row.
        ([[2, 1, 0, 3]], [["x", "x", "x", "x"]]),
    ],
)
def test_suppression_hides_small_counts_and_those_that_would_reveal_them(counts, expected):
    result = suppress(counts, threshold=5)
    assert [["x" if cell is SUPPRESSED else cell for cell in row] for row in result] == expected


def test_with_column_totals_suppression_also_works_down_the_columns():
    counts = [
        [12, 6, 2, 20],  # the 2 (primary) and then the 6 go
        [10, 9, 8, 27],  # the 9 goes for the 6 of its column, then the 8 for the 9
        [22, 15, 10, 47],  # the totals of the columns
    ]
    result = suppress(counts, threshold=5, column_totals=True)
    assert [["x" if cell is SUPPRESSED else cell for cell in row] for row in result] == [
        [12, "x", "x", 20],
        [10, "x", "x", 27],
        [22, 15, 10, 47],
    ]


def declare(application, woman: str, **answers) -> EquityDeclaration:
    answers = {"indigenous": "no", "disability": "no", "visible_minority": "no", **answers}
    return EquityDeclaration.objects.create(application=application, woman=woman, **answers)


@pytest.fixture
def declared():
    """22 candidates, 20 of whom declared. Women: of the 8 screened in, 5 yes and 3 no; of the
    12 others, 7 yes, 3 no and 2 preferred not to say."""
    posting = JobPostingFactory()
    for woman in ["yes"] * 5 + ["no"] * 3:
        declare(moved(posting, SCREENED_IN), woman)
    for woman in ["yes"] * 7 + ["no"] * 3 + ["undisclosed"] * 2:
        declare(moved(posting), woman)
    moved(posting)
    moved(posting)
    return posting


@pytest.fixture
def equity_officer(client, django_user_model):
    user = staff_in(django_user_model, HR_ADMINISTRATORS)
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="applications", codename="view_equitydeclaration"
        )
    )
    client.force_login(user)
    return client


def test_equity_per_level_suppresses_a_small_count_and_the_count_that_would_reveal_it(
    equity_officer, declared
):
    response = equity_officer.get(report_url("equity"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Counts are suppressed" in page
    # Applied: 12 yes, 6 no, 2 preferred not to say, 20 declarations. The 2 is under 5; the 6
    # goes too, or 20 - 12 - 6 would give it. Screened in: 5, 3 and 0 of 8: the 3 and the 0
    # add up to less than 5, so the 5 goes as well.
    assert shown(response, "equity-woman") == [
        ["Applied", "12", "suppressed", "suppressed", "20"],
        ["Screened in", "suppressed", "suppressed", "suppressed", "8"],
        ["Qualified", "suppressed", "suppressed", "suppressed", "suppressed"],
        ["Offered a job", "suppressed", "suppressed", "suppressed", "suppressed"],
        ["Hired", "suppressed", "suppressed", "suppressed", "suppressed"],
    ]
    # Everyone answered "no" for the other groups: a shown 20 would say so of all of them.
    assert shown(response, "equity-indigenous")[0] == [
        "Applied", "suppressed", "suppressed", "suppressed", "20",
    ]  # fmt: skip
    rows = downloaded(equity_officer.get(csv_url("equity", "equity-woman")))
    assert rows[:3] == [
        ["Level", "Yes", "No", "Preferred not to say", "Declarations"],
        ["Applied", "12", "suppressed", "suppressed", "20"],
        ["Screened in", "suppressed", "suppressed", "suppressed", "8"],
    ]


def test_the_threshold_is_a_setting(equity_officer, declared, settings):
    settings.EQUITY_SUPPRESSION_THRESHOLD = 2
    response = equity_officer.get(report_url("equity"))
    assert shown(response, "equity-woman")[0] == ["Applied", "12", "6", "2", "20"]
    assert "under 2" in response.content.decode()


@pytest.mark.parametrize("role", [HR_ADMINISTRATORS, RECRUITERS, REVIEWERS])
def test_without_the_equity_permission_no_equity_figure_is_shown_or_downloaded(
    client, django_user_model, declared, role
):
    user = staff_in(django_user_model, role)
    declared.reviewers.add(user)
    client.force_login(user)

    assert client.get(report_url("equity")).status_code == 403
    assert client.get(csv_url("equity", "equity-woman")).status_code == 403
    for report in ("funnel", "time", "reach"):
        page = client.get(report_url(report)).content.decode()
        assert report_url("equity") not in page
        assert "Declarations" not in page and "Preferred not to say" not in page


# --- Who sees what -----------------------------------------------------------------------------


def test_reviewers_see_only_the_figures_of_their_postings(client, django_user_model):
    reviewer = staff_in(django_user_model, REVIEWERS)
    theirs = JobPostingFactory(reference_number="CSC-26-WP-0010", title="Theirs")
    theirs.reviewers.add(reviewer)
    other = JobPostingFactory(reference_number="CSC-26-WP-0011", title="Not theirs")
    moved(theirs, SCREENED_IN)
    for _ in range(3):
        moved(other, SCREENED_IN)
    client.force_login(reviewer)

    response = client.get(report_url("funnel"))
    assert shown(response, "funnel")[:2] == [
        ["Applied", "1", "—", "—", "100.0%"],
        ["Screened in", "1", "0", "0.0%", "100.0%"],
    ]
    assert "Not theirs" not in response.content.decode()
    assert shown(client.get(report_url("reach")), "reach-language")[-1][:2] == [
        "All applications",
        "1",
    ]
    rows = downloaded(client.get(csv_url("funnel", "funnel-by-posting")))
    assert [row[0] for row in rows[1:]] == ["CSC-26-WP-0010 – Theirs", "All postings"]

    # Choosing a posting they do not review is an error, not its figures.
    response = client.get(report_url("funnel"), {"postings": [other.pk]})
    assert response.context["figures"] is None
    assert "Select a valid choice" in response.content.decode()
    assert client.get(csv_url("funnel", "funnel"), {"postings": [other.pk]}).status_code == 404


@pytest.mark.parametrize("report", ["funnel", "time", "reach", "equity"])
def test_with_nothing_to_count_every_report_says_so(equity_officer, report):
    JobPostingFactory()  # a posting without any application
    response = equity_officer.get(report_url(report))
    assert response.status_code == 200
    cells = [shown(response, section.table.slug) for section in response.context["sections"]]
    assert all(
        cell in {"0", "—", "suppressed"} for rows in cells for row in rows for cell in row[1:]
    )


def test_the_reports_need_their_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("someone", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(report_url("funnel")).status_code == 403
    assert client.get(csv_url("funnel", "funnel")).status_code == 403
    client.logout()
    assert client.get(report_url("funnel")).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("role", [HR_ADMINISTRATORS, RECRUITERS, REVIEWERS])
def test_each_role_finds_the_reports_in_the_admin(client, django_user_model, role):
    client.force_login(staff_in(django_user_model, role))
    index = client.get(reverse("admin:index")).content.decode()
    listed = reverse("admin:applications_applicationreport_changelist")
    assert listed in index
    response = client.get(listed)
    assert response.status_code == 302
    assert response["Location"] == report_url("funnel")


def test_filters_narrow_the_postings_and_the_dates(hr):
    prairies = RegionFactory(slug="prairies", name="Prairies")
    west = JobPostingFactory(
        locations=[FacilityFactory(province=ProvinceFactory(code="AB", region=prairies))]
    )
    east = JobPostingFactory()
    moved(west, submitted=1)
    moved(west, submitted=5)
    moved(west, submitted=9)
    moved(east, submitted=5)

    def applied(**filters):
        return shown(hr.get(report_url("funnel"), filters), "funnel")[0][1]

    assert applied() == "4"
    assert applied(region="prairies") == "3"
    assert applied(occupation=east.occupation.slug) == "1"
    assert applied(submitted_from=day(5).date(), submitted_to=day(5).date()) == "2"
    assert applied(region="prairies", submitted_from=day(2).date()) == "2"
    response = hr.get(
        report_url("funnel"), {"submitted_from": day(5).date(), "submitted_to": day(1).date()}
    )
    assert response.context["figures"] is None
    assert "The end date is before the start date." in response.content.decode()


# --- Queries -----------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


# Sign-in and session (2), permissions (2), the filters' choices (postings, regions, occupations)
# and the session's save (3 with its savepoint), and the report's own: funnel 2, time 3, reach 2,
# equity 2.
QUERY_LIMITS = {"funnel": 12, "time": 13, "reach": 12, "equity": 12}


@pytest.mark.parametrize("report", ["funnel", "time", "reach", "equity"])
def test_each_report_makes_the_same_few_queries_however_many_applications(
    equity_officer, report, django_assert_max_num_queries
):
    posting, steps = planned_posting()
    moved(posting, SCREENED_IN)
    small = count_queries(equity_officer, report_url(report))

    for number in range(3):
        more, steps = planned_posting()
        essential = more.qualifications.get()
        for moves in (OFFERED, AT_REFERENCES, AT_INTERVIEW, [(Stage.SCREENED_OUT, 1)]):
            application = moved(more, moves, submitted=number)
            declare(application, "yes")
            consensus_of(
                application, {essential: AssessmentResult.MET}, step=steps[StepKind.INTERVIEW]
            )
    with django_assert_max_num_queries(QUERY_LIMITS[report]):
        large = count_queries(equity_officer, report_url(report))
    assert large == small
