"""Applicants to a posting at several places rank the facilities they would work at (issue 16):
the form asks it only then and refuses a ranking that does not add up; the choices are saved in
order, read on the application's page, exported, and filter and sort the pool (verified priority
persons first still)."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from applications.models import Application, Entitlement, FacilityPreference, Residence
from applications.preferences import choice_label
from applications.roles import HR_ADMINISTRATORS, RECRUITERS, REVIEWERS
from applications.services import FacilityNotOffered, application_submit
from applications.validators import PDF
from tests.applications.factories import ApplicationFactory, RoleFactory, staff_in
from tests.applications.test_apply import apply_url, form_data, kept_reference
from tests.applications.test_exports import EXPORT, read_csv
from tests.applications.test_pools import POOLS, check, qualified
from tests.documents import pdf_bytes, upload
from tests.factories import FacilityFactory, JobPostingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return {
        "millhaven": FacilityFactory(
            name="Millhaven Institution", name_fr="Établissement de Millhaven", city="Bath"
        ),
        "collins_bay": FacilityFactory(
            name="Collins Bay Institution",
            name_fr="Établissement de Collins Bay",
            city="Kingston",
        ),
        "joyceville": FacilityFactory(
            name="Joyceville Institution",
            name_fr="Établissement de Joyceville",
            city="Kingston",
        ),
    }


@pytest.fixture
def posting(places):
    return JobPostingFactory(
        title="Correctional Officer I",
        reference_number="CSC-26-CX-0201",
        locations=list(places.values()),
    )


def field(facility) -> str:
    return f"facility_{facility.pk}"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def select_of(content: str, facility) -> str:
    return re.search(rf'<select name="{field(facility)}".*?</select>', content, re.S).group(0)


def options_of(select: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def selected_of(select: str) -> str:
    return html.unescape(re.search(r"<option[^>]*selected[^>]*>([^<]*)<", select).group(1))


# --- The form ---------------------------------------------------------------------------------


def test_a_posting_at_one_place_asks_nothing_and_saves_nothing(client):
    posting = JobPostingFactory(locations=[FacilityFactory(name="Millhaven Institution")])

    page = client.get(apply_url(posting))
    response = client.post(apply_url(posting), form_data(posting))

    assert "Where would you work?" not in page_text(page)
    assert 'name="facility_' not in page_text(page)
    assert response.status_code == 302
    assert Application.objects.count() == 1
    assert not FacilityPreference.objects.exists()


def test_a_posting_at_several_places_asks_where_with_a_choice_per_place(client, posting, places):
    content = page_text(client.get(apply_url(posting)))

    legends = re.findall(r'<fieldset class="group"[^>]*>\s*<legend><h2>([^<]*)</h2>', content)
    assert "Where would you work?" in legends
    for facility, label in [
        (places["millhaven"], "Millhaven Institution (Bath)"),
        (places["collins_bay"], "Collins Bay Institution (Kingston)"),
        (places["joyceville"], "Joyceville Institution (Kingston)"),
    ]:
        assert f'<label for="id_{field(facility)}">{label}</label>' in content
        select = select_of(content, facility)
        assert options_of(select) == [
            "I would not work here",
            "1st choice",
            "2nd choice",
            "3rd choice",
        ]
        assert selected_of(select) == "I would not work here"


def test_the_choices_are_named_in_french_too(client, posting, places):
    content = page_text(client.get(f"/fr{apply_url(posting)[3:]}"))

    assert "<legend><h2>Où travailleriez-vous\u00a0?</h2></legend>" in content
    assert "Établissement de Millhaven (Bath)" in content
    assert options_of(select_of(content, places["millhaven"]))[:4] == [
        "Je ne travaillerais pas ici",
        "1er choix",
        "2e choix",
        "3e choix",
    ]


@pytest.mark.parametrize(
    ("rank", "english", "french"),
    [
        (1, "1st choice", "1er choix"),
        (2, "2nd choice", "2e choix"),
        (3, "3rd choice", "3e choix"),
        (4, "4th choice", "4e choix"),
        (11, "11th choice", "11e choix"),
        (21, "21st choice", "21e choix"),
        (22, "22nd choice", "22e choix"),
    ],
)
def test_choices_are_ordinals_in_each_language(rank, english, french):
    assert choice_label(rank) == english
    with translation.override("fr"):
        assert choice_label(rank) == french


def test_the_places_ranked_are_saved_in_order(client, posting, places):
    response = client.post(
        apply_url(posting),
        form_data(
            posting,
            **{field(places["collins_bay"]): "1", field(places["millhaven"]): "2"},
        ),
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert [
        (p.facility.name, p.rank) for p in application.facility_preferences.order_by("rank")
    ] == [("Collins Bay Institution", 1), ("Millhaven Institution", 2)]


@pytest.mark.parametrize(
    ("chosen", "errors"),
    [
        pytest.param(
            {},
            # At the first place listed (by name), where the summary's link leads.
            {"collins_bay": "Choose at least one place you would work at: give it “1st choice”."},
            id="none-ranked",
        ),
        pytest.param(
            {"millhaven": "1", "collins_bay": "1"},
            {
                "millhaven": "Another place has “1st choice” too: give each place its own choice.",
                "collins_bay": (
                    "Another place has “1st choice” too: give each place its own choice."
                ),
            },
            id="same-choice-twice",
        ),
        pytest.param(
            {"collins_bay": "2"},
            {"collins_bay": "“2nd choice” needs a “1st choice”: number your choices without gaps."},
            id="a-2nd-without-a-1st",
        ),
        pytest.param(
            {"millhaven": "1", "joyceville": "3"},
            {"joyceville": "“3rd choice” needs a “2nd choice”: number your choices without gaps."},
            id="a-3rd-without-a-2nd",
        ),
    ],
)
def test_a_ranking_that_does_not_add_up_is_refused_at_the_field(
    client, posting, places, chosen, errors
):
    data = form_data(posting, **{field(places[name]): rank for name, rank in chosen.items()})

    response = client.post(apply_url(posting), data)

    assert response.status_code == 400
    assert not Application.objects.exists()
    content = page_text(response)
    for name, facility in places.items():
        select = select_of(content, facility)
        error_id = f"id_{field(facility)}_error"
        if name in errors:
            assert (
                f'<p class="error-message" id="{error_id}"><strong>Error:</strong> '
                f"{errors[name]}</p>" in content
            )
            # Screen readers hear the error with the field; the summary links to it.
            assert f'aria-describedby="{error_id}"' in select
            assert 'aria-invalid="true"' in select
            assert f'<a href="#id_{field(facility)}">' in content
        else:
            assert error_id not in content
        # What was chosen is still chosen.
        expected = {"1": "1st choice", "2": "2nd choice", "3": "3rd choice"}.get(
            chosen.get(name), "I would not work here"
        )
        assert selected_of(select) == expected


def test_a_ranking_corrected_is_sent_with_the_resume_kept(client, posting, places):
    first = client.post(
        apply_url(posting),
        form_data(
            posting,
            resume=upload(pdf_bytes(), "cv.pdf"),
            **{field(places["millhaven"]): "1", field(places["joyceville"]): "1"},
        ),
    )
    assert first.status_code == 400
    assert "cv.pdf — kept; choose another file to replace it." in page_text(first)

    second = client.post(
        apply_url(posting),
        form_data(
            posting,
            resume=None,
            kept_resume=kept_reference(first),
            **{field(places["millhaven"]): "1", field(places["joyceville"]): "2"},
        ),
    )

    assert second.status_code == 302
    application = Application.objects.get()
    assert application.resume_name == "cv.pdf"
    assert [p.facility for p in application.facility_preferences.order_by("rank")] == [
        places["millhaven"],
        places["joyceville"],
    ]


# --- The service ------------------------------------------------------------------------------


def submit(posting, facilities):
    from django.core.files.base import ContentFile

    return application_submit(
        posting=posting,
        applicant={
            "first_name": "Jordan",
            "last_name": "Tremblay",
            "email": "jordan.tremblay@example.ca",
            "phone": "613-555-0142",
            "residence": Residence.ON,
            "eligibility": "citizen",
            "correspondence_language": "en",
            "assessment_language": "en",
        },
        resume=ContentFile(pdf_bytes(), name="cv.pdf"),
        resume_type=PDF,
        answers={},
        equity=None,
        facilities=facilities,
    )


def test_the_service_refuses_a_facility_the_posting_is_not_offered_at(posting, places):
    elsewhere = FacilityFactory(name="Kent Institution", city="Agassiz")

    with pytest.raises(FacilityNotOffered):
        submit(posting, [places["millhaven"], elsewhere])
    with pytest.raises(FacilityNotOffered):
        submit(posting, [places["millhaven"], places["millhaven"]])

    assert not Application.objects.exists()
    assert not FacilityPreference.objects.exists()


def test_the_service_saves_the_facilities_ranked_from_one(posting, places):
    application = submit(posting, [places["joyceville"], places["millhaven"]])

    assert list(
        application.facility_preferences.order_by("rank").values_list("facility__name", "rank")
    ) == [("Joyceville Institution", 1), ("Millhaven Institution", 2)]


# --- Where HR reads them ----------------------------------------------------------------------


def ranked(application, *facilities):
    for rank, facility in enumerate(facilities, start=1):
        FacilityPreference.objects.create(application=application, facility=facility, rank=rank)
    return application


def test_the_applications_page_lists_the_preferences_in_order(
    client, django_user_model, posting, places
):
    application = ranked(
        ApplicationFactory(posting=posting), places["millhaven"], places["collins_bay"]
    )
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS, username="hr"))

    content = page_text(
        client.get(reverse("admin:applications_application_change", args=[application.pk]))
    )

    assert (
        '<dt>Facility preferences</dt><dd id="workspace-facility-preferences">'
        "1. Millhaven Institution; 2. Collins Bay Institution</dd>"
    ) in content


@pytest.fixture
def recruiter(client, django_user_model):
    user = staff_in(django_user_model, RECRUITERS)
    client.force_login(user)
    return user


def export(client, posting, language="en"):
    response = client.post(
        f"/{language}{EXPORT[3:]}", {"file_format": "csv", "postings": [posting.pk]}
    )
    assert response.status_code == 200
    return read_csv(b"".join(response.streaming_content))


def test_the_export_has_the_preferences_column(client, recruiter, posting, places):
    first = ranked(
        ApplicationFactory(posting=posting, last_name="A"),
        places["millhaven"],
        places["collins_bay"],
    )
    ApplicationFactory(posting=posting, last_name="B")  # ranked nothing (before this existed)

    rows = export(client, posting)

    column = rows[0].index("Facility preferences")
    cells = {row[0]: row[column] for row in rows[1:]}
    assert cells[first.reference] == "1. Millhaven Institution; 2. Collins Bay Institution"
    assert sorted(cells.values()) == ["", "1. Millhaven Institution; 2. Collins Bay Institution"]
    french = export(client, posting, "fr")
    column = french[0].index("Préférences d’établissement")
    assert [row[column] for row in french[1:] if row[0] == first.reference] == [
        "1. Établissement de Millhaven; 2. Établissement de Collins Bay"
    ]


def test_the_export_of_a_posting_at_one_place_has_no_preferences_column(client, recruiter):
    posting = JobPostingFactory()
    ApplicationFactory(posting=posting)

    assert "Facility preferences" not in export(client, posting)[0]


def test_the_excel_export_has_the_preferences_too(client, recruiter, posting, places):
    import io

    import openpyxl

    ranked(ApplicationFactory(posting=posting), places["joyceville"])

    response = client.post(EXPORT, {"file_format": "xlsx", "postings": [posting.pk]})

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(2, header.index("Facility preferences") + 1).value == (
        "1. Joyceville Institution"
    )


@pytest.mark.parametrize("count", [3, 30])
def test_the_exports_query_count_does_not_grow_with_the_preferences(
    client, recruiter, posting, places, django_assert_max_num_queries, count
):
    for number in range(count):
        ranked(
            ApplicationFactory(posting=posting),
            *list(places.values())[number % 3 :],
        )

    with django_assert_max_num_queries(15):
        rows = export(client, posting)

    assert len(rows) == count + 1


# --- The pool ---------------------------------------------------------------------------------


@pytest.fixture
def hr(django_user_model):
    return staff_in(django_user_model, HR_ADMINISTRATORS, username="hr")


def names(response) -> list[str]:
    return [member.application.last_name for member in response.context["cl"].result_list]


def test_the_pool_filters_by_a_place_and_sorts_by_its_rank_priority_first(
    client, hr, posting, places
):
    millhaven, collins_bay = places["millhaven"], places["collins_bay"]
    second = qualified(hr, posting=posting, last_name="Second")
    ranked(second.application, collins_bay, millhaven)
    priority = qualified(hr, posting=posting, last_name="Priority")
    ranked(priority.application, places["joyceville"], collins_bay, millhaven)
    check(priority, Entitlement.PRIORITY)
    first = qualified(hr, posting=posting, last_name="First")
    ranked(first.application, millhaven)
    elsewhere = qualified(hr, posting=posting, last_name="Elsewhere")
    ranked(elsewhere.application, collins_bay)
    client.force_login(hr)

    response = client.get(f"{POOLS}?facility={millhaven.pk}")

    # The verified priority person first, though Millhaven is their third choice; then by rank.
    assert names(response) == ["Priority", "First", "Second"]
    content = page_text(response)
    assert "By willing to work at" in content
    assert "Millhaven Institution (Bath)" in content
    assert "1. Joyceville Institution; 2. Collins Bay Institution; 3. Millhaven Institution" in (
        content
    )
    # Two first choices of Collins Bay: the pool's own order (qualified the same day: by name).
    assert names(client.get(f"{POOLS}?facility={collins_bay.pk}")) == [
        "Priority",
        "Elsewhere",
        "Second",
    ]
    assert client.get(f"{POOLS}?facility=x").status_code in (200, 302)
    assert len(names(client.get(POOLS))) == 4


def test_the_pools_first_choices_column_shows_the_first_three(client, hr, places):
    posting = JobPostingFactory(locations=[*places.values(), FacilityFactory(name="Bath")])
    member = qualified(hr, posting=posting, last_name="Four")
    ranked(member.application, *posting.locations.order_by("-name"))
    client.force_login(hr)

    content = page_text(client.get(POOLS))

    assert (
        "1. Millhaven Institution; 2. Joyceville Institution; 3. Collins Bay Institution</td>"
        in content
    )


@pytest.mark.parametrize("count", [3, 30])
def test_the_pool_filtered_by_a_place_keeps_its_query_count(
    client, hr, posting, places, django_assert_max_num_queries, count
):
    for number in range(count):
        member = qualified(hr, posting=posting)
        ranked(member.application, *list(places.values())[number % 3 :])
        if number % 2:
            check(member, Entitlement.PRIORITY)
    client.force_login(hr)
    client.get(POOLS)

    # As the pool without the filter: session, user, permissions (2), the postings with a pool,
    # the postings filter (with the places ranked), the count, the page, its placements, the
    # session saved (3).
    with django_assert_max_num_queries(12):
        response = client.get(f"{POOLS}?posting={posting.pk}&facility={places['joyceville'].pk}")

    assert len(response.context["cl"].result_list) == count


# --- The demo ---------------------------------------------------------------------------------


def test_demo_applicants_to_a_posting_at_several_places_rank_some_once(demo_postings, settings):
    for name in (HR_ADMINISTRATORS, REVIEWERS, RECRUITERS):
        RoleFactory(name=name)
    settings.DEBUG = True

    call_command("load_demo_applications", stdout=StringIO())
    saved = list(FacilityPreference.objects.values_list("application", "facility", "rank"))
    call_command("load_demo_applications", stdout=StringIO())

    assert saved
    assert sorted(saved) == sorted(
        FacilityPreference.objects.values_list("application", "facility", "rank")
    )
    for preference in FacilityPreference.objects.select_related("application__posting"):
        assert preference.application.posting.locations.filter(pk=preference.facility_id).exists()
