"""Public pages of the occupation catalogue."""

import functools
import hashlib
import sys
import time
from typing import NamedTuple

import django_filters
from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Max, Min
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView

from csc_careers.db import PageCountPaginator
from csc_careers.page_cache import generation, pages
from positions.filters import OccupationFilter, PostingFilter
from positions.models import (
    CareerStream,
    JobPosting,
    Occupation,
    PostingState,
    ProgramArea,
    Region,
    StrategicPriority,
    WorkEnvironment,
    posting_today,
)
from positions.structured_data import posting_json_ld


class HomeView(TemplateView):
    template_name = "positions/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["streams"] = (
            CareerStream.objects.prefetch_related("occupations")
            .filter(occupations__is_published=True)
            .distinct()
        )
        context["work_environments"] = WorkEnvironment.objects.exclude(count=None)
        context["regions"] = Region.objects.all()
        context["open_posting_count"] = JobPosting.objects.open().count()
        return context


class FilteredListView(ListView):
    """A paginated list narrowed by a FilterSet whose state lives in the query string."""

    filterset_class: type[django_filters.FilterSet]
    paginate_by = settings.PAGINATE_BY
    paginator_class = PageCountPaginator
    # Filters shown at once; the others sit in a "More filters" disclosure (long on a phone).
    primary_filters = 3

    def get_base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET, queryset=self.get_base_queryset(), request=self.request
        )
        if self.filterset.is_valid():
            return self.filterset.qs
        messages.error(
            self.request,
            _("Some search filters were not understood. Check the fields marked in error."),
        )
        # The form keeps showing what was typed, with its errors; the list applies the filters
        # that were understood, rather than showing nothing.
        understood = self.request.GET.copy()
        for name in self.filterset.form.errors:
            understood.pop(name, None)
        narrowed = self.filterset_class(
            understood, queryset=self.get_base_queryset(), request=self.request
        )
        return narrowed.qs if narrowed.is_valid() else narrowed.queryset.none()

    def paginate_queryset(self, queryset, page_size):
        # An out-of-range or malformed page number shows the last or first page, never a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        # Each field with its HTML, (field, html): most are the same for everyone and kept.
        fields = self.filterset.shown_fields()
        context["primary_fields"] = fields[: self.primary_filters]
        context["more_fields"] = fields[self.primary_filters :]
        context["more_filters_used"] = any(
            self.request.GET.get(field.name) or field.errors
            for field, _html in context["more_fields"]
            if field.name != "sort"
        )
        context["result_count"] = context["paginator"].count
        context["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key not in {"page", "sort"}
        )
        return context


class OccupationListView(FilteredListView):
    template_name = "positions/occupation_list.html"
    context_object_name = "occupations"
    filterset_class = OccupationFilter
    primary_filters = 4

    def get_base_queryset(self):
        return Occupation.objects.published().for_list()


class SharedObjectMixin:
    """Read a detail page's object, with all that its page shows, from the shared cache.

    Loading it takes several queries, and it is the same for every visitor: a posting opened from
    a search has the search in its address (?back=…), so its page is seldom in the page cache.
    Any change HR makes starts a new generation of the public pages (csc_careers.page_cache), so
    no copy outlives an edit; the lifetime bounds a copy made while a change was being committed.
    A copy is kept for the day it was made (Pacific time): a posting's state, read with it, may
    change at midnight.
    """

    shared_object_seconds = 300

    def get_object(self, queryset=None):
        if queryset is not None:
            return super().get_object(queryset)
        model = self.get_queryset().model
        slug = self.kwargs[self.slug_url_kwarg]
        if len(slug) > model._meta.get_field(self.slug_field).max_length:
            raise Http404("No such page.")
        digest = hashlib.sha256(slug.encode()).hexdigest()
        key = f"public-object:{generation()}:{posting_today()}:{model._meta.label_lower}:{digest}"
        found = pages.get(key)
        if found is None:
            found = super().get_object()
            pages.set(key, found, self.shared_object_seconds)
        return found


class OccupationDetailView(SharedObjectMixin, DetailView):
    template_name = "positions/occupation_detail.html"
    context_object_name = "occupation"
    POSTINGS_SHOWN = 20  # the soonest to close; the posting search lists them all

    def get_queryset(self):
        return Occupation.objects.published().for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.open_postings())
        return context

    def open_postings(self) -> dict:
        """Return the open postings shown, their count and salary range, shared for the day."""
        today = posting_today()  # the postings open change with the date, as with HR's edits
        key = f"occupation-open-postings:{generation()}:{self.object.pk}:{today}"
        found = pages.get(key)
        if found is None:
            open_postings = self.object.postings.open(today)
            # One query for the count and the salary range (lowest minimum to highest maximum).
            summary = open_postings.aggregate(
                count=Count("pk"), salary_low=Min("salary_min"), salary_high=Max("salary_max")
            )
            found = {
                "open_postings": list(open_postings.for_cards()[: self.POSTINGS_SHOWN]),
                "open_posting_count": summary["count"],
                "salary_low": summary["salary_low"],
                "salary_high": summary["salary_high"],
            }
            pages.set(key, found, self.shared_object_seconds)
        # The page's content is the same for everyone reading it in a language until HR changes
        # something or the day turns: rendered once (75% of the page's time), as the key says.
        return {**found, "content_key": key, "content_seconds": self.shared_object_seconds}


class PostingListView(FilteredListView):
    template_name = "positions/posting_list.html"
    context_object_name = "postings"
    filterset_class = PostingFilter

    def get_base_queryset(self):
        return open_posting_ids(posting_today(), get_language()).all()  # a copy for this request

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = posting_cards(context["postings"])
        # The feed of the postings shown: the same filters (positions.feeds applies them).
        context["feed_query"] = self.filterset.filter_query().urlencode()
        context["suggestion"] = self.filterset.spelling_suggestion(context["result_count"])
        return context


@functools.lru_cache(maxsize=4)
def open_posting_ids(today, language):
    """Return the postings open on the day, ids alone, for a list of them (never evaluated).

    Each card is kept rendered, and only the postings whose card is not are read in full
    (posting_cards). Made once a day and language: making it took a twentieth of a search.
    """
    return JobPosting.objects.open(today).only("pk")


# The posting cards this process has rendered, for one generation of the public pages and one
# day: (generation and day, time started, {(language, posting id): card}). Kept by each process
# rather than in the shared cache: a dozen reads of it cost more than the cards, and a card for
# every open posting in each language would crowd out the pages kept there.
process_cards: tuple[str, float, dict[tuple[str, int], "PostingCard"]] = ("", 0.0, {})
# HR's changes start a new generation; this bounds a card rendered while one was being committed,
# as for the shared copy of a page's object (SharedObjectMixin).
POSTING_CARDS_SECONDS = SharedObjectMixin.shared_object_seconds
POSTING_CARDS_MAX = 5000  # both languages of a few thousand postings: a few megabytes


class PostingCard(NamedTuple):
    """A posting's card (includes/posting_card.html) as a list shows it: its address, title and
    what is below the title (includes/posting_card_content.html)."""

    url: str
    title: str
    content: str


def posting_cards(postings: list[JobPosting]) -> list[PostingCard]:
    """Return the cards of the postings (of which only the ids are needed).

    A card is the same in every list and for every visitor reading it in a language until HR
    changes something or the day turns (it says when the posting closes): rendered once and
    kept (process_cards), so the postings, their occupations and places are read only for the
    cards not kept. The way back to the list, added to the link, is each list's own: it is not
    part of what is kept.
    """
    global process_cards
    version = f"{generation()}:{posting_today()}"
    if (
        process_cards[0] != version
        or time.monotonic() - process_cards[1] > POSTING_CARDS_SECONDS
        or len(process_cards[2]) > POSTING_CARDS_MAX
    ):
        process_cards = (version, time.monotonic(), {})
    kept = process_cards[2]
    language = get_language()
    missing = [posting.pk for posting in postings if (language, posting.pk) not in kept]
    for posting in JobPosting.objects.for_cards().filter(pk__in=missing) if missing else ():
        content = render_to_string("includes/posting_card_content.html", {"posting": posting})
        kept[language, posting.pk] = PostingCard(posting.get_absolute_url(), posting.title, content)
    # A posting deleted since the list was read has no card.
    return [kept[key] for key in ((language, posting.pk) for posting in postings) if key in kept]


class PostingDetailView(SharedObjectMixin, DetailView):
    """An open posting for everyone; as a preview, any posting staff may see in the admin."""

    template_name = "positions/posting_detail.html"
    context_object_name = "posting"
    slug_field = "reference_number"
    slug_url_kwarg = "reference"

    def get_queryset(self):
        # The state is read with the posting: its page and the checks below ask no more.
        return JobPosting.objects.for_detail().with_state()

    def get_object(self, queryset=None):
        posting = super().get_object(queryset)
        self.is_preview = False
        if posting.is_open:
            return posting
        user = self.request.user
        if (
            user.has_perm("positions.view_jobposting")
            and JobPosting.objects.visible_to(user).filter(pk=posting.pk).exists()
        ):
            self.is_preview = True
            return posting
        if posting.state == PostingState.CLOSED:
            raise PostingClosed(posting)
        raise Http404("This posting is not published.")

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except PostingClosed as closed:
            return render(
                request,
                "positions/posting_closed.html",
                {"posting": closed.posting, "similar": similar_open_postings(closed.posting)},
                status=410,
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = self.is_preview
        # Keyed like the shared copy of the posting (SharedObjectMixin): HR's changes and the
        # day's turn make a new one; a preview's page is kept apart from the public's.
        context["content_key"] = (
            f"{generation()}:{posting_today()}:{self.object.pk}:{int(self.is_preview)}"
        )
        context["content_seconds"] = self.shared_object_seconds
        context["json_ld"] = posting_json_ld(self.object, self.request)
        context["similar"] = [] if self.object.is_open else similar_open_postings(self.object)
        return context


class PostingClosed(Exception):
    def __init__(self, posting):
        super().__init__(posting.reference_number)
        self.posting = posting


def similar_open_postings(posting: JobPosting, limit: int = 5):
    """Return open postings of the same occupation, or else of the same career stream."""
    open_postings = JobPosting.objects.open().for_cards().exclude(pk=posting.pk)
    same_occupation = list(open_postings.filter(occupation=posting.occupation_id)[:limit])
    if same_occupation:
        return same_occupation
    return list(open_postings.filter(occupation__stream=posting.occupation.stream_id)[:limit])


class AboutView(TemplateView):
    template_name = "positions/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["priorities"] = StrategicPriority.objects.all()
        context["program_areas"] = ProgramArea.objects.all()
        context["work_environments"] = WorkEnvironment.objects.all()
        return context


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    """500, or 503 with Retry-After when the database is out of reach (the site recovers alone).

    Called inside Django's exception handler, so the exception being handled is at hand. Both pages
    stand alone: nothing in them touches the database or the user, which may be what failed.
    """
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)


@require_GET
def robots_txt(request):
    lines = ["User-agent: *"]
    lines += [f"Disallow: /{code}/admin/" for code, _name in settings.LANGUAGES]
    lines.append(
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}"
    )
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
