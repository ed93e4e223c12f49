"""Template helpers shared by every page."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse, translate_url
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

register = template.Library()


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
