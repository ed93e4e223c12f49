"""Requests PostgreSQL could never answer are refused before any view reads them."""

from urllib.parse import unquote

from django.core.exceptions import BadRequest


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
