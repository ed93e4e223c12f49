"""Recruiter exports: exact content, filters, equity rule, formula safety, permissions, log."""

import csv
import importlib
import io
import uuid

import openpyxl
import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation

from applications.exports import columns_for, csv_chunks, export_rows
from applications.models import (
    Application,
    AssessmentResult,
    EquityDeclaration,
    ExportLog,
    ScreeningAnswer,
)
from applications.pipeline import Stage
from applications.roles import RECRUITERS, REVIEWERS
from positions.services import assessment_plan_default
from tests.applications.factories import ApplicationFactory, consensus_of, staff_in
from tests.applications.test_apply import apply_url, form_data
from tests.factories import (
    CareerStreamFactory,
    FacilityFactory,
    JobPostingFactory,
    OccupationFactory,
    ProvinceFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

EXPORT = reverse("applications:export")


@pytest.fixture
def recruiter(client, django_user_model):
    user = staff_in(django_user_model, RECRUITERS)
    client.force_login(user)
    return user


@pytest.fixture
def posting():
    posting = JobPostingFactory(reference_number="CSC-26-WP-0142", title="Parole officer")
    posting.screening_questions.create(kind="yes-no", text="Degree?", order=1)
    return posting


def download(client, **data):
    response = client.post(EXPORT, {"file_format": "csv", **data})
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content)
    return response, body


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_of_one_posting_has_exact_content(client, recruiter, posting):
    application = ApplicationFactory(
        posting=posting, first_name="Éloïse", last_name="Côté", screened_in=True
    )
    ScreeningAnswer.objects.create(
        application=application, question=posting.screening_questions.get(), answer="yes"
    )
    assessment_plan_default(posting=posting)
    consensus_of(application, {posting.qualifications.get(): AssessmentResult.MET})

    response, body = download(client, postings=[posting.pk])

    rows = read_csv(body)
    assert rows[0] == [
        "Reference",
        "First name",
        "Last name",
        "E-mail",
        "Telephone",
        "Posting reference",
        "Posting title",
        "Stage",
        "Assigned to",
        "Submitted",
        "Language of correspondence",
        "Eligibility",
        "Veteran",
        "Priority entitlement",
        "Degree?",
        "Result: A degree in social sciences.",
    ]
    row = rows[1]
    assert row[:9] == [
        application.reference,
        "Éloïse",
        "Côté",
        application.email,
        "613-555-0100",
        "CSC-26-WP-0142",
        "Parole officer",
        "Screened in",
        "",
    ]
    submitted = timezone.localtime(application.submitted_at)
    assert row[9] == submitted.strftime("%Y-%m-%d %H:%M"), "local (Toronto) time"
    assert row[10:] == ["English", "Canadian citizen", "No", "No", "Yes", "Met"]
    assert len(rows) == 2
    assert 'filename="applicants_CSC-26-WP-0142_all-stages_' in response["Content-Disposition"]


def test_xlsx_has_a_header_frozen_panes_and_typed_dates(client, recruiter, posting):
    ApplicationFactory(posting=posting, last_name="Tremblay")

    response = client.post(EXPORT, {"file_format": "xlsx", "postings": [posting.pk]})

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Reference", "First name", "Last name"]
    values = [cell.value for cell in sheet[2]]
    assert values[2] == "Tremblay"
    assert hasattr(values[header.index("Submitted")], "year")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("stages", [Stage.INTERVIEW], {"interview"}),
        ("language", "fr", {"french"}),
        ("stream", "programs", {"programs"}),
        ("region", "atlantic", {"atlantic"}),
        ("submitted_from", "2030-01-01", set()),
    ],
)
def test_each_filter(client, recruiter, field, value, expected):
    atlantic = FacilityFactory(
        province=ProvinceFactory(code="NB", region=RegionFactory(slug="atlantic"))
    )
    programs = OccupationFactory(stream=CareerStreamFactory(slug="programs"))
    ApplicationFactory(last_name="interview", interview=True)
    ApplicationFactory(last_name="french", correspondence_language="fr")
    ApplicationFactory(last_name="programs", posting=JobPostingFactory(occupation=programs))
    ApplicationFactory(last_name="atlantic", posting=JobPostingFactory(locations=[atlantic]))

    _response, body = download(client, **{field: value})

    assert {row[2] for row in read_csv(body)[1:]} == expected


def test_equity_columns_only_for_the_dedicated_permission(client, recruiter, posting):
    application = ApplicationFactory(posting=posting)
    EquityDeclaration.objects.create(
        application=application,
        woman="yes",
        indigenous="no",
        disability="undisclosed",
        visible_minority="no",
    )

    _response, body = download(client, postings=[posting.pk])
    assert not any("Employment equity" in h for h in read_csv(body)[0])

    recruiter.user_permissions.add(Permission.objects.get(codename="view_equitydeclaration"))
    client.force_login(recruiter)
    _response, body = download(client, postings=[posting.pk])
    rows = read_csv(body)
    assert rows[0][-4:] == [
        "Employment equity: woman",
        "Employment equity: Indigenous person",
        "Employment equity: person with a disability",
        "Employment equity: member of a visible minority or racialized group",
    ]
    assert rows[1][-4:] == ["Yes", "No", "I prefer not to say", "No"]


@pytest.mark.parametrize(
    "dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]
)
def test_formula_like_cells_are_neutralized(client, recruiter, posting, dangerous):
    ApplicationFactory(posting=posting, first_name=dangerous)

    _response, body = download(client, postings=[posting.pk])

    assert read_csv(body)[1][1] == "'" + dangerous


def test_anonymous_and_reviewers_get_403(client, django_user_model):
    client.logout()
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"file_format": "csv"}).status_code == 403
    client.force_login(staff_in(django_user_model, REVIEWERS))
    assert client.post(EXPORT, {"file_format": "csv"}).status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("lost", ["is_staff", "is_active"])
def test_someone_no_longer_active_staff_cannot_export_even_with_the_permission(
    client, django_user_model, recruiter, posting, lost
):
    ApplicationFactory(posting=posting)
    setattr(recruiter, lost, False)
    recruiter.save()
    client.force_login(recruiter)

    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"file_format": "csv", "postings": [posting.pk]}).status_code == 403
    assert not ExportLog.objects.exists()
    if lost == "is_staff":
        # Still holds the export permission (through the Recruiters role): staff status decides.
        user = django_user_model.objects.get(pk=recruiter.pk)
        assert user.has_perm("applications.export_applications")


def test_each_export_is_logged(client, recruiter, posting):
    ApplicationFactory(posting=posting)
    ApplicationFactory(posting=posting, screened_in=True)

    download(client, postings=[posting.pk], stages=[Stage.SCREENED_IN])

    log = ExportLog.objects.get()
    assert log.exported_by == recruiter
    assert (log.file_format, log.row_count) == ("csv", 1)
    assert log.filters["postings"] == ["CSC-26-WP-0142"]
    assert log.filters["stages"] == ["screened-in"]


def test_admin_action_exports_the_selected(client, recruiter, posting):
    chosen = ApplicationFactory(posting=posting)
    ApplicationFactory(posting=posting)

    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "export_csv", "_selected_action": [chosen.pk]},
    )

    rows = read_csv(b"".join(response.streaming_content))
    assert [row[0] for row in rows[1:]] == [chosen.reference]


def test_admin_action_on_all_matching_logs_the_list_filters_not_every_reference(
    client, recruiter, posting
):
    for _ in range(3):
        ApplicationFactory(posting=posting)

    response = client.post(
        reverse("admin:applications_application_changelist") + "?stage__exact=received",
        {"action": "export_csv", "_selected_action": ["0"], "select_across": "1"},
    )

    assert len(read_csv(b"".join(response.streaming_content))) == 4
    assert "_received_" in response["Content-Disposition"]
    log = ExportLog.objects.get()
    assert log.filters == {
        "selected": "all matching the list filters",
        "list_filters": "stage__exact=received",
        "stages": ["received"],
    }
    assert log.row_count == 3


def test_an_interrupted_download_leaves_the_row_count_empty(recruiter, posting):
    ApplicationFactory(posting=posting)
    columns = columns_for(posting=posting, with_equity=False, dates_as_text=True)
    rows = export_rows(Application.objects.all(), columns)
    interrupted, finished = (
        ExportLog.objects.create(exported_by=recruiter, file_format="csv") for _ in range(2)
    )

    chunks = csv_chunks(rows, columns, interrupted)
    next(chunks)  # the header, then the person goes away: the server closes the generator
    chunks.close()
    b"".join(csv_chunks(rows, columns, finished))

    interrupted.refresh_from_db()
    finished.refresh_from_db()
    assert (interrupted.row_count, finished.row_count) == (None, 1)


@pytest.mark.parametrize("count", [10, 1000])
def test_query_count_does_not_grow_with_rows(
    client, recruiter, posting, django_assert_max_num_queries, count
):
    template = ApplicationFactory(posting=posting)
    clones = []
    for number in range(count - 1):
        template.pk = None
        template.reference = f"B-{number:08d}"
        template.public_id = uuid.uuid4()
        template.email = f"bulk{number}@example.ca"
        clones.append(
            Application(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in Application._meta.concrete_fields
                }
            )
        )
    Application.objects.bulk_create(clones)

    with django_assert_max_num_queries(15):
        _response, body = download(client, postings=[posting.pk])

    assert len(read_csv(body)) == count + 1


# --- Answers in the exporter's language ---------------------------------------------------------

EXPERIENCE_EN = "Less than 1 year\n1 to 5 years\nMore than 5 years"
EXPERIENCE_FR = "Moins de 1 an\nDe 1 à 5 ans\nPlus de 5 ans"


@pytest.fixture
def bilingual_posting():
    posting = JobPostingFactory(reference_number="CSC-26-WP-0200")
    posting.screening_questions.create(
        kind="yes-no", text_en="Degree?", text_fr="Diplôme?", is_essential=False, order=1
    )
    posting.screening_questions.create(
        kind="choice",
        text_en="Experience?",
        text_fr="Expérience?",
        choices_en=EXPERIENCE_EN,
        choices_fr=EXPERIENCE_FR,
        is_essential=False,
        order=2,
    )
    return posting


def apply_in(client, language, posting, last_name, degree, experience):
    """Apply through the public form in one language, answering as that form words it."""
    degree_question, experience_question = posting.screening_questions.order_by("order")
    with translation.override(language):
        url = apply_url(posting)
        data = form_data(
            posting,
            last_name=last_name,
            email=f"{last_name}@example.ca",
            correspondence_language=language,
            **{
                f"question_{degree_question.pk}": degree,
                f"question_{experience_question.pk}": experience,
            },
        )
        client.post(url, data)
    assert Application.objects.filter(last_name=last_name).exists(), f"{last_name} applied"


def export_table(client, language, posting, file_format) -> list[list]:
    with translation.override(language):
        response = client.post(
            reverse("applications:export"), {"file_format": file_format, "postings": [posting.pk]}
        )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if file_format == "csv":
        return read_csv(body)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("language", "degree_header", "experience_header", "expected"),
    [
        (
            "en",
            "Degree?",
            "Experience?",
            {
                "Anglo": ("Yes", "Less than 1 year"),
                "Franco": ("No", "Less than 1 year"),
                "Franca": ("Yes", "More than 5 years"),
            },
        ),
        (
            "fr",
            "Diplôme?",
            "Expérience?",
            {
                "Anglo": ("Oui", "Moins de 1 an"),
                "Franco": ("Non", "Moins de 1 an"),
                "Franca": ("Oui", "Plus de 5 ans"),
            },
        ),
    ],
)
def test_answers_are_exported_in_the_exporters_language_whatever_the_applicants(
    client,
    recruiter,
    bilingual_posting,
    file_format,
    language,
    degree_header,
    experience_header,
    expected,
):
    apply_in(client, "en", bilingual_posting, "Anglo", "yes", "Less than 1 year")
    apply_in(client, "fr", bilingual_posting, "Franco", "no", "Moins de 1 an")
    apply_in(client, "fr", bilingual_posting, "Franca", "yes", "Plus de 5 ans")
    client.force_login(recruiter)

    header, *rows = export_table(client, language, bilingual_posting, file_format)

    degree, experience = header.index(degree_header), header.index(experience_header)
    assert {row[2]: (row[degree], row[experience]) for row in rows} == expected


def test_stored_choice_answers_of_either_language_get_their_choice_by_migration(
    bilingual_posting,
):
    degree_question, experience_question = bilingual_posting.screening_questions.order_by("order")
    stored = {
        "Moins de 1 an": 1,
        " More than 5 years ": 3,
        "De 1 à 5 ans": 2,
        "Something HR removed since": None,
    }
    answers = {}
    for text in stored:
        application = ApplicationFactory(posting=bilingual_posting)
        answers[text] = ScreeningAnswer.objects.create(
            application=application, question=experience_question, answer=text
        )
        ScreeningAnswer.objects.create(
            application=application, question=degree_question, answer="yes"
        )
    migration = importlib.import_module("applications.migrations.0010_screening_answer_choice")

    migration.set_choices(django_apps, None)

    assert {
        text: ScreeningAnswer.objects.get(pk=answer.pk).choice for text, answer in answers.items()
    } == stored
    assert not ScreeningAnswer.objects.filter(
        question=degree_question, choice__isnull=False
    ).exists()
    with translation.override("fr"):
        columns = columns_for(posting=bilingual_posting, with_equity=False, dates_as_text=True)
    column = [c.header for c in columns].index("Expérience?")
    cells = {row[column] for row in export_rows(Application.objects.all(), columns)}
    assert cells == {"Moins de 1 an", "Plus de 5 ans", "De 1 à 5 ans", "Something HR removed since"}
