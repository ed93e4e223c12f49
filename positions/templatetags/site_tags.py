"""Template helpers shared by every page."""

import datetime
import functools
import json
from urllib.parse import quote, urlencode, urlsplit

from django import template
from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.urls import get_script_prefix, reverse, translate_url
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

register = template.Library()

# The date the site's own content was last revised: the occupation catalogue and About CSC
# fixtures, transcribed from CSC's pages. Occupations and the other catalogue records keep no
# change date of their own (postings do: updated_at), so their pages, the lists and the other pages
# show this one as Canada.ca's "Date modified". Move it on when that content changes.
CONTENT_REVISED = datetime.date(2026, 11, 25)

# The longest search address "Back to results" carries back (a long query is a crafted one).
BACK_MAX_LENGTH = 2000


@register.simple_tag(takes_context=True)
def other_language(context):
    """Return (code, name, url) of the other official language for the current page.

    The URL is the same page in that language, query string (filters, page number) kept.
    """
    request = context["request"]
    current = get_language() or settings.LANGUAGE_CODE
    code = next(c for c, _name in settings.LANGUAGES if c != current[:2])
    name = get_language_info(code)["name_local"].capitalize()
    url = translate_url(request.path, code)
    if request.GET:
        url = f"{url}?{request.GET.urlencode()}"
    return {"code": code, "name": name, "url": url, "absolute_url": request.build_absolute_uri(url)}


@register.simple_tag
def contextual_links():
    """Return the footer's links as the JSON object gcds-footer reads (escaped on output)."""
    return footer_links(get_language(), get_script_prefix())


@functools.lru_cache(maxsize=16)
def footer_links(language: str, script_prefix: str) -> str:
    """Return the footer's links in a language (the same on every page, so made once)."""
    return json.dumps(
        {
            str(_("Job postings")): reverse("positions:posting-list"),
            str(_("Occupations")): reverse("positions:occupation-list"),
            str(_("Find your application")): reverse("applications:status-link"),
            str(_("About CSC")): reverse("positions:about"),
        },
        ensure_ascii=False,
    )


@register.simple_tag(takes_context=True)
def page_url(context, page_number):
    """Return the current list URL with another page number, other filters kept."""
    query = context["request"].GET.copy()
    query["page"] = page_number
    return f"?{query.urlencode()}"


@register.simple_tag
def elided_pages(page_obj):
    """Return the page numbers to link to, with Paginator.ELLIPSIS for the gaps."""
    return list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    )


JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render data as a JSON-LD block; <, > and & are escaped so no text can close the tag."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(JSON_SCRIPT_ESCAPES)),
    )


@register.filter
def money(amount):
    """Format a whole-dollar amount the way the active language writes it ($72,000 / 72 000 $)."""
    if amount is None:
        return ""
    grouped = number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)
    if (get_language() or "en")[:2] == "fr":
        return f"{grouped}\N{NO-BREAK SPACE}$"
    return f"${grouped}"


@register.simple_tag
def content_revised():
    """Return the date the site's content was last revised, as Canada.ca writes it (YYYY-MM-DD)."""
    return CONTENT_REVISED.isoformat()


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """Return the full address of a path on this site (to share or to point search engines at)."""
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def share_by_email(context, posting):
    """Return a mailto: address that drafts an e-mail with the posting's title and address.

    A plain link: the reader's own mail program sends it, and no other site's script is loaded.
    """
    url = context["request"].build_absolute_uri(posting.get_absolute_url())
    subject = _("Job posting at the Correctional Service of Canada: %(title)s") % {
        "title": posting.title
    }
    body = f"{posting.title} ({posting.reference_number})\r\n{url}"
    return "mailto:?" + urlencode({"subject": subject, "body": body}, quote_via=quote)


@register.simple_tag(takes_context=True)
def back_to_results(context):
    """Return the job-posting search this page was opened from, in this page's language, or "".

    The list links to each posting with its own address in ``back``. Only an address of the
    postings list on this site is taken (nothing else, so no open redirect), and the link is
    rebuilt from the list's URL and the re-encoded query, so nothing else passes through.
    """
    back = context["request"].GET.get("back", "")
    if not back.startswith("/") or len(back) > BACK_MAX_LENGTH:
        return ""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc:
        return ""
    list_paths = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            list_paths.add(reverse("positions:posting-list"))
    if parts.path not in list_paths:
        return ""
    try:
        query = QueryDict(parts.query, mutable=True)
    except TooManyFieldsSent:
        return ""
    query.pop("back", None)
    url = reverse("positions:posting-list")
    return f"{url}?{query.urlencode()}" if query else url
