"""sitemap.xml: the public pages in both languages, with hreflang alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from positions.models import JobPosting, Occupation


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(BilingualSitemap):
    priority = 0.6

    def items(self):
        return ["home", "positions:posting-list", "positions:occupation-list", "positions:about"]

    def location(self, name):
        return reverse(name)


class OccupationSitemap(BilingualSitemap):
    priority = 0.5

    def items(self):
        return Occupation.objects.published().order_by("slug")


class PostingSitemap(BilingualSitemap):
    priority = 0.8
    changefreq = "daily"

    def items(self):
        return JobPosting.objects.open().order_by("reference_number")

    def lastmod(self, posting):
        return posting.updated_at


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "occupations": OccupationSitemap,
    "postings": PostingSitemap,
}
