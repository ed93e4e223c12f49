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
        # The sitemap is built at each request (never cached), so a posting leaves it the moment
        # it closes; it reads only what each entry shows.
        return (
            JobPosting.objects.open()
            .only("reference_number", "updated_at")
            .order_by("reference_number")
        )

    def lastmod(self, posting):
        """Return the posting's last change: any save, the admin's included, even when only a
        qualification or a screening question was edited (the admin saves the posting too)."""
        return posting.updated_at


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "occupations": OccupationSitemap,
    "postings": PostingSitemap,
}
