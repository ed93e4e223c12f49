import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from positions.models import Duty, Occupation
from tests.factories import CareerStreamFactory, make_full_occupation

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "hr.editor", "hr.editor@example.ca", "correct horse battery", is_staff=True
    )
    codenames = [
        f"{action}_{model}"
        for action in ("add", "change", "view")
        for model in (
            "occupation",
            "dutylist",
            "duty",
            "requirement",
            "specialization",
            "occupationsection",
            "alternativetitle",
            "video",
            "careerstream",
            "workenvironment",
        )
    ]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def occupation_form(stream, **overrides):
    data = {
        "title_en": "Cook",
        "title_fr": "Cuisinier",
        "slug": "cook",
        "stream": stream.pk,
        "noc_code": "",
        "order": "0",
        "is_published": "on",
        "summary_en": "Prepares and serves meals.",
        "summary_fr": "Prépare et sert les repas.",
        "overview_en": "",
        "overview_fr": "",
        "schedule_en": "",
        "schedule_fr": "",
        "career_path_en": "",
        "career_path_fr": "",
        "image_alt_en": "",
        "image_alt_fr": "",
    }
    for prefix in (
        "specializations",
        "duty_lists",
        "requirements",
        "sections",
        "alternative_titles",
        "videos",
    ):
        data.update(inline_management(prefix))
    data.update(overrides)
    return data


def test_staff_adds_an_occupation_in_both_languages_with_a_requirement(staff_client):
    stream = CareerStreamFactory()
    data = occupation_form(
        stream,
        **inline_management("requirements", total=1),
        **{
            "requirements-0-order": "1",
            "requirements-0-kind": "licence-certificate",
            "requirements-0-text_en": "Red Seal cook certificate",
            "requirements-0-text_fr": "Certificat Sceau rouge de cuisinier",
            "requirements-0-mandatory": "on",
        },
    )

    response = staff_client.post(reverse("admin:positions_occupation_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    cook = Occupation.objects.get(slug="cook")
    assert (cook.title_en, cook.title_fr) == ("Cook", "Cuisinier")
    assert cook.requirements.get().text_fr == "Certificat Sceau rouge de cuisinier"


def test_admin_refuses_a_duplicate_slug_with_a_message(staff_client):
    existing = make_full_occupation(slug="cook")

    response = staff_client.post(
        reverse("admin:positions_occupation_add"), occupation_form(existing.stream)
    )

    assert response.status_code == 200
    assert "Occupation with this Slug already exists." in response.content.decode()
    assert Occupation.objects.filter(slug="cook").count() == 1


def test_changelist_search_and_counts(staff_client, django_assert_max_num_queries):
    for title in ("Welder", "Cook", "Teacher", "Plumber", "Driver"):
        make_full_occupation(title=title)

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("admin:positions_occupation_changelist"))

    assert response.status_code == 200
    searched = staff_client.get(reverse("admin:positions_occupation_changelist"), {"q": "plumber"})
    assert [o.title for o in searched.context["cl"].result_list] == ["Plumber"]
    assert searched.context["cl"].result_list[0].duty_total == 8


def test_staff_edits_the_duties_of_a_list_with_a_sub_item(staff_client):
    occupation = make_full_occupation()
    duty_list = occupation.duty_lists.first()
    parent = duty_list.duties.filter(parent=None).first()
    url = reverse("admin:positions_dutylist_change", args=[duty_list.pk])

    page = staff_client.get(url)
    formset = page.context["inline_admin_formsets"][0].formset
    data = {
        "occupation": occupation.pk,
        "specialization": "",
        "order": "0",
        "heading_en": "",
        "heading_fr": "",
        "introduction_en": "As a cook, you will:",
        "introduction_fr": "En tant que cuisinier, vous allez :",
        "duties-TOTAL_FORMS": str(formset.total_form_count()),
        "duties-INITIAL_FORMS": str(formset.initial_form_count()),
        "duties-MIN_NUM_FORMS": "0",
        "duties-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(formset.initial_forms):
        duty = form.instance
        data.update(
            {
                f"duties-{index}-id": duty.pk,
                f"duties-{index}-duty_list": duty_list.pk,
                f"duties-{index}-order": duty.order,
                f"duties-{index}-text_en": duty.text_en,
                f"duties-{index}-text_fr": "",
                f"duties-{index}-parent": duty.parent_id or "",
            }
        )
    new = formset.initial_form_count()
    data.update(
        {
            f"duties-{new}-duty_list": duty_list.pk,
            f"duties-{new}-order": "99",
            f"duties-{new}-text_en": "question",
            f"duties-{new}-text_fr": "questionner",
            f"duties-{new}-parent": parent.pk,
        }
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302
    added = Duty.objects.get(text_en="question")
    assert added.parent == parent
    assert added.text_fr == "questionner"


def test_non_staff_users_cannot_reach_the_admin(client, django_user_model):
    user = django_user_model.objects.create_user("visitor", password="correct horse battery")
    client.force_login(user)

    response = client.get(reverse("admin:positions_occupation_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
