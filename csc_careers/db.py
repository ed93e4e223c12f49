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


class PageCountPaginator(Paginator):
    """Counts the list in the page's own query (COUNT(*) OVER ()): one round trip, not two.

    The count is read from the page's first row. A page past the end, an empty list, DISTINCT
    (counted before it, the window would count duplicates) or orphans fall back to COUNT(*).
    """

    COUNT_ALIAS = "_list_count"

    def get_page(self, number):
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        queryset = self.object_list
        if self.orphans or not isinstance(queryset, models.QuerySet) or queryset.query.distinct:
            return super().get_page(number)
        bottom = (number - 1) * self.per_page
        counted = queryset.annotate(**{self.COUNT_ALIAS: models.Window(models.Count("*"))})[
            bottom : bottom + self.per_page
        ]
        rows = list(counted)
        if not rows:
            return super().get_page(number)
        self.__dict__["count"] = getattr(rows[0], self.COUNT_ALIAS)  # the cached property
        return self._get_page(rows, number, self)
