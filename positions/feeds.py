"""Atom feed of newly opened postings, optionally for one region or career stream."""

import re

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from positions.models import CareerStream, JobPosting, Region
from positions.templatetags.site_tags import money


def scope_or_404(model, slug: str | None):
    """Return the row with this slug, None when no slug is given, or answer 404."""
    if not slug:
        return None
    if not SLUG.fullmatch(slug):
        raise Http404("Not a valid slug.")
    return get_object_or_404(model, slug=slug)


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


class NewPostingsFeed(Feed):
    feed_type = Atom1Feed
    limit = 50

    def get_object(self, request):
        self.request = request
        return {
            "region": scope_or_404(Region, request.GET.get("region")),
            "stream": scope_or_404(CareerStream, request.GET.get("stream")),
        }

    def title(self, scope):
        names = [str(item) for item in scope.values() if item]
        if names:
            return _("New job postings at CSC: %(scope)s") % {"scope": ", ".join(names)}
        return _("New job postings at CSC")

    def subtitle(self, scope):
        return _("Job postings of the Correctional Service of Canada, newest first.")

    def link(self, scope):
        return reverse("positions:posting-list")

    def items(self, scope):
        postings = JobPosting.objects.open().for_list()
        if scope["region"]:
            postings = postings.filter(locations__region=scope["region"]).distinct()
        if scope["stream"]:
            postings = postings.filter(occupation__stream=scope["stream"])
        return postings.order_by("-open_date", "reference_number")[: self.limit]

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
