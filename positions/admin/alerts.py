"""HR's view of job alert subscriptions: read-only, searchable by address; HR may delete one.

Nobody adds or edits a subscription here: only the address's owner signs up, by the double
opt-in, and changes it from the signed manage link.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from positions.models import JobAlert


class AlertStateFilter(admin.SimpleListFilter):
    """Filter on the state a subscription is in: waiting for confirmation, active, paused."""

    title = _("state")
    parameter_name = "state"
    UNCONFIRMED, ACTIVE, PAUSED = "unconfirmed", "active", "paused"

    def lookups(self, request, model_admin):
        return [
            (self.UNCONFIRMED, _("Waiting for confirmation")),
            (self.ACTIVE, _("Active")),
            (self.PAUSED, _("Paused")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.UNCONFIRMED:
            return queryset.filter(confirmed_at__isnull=True)
        if value == self.ACTIVE:
            return queryset.active()
        if value == self.PAUSED:
            return queryset.confirmed().filter(paused_at__isnull=False)
        return queryset


@admin.register(JobAlert)
class JobAlertAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "query",
        "language",
        "frequency",
        "created_at",
        "confirmed_at",
        "paused_at",
        "last_sent_at",
        "email_count",
    ]
    list_filter = [AlertStateFilter, "frequency", "language"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "email",
        "language",
        "frequency",
        "query",
        "created_at",
        "confirmed_at",
        "paused_at",
        "since",
        "last_sent_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(email_count=Count("deliveries", filter=Q(deliveries__sent_at__isnull=False)))
        )

    @admin.display(description=_("e-mails sent"), ordering="email_count")
    def email_count(self, alert):
        return alert.email_count

    def get_search_results(self, request, queryset, search_term):
        # Addresses are stored lower-cased: a search typed with capitals finds them too.
        return super().get_search_results(request, queryset, search_term.strip().lower())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
