"""E-mail to people outside CSC: in their language, one-line subjects, extra headers kept."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import BadHeaderError

from csc_careers.mail import send_templated, send_text

WITHDRAWN = "applications/email/application_withdrawn"


def withdrawn_context(reference="A-7K3M-9QX2"):
    return {
        "application": SimpleNamespace(first_name="Alex", reference=reference),
        "posting": SimpleNamespace(title="Agente ou agent correctionnel"),
        "status_url": "https://careers.example.ca/fr/applications/token/",
    }


def test_a_templated_e_mail_is_written_in_the_language_asked_for():
    send_templated(WITHDRAWN, to=["alex@example.ca"], language="fr", context=withdrawn_context())

    [message] = mail.outbox
    assert message.subject == "Candidature A-7K3M-9QX2 retirée"
    assert "Bonjour Alex" in message.body
    assert "https://careers.example.ca/fr/applications/token/" in message.body
    assert message.to == ["alex@example.ca"]
    assert message.message()["Content-Language"] == "fr"


def test_the_language_of_the_e_mail_does_not_leak_into_what_follows():
    send_templated(WITHDRAWN, to=["alex@example.ca"], language="fr", context=withdrawn_context())
    send_templated(WITHDRAWN, to=["alex@example.ca"], language="en", context=withdrawn_context())

    assert mail.outbox[1].subject == "Application A-7K3M-9QX2 withdrawn"


def test_a_line_break_in_a_subject_cannot_add_a_header():
    send_text(
        "Your application\r\nBcc: everyone@example.com\nX-Spam: yes",
        "Text",
        to=["alex@example.ca"],
    )

    [message] = mail.outbox
    assert message.subject == "Your application Bcc: everyone@example.com X-Spam: yes"
    sent = message.message()
    assert sent["Bcc"] is None and sent["X-Spam"] is None
    assert message.recipients() == ["alex@example.ca"]


def test_a_templated_subject_is_one_line_whatever_the_values_in_it():
    context = withdrawn_context(reference="A-1\r\nBcc: everyone@example.com")

    send_templated(WITHDRAWN, to=["alex@example.ca"], language="en", context=context)

    [message] = mail.outbox
    assert message.subject == "Application A-1 Bcc: everyone@example.com withdrawn"
    assert message.message()["Bcc"] is None


def test_extra_headers_are_sent_as_given():
    unsubscribe = "<https://careers.example.ca/en/alerts/unsubscribe/abc/>"

    send_text(
        "New postings",
        "Text",
        to=["alex@example.ca"],
        language="en",
        headers={
            "List-Unsubscribe": unsubscribe,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )

    sent = mail.outbox[0].message()
    assert sent["List-Unsubscribe"] == unsubscribe
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Content-Language"] == "en"
    assert sent["From"] == settings.DEFAULT_FROM_EMAIL


def test_a_line_break_in_an_extra_header_is_refused():
    with pytest.raises(BadHeaderError):
        send_text(
            "Subject",
            "Text",
            to=["alex@example.ca"],
            headers={"List-Unsubscribe": "<https://example.ca/>\r\nBcc: everyone@example.com"},
        )

    assert mail.outbox == []
