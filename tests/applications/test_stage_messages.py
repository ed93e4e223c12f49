"""Stage e-mails: only the named placeholders, both languages required, previewed for HR."""

import html

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.models import Application, StageMessage
from applications.pipeline import NOTIFIED_STAGES, Stage
from applications.roles import HR_ADMINISTRATORS
from tests.applications.factories import ApplicationFactory, staff_in
from tests.factories import JobPostingFactory

ALLOWED = (
    "{first_name}, {posting_title}, {reference}, {status_url}, {hr_contact}, {requirements_not_met}"
)


@pytest.fixture
def hr_client(client, django_user_model):
    client.force_login(staff_in(django_user_model, HR_ADMINISTRATORS))
    return client


@pytest.fixture
def interview():
    return StageMessage.objects.get(stage=Stage.INTERVIEW)


def change_url(message):
    return reverse("admin:applications_stagemessage_change", args=[message.pk])


def form_data(message, **changes):
    data = {
        "is_active": "on",
        "subject_en": message.subject_en,
        "subject_fr": message.subject_fr,
        "body_en": message.body_en,
        "body_fr": message.body_fr,
        "_save": "Save",
    }
    return {**data, **changes}


def move_to_interview(django_capture_on_commit_callbacks, **fields):
    application = ApplicationFactory(screened_in=True, **fields)
    with django_capture_on_commit_callbacks(execute=True):
        application.move_to(Stage.INTERVIEW)
    assert len(mail.outbox) == 1
    return application, mail.outbox[0]


# --- Placeholders ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_messages_are_valid():
    messages = StageMessage.objects.all()
    assert {message.stage for message in messages} == NOTIFIED_STAGES
    for message in messages:
        message.full_clean()


@pytest.mark.django_db
def test_a_move_sends_hrs_text_with_the_applicants_details(
    django_capture_on_commit_callbacks, settings
):
    StageMessage.objects.filter(stage=Stage.INTERVIEW).update(
        subject_en="Interview: {posting_title} ({reference})",
        body_en="Dear {first_name},\nYour application: {status_url}",
    )
    posting = JobPostingFactory(title="Parole Officer")
    application, message = move_to_interview(
        django_capture_on_commit_callbacks, posting=posting, first_name="Marie-Ève"
    )

    assert message.subject == f"Interview: Parole Officer ({application.reference})"
    greeting, link = message.body.split("\n")
    assert greeting == "Dear Marie-Ève,"
    url = link.removeprefix("Your application: ")
    assert url.startswith(f"{settings.SITE_URL.rstrip('/')}/en/applications/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert Application.from_status_token(token) == application


@pytest.mark.django_db
def test_a_french_subject_keeps_its_no_break_spaces_and_loses_its_line_breaks(
    django_capture_on_commit_callbacks,
):
    StageMessage.objects.filter(stage=Stage.INTERVIEW).update(
        subject_fr="Entrevue\u00a0: {posting_title}\r\n«\u00a0{reference}\u00a0»"
    )
    application, message = move_to_interview(
        django_capture_on_commit_callbacks, correspondence_language="fr"
    )

    assert message.subject == (
        f"Entrevue\u00a0: {application.posting.title_fr} «\u00a0{application.reference}\u00a0»"
    )


@pytest.mark.django_db
def test_a_stored_text_with_more_than_a_name_in_braces_is_sent_as_written(
    django_capture_on_commit_callbacks,
):
    # A row written before validation refused such text: nothing of Python's leaks out of it.
    StageMessage.objects.filter(stage=Stage.INTERVIEW).update(
        body_en="{first_name.__class__.__mro__} {first_name:>2000000} {first_name[0]} {first_name}"
    )
    _application, message = move_to_interview(django_capture_on_commit_callbacks)

    assert message.body == (
        "{first_name.__class__.__mro__} {first_name:>2000000} {first_name[0]} Applicant"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "refused",
    [
        "{first_name.__class__.__mro__}",
        "{first_name:>2000000}",
        "{first_name[0]}",
        "{first_name!r}",
        "{last_name}",
        "{ first_name }",
        "{}",
        "{{first_name}}",
        "{first_name",
    ],
)
def test_hr_cannot_save_anything_but_a_named_placeholder_in_braces(hr_client, interview, refused):
    before = interview.body_fr
    response = hr_client.post(
        change_url(interview), form_data(interview, body_fr=f"Bonjour {refused},")
    )

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f"Use braces only around {ALLOWED}." in page
    assert "Not allowed: {" in page
    interview.refresh_from_db()
    assert interview.body_fr == before


@pytest.mark.django_db
def test_the_editing_page_lists_the_placeholders(hr_client, interview):
    page = hr_client.get(change_url(interview)).content.decode()

    names = ("first_name", "posting_title", "reference", "status_url", "hr_contact")
    for name in (*names, "requirements_not_met"):
        assert f"<code>{{{name}}}</code>" in page


# --- Both languages ----------------------------------------------------------------------


@pytest.mark.django_db
def test_hr_saves_new_wording_in_both_languages(hr_client, interview):
    response = hr_client.post(
        change_url(interview),
        form_data(
            interview,
            subject_en="Interview: {posting_title}",
            subject_fr="Entrevue : {posting_title}",
        ),
    )

    assert response.status_code == 302
    interview.refresh_from_db()
    assert (interview.subject_en, interview.subject_fr) == (
        "Interview: {posting_title}",
        "Entrevue : {posting_title}",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["subject_fr", "body_fr", "subject_en", "body_en"])
def test_hr_cannot_leave_a_language_empty(hr_client, interview, field):
    before = getattr(interview, field)
    response = hr_client.post(change_url(interview), form_data(interview, **{field: "  "}))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert 'class="errornote"' in response.content.decode()
    interview.refresh_from_db()
    assert getattr(interview, field) == before


@pytest.mark.django_db
def test_an_empty_french_subject_is_refused_outside_the_admin_too(interview):
    interview.subject_fr = ""
    with pytest.raises(ValidationError) as refused:
        interview.full_clean()
    assert set(refused.value.message_dict) == {"subject_fr"}


@pytest.mark.django_db
def test_the_editing_page_previews_the_e_mail_in_both_languages_for_a_made_up_applicant(
    hr_client, interview
):
    ApplicationFactory(first_name="Realperson")  # real data never shows in the preview
    StageMessage.objects.filter(pk=interview.pk).update(
        subject_en="Interview for {first_name}",
        subject_fr="Entrevue pour {first_name}",
        body_en="Hello {first_name}, about {posting_title}: {status_url}",
        body_fr="Bonjour {first_name}, au sujet de {posting_title} : {status_url}",
    )

    page = hr_client.get(change_url(interview)).content.decode()

    english = page.split('<section lang="en">', 1)[1].split("</section>", 1)[0]
    french = page.split('<section lang="fr">', 1)[1].split("</section>", 1)[0]
    assert "Interview for Alex" in english
    assert "Hello Alex, about Correctional Officer: http" in english
    assert "/en/applications/" in english
    assert "Entrevue pour Alex" in french
    assert "Bonjour Alex, au sujet de Agente ou agent correctionnel : http" in french
    assert "/fr/applications/" in french
    assert "Realperson" not in page
    assert "&lt;p&gt;" not in page, "the e-mail is shown as text, not as escaped markup"
