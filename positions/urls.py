from django.urls import path

from positions import views

app_name = "positions"

urlpatterns = [
    path("occupations/", views.OccupationListView.as_view(), name="occupation-list"),
    path(
        "occupations/<slug:slug>/",
        views.OccupationDetailView.as_view(),
        name="occupation-detail",
    ),
    path("about/", views.AboutView.as_view(), name="about"),
]
