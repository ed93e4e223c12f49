"""E-mail to people outside CSC: templated or already written, in their language.

Every e-mail the site sends goes through `send_text`, so every subject is one line (a line break
in a subject would start a header of its own) and extra headers, such as List-Unsubscribe, are
set the same way everywhere.
"""

import re

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

# Any whitespace but the no-break spaces (U+00A0, U+202F).
BREAKABLE_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


def one_line(text: str) -> str:
    """Return the text on one line: runs of whitespace (line breaks included) as one space.

    Non-breaking spaces stay: French puts them before ":" and inside « », and they break no header.
    """
    return BREAKABLE_SPACE.sub(" ", text).strip()


def send_templated(
    template: str,
    *,
    to: list[str],
    language: str,
    context: dict,
    headers: dict[str, str] | None = None,
    connection=None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
    """Render <template>_subject.txt and <template>.txt in the language, and send them.

    `template` is a path without its ending, such as "applications/email/status_link";
    `connection`, an open mail connection to reuse (many e-mails in a row), or None;
    `attachments`, (file name, content, MIME type) triples.
    """
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    send_text(
        subject,
        body,
        to=to,
        language=language,
        headers=headers,
        connection=connection,
        attachments=attachments,
    )


def send_text(
    subject: str,
    body: str,
    *,
    to: list[str],
    language: str | None = None,
    headers: dict[str, str] | None = None,
    connection=None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> None:
    """Send a plain-text e-mail from the site's address, its subject on one line."""
    headers = dict(headers or {})
    if language:
        # Mail clients and screen readers read the text in the language it is written in.
        headers.setdefault("Content-Language", language)
    EmailMessage(
        subject=one_line(subject),
        body=body,
        to=to,
        headers=headers,
        connection=connection,
        attachments=attachments,
    ).send()
