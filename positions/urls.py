from django.urls import path

from csc_careers.page_cache import cache_public_page
from positions import views
from positions.feeds import NewPostingsFeed

app_name = "positions"

urlpatterns = [
    path(
        "occupations/",
        cache_public_page(views.OccupationListView.as_view()),
        name="occupation-list",
    ),
    path(
        "occupations/<slug:slug>/",
        cache_public_page(views.OccupationDetailView.as_view()),
        name="occupation-detail",
    ),
    path("about/", cache_public_page(views.AboutView.as_view()), name="about"),
    path("postings/", cache_public_page(views.PostingListView.as_view()), name="posting-list"),
    path("postings/feed/", cache_public_page(NewPostingsFeed()), name="posting-feed"),
    path(
        "postings/<str:reference>/",
        cache_public_page(views.PostingDetailView.as_view()),
        name="posting-detail",
    ),
]
