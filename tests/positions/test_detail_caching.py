"""Detail pages read what they show from the shared cache, and show HR's changes at once."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import JobPostingFactory, make_full_occupation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uncached_pages")]


def test_an_occupation_page_is_built_without_a_query_until_hr_changes_it(
    client, django_assert_num_queries
):
    occupation = make_full_occupation(title="Parole officer")
    JobPostingFactory(occupation=occupation, title="Parole officer, Kingston")
    url = occupation.get_absolute_url()
    first = client.get(url)

    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content

    occupation.title = "Parole officer (community)"
    occupation.save()
    occupation.duty_lists.first().duties.create(text="Chair the case conference.", order=99)
    JobPostingFactory(occupation=occupation, title="Parole officer, Ottawa")
    content = client.get(url).content.decode()
    assert "Parole officer (community)" in content
    assert "Chair the case conference." in content
    assert "Parole officer, Ottawa" in content


def test_a_posting_page_is_built_without_a_query_until_hr_changes_it(
    client, django_assert_num_queries
):
    posting = JobPostingFactory()
    qualification = posting.qualifications.create(kind="education", text="A secondary diploma.")
    url = posting.get_absolute_url()
    # Opened from two searches: two addresses (?back=…), one posting.
    client.get(url, {"back": f"{reverse('positions:posting-list')}?q=parole"})

    with django_assert_num_queries(0):
        response = client.get(url, {"back": f"{reverse('positions:posting-list')}?q=kingston"})
    assert "A secondary diploma." in response.content.decode()

    qualification.text = "A university degree."
    qualification.save()
    assert "A university degree." in client.get(url).content.decode()
    posting.close_now()
    assert client.get(url).status_code == 410


def test_an_occupation_page_rendered_once_in_english_is_still_french_in_french(client):
    occupation = make_full_occupation(title="Parole officer")
    occupation.title_fr = "Agent de libération conditionnelle"
    occupation.save()
    english = client.get(occupation.get_absolute_url()).content.decode()
    with translation.override("fr"):
        url = occupation.get_absolute_url()
    french = client.get(url).content.decode()

    assert "Parole officer" in english and "Agent de libération conditionnelle" not in english
    assert "Agent de libération conditionnelle" in french
    assert "How to apply" not in french and "Comment postuler" in french


def test_a_posting_page_rendered_once_keeps_each_visitors_way_back_and_its_language(client):
    posting = JobPostingFactory(title="Parole officer")
    posting.title_fr = "Agent de libération conditionnelle"
    posting.save()
    url = posting.get_absolute_url()
    list_url = reverse("positions:posting-list")
    first = client.get(url, {"back": f"{list_url}?q=parole"}).content.decode()
    second = client.get(url, {"back": f"{list_url}?q=kingston"}).content.decode()
    with translation.override("fr"):
        french = client.get(posting.get_absolute_url()).content.decode()

    assert "q=parole" in first and "q=kingston" not in first
    assert "q=kingston" in second and "q=parole" not in second
    assert '<h1 id="posting-title">Parole officer</h1>' in second
    assert "Agent de libération conditionnelle</h1>" in french
    assert "Apply online" not in french


def test_hrs_preview_of_a_draft_is_never_the_publics_page(client, django_user_model):
    posting = JobPostingFactory()
    url = posting.get_absolute_url()
    public = client.get(url).content.decode()
    assert "Preview for HR staff." not in public
    posting.close_now()
    staff = django_user_model.objects.create_superuser("hr.preview", password="x")
    client.force_login(staff)

    preview = client.get(url)

    assert preview.status_code == 200
    assert "This posting is not accepting applications." in preview.content.decode()
