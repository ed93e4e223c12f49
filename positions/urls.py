from django.urls import path

from csc_careers.page_cache import cache_public_page
from positions import alert_views, views
from positions.feeds import JobBoardFeedView, NewPostingsFeed, OpenDataFeedView

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
        "postings/jobs.xml",
        cache_public_page(JobBoardFeedView.as_view()),
        name="posting-job-board-feed",
    ),
    path(
        "postings/postings.json",
        cache_public_page(OpenDataFeedView.as_view()),
        name="posting-open-data",
    ),
    # Job alerts: never cached (forms with CSRF tokens, private pages).
    path("postings/alerts/new/", alert_views.AlertSignupView.as_view(), name="alert-signup"),
    path(
        "postings/alerts/confirm/<str:token>/",
        alert_views.AlertConfirmView.as_view(),
        name="alert-confirm",
    ),
    path(
        "postings/alerts/manage/<str:token>/",
        alert_views.AlertManageView.as_view(),
        name="alert-manage",
    ),
    path(
        "postings/alerts/unsubscribe/<str:token>/",
        alert_views.AlertUnsubscribeView.as_view(),
        name="alert-unsubscribe",
    ),
    path(
        "postings/alerts/unsubscribe/<str:token>/one-click/",
        alert_views.alert_one_click_unsubscribe,
        name="alert-one-click",
    ),
    path(
        "postings/<str:reference>/",
        cache_public_page(views.PostingDetailView.as_view()),
        name="posting-detail",
    ),
]
