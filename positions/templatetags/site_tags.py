"""Template helpers shared by every page."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

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
    return {"code": code, "name": name, "url": url}


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
