"""Keep applicants' status links out of logs.

A status link (``/en/applications/<token>/…``) opens an application's page to whoever holds it, so
no log line may carry one: Django's request and development-server logs go through
:class:`RedactStatusLinks`, and gunicorn's access log through :class:`AccessLogger`
(``gunicorn --logger-class csc_careers.log_privacy.AccessLogger``, as ``scripts/serve`` runs it).
"""

import logging
import re

from gunicorn.glogging import Logger

# /applications/<token>/, but not the fixed page /applications/status/ that asks for a link.
STATUS_LINK = re.compile(r"(/applications/)(?!status/)[^/?#\s\"]+")
REDACTED = r"\1[link]"


def redact(text: str) -> str:
    """Replace the token of every status link in the text."""
    return STATUS_LINK.sub(REDACTED, text)


class RedactStatusLinks(logging.Filter):
    """A logging filter that takes status-link tokens out of a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class AccessLogger(Logger):
    """gunicorn's logger, with status-link tokens taken out of the request line and referrer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
