from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("postings/<str:reference>/apply/", views.ApplyView.as_view(), name="apply"),
    path("applications/status/", views.StatusLinkRequestView.as_view(), name="status-link"),
    path(
        "postings/<str:reference>/apply/received/",
        views.ReceivedView.as_view(),
        name="received",
    ),
    path("applications/<str:token>/", views.StatusView.as_view(), name="status"),
    path(
        "applications/<str:token>/sessions/<int:invitation>/",
        views.BookingView.as_view(),
        name="book",
    ),
    path(
        "applications/<str:token>/sessions/<int:invitation>/session.ics",
        views.BookingCalendarView.as_view(),
        name="book-calendar",
    ),
    path("applications/<str:token>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("staff/exports/applications/", views.ExportView.as_view(), name="export"),
]
