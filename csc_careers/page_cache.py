"""Whole-page cache for what anonymous visitors read most.

A page is cached per host, language and full path (query string included) for
PUBLIC_PAGE_CACHE_SECONDS. Every key carries a generation number, and any change HR makes to the
catalogue, places or postings starts a new generation, so no stale page outlives an edit. Every
key also carries the current value of each registered clock (register_key_part): positions
registers its posting day, so no page lists a posting past the moment it closes or opens. Nothing
personal is ever stored: requests that carry a session or messages, signed-in staff, non-GET
requests, errors and responses that set a cookie (a CSRF token, for one) bypass the cache.
"""

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.connection import ConnectionProxy

# The pages, and the parts of them kept for everyone; the generation, which makes them stale, is
# in the default cache, where their number never culls it (settings.CACHES).
pages = ConnectionProxy(caches, "pages")
GENERATION_KEY = "public-pages:generation"
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")

# What the pages depend on besides HR's edits: values of the clock that change what they show.
# Registered by the apps that know them (csc_careers knows no posting rule; see register_key_part).
KEY_PARTS: list[Callable[[], object]] = []


def register_key_part(part: Callable[[], object]) -> None:
    """Make every cached page's key carry part()'s current value: pages go stale as it changes.

    For a value that follows from the clock, as the day postings open and close on (positions
    registers posting_today): a page cached a second before midnight Pacific is not served a
    second after it, whatever PUBLIC_PAGE_CACHE_SECONDS is.
    """
    if part not in KEY_PARTS:
        KEY_PARTS.append(part)


def generation() -> int:
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        current = cache.get(GENERATION_KEY, 0)
    return current


def invalidate_public_pages(**kwargs) -> None:
    """Make every cached public page stale (a signal receiver for HR's changes)."""
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    # A session may hold a signed-in user or messages; a messages cookie is for this person only.
    return not (settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES)


def cache_key(request) -> str:
    path = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    clock = ":".join(str(part()) for part in KEY_PARTS)
    return f"public-page:{generation()}:{clock}:{request.LANGUAGE_CODE}:{path}"


def cache_public_page(view):
    """Serve the view's page from the cache for anonymous visitors."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_cacheable_request(request):
            return view(request, *args, **kwargs)
        if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
            # The cache is off: no page is looked up, nor compressed and written only to expire.
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            return response
        key = cache_key(request)
        stored = pages.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            pages.set(key, (response.content, headers), settings.PUBLIC_PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped
