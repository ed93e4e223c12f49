from django.urls import path

from positions import views
from positions.feeds import NewPostingsFeed

app_name = "positions"

urlpatterns = [
    path("occupations/", views.OccupationListView.as_view(), name="occupation-list"),
    path(
        "occupations/<slug:slug>/",
        views.OccupationDetailView.as_view(),
        name="occupation-detail",
    ),
    path("about/", views.AboutView.as_view(), name="about"),
    path("postings/", views.PostingListView.as_view(), name="posting-list"),
    path("postings/feed/", NewPostingsFeed(), name="posting-feed"),
    path("postings/<str:reference>/", views.PostingDetailView.as_view(), name="posting-detail"),
]
