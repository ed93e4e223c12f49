"""Root URLs: every public page exists under /en/ and /fr/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from csc_careers import views
from csc_careers.page_cache import cache_public_page
from positions import views as positions_views
from positions.sitemaps import SITEMAPS

admin.site.site_header = _("CSC Careers — HR administration")
admin.site.site_title = _("CSC Careers")
admin.site.index_title = _("Occupations, postings and applications")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", positions_views.robots_txt, name="robots-txt"),
    path("healthz", views.healthz, name="healthz"),
]
if settings.BENCHMARK_ENDPOINTS:
    urlpatterns.append(path("bench/hello", views.hello, name="bench-hello"))

urlpatterns += i18n_patterns(
    path("", cache_public_page(positions_views.HomeView.as_view()), name="home"),
    path("", include("positions.urls")),
    path("", include("applications.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "positions.views.bad_request"
handler404 = "positions.views.page_not_found"
handler500 = "positions.views.server_error"
