"""Requests the site could never answer get the 400 page, not a 500.

A NUL character or more query fields than Django reads are refused before any view reads them;
admin list filters that cannot be run are refused when they fail.
"""

from urllib.parse import unquote

from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR
from django.core.exceptions import BadRequest, TooManyFieldsSent
from django.db import DataError, ProgrammingError
from django.http import QueryDict


class RejectNullCharactersMiddleware:
    """Answer 400 to a path or query string holding a NUL character.

    PostgreSQL text cannot hold NUL, so such a value reaching a query (a posting reference in the
    path, an admin filter in the query string) would end in a database error and a 500 page. Form
    fields already refuse it (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = unquote(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path or "\x00" in query:
            raise BadRequest("A NUL character in the address.")
        return self.get_response(request)


class RejectTooManyFieldsMiddleware:
    """Answer 400 to a query string with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS.

    Django raises TooManyFieldsSent each time request.GET is read, and answers it with the 400
    page, but every page (the 400 page too) reads request.GET for its other-language link, so the
    error page itself would fail into a 500. The request continues with no query fields at all.
    A form body with too many fields needs nothing: Django empties request.POST itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET  # noqa: B018 (parsing is what is being checked)
        except TooManyFieldsSent:
            request.GET = QueryDict()
            raise
        return self.get_response(request)


# What running an admin lookup raises when the value does not fit it: an out-of-range year
# (OverflowError, ValueError), an invalid regular expression or address (DataError), a lookup
# the database lacks such as unaccent (ProgrammingError), a one-value range (TypeError, IndexError).
# Not OperationalError: an unreachable database keeps its 503 page.
ADMIN_LOOKUP_ERRORS = (
    DataError,
    ProgrammingError,
    OverflowError,
    ValueError,
    TypeError,
    IndexError,
)
# Query fields of an admin list that are not lookups on its rows.
ADMIN_LIST_CONTROLS = {*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG}


class RejectFailingAdminFiltersMiddleware:
    """Answer 400 when the filters in an admin list's query string fail as the list is shown.

    The admin turns any query field into a lookup (?closing_date__year=…, ?title__regex=…) and
    treats an error while building it as the request's fault (a redirect to ?e=1), but many
    values only fail when the query runs, which would be a 500 page. This covers every admin
    list. Only a list with filters, read with GET: a list without them, or a form sent to one,
    still fails loudly when the code is wrong.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = request.resolver_match
        if (
            isinstance(exception, ADMIN_LOOKUP_ERRORS)
            and request.method in ("GET", "HEAD")
            and match is not None
            and "admin" in match.namespaces
            and (match.url_name or "").endswith("_changelist")
            and set(request.GET) - ADMIN_LIST_CONTROLS
        ):
            raise BadRequest("Admin list filters that cannot be run.") from exception
        return None
