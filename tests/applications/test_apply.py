"""Applying to a posting: the happy path, every refusal, and what the applicant sees after."""

import datetime
import re
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from applications.models import Application, EquityDeclaration, ScreeningAnswer
from applications.pipeline import Stage
from positions.models import JobPosting, posting_today
from tests.documents import dense_page_pdf_bytes, pdf_bytes, pdf_with, upload
from tests.factories import JobPostingFactory

# Real transactions: what is committed, and what runs on commit (e-mails), is what users get.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def posting():
    posting = JobPostingFactory(title="Parole officer", reference_number="CSC-26-WP-0142")
    posting.screening_questions.create(
        kind="yes-no", text="Do you have a degree in social sciences?", is_essential=True, order=1
    )
    posting.screening_questions.create(
        kind="choice",
        text="Which shift do you prefer?",
        choices="Days\nNights",
        is_essential=False,
        order=2,
    )
    posting.screening_questions.create(
        kind="short-text", text="Where did you hear of this posting?", is_essential=True, order=3
    )
    return posting


ANSWERS = {"yes-no": "yes", "choice": "Nights", "short-text": "A career fair"}


def form_data(posting, **overrides):
    data = {
        "first_name": "Jordan",
        "last_name": "Tremblay",
        "email": "Jordan.Tremblay@example.ca",
        "phone": "613-555-0142",
        "residence": "ON",
        "residence_country": "",
        "eligibility": "citizen",
        "correspondence_language": "en",
        "assessment_language": "fr",
        "accommodation_request": "",
        "cover_letter": "I have worked with people on parole for five years.",
        "privacy_consent": "on",
        "declaration": "on",
        "equity-woman": "yes",
        "equity-indigenous": "undisclosed",
        "resume": upload(pdf_bytes()),
    }
    for question in posting.screening_questions.all():
        answer = ANSWERS[question.kind]
        if question.choice_list and answer not in question.choice_list:
            answer = question.choice_list[0]
        data[f"question_{question.pk}"] = answer
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def apply_url(posting):
    return reverse("applications:apply", args=[posting.reference_number])


def private_files(settings) -> list[Path]:
    return [path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()]


def status_path_from_mail(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_happy_path_saves_everything_and_mails_a_working_status_link(client, posting, settings):
    response = client.post(apply_url(posting), form_data(posting))

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:received", args=["CSC-26-WP-0142"])
    assert application.email == "jordan.tremblay@example.ca"
    assert application.stage == Stage.RECEIVED
    assert application.resume_type == "application/pdf"
    with application.resume.open("rb") as stored:
        assert stored.read() == pdf_bytes()
    assert "resume" not in Path(application.resume.name).name
    answers = {
        a.question.text: (a.answer, a.meets_requirement) for a in ScreeningAnswer.objects.all()
    }
    assert answers == {
        "Do you have a degree in social sciences?": ("yes", True),
        "Which shift do you prefer?": ("Nights", None),
        "Where did you hear of this posting?": ("A career fair", None),
    }
    declaration = EquityDeclaration.objects.get()
    assert (declaration.woman, declaration.indigenous, declaration.disability) == (
        "yes",
        "undisclosed",
        "",
    )

    confirmation = client.get(response["Location"]).content.decode()
    assert "Application sent" in confirmation
    assert "jordan.tremblay@example.ca" in confirmation
    # The reference travels by e-mail only: the page is the same for a repeated application.
    assert application.reference not in confirmation

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jordan.tremblay@example.ca"]
    assert application.reference in message.subject
    status = client.get(status_path_from_mail(message))
    assert status.status_code == 200
    content = status.content.decode()
    assert "Parole officer" in content and "Received" in content
    assert status["Cache-Control"] == "private, no-store"
    assert status["Referrer-Policy"] == "same-origin"


def test_confirmation_e_mail_is_in_the_applicants_language(client, posting):
    client.post(apply_url(posting), form_data(posting, correspondence_language="fr"))

    # Until the French catalogue exists, the French e-mail falls back to English text, but it is
    # rendered with French active (the status link points at the French site).
    assert "/fr/applications/" in mail.outbox[0].body


def test_no_to_an_essential_yes_no_question_is_accepted_and_recorded(client, posting):
    question = posting.screening_questions.get(order=1)

    response = client.post(
        apply_url(posting), form_data(posting, **{f"question_{question.pk}": "no"})
    )

    assert response.status_code == 302
    answer = ScreeningAnswer.objects.get(question=question)
    assert (answer.answer, answer.meets_requirement) == ("no", False)
    confirmation = client.get(response["Location"]).content.decode()
    assert "Your answers show an essential requirement you do not meet" in confirmation
    assert "Do you have a degree in social sciences?" in confirmation
    body = mail.outbox[0].body
    assert "You answered “no” to these essential questions." in body
    assert "- Do you have a degree in social sciences?" in body


def test_the_confirmation_says_nothing_of_unmet_requirements_when_all_are_met(client, posting):
    response = client.post(apply_url(posting), form_data(posting))

    confirmation = client.get(response["Location"]).content.decode()
    assert "Application sent" in confirmation
    assert "essential requirement you do not meet" not in confirmation
    assert "essential questions" not in mail.outbox[0].body


def test_no_equity_answers_means_no_declaration_row(client, posting):
    client.post(
        apply_url(posting), form_data(posting, **{"equity-woman": None, "equity-indigenous": None})
    )

    assert Application.objects.count() == 1
    assert not EquityDeclaration.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"privacy_consent": None}, "privacy_consent", "You must accept the privacy notice"),
        ({"declaration": None}, "declaration", "You must make the declaration"),
        ({"residence": "outside"}, "residence_country", "Tell us which country"),
        ({"cover_letter": "x" * 5001}, "cover_letter", "at most 5000 characters"),
        ({"resume": None}, "resume", "This field is required."),
    ],
)
def test_missing_or_bad_fields_are_refused_and_typed_input_is_kept(
    client, posting, settings, overrides, field, message
):
    response = client.post(apply_url(posting), form_data(posting, **overrides))

    assert response.status_code == 400
    assert not Application.objects.exists()
    # Nothing is filed; the résumé, when one was sent, waits to be sent with the corrected form.
    kept = [] if field == "resume" else ["kept-resumes"]
    assert [path.parent.name for path in private_files(settings)] == kept
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    content = response.content.decode()
    assert 'id="error-summary"' in content
    assert 'value="Tremblay"' in content or field == "last_name"
    assert "I have worked with people on parole" in content or field == "cover_letter"


def test_a_missing_answer_to_an_essential_question_is_refused(client, posting):
    question = posting.screening_questions.get(order=3)

    response = client.post(
        apply_url(posting), form_data(posting, **{f"question_{question.pk}": ""})
    )

    assert response.status_code == 400
    assert response.context["form"].errors[f"question_{question.pk}"] == ["This field is required."]
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "resume.pdf", "not a document we can read"),
        (b"%PDF-1.4 broken", "resume.pdf", "PDF file is damaged"),
    ],
)
def test_wrong_type_by_content_is_refused_and_the_form_asks_for_the_file_again(
    client, posting, content, name, message
):
    response = client.post(apply_url(posting), form_data(posting, resume=upload(content, name)))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["resume"])
    assert not Application.objects.exists()


def test_a_resume_too_costly_to_check_is_answered_in_seconds_and_the_rest_is_kept(
    client, posting, settings
):
    started = time.monotonic()
    response = client.post(
        apply_url(posting), form_data(posting, resume=upload(dense_page_pdf_bytes(), "cv.pdf"))
    )

    # Within the check's wall-clock limit (see test_validators), with two seconds for the rest.
    assert time.monotonic() - started < 2 * settings.RESUME_CHECK_SECONDS + 2 + 2
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["resume"])
    assert "too complex for us to check in the time allowed" in errors
    content = response.content.decode()
    assert 'value="Tremblay"' in content
    assert "I have worked with people on parole" in content
    assert not Application.objects.exists()
    assert private_files(settings) == []


@pytest.mark.parametrize(
    ("content", "name", "advice"),
    [
        (pdf_with("open-script"), "cv.pdf", "Save it as a PDF without scripts"),
        (b"<html><body>Jordan</body></html>", "cv.txt", "Save your résumé as a PDF or Word"),
        (b"{\\rtf1{\\object{\\*\\objdata 0105}}}", "cv.rtf", "save your résumé as a PDF"),
        (b"{\\rtf\x90\x00MZ", "cv.rtf", "save it again as RTF or PDF"),
    ],
)
def test_content_a_viewer_would_run_is_refused_with_what_to_do(
    client, posting, content, name, advice
):
    response = client.post(apply_url(posting), form_data(posting, resume=upload(content, name)))

    assert response.status_code == 400
    assert advice in " ".join(response.context["form"].errors["resume"])
    assert 'value="Tremblay"' in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize("name", ["cv.bat", "cv.html", "cv.js", "cv"])
def test_a_text_resume_is_stored_and_served_as_text_whatever_its_name(
    client, posting, django_user_model, name
):
    response = client.post(
        apply_url(posting), form_data(posting, resume=upload(b"@echo off\r\nJordan Tremblay", name))
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert application.resume_name == name
    assert application.resume_type == "text/plain"
    assert Path(application.resume.name).suffix == ".txt"
    hr = django_user_model.objects.create_user("hr", is_staff=True, is_superuser=True)
    client.force_login(hr)
    download = client.get(reverse("admin:applications_application_resume", args=[application.pk]))
    assert download["Content-Type"] == "text/plain"
    assert f'filename="{application.reference}-resume.txt"' in download["Content-Disposition"]


def test_other_errors_say_at_the_file_field_that_the_resume_is_kept(client, posting):
    response = client.post(
        apply_url(posting), form_data(posting, first_name="", resume=upload(pdf_bytes(), "cv.pdf"))
    )

    content = response.content.decode()
    assert "cv.pdf — kept; choose another file to replace it." in content
    assert "was not kept" not in content
    # The file input is no longer marked required, and names the note for screen readers.
    file_input = re.search(r'<input type="file"[^>]*>', content).group(0)
    assert "required" not in file_input
    assert 'aria-describedby="id_resume_helptext id_resume_note"' in file_input


def test_oversized_resume_is_refused(client, posting, settings):
    settings.RESUME_MAX_BYTES = 2000

    response = client.post(
        apply_url(posting), form_data(posting, resume=upload(b"a" * 2500, "cv.txt"))
    )

    assert response.status_code == 400
    assert "the largest accepted is" in " ".join(response.context["form"].errors["resume"])


def test_a_request_far_over_the_size_limit_gets_a_413_page(client, posting, settings):
    settings.APPLICATION_MAX_REQUEST_BYTES = 10_000

    response = client.post(
        apply_url(posting), form_data(posting, resume=upload(b"a" * 20_000, "cv.txt"))
    )

    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
    assert not Application.objects.exists()


def test_a_second_application_gets_the_same_answer_and_the_owner_an_e_mail(client, posting):
    first = client.post(apply_url(posting), form_data(posting), follow=True)
    original = Application.objects.get()
    mail.outbox.clear()

    second = client.post(
        apply_url(posting),
        form_data(posting, email="JORDAN.tremblay@example.ca ", first_name="Someone"),
        follow=True,
    )

    # Nobody can tell from the site whether an address has applied: the same page, word for word.
    assert second.status_code == first.status_code == 200
    assert second.redirect_chain == first.redirect_chain
    assert second.content == first.content
    assert list(Application.objects.values_list("pk", "first_name")) == [(original.pk, "Jordan")]
    # The owner of the address is told, with the link to the application that stands.
    [message] = mail.outbox
    assert message.to == ["jordan.tremblay@example.ca"]
    assert original.reference in message.subject
    assert "had already applied to this posting" in message.body
    status = client.get(status_path_from_mail(message))
    assert status.status_code == 200
    assert original.reference in status.content.decode()


def test_the_form_does_not_say_whether_an_address_applied(client, posting):
    client.post(apply_url(posting), form_data(posting))

    def probe(email):
        return client.post(apply_url(posting), {"email": email})

    applied, unknown = probe("jordan.tremblay@example.ca"), probe("nobody@example.ca")

    assert applied.status_code == unknown.status_code == 400
    assert "already applied" not in applied.content.decode()

    def normalise(response):
        page = response.content.decode().replace("nobody", "jordan.tremblay")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert normalise(applied) == normalise(unknown)


def test_the_database_refuses_a_duplicate_that_slips_past_the_form(client, posting, settings):
    client.post(apply_url(posting), form_data(posting))
    # Two submissions racing: both pass the form's check before either is saved.
    with (
        mock.patch("applications.forms.ApplicationForm.validate_unique"),
        mock.patch("django.db.models.Model.validate_constraints"),
    ):
        response = client.post(apply_url(posting), form_data(posting))

    assert response.status_code == 302  # answered like any application; the owner is e-mailed
    assert Application.objects.count() == 1
    assert len(private_files(settings)) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"published_at": None},
        {"open_date": posting_today() + datetime.timedelta(days=2)},
        {"archived_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
    ],
)
def test_unpublished_postings_refuse_applications(client, posting, changes):
    for name, value in changes.items():
        setattr(posting, name, value)
    posting.closing_date = max(posting.closing_date, posting.open_date)
    posting.save()

    assert client.get(apply_url(posting)).status_code == 404
    assert client.post(apply_url(posting), form_data(posting)).status_code == 404
    assert not Application.objects.exists()


def test_a_closed_posting_refuses_with_a_clear_page(client, posting):
    posting.open_date = posting_today() - datetime.timedelta(days=10)
    posting.closing_date = posting_today() - datetime.timedelta(days=1)
    posting.save()

    response = client.post(apply_url(posting), form_data(posting))

    assert response.status_code == 410
    assert "closed on" in response.content.decode()
    assert not Application.objects.exists()


def test_a_posting_closed_early_says_when_it_was_closed(client, posting):
    posting.close_now()

    response = client.get(apply_url(posting))

    assert response.status_code == 410
    content = response.content.decode()
    assert "was closed early, on" in content
    assert "23:59 Pacific time" not in content


def test_a_form_opened_before_closing_and_sent_after_is_refused_and_says_why(
    client, posting, settings
):
    form_page = client.get(apply_url(posting))
    assert form_page.status_code == 200

    # The closing moment passes while the person types.
    one_minute_late = posting.closes_at + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=one_minute_late):
        response = client.post(apply_url(posting), form_data(posting))

    assert response.status_code == 410
    assert "arrived after the posting closed" in response.content.decode()
    assert not Application.objects.exists()
    assert private_files(settings) == []


def test_a_failure_after_the_file_is_written_leaves_no_row_and_no_file(client, posting, settings):
    with (
        mock.patch(
            "applications.services.ScreeningAnswer.objects.bulk_create",
            side_effect=RuntimeError("database went away"),
        ),
        pytest.raises(RuntimeError),
    ):
        client.post(apply_url(posting), form_data(posting))

    assert not Application.objects.exists()
    assert private_files(settings) == []
    assert mail.outbox == []


def test_missing_csrf_token_is_refused(posting):
    client = Client(enforce_csrf_checks=True)

    response = client.post(apply_url(posting), form_data(posting))

    assert response.status_code == 403
    assert not Application.objects.exists()


def test_submissions_are_rate_limited_per_client(client, posting, settings):
    settings.APPLICATION_RATE = "2/h"
    for number in range(2):
        client.post(apply_url(posting), form_data(posting, email=f"person{number}@example.ca"))

    response = client.post(apply_url(posting), form_data(posting, email="third@example.ca"))

    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many attempts" in content
    # Applying to a posting, the person is sent to the posting's HR contact.
    assert "write to Alex Martin, the HR contact for this posting" in content
    assert "mailto:staffing.ontario@example.com" in content
    assert f"mailto:{settings.CAREERS_CONTACT_EMAIL}" not in content
    assert Application.objects.count() == 2


def test_the_429_page_names_the_general_address_when_the_posting_names_no_contact(
    client, posting, settings
):
    settings.APPLICATION_RATE = "1/h"
    JobPosting.objects.filter(pk=posting.pk).update(hr_contact_name="", hr_contact_email="")
    client.post(apply_url(posting), form_data(posting, email="first@example.ca"))

    response = client.post(apply_url(posting), form_data(posting, email="second@example.ca"))

    assert response.status_code == 429
    assert f"mailto:{settings.CAREERS_CONTACT_EMAIL}" in response.content.decode()


def test_the_429_page_away_from_a_posting_names_the_general_address(client, settings):
    settings.STATUS_LINK_RATE = "1/h"
    url = reverse("applications:status-link")
    client.post(url, {"email": "someone@example.ca"})

    response = client.post(url, {"email": "someone@example.ca"})

    assert response.status_code == 429
    content = response.content.decode()
    assert f"mailto:{settings.CAREERS_CONTACT_EMAIL}" in content
    assert "HR contact for this posting" not in content


def test_forms_sent_back_with_errors_do_not_use_up_the_limit(client, posting, settings):
    settings.APPLICATION_RATE = "2/h"
    for _attempt in range(10):
        rejected = client.post(apply_url(posting), form_data(posting, phone=""))
        assert rejected.status_code == 400

    assert client.post(apply_url(posting), form_data(posting)).status_code == 302
    # A repeated application reached the database too: it counts.
    assert client.post(apply_url(posting), form_data(posting)).status_code == 302
    third = client.post(apply_url(posting), form_data(posting, email="x@example.ca"))
    assert third.status_code == 429


def test_behind_a_load_balancer_each_visitor_has_their_own_limit(client, posting, settings):
    settings.APPLICATION_RATE = "1/h"
    settings.TRUSTED_PROXIES = 1

    def apply_from(address, email, forged=""):
        forwarded = f"{forged}, {address}" if forged else address
        return client.post(
            apply_url(posting),
            form_data(posting, email=email),
            REMOTE_ADDR="10.0.0.2",  # the load balancer, the same for everyone
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert apply_from("198.51.100.7", "first@example.ca").status_code == 302
    assert apply_from("203.0.113.9", "second@example.ca").status_code == 302
    # What a client writes in the header itself does not get it a fresh limit.
    again = apply_from("198.51.100.7", "third@example.ca", forged="192.0.2.1")
    assert again.status_code == 429
    assert Application.objects.count() == 2


# --- Correcting a form: the résumé is kept, the page says what to do -----------------------


def kept_reference(response) -> str:
    return re.search(r'name="kept_resume" value="([^"]+)"', response.content.decode()).group(1)


def test_a_corrected_form_is_sent_without_choosing_the_resume_again(client, posting, settings):
    first = client.post(
        apply_url(posting), form_data(posting, phone="", resume=upload(pdf_bytes(), "cv.pdf"))
    )
    assert first.status_code == 400
    assert "cv.pdf — kept; choose another file to replace it." in first.content.decode()

    second = client.post(
        apply_url(posting), form_data(posting, resume=None, kept_resume=kept_reference(first))
    )

    assert second.status_code == 302
    application = Application.objects.get()
    with application.resume.open("rb") as stored:
        assert stored.read() == pdf_bytes()
    assert (application.resume_name, application.resume_type, application.resume_size) == (
        "cv.pdf",
        "application/pdf",
        len(pdf_bytes()),
    )
    # Sent, the kept copy is gone: only the application's own résumé remains.
    assert private_files(settings) == [Path(application.resume.path)]
    assert "kept_resumes" not in client.session


def test_a_kept_resume_is_kept_through_further_errors_until_sent(client, posting):
    first = client.post(apply_url(posting), form_data(posting, phone="", first_name=""))
    reference = kept_reference(first)

    second = client.post(
        apply_url(posting), form_data(posting, first_name="", resume=None, kept_resume=reference)
    )

    assert second.status_code == 400
    assert kept_reference(second) == reference
    assert "resume.pdf — kept" in second.content.decode()
    assert "resume" not in second.context["form"].errors
    third = client.post(apply_url(posting), form_data(posting, resume=None, kept_resume=reference))
    assert third.status_code == 302


def test_another_file_replaces_the_kept_one(client, posting, settings):
    first = client.post(apply_url(posting), form_data(posting, phone=""))

    second = client.post(
        apply_url(posting),
        form_data(
            posting,
            phone="",
            resume=upload(b"Jordan Tremblay, parole officer", "cv.txt"),
            kept_resume=kept_reference(first),
        ),
    )

    assert "cv.txt — kept" in second.content.decode()
    assert len(private_files(settings)) == 1
    client.post(
        apply_url(posting), form_data(posting, resume=None, kept_resume=kept_reference(second))
    )
    with Application.objects.get().resume.open("rb") as stored:
        assert stored.read() == b"Jordan Tremblay, parole officer"


@pytest.mark.parametrize("whose", ["another browser", "made up", "another posting"])
def test_a_reference_the_session_did_not_keep_is_ignored(client, posting, settings, whose):
    first = client.post(apply_url(posting), form_data(posting, phone=""))
    reference, sender, target = kept_reference(first), Client(), posting
    if whose == "made up":
        reference, sender = "x" * 32, client
    elif whose == "another posting":
        sender, target = client, JobPostingFactory()

    response = sender.post(apply_url(target), form_data(target, resume=None, kept_resume=reference))

    assert response.status_code == 400
    assert response.context["form"].errors["resume"] == ["This field is required."]
    assert "— kept" not in response.content.decode()
    assert not Application.objects.exists()
    assert len(private_files(settings)) == 1  # the visitor's own kept file is untouched


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"%PDF-1.4 broken", "cv.pdf"), (b"MZ\x90\x00" + b"\x00" * 100, "cv.pdf")],
)
def test_a_file_that_failed_its_checks_is_not_kept_and_replaces_a_kept_one(
    client, posting, settings, content, name
):
    kept = client.post(apply_url(posting), form_data(posting, phone=""))

    response = client.post(
        apply_url(posting),
        form_data(
            posting, phone="", resume=upload(content, name), kept_resume=kept_reference(kept)
        ),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="kept_resume"' not in page
    assert "— kept" not in page
    assert private_files(settings) == []


def test_a_kept_resume_is_deleted_hours_later(client, posting, settings):
    first = client.post(apply_url(posting), form_data(posting, phone=""))
    settings.RESUME_KEEP_HOURS = 0  # as if the hours had passed

    response = client.post(
        apply_url(posting), form_data(posting, resume=None, kept_resume=kept_reference(first))
    )

    assert response.context["form"].errors["resume"] == ["This field is required."]
    assert private_files(settings) == []


def test_a_kept_resume_is_deleted_after_a_repeated_application_too(client, posting, settings):
    client.post(apply_url(posting), form_data(posting))
    first = client.post(apply_url(posting), form_data(posting, phone=""))

    again = client.post(
        apply_url(posting), form_data(posting, resume=None, kept_resume=kept_reference(first))
    )

    assert again.status_code == 302
    assert private_files(settings) == [Path(Application.objects.get().resume.path)]


def test_the_error_summary_says_what_to_do(client, posting):
    one = client.post(apply_url(posting), form_data(posting, first_name=""))
    two = client.post(apply_url(posting), form_data(posting, first_name="", phone="12"))

    assert (
        "There is 1 problem: correct the field below, then send the form again."
        in one.content.decode()
    )
    summary = two.content.decode()
    assert "There are 2 problems: correct the fields below, then send the form again." in summary
    assert 'role="alert"' in summary and 'aria-labelledby="error-summary-heading"' in summary
    assert '<a href="#id_phone">Telephone number: Enter a telephone number' in summary


def test_the_french_form_explains_the_resume_field_in_french(client, posting):
    with translation.override("fr"):
        url = apply_url(posting)

    content = client.get(url).content.decode()

    assert "RTF ou texte brut, d’une taille maximale de 5,0" in content
    assert "plain text, at most" not in content


# --- The telephone number ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(613) 555-0142", "613-555-0142"),
        ("+1 613 555 0142", "613-555-0142"),
        ("613.555.0142 poste 21", "613-555-0142 ext. 21"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
    ],
)
def test_a_telephone_number_is_stored_in_one_form(client, posting, typed, stored):
    response = client.post(apply_url(posting), form_data(posting, phone=typed))

    assert response.status_code == 302
    assert Application.objects.get().phone == stored


@pytest.mark.parametrize("typed", ["12", "555-0142", "020 7946 0958", "+44 12", "six-one-three"])
def test_a_telephone_number_that_cannot_be_dialled_is_refused(client, posting, typed):
    response = client.post(apply_url(posting), form_data(posting, phone=typed))

    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == [
        "Enter a telephone number with its area code, e.g. 613-555-0142. Outside Canada and the "
        "United States, start with + and the country code, e.g. +44 20 7946 0958."
    ]
    assert not Application.objects.exists()


# --- After submitting ---------------------------------------------------------------------


@pytest.fixture
def application(client, posting):
    client.post(apply_url(posting), form_data(posting))
    mail.outbox.clear()
    return Application.objects.get()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJhIjoxfQ:1abc:forged", "x" * 300],
)
def test_tampered_tokens_are_404(client, application, token):
    assert client.get(reverse("applications:status", args=[token])).status_code == 404
    assert client.post(reverse("applications:withdraw", args=[token])).status_code == 404


def test_a_status_link_names_a_random_identifier_and_nothing_else(application):
    payload = signing.loads(application.status_token, salt="applications.status-link")

    # The token carries the random identifier only (its hex digits may contain the row's id by
    # chance, so the id is not looked for in it).
    assert payload == application.public_id.hex
    assert payload != str(application.pk) and len(payload) == 32


def test_a_status_link_expires_and_a_new_one_works(client, application, settings):
    settings.STATUS_LINK_MAX_AGE_DAYS = 30
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 31 * 86400):
        old_link = reverse("applications:status", args=[application.status_token])

    expired = client.get(old_link)
    assert expired.status_code == 410
    content = expired.content.decode()
    assert "This link has expired" in content
    assert reverse("applications:status-link") in content
    assert application.reference not in content
    assert client.post(f"{old_link}withdraw/").status_code == 410
    application.refresh_from_db()
    assert application.stage == Stage.RECEIVED

    client.post(reverse("applications:status-link"), {"email": application.email})
    assert client.get(status_path_from_mail(mail.outbox[-1])).status_code == 200


def test_twenty_simultaneous_withdrawals_withdraw_once_and_all_answer(application):
    url = reverse("applications:withdraw", args=[application.status_token])
    barrier = threading.Barrier(20)
    statuses = []

    def click():
        try:
            barrier.wait()
            statuses.append(Client().post(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * 20
    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN
    assert application.stage_changes.count() == 1
    assert len(mail.outbox) == 1


def test_a_second_withdrawal_says_it_is_already_withdrawn(client, application):
    url = reverse("applications:withdraw", args=[application.status_token])
    client.post(url)

    again = client.post(url, follow=True)
    opened = client.get(url, follow=True)

    for response in (again, opened):
        assert response.status_code == 200
        assert "This application is already withdrawn." in response.content.decode()
    assert application.stage_changes.count() == 1


def test_a_token_for_another_application_does_not_open_this_one(client, application):
    other = JobPostingFactory()
    client.post(apply_url(other), form_data(other, email="someone.else@example.ca"))
    theirs = Application.objects.exclude(pk=application.pk).get()
    theirs.delete()

    response = client.get(reverse("applications:status", args=[theirs.status_token]))

    assert response.status_code == 404


def test_withdrawing_asks_for_confirmation_then_records_it(client, application):
    url = reverse("applications:withdraw", args=[application.status_token])

    confirm = client.get(url)
    assert "Yes, withdraw my application" in confirm.content.decode()
    application.refresh_from_db()
    assert application.stage == Stage.RECEIVED

    response = client.post(url, follow=True)

    application.refresh_from_db()
    assert application.stage == Stage.WITHDRAWN
    change = application.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        Stage.RECEIVED,
        Stage.WITHDRAWN,
        None,
    )
    content = response.content.decode()
    assert "Your application has been withdrawn." in content
    assert "<strong>Withdrawn</strong>" in content
    assert len(mail.outbox) == 1 and "withdrawn" in mail.outbox[0].subject

    again = client.post(url, follow=True)
    assert "This application is already withdrawn." in again.content.decode()
    assert application.stage_changes.count() == 1


def test_status_link_request_answers_the_same_for_known_and_unknown_addresses(client, application):
    url = reverse("applications:status-link")

    known = client.post(url, {"email": "JORDAN.TREMBLAY@example.ca"})
    unknown = client.post(url, {"email": "nobody@example.ca"})

    assert known.status_code == unknown.status_code == 200
    assert (
        known.content.decode()
        .replace("jordan.tremblay", "nobody")
        .replace("JORDAN.TREMBLAY", "nobody")
        == unknown.content.decode()
    )
    assert len(mail.outbox) == 1
    assert client.get(status_path_from_mail(mail.outbox[0])).status_code == 200


def test_resumes_are_not_reachable_by_any_url(client, application, settings):
    name = application.resume.name
    for url in (f"/media/{name}", f"/private/{name}", f"/{name}", f"/static/{name}"):
        assert client.get(url).status_code == 404
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        application.resume.url  # noqa: B018 (private storage has no URL)


def test_a_token_signed_for_something_else_is_404(client, application):
    from django.core import signing

    foreign = signing.dumps([application.pk, application.reference], salt="another.purpose")

    assert client.get(reverse("applications:status", args=[foreign])).status_code == 404


# --- Applying again after withdrawing ---------------------------------------------------


def withdraw(client, application):
    client.post(reverse("applications:withdraw", args=[application.status_token]))


def test_a_person_who_withdrew_may_apply_again_and_the_withdrawal_stays(client, application):
    withdraw(client, application)
    mail.outbox.clear()

    response = client.post(apply_url(application.posting), form_data(application.posting))

    assert response.status_code == 302
    stages = dict(Application.objects.values_list("pk", "stage"))
    new = Application.objects.exclude(pk=application.pk).get()
    assert stages == {application.pk: Stage.WITHDRAWN, new.pk: Stage.RECEIVED}
    assert new.reference != application.reference
    [confirmation] = mail.outbox
    assert new.reference in confirmation.subject


def test_after_applying_again_a_repeat_is_refused_and_the_notice_names_the_new_one(
    client, application
):
    withdraw(client, application)
    client.post(apply_url(application.posting), form_data(application.posting))
    new = Application.objects.exclude(pk=application.pk).get()
    mail.outbox.clear()

    again = client.post(apply_url(application.posting), form_data(application.posting))

    assert again.status_code == 302
    assert Application.objects.count() == 2
    [notice] = mail.outbox
    assert new.reference in notice.subject
    assert application.reference not in notice.body
    assert client.get(status_path_from_mail(notice)).context["application"] == new


def test_status_links_tell_the_withdrawn_and_the_new_application_apart(client, application):
    withdraw(client, application)
    client.post(apply_url(application.posting), form_data(application.posting))
    mail.outbox.clear()

    client.post(reverse("applications:status-link"), {"email": application.email})

    bodies = sorted(message.body for message in mail.outbox)
    assert len(bodies) == 2
    assert sum("status: Withdrawn." in body for body in bodies) == 1
    assert sum("status: Received." in body for body in bodies) == 1


def test_the_withdrawn_applications_page_offers_to_apply_again_while_that_is_possible(
    client, application
):
    confirm = client.get(reverse("applications:withdraw", args=[application.status_token]))
    assert "While the posting is open, you may apply to it again" in confirm.content.decode()
    withdraw(client, application)
    status = reverse("applications:status", args=[application.status_token])
    apply_again = f'href="{apply_url(application.posting)}">Apply again'

    assert apply_again in client.get(status).content.decode()
    client.post(apply_url(application.posting), form_data(application.posting))
    # Applied again: the new application stands, and the old page no longer offers it.
    assert apply_again not in client.get(status).content.decode()
