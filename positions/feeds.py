"""Atom feed of newly opened postings, narrowed by the same filters as the postings list."""

from django.contrib.syndication.views import Feed
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from positions.filters import PostingFilter
from positions.models import JobPosting
from positions.models.search import keyword_words
from positions.templatetags.site_tags import money


def scope_names(filterset: PostingFilter) -> list[str]:
    """Return what the filters in use narrow the postings to, in words."""
    names = []
    for name, value in filterset.form.cleaned_data.items():
        field = filterset.form.fields[name]
        if name == "sort" or value in (None, ""):
            continue
        if name == "q":
            # The words searched: what else was typed (control characters…) is not searched.
            if words := keyword_words(value):
                names.append(_("“%(keyword)s”") % {"keyword": " ".join(words)})
        elif isinstance(value, models.Model):
            names.append(str(value))
        elif name == "salary":
            names.append(_("%(amount)s a year or more") % {"amount": money(value)})
        else:
            names.append(
                _("%(filter)s: %(value)s")
                % {"filter": field.label, "value": dict(field.choices)[value]}
            )
    return names


def with_query(url: str, filterset: PostingFilter) -> str:
    """Return the URL with the filters in use."""
    query = filterset.filter_query().urlencode()
    return f"{url}?{query}" if query else url


class NewPostingsFeed(Feed):
    feed_type = Atom1Feed
    limit = 50

    def get_object(self, request):
        """Return the postings list's filters, as its "Follow" link passes them (404 if wrong)."""
        self.request = request
        filterset = PostingFilter(
            request.GET, queryset=JobPosting.objects.open().for_list(), request=request
        )
        if not filterset.is_valid():
            raise Http404("Some filters are not valid.")
        return filterset

    def title(self, filterset):
        names = scope_names(filterset)
        if names:
            return _("New job postings at CSC: %(scope)s") % {"scope": ", ".join(names)}
        return _("New job postings at CSC")

    def subtitle(self, filterset):
        return _("Job postings of the Correctional Service of Canada, newest first.")

    def link(self, filterset):
        return with_query(reverse("positions:posting-list"), filterset)

    def feed_url(self, filterset):
        return with_query(reverse("positions:posting-feed"), filterset)

    def items(self, filterset):
        return filterset.qs.order_by("-open_date", "reference_number")[: self.limit]

    def item_title(self, posting):
        return f"{posting.title} ({posting.classification})"

    def item_description(self, posting):
        places = ", ".join(f"{f.name}, {f.city}" for f in posting.locations.all())
        return _("%(places)s. %(low)s to %(high)s a year. Closes %(date)s.") % {
            "places": places,
            "low": money(posting.salary_min),
            "high": money(posting.salary_max),
            "date": posting.closing_date.isoformat(),
        }

    def item_pubdate(self, posting):
        return posting.published_at

    def item_updateddate(self, posting):
        return posting.updated_at

    def item_guid(self, posting):
        return self.request.build_absolute_uri(posting.get_absolute_url())
