"""Database helpers shared by the apps: records written once, and counts that stay cheap on the
admin's big tables (a million applications)."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class PermanentRecord(models.Model):
    """A row of an audit trail: written once, never changed (saving it again is refused)."""

    # What a refused edit says; each record names itself.
    edit_refused_message = _("This is a permanent record and cannot be edited.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(self.edit_refused_message)
        super().save(*args, **kwargs)


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered list of a large table from PostgreSQL's statistics, not COUNT(*).

    COUNT(*) reads every row: with a million applications it costs more than the rest of the page.
    Once a filter or a search narrows the list, or the table is small, the count is exact.
    """

    EXACT_BELOW = 50_000

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate >= self.EXACT_BELOW:
                return estimate
        return super().count
