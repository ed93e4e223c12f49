from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from applications import (
            listeners,
            reports_admin,  # noqa: F401 - registers the reports' pages in the admin
        )
        from applications.models import Application
        from applications.signals import application_moved

        application_moved.connect(
            listeners.email_stage_message,
            sender=Application,
            dispatch_uid="applications.email_stage_message",
        )
        application_moved.connect(
            listeners.email_withdrawal_confirmation,
            sender=Application,
            dispatch_uid="applications.email_withdrawal_confirmation",
        )
        application_moved.connect(
            listeners.free_seats_of_closed_application,
            sender=Application,
            dispatch_uid="applications.free_seats_of_closed_application",
        )
